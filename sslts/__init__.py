"""sslts: self-supervised representation learning for time series.

Scikit-learn transformers whose ``fit`` trains an encoder without labels
(SimCLR, Barlow Twins, VICReg) and whose ``transform`` returns embeddings for
any scikit-learn estimator.
"""

from .base import BaseSSLTransformer
from .methods import BarlowTwinsTransformer, SimCLRTransformer, VICRegTransformer

__version__ = "0.1.0"

__all__ = [
    "BarlowTwinsTransformer",
    "BaseSSLTransformer",
    "SimCLRTransformer",
    "VICRegTransformer",
    "__version__",
]

"""sslts: self-supervised representation learning for time series.

Scikit-learn transformers whose ``fit`` trains an encoder without labels
(SimCLR, Barlow Twins, VICReg) and whose ``transform`` returns embeddings for
any scikit-learn estimator; fine-tuning, semi-supervised classification,
preprocessing and spectrograms around them.

Every public name has one import path: the estimators below from ``sslts``;
augmentations from :mod:`sslts.augmentations`, network blocks from
:mod:`sslts.nn`, losses from :mod:`sslts.losses`, loaders from
:mod:`sslts.datasets`, probes and benchmarks from :mod:`sslts.evaluation`,
the method registry from :mod:`sslts.methods`.
"""

from .finetuning.estimators import SSLClassifier, SSLRegressor
from .methods import BarlowTwinsTransformer, SimCLRTransformer, VICRegTransformer
from .preprocessing import ClipOutliers, FillMissing, TimeSeriesScaler
from .semi_supervised import SemiSupervisedClassifier
from .spectrogram import Spectrogram

__version__ = "0.4.0"

__all__ = [
    "BarlowTwinsTransformer",
    "ClipOutliers",
    "FillMissing",
    "SSLClassifier",
    "SSLRegressor",
    "SemiSupervisedClassifier",
    "SimCLRTransformer",
    "Spectrogram",
    "TimeSeriesScaler",
    "VICRegTransformer",
    "__version__",
]

"""The self-supervised methods, one thin estimator each, and their registry.

A method is a loss (:mod:`sslts.losses`), an estimator subclassing
:class:`~sslts.base.BaseSSLTransformer` (in this package) and an entry in
:data:`METHODS`, through which the benchmark command and the shared
estimator tests find it.
"""

from .barlow_twins import BarlowTwinsTransformer
from .simclr import SimCLRTransformer
from .ts2vec import TS2VecTransformer
from .vicreg import VICRegTransformer

__all__ = ["METHODS"]

#: Method name -> (label in tables, estimator class).
METHODS = {
    "simclr": ("SimCLR", SimCLRTransformer),
    "barlowtwins": ("BarlowTwins", BarlowTwinsTransformer),
    "vicreg": ("VICReg", VICRegTransformer),
    "ts2vec": ("TS2Vec", TS2VecTransformer),
}

"""The self-supervised methods, one thin estimator each."""

from .barlow_twins import BarlowTwinsTransformer
from .simclr import SimCLRTransformer
from .vicreg import VICRegTransformer

__all__ = ["BarlowTwinsTransformer", "SimCLRTransformer", "VICRegTransformer"]

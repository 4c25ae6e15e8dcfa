"""Time-series augmentations as scikit-learn transformers with batched torch kernels."""

from .base import BaseAugmentation
from .composition import Compose, RandomApply
from .magnitude import Jitter, ScaledNoise, Scaling
from .temporal import ResizedCrop, TimeWarp

__all__ = [
    "BaseAugmentation",
    "Compose",
    "Jitter",
    "RandomApply",
    "ResizedCrop",
    "ScaledNoise",
    "Scaling",
    "TimeWarp",
]

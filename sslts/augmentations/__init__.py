"""Time-series augmentations as scikit-learn transformers with batched torch kernels."""

from .base import BaseAugmentation
from .composition import Compose, RandomApply, RandomChoice
from .magnitude import Jitter, MagnitudeWarp, ScaledNoise, Scaling, SineDistortion
from .temporal import Permutation, ResizedCrop, Shift, TimeWarp, WindowWarp

__all__ = [
    "BaseAugmentation",
    "Compose",
    "Jitter",
    "MagnitudeWarp",
    "Permutation",
    "RandomApply",
    "RandomChoice",
    "ResizedCrop",
    "ScaledNoise",
    "Scaling",
    "Shift",
    "SineDistortion",
    "TimeWarp",
    "WindowWarp",
]

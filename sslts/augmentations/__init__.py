"""Time-series augmentations as scikit-learn transformers with batched torch kernels."""

from .base import BaseAugmentation, DeterministicAugmentation
from .composition import Compose, RandomApply, RandomChoice
from .filters import LowPassFilter, Smoothing
from .frequency import FrequencyMix
from .magnitude import Jitter, MagnitudeWarp, ScaledNoise, Scaling, SineDistortion
from .masking import Blockout, Masking
from .orientation import ChannelPermutation, SignFlip, TimeReversal
from .policies import default_policy
from .spectral import FrequencyMasking, GaussianBlur, RandomResizedCrop2D, TimeMasking
from .temporal import Permutation, ResizedCrop, Shift, TimeWarp, WindowWarp

__all__ = [
    "BaseAugmentation",
    "Blockout",
    "ChannelPermutation",
    "Compose",
    "DeterministicAugmentation",
    "FrequencyMasking",
    "FrequencyMix",
    "GaussianBlur",
    "Jitter",
    "LowPassFilter",
    "MagnitudeWarp",
    "Masking",
    "Permutation",
    "RandomApply",
    "RandomChoice",
    "RandomResizedCrop2D",
    "ResizedCrop",
    "ScaledNoise",
    "Scaling",
    "Shift",
    "SignFlip",
    "SineDistortion",
    "Smoothing",
    "TimeMasking",
    "TimeReversal",
    "TimeWarp",
    "WindowWarp",
    "default_policy",
]

"""Supervised fine-tuning of pretrained (or new) encoders with a new head."""

from .estimators import SSLClassifier, SSLRegressor
from .net import (
    EncoderFreezer,
    SeriesNetClassifier,
    SeriesNetRegressor,
    SupervisedModule,
)

__all__ = [
    "EncoderFreezer",
    "SSLClassifier",
    "SSLRegressor",
    "SeriesNetClassifier",
    "SeriesNetRegressor",
    "SupervisedModule",
]

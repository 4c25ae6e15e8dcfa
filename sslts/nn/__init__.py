"""Neural network building blocks: encoders, pooling and heads."""

from .encoders import (
    ENCODERS,
    FCN,
    DilatedCNN,
    MaskedConv1d,
    ResNet1D,
    build_encoder,
    encoder_output_dim,
)
from .heads import ProjectionHead
from .pooling import POOLINGS, masked_max_pool, masked_mean_pool, padding_mask

__all__ = [
    "ENCODERS",
    "FCN",
    "DilatedCNN",
    "MaskedConv1d",
    "POOLINGS",
    "ProjectionHead",
    "ResNet1D",
    "build_encoder",
    "encoder_output_dim",
    "masked_max_pool",
    "masked_mean_pool",
    "padding_mask",
]

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
from .encoders_2d import ResNet2D
from .heads import ProjectionHead
from .pooling import POOLINGS, masked_max_pool, masked_mean_pool, padding_mask
from .transfer import AdaptedEncoder, ChannelAdapter, load_encoder, save_encoder

__all__ = [
    "AdaptedEncoder",
    "ChannelAdapter",
    "ENCODERS",
    "FCN",
    "DilatedCNN",
    "MaskedConv1d",
    "POOLINGS",
    "ProjectionHead",
    "ResNet1D",
    "ResNet2D",
    "build_encoder",
    "encoder_output_dim",
    "load_encoder",
    "masked_max_pool",
    "masked_mean_pool",
    "padding_mask",
    "save_encoder",
]

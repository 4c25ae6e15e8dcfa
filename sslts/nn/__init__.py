"""Neural network building blocks: encoders, pooling, heads and encoder files."""

from ..utils.tensors import padding_mask
from .build import ENCODERS, build_encoder, encoder_output_dim, timestamp_features_dim
from .encoders import FCN, DilatedCNN, MaskedConv1d, ResNet1D, TS2VecEncoder
from .encoders_2d import ResNet2D
from .heads import ProjectionHead
from .pooling import POOLINGS, masked_max_pool, masked_mean_pool, masked_pyramid_max_pool
from .standardize import (
    SeriesStandardizedEncoder,
    StandardizedEncoder,
    channel_scale,
    standardized,
)
from .transfer import (
    AdaptedEncoder,
    ChannelAdapter,
    load_encoder,
    prepare_encoder,
    save_encoder,
    unwrap_encoder,
)

__all__ = [
    "AdaptedEncoder",
    "ChannelAdapter",
    "DilatedCNN",
    "ENCODERS",
    "FCN",
    "MaskedConv1d",
    "POOLINGS",
    "ProjectionHead",
    "ResNet1D",
    "ResNet2D",
    "SeriesStandardizedEncoder",
    "StandardizedEncoder",
    "TS2VecEncoder",
    "build_encoder",
    "channel_scale",
    "encoder_output_dim",
    "load_encoder",
    "masked_max_pool",
    "masked_mean_pool",
    "masked_pyramid_max_pool",
    "padding_mask",
    "prepare_encoder",
    "save_encoder",
    "standardized",
    "timestamp_features_dim",
    "unwrap_encoder",
]

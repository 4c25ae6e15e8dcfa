"""Self-supervised losses: NT-Xent, Barlow Twins, VICReg, hierarchical contrast (TS2Vec)."""

from .barlow_twins import BarlowTwinsLoss, barlow_twins_loss
from .hierarchical import (
    HierarchicalContrastiveLoss,
    MultiscaleLoss,
    hierarchical_contrastive_loss,
    instance_contrastive_loss,
    mixed_negatives,
    multiscale_loss,
    soft_instance_targets,
    soft_temporal_targets,
    temporal_contrastive_loss,
)
from .nt_xent import NTXentLoss, nt_xent_loss
from .vicreg import (
    VICRegLoss,
    covariance_loss,
    invariance_loss,
    variance_loss,
    vicreg_loss,
)

__all__ = [
    "nt_xent_loss",
    "NTXentLoss",
    "barlow_twins_loss",
    "BarlowTwinsLoss",
    "vicreg_loss",
    "VICRegLoss",
    "invariance_loss",
    "variance_loss",
    "covariance_loss",
    "hierarchical_contrastive_loss",
    "HierarchicalContrastiveLoss",
    "instance_contrastive_loss",
    "temporal_contrastive_loss",
    "soft_instance_targets",
    "soft_temporal_targets",
    "mixed_negatives",
    "multiscale_loss",
    "MultiscaleLoss",
]

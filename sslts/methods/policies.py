"""Default augmentation policies of the self-supervised methods."""

from ..augmentations import Compose, ResizedCrop, ScaledNoise, Scaling, TimeWarp


def default_policy():
    """Crop, time warp, channel scaling and scaled noise, in that order.

    Every component is relative to the series (its length and its standard
    deviation), so the policy does not depend on the units of the data.
    """
    return Compose([ResizedCrop(scale=(0.5, 1.0)), TimeWarp(sigma=0.2),
                    Scaling(sigma=0.1), ScaledNoise(sigma=0.1)])

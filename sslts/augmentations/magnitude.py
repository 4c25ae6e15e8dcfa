"""Augmentations that change the values of a series, not its time axis."""

from numbers import Real

import torch
from sklearn.utils._param_validation import Interval

from ..utils.params import store_params
from .base import BaseAugmentation, normal

SIGMA_CONSTRAINTS = {
    **BaseAugmentation._parameter_constraints,
    "sigma": [Interval(Real, 0, None, closed="left")],
}


class Jitter(BaseAugmentation):
    """Add Gaussian noise of standard deviation ``sigma`` to every value.

    Um et al. 2017, "Data Augmentation of Wearable Sensor Data for Parkinson's
    Disease Monitoring using Convolutional Neural Networks", ICMI.

    Parameters
    ----------
    sigma : float, default=0.03
        Standard deviation of the noise, in the units of the data.
    random_state : int, RandomState instance or None, default=None
        Seed of the stream of random draws (see :class:`BaseAugmentation`).
    """

    _parameter_constraints = SIGMA_CONSTRAINTS

    def __init__(self, sigma=0.03, *, random_state=None):
        store_params(self, locals())

    def _augment(self, x, generator, lengths):
        return x + self.sigma * normal(x.shape, generator, x.device, x.dtype)


class ScaledNoise(BaseAugmentation):
    """Add Gaussian noise scaled by each channel's standard deviation.

    ``X + R * sigma * std(X)``, with the standard deviation taken per sample
    and channel over the valid part, so the strength does not depend on the
    units of the data.

    Parameters
    ----------
    sigma : float, default=0.1
        Noise standard deviation relative to the channel's standard deviation.
    random_state : int, RandomState instance or None, default=None
        Seed of the stream of random draws (see :class:`BaseAugmentation`).
    """

    _parameter_constraints = SIGMA_CONSTRAINTS

    def __init__(self, sigma=0.1, *, random_state=None):
        store_params(self, locals())

    def _augment(self, x, generator, lengths):
        mean = torch.nanmean(x, dim=-1, keepdim=True)
        std = torch.nanmean((x - mean) ** 2, dim=-1, keepdim=True).sqrt()
        noise = normal(x.shape, generator, x.device, x.dtype)
        return x + noise * (self.sigma * std)


class Scaling(BaseAugmentation):
    """Multiply each channel of each series by a random factor ``1 + sigma * N(0, 1)``.

    Um et al. 2017 (see :class:`Jitter`).

    Parameters
    ----------
    sigma : float, default=0.1
        Standard deviation of the factor around 1.
    random_state : int, RandomState instance or None, default=None
        Seed of the stream of random draws (see :class:`BaseAugmentation`).
    """

    _parameter_constraints = SIGMA_CONSTRAINTS

    def __init__(self, sigma=0.1, *, random_state=None):
        store_params(self, locals())

    def _augment(self, x, generator, lengths):
        n, c, _ = x.shape
        factor = 1.0 + self.sigma * normal((n, c, 1), generator, x.device, x.dtype)
        return x * factor

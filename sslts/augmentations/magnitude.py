"""Augmentations that change the values of a series, not its time axis."""

import math
from numbers import Real

import torch
from sklearn.utils._param_validation import Interval

from ..utils.params import store_params
from .base import BaseAugmentation, check_range, normal, uniform
from .curves import KNOT_CONSTRAINTS, random_knot_curve, unit_grid

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


class MagnitudeWarp(BaseAugmentation):
    """Multiply each channel by a smooth random curve around 1.

    The curve takes values ``1 + sigma * N(0, 1)`` at ``n_knots + 2`` evenly
    spaced knots over the valid part of each series, independently per
    channel, and is linearly interpolated in between. Um et al. 2017 (see
    :class:`Jitter`).

    Parameters
    ----------
    sigma : float, default=0.2
        Standard deviation of the curve at the knots.
    n_knots : int, default=4
        Number of interior knots; more knots give a wigglier curve.
    random_state : int, RandomState instance or None, default=None
        Seed of the stream of random draws (see :class:`BaseAugmentation`).
    """

    _parameter_constraints = KNOT_CONSTRAINTS

    def __init__(self, sigma=0.2, n_knots=4, *, random_state=None):
        store_params(self, locals())

    def _augment(self, x, generator, lengths):
        n, c, t = x.shape
        return x * random_knot_curve((n, c), self.n_knots, self.sigma, lengths, t,
                                     generator, x.device, x.dtype)


class SineDistortion(BaseAugmentation):
    """Multiply each channel by ``1 + amplitude * sin(2 pi f s / L + theta)``.

    The distortion ``X * Psi`` with ``Psi = 1 + sin(2 pi n t / T + theta_c)``
    of the time-series augmentation literature, with its depth set by
    ``amplitude`` (``amplitude=1`` is the undamped form). Per sample, ``f``
    (periods over the valid length ``L``) is drawn uniformly from
    ``frequency``; the phase ``theta`` is drawn per sample and channel.

    Parameters
    ----------
    amplitude : float, default=0.2
        Depth of the modulation; 0 is the identity.
    frequency : tuple of (float, float), default=(0.5, 3.0)
        Range of the number of periods over the series.
    random_state : int, RandomState instance or None, default=None
        Seed of the stream of random draws (see :class:`BaseAugmentation`).
    """

    _parameter_constraints = {
        **BaseAugmentation._parameter_constraints,
        "amplitude": [Interval(Real, 0, None, closed="left")],
        "frequency": [tuple, list],
    }

    def __init__(self, amplitude=0.2, frequency=(0.5, 3.0), *, random_state=None):
        store_params(self, locals())

    def _check_params(self):
        check_range("frequency", self.frequency, 0.0, float("inf"))

    def _augment(self, x, generator, lengths):
        n, c, t = x.shape
        periods = uniform(n, generator, x.device, *self.frequency)
        phase = uniform(n * c, generator, x.device, 0.0, 2 * math.pi).view(n, c, 1)
        cycles = unit_grid(lengths, t) * periods[:, None]  # (n, t)
        wave = torch.sin(2 * math.pi * cycles[:, None, :] + phase)
        return x * (1.0 + self.amplitude * wave).to(x.dtype)

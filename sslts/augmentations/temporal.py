"""Augmentations that distort the time axis of a series."""

from numbers import Integral, Real

import torch
from sklearn.utils._param_validation import Interval

from ._resample import resample, unit_grid
from .base import BaseAugmentation, check_range, normal, uniform


class TimeWarp(BaseAugmentation):
    """Distort time with a smooth random monotone warp.

    The local speed of time is ``1 + sigma * N(0, 1)`` at ``n_knots + 2``
    evenly spaced knots (clipped below at 0.1), linearly interpolated in
    between; its integral maps the valid part onto itself, keeping both
    endpoints. Um et al. 2017, "Data Augmentation of Wearable Sensor Data for
    Parkinson's Disease Monitoring using Convolutional Neural Networks", ICMI.

    Parameters
    ----------
    sigma : float, default=0.2
        Standard deviation of the speed at the knots.
    n_knots : int, default=4
        Number of interior knots; more knots give a wigglier warp.
    random_state : int, RandomState instance or None, default=None
        Seed of the stream of random draws (see :class:`BaseAugmentation`).
    """

    _parameter_constraints = {
        **BaseAugmentation._parameter_constraints,
        "sigma": [Interval(Real, 0, None, closed="left")],
        "n_knots": [Interval(Integral, 0, None, closed="left")],
    }

    def __init__(self, sigma=0.2, n_knots=4, *, random_state=None):
        self.sigma = sigma
        self.n_knots = n_knots
        self.random_state = random_state

    def _augment(self, x, generator, lengths):
        n, _, t = x.shape
        if t == 1:
            return x.clone()
        n_points = self.n_knots + 2
        knots = 1.0 + self.sigma * normal((n, 1, n_points), generator, x.device)
        knots = knots.clamp(min=0.1)
        # speed at each valid step, integrated (trapezoid rule) from 0
        fine = unit_grid(lengths, t) * (n_points - 1)
        speed = resample(knots, fine, torch.full((n,), n_points, device=x.device))[:, 0]
        area = (speed[:, 1:] + speed[:, :-1]) / 2
        warp = torch.cat([torch.zeros_like(speed[:, :1]), area.cumsum(dim=-1)], dim=-1)
        # rescale onto [0, L - 1]: exact integers for a constant speed (identity
        # at sigma=0), and the last valid step pinned against rounding
        last = (lengths.long() - 1)[:, None]
        scaled = warp * (last / warp.gather(1, last))
        steps = torch.arange(t, device=x.device)
        positions = torch.where(steps >= last, last.to(warp.dtype), scaled)
        return resample(x, positions, lengths)


class ResizedCrop(BaseAugmentation):
    """Crop a random window and stretch it back to the original length.

    The window covers a fraction of the valid part drawn uniformly from
    ``scale``, at a uniform random start; it is resampled by linear
    interpolation (the "window slicing" of Le Guennec et al. 2016, "Data
    Augmentation for Time Series Classification using Convolutional Neural
    Networks", AALTD).

    Parameters
    ----------
    scale : tuple of (float, float), default=(0.5, 1.0)
        Range of the window length as a fraction of the series length.
    random_state : int, RandomState instance or None, default=None
        Seed of the stream of random draws (see :class:`BaseAugmentation`).
    """

    _parameter_constraints = {
        **BaseAugmentation._parameter_constraints,
        "scale": [tuple, list],
    }

    def __init__(self, scale=(0.5, 1.0), *, random_state=None):
        self.scale = scale
        self.random_state = random_state

    def _check_params(self):
        check_range("scale", self.scale)
        if self.scale[1] <= 0:
            raise ValueError(f"scale must allow a window longer than 0, got {self.scale!r}.")

    def _augment(self, x, generator, lengths):
        n, _, t = x.shape
        size = uniform(n, generator, x.device, *self.scale)
        start = uniform(n, generator, x.device) * (1.0 - size)
        steps = torch.arange(t, device=x.device, dtype=size.dtype)
        # start * (L - 1) + size * j, exact for the full window (identity)
        positions = (start * (lengths - 1))[:, None] + size[:, None] * steps
        return resample(x, positions, lengths)

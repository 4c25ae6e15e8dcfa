"""Augmentations that distort the time axis of a series."""

import math
from numbers import Integral, Real

import torch
from sklearn.utils._param_validation import Interval

from ..utils.tensors import resample
from .base import BaseAugmentation, check_range, uniform
from .curves import KNOT_CONSTRAINTS, random_knot_curve


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

    _parameter_constraints = KNOT_CONSTRAINTS

    def __init__(self, sigma=0.2, n_knots=4, *, random_state=None):
        self.sigma = sigma
        self.n_knots = n_knots
        self.random_state = random_state

    def _augment(self, x, generator, lengths):
        n, _, t = x.shape
        if t == 1:
            return x.clone()
        # speed at each valid step, integrated (trapezoid rule) from 0
        speed = random_knot_curve((n, 1), self.n_knots, self.sigma, lengths, t,
                                  generator, x.device, floor=0.1)[:, 0]
        area = (speed[:, 1:] + speed[:, :-1]) / 2
        warp = torch.nn.functional.pad(area.cumsum(dim=-1), (1, 0))
        # rescale onto [0, L - 1]: exact integers for a constant speed (identity
        # at sigma=0), and the last valid step pinned against rounding
        last = (lengths.long() - 1)[:, None]
        scaled = warp * (last / warp.gather(1, last))
        steps = torch.arange(t, device=x.device)
        positions = torch.where(steps >= last, last.to(warp.dtype), scaled)
        return resample(x, positions, lengths, mask_padding=True)


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
        return resample(x, positions, lengths, mask_padding=True)


class WindowWarp(BaseAugmentation):
    """Speed up or slow down one random window, then resize to the original length.

    A window covering ``window_size`` of the valid part, at a uniform random
    start, is stretched by a factor drawn log-uniformly from ``speed``
    (below 1 slows the window down, above 1 speeds it up, as in the ``{0.5,
    2}`` of the original), and the whole series is resampled back onto its
    valid length, keeping both endpoints. Le Guennec et al. 2016 (see
    :class:`ResizedCrop`).

    Parameters
    ----------
    window_size : float, default=0.1
        Length of the warped window as a fraction of the series length.
    speed : tuple of (float, float), default=(0.5, 2.0)
        Range of the time-stretch factor of the window (positive).
    random_state : int, RandomState instance or None, default=None
        Seed of the stream of random draws (see :class:`BaseAugmentation`).
    """

    _parameter_constraints = {
        **BaseAugmentation._parameter_constraints,
        "window_size": [Interval(Real, 0, 1, closed="both")],
        "speed": [tuple, list],
    }

    def __init__(self, window_size=0.1, speed=(0.5, 2.0), *, random_state=None):
        self.window_size = window_size
        self.speed = speed
        self.random_state = random_state

    def _check_params(self):
        check_range("speed", self.speed, 0.0, float("inf"))
        if self.speed[0] <= 0:
            raise ValueError(f"speed must be positive, got {self.speed!r}.")

    def _augment(self, x, generator, lengths):
        n, _, t = x.shape
        log_low, log_high = math.log(self.speed[0]), math.log(self.speed[1])
        stretch = uniform(n, generator, x.device, log_low, log_high).exp()
        last = (lengths - 1).to(torch.float32)
        width = self.window_size * last
        start = uniform(n, generator, x.device) * (last - width)
        # the window [start, start + width] becomes [start, start + width * stretch]:
        # map output steps back onto input positions, piecewise linearly
        total = last + width * (stretch - 1.0)
        steps = torch.arange(t, device=x.device, dtype=torch.float32)
        warped = steps[None, :] * (total / last.clamp(min=1.0))[:, None]
        start, end = start[:, None], (start + width * stretch)[:, None]
        inside = start + (warped - start) / stretch[:, None]
        after = warped - (width * (stretch - 1.0))[:, None]
        positions = torch.where(warped < start, warped,
                                torch.where(warped < end, inside, after))
        return resample(x, positions, lengths, mask_padding=True)


def segment_positions(starts, sizes, order, lengths, t):
    """Input positions that lay the segments of each series out in ``order``.

    Parameters
    ----------
    starts, sizes : torch.Tensor of shape (n, k)
        Start and length of each segment of the valid part.
    order : torch.Tensor of shape (n, k)
        Output order: position ``i`` of the output holds segment ``order[:, i]``.
    lengths : torch.Tensor of shape (n,)
        Valid lengths; steps past them map onto themselves (the padding).
    t : int
        Padded length.

    Returns
    -------
    torch.Tensor of shape (n, t), int64
    """
    out_sizes = sizes.gather(1, order)
    out_ends = out_sizes.cumsum(dim=1)
    steps = torch.arange(t, device=starts.device).expand(starts.shape[0], t)
    slot = torch.searchsorted(out_ends, steps.contiguous(), right=True)
    slot = slot.clamp(max=order.shape[1] - 1)
    offset = steps - (out_ends - out_sizes).gather(1, slot)
    source = starts.gather(1, order.gather(1, slot)) + offset
    return torch.where(steps < lengths[:, None], source, steps)


class Permutation(BaseAugmentation):
    """Cut each series into segments at random points and shuffle them.

    The valid part is cut at ``n_segments - 1`` uniformly drawn points and
    the segments are put back in a uniformly random order, both per sample.
    Um et al. 2017 (see :class:`TimeWarp`).

    Parameters
    ----------
    n_segments : int, default=4
        Number of segments; 1 is the identity.
    random_state : int, RandomState instance or None, default=None
        Seed of the stream of random draws (see :class:`BaseAugmentation`).
    """

    _parameter_constraints = {
        **BaseAugmentation._parameter_constraints,
        "n_segments": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, n_segments=4, *, random_state=None):
        self.n_segments = n_segments
        self.random_state = random_state

    def _augment(self, x, generator, lengths):
        n, c, t = x.shape
        k = self.n_segments
        cuts = uniform(n * (k - 1), generator, x.device).view(n, k - 1)
        cuts = (cuts * lengths[:, None]).long().sort(dim=1).values
        zero = torch.zeros_like(lengths)[:, None]
        bounds = torch.cat([zero, cuts, lengths[:, None]], dim=1)
        starts, sizes = bounds[:, :-1], bounds.diff(dim=1)
        order = uniform(n * k, generator, x.device).view(n, k).argsort(dim=1)
        source = segment_positions(starts, sizes, order, lengths, t)
        return x.gather(2, source[:, None, :].expand(n, c, t))


class Shift(BaseAugmentation):
    """Shift each series circularly in time by a random amount.

    The shift is drawn uniformly in ``[-max_shift, max_shift]`` times the
    valid length, per sample; values leaving one end of the valid part come
    back at the other end.

    Parameters
    ----------
    max_shift : float, default=0.5
        Largest shift as a fraction of the series length; 0 is the identity.
    random_state : int, RandomState instance or None, default=None
        Seed of the stream of random draws (see :class:`BaseAugmentation`).
    """

    _parameter_constraints = {
        **BaseAugmentation._parameter_constraints,
        "max_shift": [Interval(Real, 0, 1, closed="both")],
    }

    def __init__(self, max_shift=0.5, *, random_state=None):
        self.max_shift = max_shift
        self.random_state = random_state

    def _augment(self, x, generator, lengths):
        n, c, t = x.shape
        fraction = uniform(n, generator, x.device, -self.max_shift, self.max_shift)
        shift = (fraction * lengths).round().long()
        steps = torch.arange(t, device=x.device).expand(n, t)
        source = torch.remainder(steps - shift[:, None], lengths[:, None])
        source = torch.where(steps < lengths[:, None], source, steps)
        return x.gather(2, source[:, None, :].expand(n, c, t))

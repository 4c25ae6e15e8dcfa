"""Augmentations that hide parts of a series by setting them to zero."""

from numbers import Real

import torch
from sklearn.utils._param_validation import Interval

from ..utils.params import store_params
from .base import BaseAugmentation, check_range, uniform


def random_block(size, span, generator):
    """Draw a random run of ``size[i]`` consecutive indices inside ``[0, span[i])``.

    Parameters
    ----------
    size : torch.Tensor of shape (n,), int64
        Length of the run of each sample, ``0 <= size <= span``.
    span : torch.Tensor of shape (n,), int64
        Number of indices available to each sample.
    generator : torch.Generator
        Source of randomness, on the device of ``size``.

    Returns
    -------
    start : torch.Tensor of shape (n,), int64
        First index of each run, uniform over ``0 ... span - size``.
    """
    free = span - size
    u = uniform(size.shape[0], generator, size.device).double()
    start = (u * (free + 1)).floor().long()
    return torch.minimum(start, free)


def in_run(start, size, length, device):
    """Mask of shape (n, length), True where ``start[i] <= j < start[i] + size[i]``."""
    steps = torch.arange(length, device=device)
    return (steps >= start[:, None]) & (steps < (start + size)[:, None])


class Blockout(BaseAugmentation):
    """Set a random contiguous block of each series to zero.

    The block covers a fraction of the sample's valid length drawn uniformly
    from ``scale`` (rounded to whole time steps), at a uniform random start
    inside the valid part. With ``channel_fraction < 1`` it only covers a
    random run of ``max(1, round(channel_fraction * n_channels))`` adjacent
    channels (halves rounded up). A block of length zero leaves the sample
    unchanged. This is cutout (DeVries & Taylor 2017, "Improved Regularization
    of Convolutional Neural Networks with Cutout", arXiv:1708.04552) along time.

    Parameters
    ----------
    scale : tuple of (float, float), default=(0.0, 0.2)
        Range of the block length as a fraction of the valid length, within
        ``[0, 1]``.
    channel_fraction : float in (0, 1], default=1.0
        Fraction of adjacent channels the block covers; 1 covers all channels.
    random_state : int, RandomState instance or None, default=None
        Seed of the stream of random draws (see :class:`BaseAugmentation`).
    """

    _parameter_constraints = {
        **BaseAugmentation._parameter_constraints,
        "scale": [tuple, list],
        "channel_fraction": [Interval(Real, 0, 1, closed="right")],
    }

    def __init__(self, scale=(0.0, 0.2), channel_fraction=1.0, *, random_state=None):
        store_params(self, locals())

    def _check_params(self):
        check_range("scale", self.scale)

    def _augment(self, x, generator, lengths):
        n, c, t = x.shape
        lengths = lengths.long()
        fraction = uniform(n, generator, x.device, *self.scale).double()
        size = torch.minimum((fraction * lengths + 0.5).floor().long(), lengths)
        start = random_block(size, lengths, generator)
        n_covered = max(1, int(self.channel_fraction * c + 0.5))
        covered = torch.full((n,), n_covered, device=x.device)
        first = random_block(covered, torch.full_like(covered, c), generator)
        mask = (in_run(first, covered, c, x.device)[:, :, None]
                & in_run(start, size, t, x.device)[:, None, :])
        return x.masked_fill(mask, 0.0)


class Masking(BaseAugmentation):
    """Set each time step to zero in all channels with probability ``p``.

    Each valid time step of each sample is masked independently; padding is
    left alone. The timestamp masking of TS2Vec (Yue et al. 2022, "TS2Vec:
    Towards Universal Representation of Time Series", AAAI), which masks the
    latent vectors after the input projection; here it applies to the input.

    Parameters
    ----------
    p : float in [0, 1], default=0.5
        Probability of masking a time step; 0 leaves the series unchanged.
    random_state : int, RandomState instance or None, default=None
        Seed of the stream of random draws (see :class:`BaseAugmentation`).
    """

    _parameter_constraints = {
        **BaseAugmentation._parameter_constraints,
        "p": [Interval(Real, 0, 1, closed="both")],
    }

    def __init__(self, p=0.5, *, random_state=None):
        store_params(self, locals())

    def _augment(self, x, generator, lengths):
        n, _, t = x.shape
        masked = uniform((n, 1, t), generator, x.device) < self.p
        valid = torch.arange(t, device=x.device) < lengths[:, None, None]
        return x.masked_fill(masked & valid, 0.0)

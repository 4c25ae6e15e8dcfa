"""Random smooth curves along time, shared by the warping augmentations."""

from numbers import Integral, Real

import torch
from sklearn.utils._param_validation import Interval

from .base import BaseAugmentation, normal

KNOT_CONSTRAINTS = {
    **BaseAugmentation._parameter_constraints,
    "sigma": [Interval(Real, 0, None, closed="left")],
    "n_knots": [Interval(Integral, 0, None, closed="left")],
}


def unit_grid(lengths, t):
    """Positions ``j / (L_i - 1)`` in ``[0, 1]`` for ``j < t``, shape (n, t).

    Entries past a sample's length are clipped to 1; they fall in the padding.
    """
    steps = torch.arange(t, device=lengths.device, dtype=torch.float32)
    span = (lengths - 1).clamp(min=1).to(torch.float32)
    return (steps[None, :] / span[:, None]).clamp(max=1.0)


def knot_curve(knots, fine):
    """Piecewise-linear curves through evenly spaced knots, read at ``fine``.

    Parameters
    ----------
    knots : torch.Tensor of shape (n, c, k), k >= 2
        Values at the knots ``0, 1, ..., k - 1``.
    fine : torch.Tensor of shape (n, t)
        Fractional knot positions in ``[0, k - 1]``, shared by the channels.

    Returns
    -------
    torch.Tensor of shape (n, c, t)
    """
    n, c, k = knots.shape
    left = fine.floor().clamp(max=k - 2)
    weight = (fine - left).to(knots.dtype)[:, None, :]
    index = left.long()[:, None, :].expand(n, c, fine.shape[1])
    return torch.lerp(knots.gather(2, index), knots.gather(2, index + 1), weight)


def random_knot_curve(shape, n_knots, sigma, lengths, t, generator, device,
                      dtype=torch.float32, floor=None):
    """Random smooth curves around 1 over the valid part of each series.

    Values ``1 + sigma * N(0, 1)`` at ``n_knots + 2`` evenly spaced knots
    (clipped below at ``floor`` when given), linearly interpolated in between.

    Parameters
    ----------
    shape : tuple of (int, int)
        ``(n, c)``: one curve per sample and channel.
    n_knots : int
        Number of interior knots.
    sigma : float
        Standard deviation of the values at the knots.
    lengths : torch.Tensor of shape (n,)
        Valid lengths; the curve spans ``[0, lengths[i] - 1]``.
    t : int
        Padded length of the output.
    generator : torch.Generator
        Source of the draws.
    device : torch.device
        Device of the output.
    dtype : torch.dtype, default=torch.float32
        Dtype of the draws and the output.
    floor : float, default=None
        Lower bound applied to the knot values.

    Returns
    -------
    torch.Tensor of shape (n, c, t)
    """
    n_points = n_knots + 2
    knots = 1.0 + sigma * normal((*shape, n_points), generator, device, dtype)
    if floor is not None:
        knots = knots.clamp(min=floor)
    return knot_curve(knots, unit_grid(lengths, t) * (n_points - 1))

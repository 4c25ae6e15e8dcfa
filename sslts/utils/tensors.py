"""Tensor helpers below every other module: NaN padding and resampling.

The one rule of variable length lives here. A batch ``(n, c, t)`` (or
``(n, c, h, w)``) is right-padded with NaN: a time step (the last axis) is
*observed* when at least one value across the other axes is not NaN, and the
valid length of a series is 1 + its last observed step. Steps before that are
the series (a missing value inside it is a gap, filled by input validation);
steps after it are padding.
"""

import torch

__all__ = ["padding_mask", "pairwise_rms_distances", "resample", "valid_lengths"]


def valid_lengths(x):
    """Valid length of each series of a NaN right-padded batch.

    Parameters
    ----------
    x : torch.Tensor of shape (n, c, t) or (n, c, h, w)
        Batch right-padded with NaN along the last axis.

    Returns
    -------
    lengths : torch.Tensor of shape (n,), int64
        1 + the last step where any value is not NaN; 0 for an all-NaN series.
    """
    observed = ~torch.isnan(x).flatten(1, -2).all(dim=1)  # (n, t)
    t = observed.shape[1]
    from_end = observed.flip(1).to(torch.uint8).argmax(dim=1)
    return torch.where(observed.any(dim=1), t - from_end, 0).to(torch.int64)


def padding_mask(x, lengths=None):
    """Valid-time-step mask of a NaN right-padded batch.

    Parameters
    ----------
    x : torch.Tensor of shape (n, c, t) or (n, c, h, w)
        Batch right-padded with NaN along the last axis.
    lengths : torch.Tensor of shape (n,), optional
        Valid lengths when already known; computed by :func:`valid_lengths`
        otherwise.

    Returns
    -------
    mask : torch.BoolTensor of shape (n, t)
        True at the steps before each series' valid length.
    """
    if lengths is None:
        lengths = valid_lengths(x)
    steps = torch.arange(x.shape[-1], device=x.device)
    return steps[None, :] < lengths.to(x.device)[:, None]


def pairwise_rms_distances(x):
    """Root mean squared difference of every pair of series, over the values both observe.

    Parameters
    ----------
    x : torch.Tensor of shape (n, c, t)
        Batch right-padded with NaN (a NaN value is left out).

    Returns
    -------
    torch.Tensor of float64, shape (n, n)
        ``sqrt(mean((x[i] - x[j]) ** 2))`` over the values observed in both
        series; 0 on the diagonal, and where two series share no value.
    """
    observed = ~torch.isnan(x).flatten(1)
    values = x.flatten(1).double().nan_to_num(0.0)  # 0 where not observed
    both = observed.double()
    squares = values ** 2
    total = squares @ both.T + both @ squares.T - 2 * values @ values.T
    distances = (total.clamp(min=0) / (both @ both.T).clamp(min=1)).sqrt()
    return distances.fill_diagonal_(0.0)


def resample(x, positions, lengths, mask_padding=False):
    """Read ``x`` at fractional time ``positions`` by linear interpolation.

    Parameters
    ----------
    x : torch.Tensor of shape (n, c, t)
        Series, valid on the prefix ``[0, lengths[i])``.
    positions : torch.Tensor of shape (n, t_out)
        Fractional indices into each series; clipped to its valid part.
    lengths : torch.Tensor of shape (n,)
        Valid lengths of ``x``.
    mask_padding : bool, default=False
        Set output steps ``j >= lengths[i]`` to NaN, so that the padding of a
        series resampled onto its own grid stays padding.

    Returns
    -------
    torch.Tensor of shape (n, c, t_out)
    """
    n, c = x.shape[:2]
    last = (lengths - 1).to(positions.dtype)[:, None]
    pos = torch.minimum(positions.clamp(min=0.0), last)
    left = pos.floor()
    weight = (pos - left).to(x.dtype)[:, None, :]
    left = left.long()
    right = torch.minimum(left + 1, last.long())
    shape = (n, c, positions.shape[1])
    x_left = x.gather(2, left[:, None, :].expand(shape))
    x_right = x.gather(2, right[:, None, :].expand(shape))
    out = torch.lerp(x_left, x_right, weight)
    if mask_padding:
        steps = torch.arange(positions.shape[1], device=x.device)
        padding = steps[None, :] >= lengths[:, None]
        out = out.masked_fill(padding[:, None, :], float("nan"))
    return out

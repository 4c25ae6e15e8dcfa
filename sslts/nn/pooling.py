"""Masked pooling over the time axis: global mean and max, and a temporal pyramid."""

import torch

__all__ = ["PYRAMID_LEVELS", "POOLINGS", "masked_max_pool", "masked_mean_pool",
           "masked_pyramid_max_pool", "pooled_parts"]

#: Parts per level of :func:`masked_pyramid_max_pool`: the whole series, halves, quarters.
PYRAMID_LEVELS = (1, 2, 4)


def masked_mean_pool(h, mask):
    """Mean over the valid time steps.

    Parameters
    ----------
    h : Tensor of shape (n, d, t)
        Per-time-step features.
    mask : BoolTensor of shape (n, t)
        True where the time step is valid.

    Returns
    -------
    Tensor of shape (n, d)
        Zero for a sample without any valid step.
    """
    mask = mask.to(torch.bool).unsqueeze(1)
    total = h.masked_fill(~mask, 0.0).sum(dim=-1)
    return total / mask.sum(dim=-1).clamp(min=1).to(h.dtype)


def masked_max_pool(h, mask):
    """Maximum over the valid time steps.

    Parameters
    ----------
    h : Tensor of shape (n, d, t)
        Per-time-step features.
    mask : BoolTensor of shape (n, t)
        True where the time step is valid.

    Returns
    -------
    Tensor of shape (n, d)
        Zero for a sample without any valid step.
    """
    mask = mask.to(torch.bool).unsqueeze(1)
    out = h.masked_fill(~mask, float("-inf")).amax(dim=-1)
    return out.masked_fill(~mask.any(dim=-1), 0.0)


def masked_pyramid_max_pool(h, mask):
    """Maximum over the whole series, each half and each quarter, concatenated.

    Temporal pyramid pooling: besides which features fired, the embedding
    keeps roughly where in the series they fired. The parts split each
    series' own valid steps: part ``s`` of ``k`` covers steps
    ``floor(s L / k)`` to ``floor((s + 1) L / k) - 1`` of a series of
    length ``L``, and at least step ``floor(s L / k)`` (a series shorter
    than 4 steps repeats steps across quarters).

    Parameters
    ----------
    h : Tensor of shape (n, d, t)
        Per-time-step features.
    mask : BoolTensor of shape (n, t)
        True where the time step is valid; the valid steps of a series come
        first (right padding).

    Returns
    -------
    Tensor of shape (n, 7 d)
        The whole-series maximum, then the halves', then the quarters'
        (:data:`PYRAMID_LEVELS`); zero for a sample without any valid step.
    """
    mask = mask.to(torch.bool)
    lengths = mask.sum(dim=-1, keepdim=True)  # (n, 1)
    steps = torch.arange(h.shape[-1], device=h.device)
    parts = []
    for k in PYRAMID_LEVELS:
        for s in range(k):
            start = s * lengths // k
            stop = torch.maximum((s + 1) * lengths // k, start + 1)
            part = (steps >= start) & (steps < stop) & mask
            parts.append(masked_max_pool(h, part))
    return torch.cat(parts, dim=1)


POOLINGS = {"mean": masked_mean_pool, "max": masked_max_pool,
            "pyramid": masked_pyramid_max_pool}


def pooled_parts(pooling):
    """How many times wider than the per-timestamp features the embedding of
    the pooling called ``pooling`` is: 7 for "pyramid", 1 otherwise."""
    return sum(PYRAMID_LEVELS) if pooling == "pyramid" else 1

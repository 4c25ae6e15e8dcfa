"""Masked global pooling over the time axis."""

import torch

__all__ = ["POOLINGS", "masked_max_pool", "masked_mean_pool"]


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


POOLINGS = {"mean": masked_mean_pool, "max": masked_max_pool}

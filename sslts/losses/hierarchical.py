"""Hierarchical contrastive loss of TS2Vec: instance and temporal contrast at every scale.

References
----------
.. [1] Yue, Z., Wang, Y., Duan, J., Yang, T., Huang, C., Tong, Y. and Xu, B.
   (2022). "TS2Vec: Towards Universal Representation of Time Series". AAAI.
"""

import torch
import torch.nn.functional as F
from torch import nn

from ._checks import check_non_negative

__all__ = ["HierarchicalContrastiveLoss", "hierarchical_contrastive_loss",
           "instance_contrastive_loss", "max_pool_pair", "temporal_contrastive_loss"]


def _contrast(z, valid, shift):
    """Mean cross entropy of each valid anchor against its positive.

    ``z`` is ``(groups, m, d)``: inside each group, anchor ``j`` has
    positive ``(j + shift) % m`` and every other valid member as negative.
    ``valid`` ``(groups, m)`` marks the members that exist. Returns the sum
    of the losses of the valid anchors and their number.
    """
    m = z.shape[1]
    logits = z @ z.transpose(1, 2)
    lowest = torch.finfo(logits.dtype).min  # finite: no NaN gradients for empty rows
    drop = ~valid[:, None, :] | torch.eye(m, dtype=torch.bool, device=z.device)
    logits = logits.masked_fill(drop, lowest)
    positives = torch.arange(m, device=z.device).roll(-shift)
    log_p = logits.log_softmax(-1)[:, torch.arange(m, device=z.device), positives]
    anchors = valid & valid[:, positives]
    return -(log_p * anchors).sum(), anchors.sum()


def _as_features(z1, z2, mask):
    if not (torch.is_tensor(z1) and torch.is_tensor(z2)):
        raise TypeError("z1 and z2 must be torch tensors of shape (n, d, t).")
    if z1.ndim != 3 or z1.shape != z2.shape:
        raise ValueError(
            "z1 and z2 must be per-timestamp features of one shape (n, d, t), got "
            f"{tuple(z1.shape)} and {tuple(z2.shape)}.")
    if not z1.is_floating_point():
        raise ValueError(f"z1 and z2 must be floating point, got {z1.dtype}.")
    n, _, t = z1.shape
    if mask is None:
        mask = torch.ones(n, t, dtype=torch.bool, device=z1.device)
    elif tuple(mask.shape) != (n, t):
        raise ValueError(f"mask must have shape (n, t) = {(n, t)}, got {tuple(mask.shape)}.")
    return z1.float(), z2.float(), mask.to(torch.bool)


def instance_contrastive_loss(z1, z2, mask=None):
    """Instance contrast at each timestamp: other series are the negatives.

    At timestamp ``t`` the anchor ``z1[i, :, t]`` has ``z2[i, :, t]`` as
    positive and the features of the other series of both views at ``t``
    as negatives (dot-product similarities, no temperature, as in TS2Vec).

    Parameters
    ----------
    z1, z2 : torch.Tensor of shape (n, d, t)
        Per-timestamp features of two views, aligned in time.
    mask : torch.Tensor of bool, shape (n, t), default=None
        True where a timestamp exists in both views; None: all do.

    Returns
    -------
    torch.Tensor
        Scalar: mean over the anchors that exist (0 when none has a
        negative, e.g. one series).
    """
    z1, z2, mask = _as_features(z1, z2, mask)
    n = z1.shape[0]
    z = torch.cat([z1, z2]).permute(2, 0, 1)  # (t, 2n, d)
    total, count = _contrast(z, torch.cat([mask, mask]).T, n)
    return total / count.clamp(min=1)


def temporal_contrastive_loss(z1, z2, mask=None):
    """Temporal contrast within each series: other timestamps are the negatives.

    The anchor ``z1[i, :, t]`` has ``z2[i, :, t]`` as positive and the
    features of series ``i`` at the other timestamps of both views as
    negatives.

    Parameters
    ----------
    z1, z2 : torch.Tensor of shape (n, d, t)
        Per-timestamp features of two views, aligned in time.
    mask : torch.Tensor of bool, shape (n, t), default=None
        True where a timestamp exists in both views; None: all do.

    Returns
    -------
    torch.Tensor
        Scalar: mean over the anchors that exist (0 when ``t == 1``).
    """
    z1, z2, mask = _as_features(z1, z2, mask)
    t = z1.shape[2]
    z = torch.cat([z1, z2], dim=2).transpose(1, 2)  # (n, 2t, d)
    total, count = _contrast(z, torch.cat([mask, mask], dim=1), t)
    return total / count.clamp(min=1)


def max_pool_pair(z1, z2, mask):
    """Halve the time axis of both views by max-pooling pairs of timestamps.

    Padded timestamps do not enter the maximum; a pooled timestamp exists
    when one of its two did. An odd last timestamp is dropped (as
    ``torch.nn.functional.max_pool1d`` does).

    Parameters
    ----------
    z1, z2 : torch.Tensor of shape (n, d, t)
    mask : torch.Tensor of bool, shape (n, t)

    Returns
    -------
    z1, z2 : torch.Tensor of shape (n, d, t // 2)
    mask : torch.Tensor of bool, shape (n, t // 2)
    """
    keep = mask[:, None, :]
    pooled = [F.max_pool1d(z.masked_fill(~keep, float("-inf")), 2) for z in (z1, z2)]
    mask = F.max_pool1d(mask[:, None, :].float(), 2)[:, 0].to(torch.bool)
    return [z.masked_fill(~mask[:, None, :], 0.0) for z in pooled] + [mask]


def hierarchical_contrastive_loss(z1, z2, mask=None, alpha=0.5, temporal_unit=0):
    """Hierarchical contrastive loss of TS2Vec [1]_.

    At each scale, ``alpha`` times the instance contrast plus ``1 - alpha``
    times the temporal contrast (from scale ``temporal_unit`` on); then the
    time axis is halved by max-pooling, until one timestamp is left, where
    the instance contrast alone is added. The sum is divided by the number
    of scales. Features are compared in float32.

    Parameters
    ----------
    z1, z2 : torch.Tensor of shape (n, d, t)
        Per-timestamp features of two views, aligned in time.
    mask : torch.Tensor of bool, shape (n, t), default=None
        True where a timestamp exists in both views; None: all do.
    alpha : float, default=0.5
        Weight of the instance contrast, in ``[0, 1]``.
    temporal_unit : int, default=0
        First scale (0 = the input's) with a temporal contrast.

    Returns
    -------
    torch.Tensor
        Scalar loss.

    References
    ----------
    .. [1] Yue et al. (2022). "TS2Vec: Towards Universal Representation of
       Time Series". AAAI.
    """
    _check_weights(alpha, temporal_unit)
    z1, z2, mask = _as_features(z1, z2, mask)
    loss = z1.new_zeros(())
    scales = 0
    while z1.shape[2] > 1:
        if alpha != 0:
            loss = loss + alpha * instance_contrastive_loss(z1, z2, mask)
        if scales >= temporal_unit and alpha != 1:
            loss = loss + (1 - alpha) * temporal_contrastive_loss(z1, z2, mask)
        scales += 1
        z1, z2, mask = max_pool_pair(z1, z2, mask)
    if z1.shape[2] == 1:
        if alpha != 0:
            loss = loss + alpha * instance_contrastive_loss(z1, z2, mask)
        scales += 1
    return loss / max(scales, 1)


def _check_weights(alpha, temporal_unit):
    check_non_negative("alpha", alpha)
    if alpha > 1:
        raise ValueError(f"alpha must be in [0, 1], got {alpha}.")
    if isinstance(temporal_unit, bool) or not isinstance(temporal_unit, int) \
            or temporal_unit < 0:
        raise ValueError(f"temporal_unit must be an int >= 0, got {temporal_unit!r}.")


class HierarchicalContrastiveLoss(nn.Module):
    """Module form of :func:`hierarchical_contrastive_loss` (TS2Vec, Yue et al. 2022, AAAI).

    Parameters
    ----------
    alpha : float, default=0.5
        Weight of the instance contrast, in ``[0, 1]``.
    temporal_unit : int, default=0
        First scale with a temporal contrast.
    """

    def __init__(self, alpha=0.5, temporal_unit=0):
        super().__init__()
        _check_weights(alpha, temporal_unit)
        self.alpha = alpha
        self.temporal_unit = temporal_unit

    def forward(self, z1, z2, mask=None):
        """Compute the loss; see :func:`hierarchical_contrastive_loss`."""
        return hierarchical_contrastive_loss(z1, z2, mask, self.alpha, self.temporal_unit)

    def extra_repr(self):
        return f"alpha={self.alpha}, temporal_unit={self.temporal_unit}"

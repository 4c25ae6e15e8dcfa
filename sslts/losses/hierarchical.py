"""Hierarchical contrastive loss of TS2Vec: instance and temporal contrast at every scale.

References
----------
.. [1] Yue, Z., Wang, Y., Duan, J., Yang, T., Huang, C., Tong, Y. and Xu, B.
   (2022). "TS2Vec: Towards Universal Representation of Time Series". AAAI.
"""

import torch
import torch.nn.functional as F
from torch import nn

from ._checks import check_non_negative, check_positive

__all__ = ["HierarchicalContrastiveLoss", "MultiscaleLoss", "hierarchical_contrastive_loss",
           "instance_contrastive_loss", "max_pool_pair", "mixed_negatives",
           "multiscale_loss", "soft_instance_targets", "soft_temporal_targets",
           "temporal_contrastive_loss"]


def _contrast(z, valid, shift, temperature=None, targets=None, mixup_negatives=None):
    """Mean cross entropy of each valid anchor against its positive.

    ``z`` is ``(groups, m, d)``: inside each group, anchor ``j`` has
    positive ``(j + shift) % m`` and every other valid member as negative.
    ``valid`` ``(groups, m)`` marks the members that exist. Similarities are
    dot products, or cosine similarities divided by ``temperature`` when it
    is given. ``targets`` ``(m, m)``, when given, replaces the one-hot
    target of each anchor by soft weights over the other valid members
    (the positive's weight should be 1). ``mixup_negatives``, a weight, adds
    the mixed negatives of :func:`mixed_negatives` to every group. Returns
    the sum of the losses of the valid anchors and their number.
    """
    m = z.shape[1]
    if temperature is not None:
        z = F.normalize(z, dim=-1)
    keys, key_valid = z, valid
    if mixup_negatives is not None:
        mixed, mixed_valid = mixed_negatives(z, valid, shift, mixup_negatives)
        if temperature is not None:
            mixed = F.normalize(mixed, dim=-1)
        keys, key_valid = torch.cat([z, mixed], 1), torch.cat([valid, mixed_valid], 1)
    logits = z @ keys.transpose(1, 2)
    if temperature is not None:
        logits = logits / temperature
    lowest = torch.finfo(logits.dtype).min  # finite: no NaN gradients for empty rows
    itself = torch.eye(m, keys.shape[1], dtype=torch.bool, device=z.device)
    drop = ~key_valid[:, None, :] | itself
    logits = logits.masked_fill(drop, lowest)
    positives = torch.arange(m, device=z.device).roll(-shift)
    anchors = valid & valid[:, positives]
    log_p = logits.log_softmax(-1)
    if targets is None:
        log_p = log_p[:, torch.arange(m, device=z.device), positives]
    else:  # the dropped members and the mixed negatives get no weight
        log_p = torch.where(drop[..., :m], 0.0, log_p[..., :m] * targets).sum(-1)
    return -(log_p * anchors).sum(), anchors.sum()


def mixed_negatives(z, valid, shift, weight):
    """Mixed negatives of the members of each group (TimesURL's Universum).

    The members ``j`` and ``j + shift`` of a group are the two views of one
    unit (a series in the instance contrast, a timestamp in the temporal
    one). Each member is mixed with the member of another unit in the same
    view, ``weight * z[j] + (1 - weight) * z[partner]``: a negative close
    to its own anchor, whose positive it must not be mistaken for (Liu &
    Chen 2024, AAAI). Unit ``u``'s partner is the unit ``(u + r) % shift``,
    ``r`` drawn per unit in ``[1, shift)`` from torch's global generator;
    both views of a unit take the same partner.

    Parameters
    ----------
    z : torch.Tensor of shape (groups, 2 shift, d)
    valid : torch.Tensor of bool, shape (groups, 2 shift)
    shift : int
        Units per view.
    weight : float
        Weight of the member itself, in ``(0, 1)``.

    Returns
    -------
    mixed : torch.Tensor of shape (groups, 2 shift, d)
    mixed_valid : torch.Tensor of bool, shape (groups, 2 shift)
        Where both mixed members exist; none when a view has one unit.
    """
    if shift < 2:
        return z, torch.zeros_like(valid)
    units = torch.arange(shift)
    partner = (units + torch.randint(1, shift, (shift,))) % shift
    partner = torch.cat([partner, partner + shift]).to(z.device)
    mixed = weight * z + (1 - weight) * z[:, partner]
    return mixed, valid & valid[:, partner]


def soft_temporal_targets(t, tau, device=None):
    """SoftCLT's soft temporal assignments of two aligned views of ``t`` steps.

    Member ``j`` of ``[view 1 steps, view 2 steps]`` is at step ``j % t``;
    members ``j`` and ``k`` (``j != k``) get the weight
    ``2 / (1 + exp(tau * |step_j - step_k|))``: 1 for the same step in the
    other view (the positive), less the further apart in time.

    Parameters
    ----------
    t : int
        Steps of each view.
    tau : float
        Sharpness (> 0); the larger, the closer to TS2Vec's hard targets.
    device : torch.device, default=None

    Returns
    -------
    torch.Tensor of shape (2 t, 2 t)
        Zero on the diagonal.
    """
    steps = torch.arange(2 * t, device=device) % t
    lag = (steps[:, None] - steps[None, :]).abs().float()
    targets = 2 * torch.sigmoid(-tau * lag)
    return targets.fill_diagonal_(0.0)


def soft_instance_targets(distances, tau):
    """SoftCLT's soft instance assignments of the two views of ``n`` series.

    Member ``j`` of ``[view 1 series, view 2 series]`` is series ``j % n``;
    members of two different series ``a`` and ``b`` get the weight
    ``1 / (1 + exp(tau * distances[a, b]))`` (at most 0.5, for identical
    series), and the two views of one series the weight 1 (the positive).

    Parameters
    ----------
    distances : torch.Tensor of shape (n, n)
        Distances between the series in the input space, scaled to
        ``[0, 1]`` (SoftCLT min-max scales them over the training set).
    tau : float
        Sharpness (> 0); the larger, the closer to hard targets (0 for the
        other series).

    Returns
    -------
    torch.Tensor of shape (2 n, 2 n)
        Zero on the diagonal.
    """
    weights = torch.sigmoid(-tau * distances.float()).fill_diagonal_(1.0)
    return weights.repeat(2, 2).fill_diagonal_(0.0)


def _check_distances(distances, n):
    if distances is None:
        raise ValueError("soft_instance needs the distances between the series (distances=...); "
                         "TS2VecTransformer computes them from each batch.")
    if not torch.is_tensor(distances) or tuple(distances.shape) != (n, n):
        raise ValueError(f"distances must be a tensor of shape (n, n) = {(n, n)}, got "
                         f"{getattr(distances, 'shape', type(distances).__name__)}.")
    if not torch.isfinite(distances).all():
        raise ValueError("distances must be finite.")


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


def instance_contrastive_loss(z1, z2, mask=None, temperature=None, mixup_negatives=None,
                              soft=None, distances=None):
    """Instance contrast at each timestamp: other series are the negatives.

    At timestamp ``t`` the anchor ``z1[i, :, t]`` has ``z2[i, :, t]`` as
    positive and the features of the other series of both views at ``t``
    as negatives; with ``soft``, the other series are soft positives
    weighted by their distance in the input space (SoftCLT).

    Parameters
    ----------
    z1, z2 : torch.Tensor of shape (n, d, t)
        Per-timestamp features of two views, aligned in time.
    mask : torch.Tensor of bool, shape (n, t), default=None
        True where a timestamp exists in both views; None: all do.
    temperature : float, default=None
        None: dot-product similarities, as in TS2Vec; a float: cosine
        similarities divided by it, as in NT-Xent.
    mixup_negatives : float, default=None
        None: no more negatives. A weight in ``(0, 1)``: each series'
        features at ``t``, mixed with another series' in the same view
        with that weight, are further negatives of every anchor at ``t``
        (TimesURL's Universum, :func:`mixed_negatives`).
    soft : float, default=None
        None: hard targets (TS2Vec). A float ``tau > 0``: each anchor's
        cross entropy is summed over the other series of both views,
        weighted by :func:`soft_instance_targets` (``distances``, ``tau``).
    distances : torch.Tensor of shape (n, n), default=None
        Distances between the series scaled to ``[0, 1]``; needed by
        ``soft``.

    Returns
    -------
    torch.Tensor
        Scalar: mean over the anchors that exist (0 when none has a
        negative, e.g. one series).
    """
    z1, z2, mask = _as_features(z1, z2, mask)
    n = z1.shape[0]
    targets = None
    if soft is not None:
        _check_distances(distances, n)
        targets = soft_instance_targets(distances.to(z1.device), soft)
    z = torch.cat([z1, z2]).permute(2, 0, 1)  # (t, 2n, d)
    total, count = _contrast(z, torch.cat([mask, mask]).T, n, temperature, targets,
                             mixup_negatives)
    return total / count.clamp(min=1)


def temporal_contrastive_loss(z1, z2, mask=None, temperature=None, soft=None,
                              mixup_negatives=None):
    """Temporal contrast within each series: other timestamps are the negatives.

    The anchor ``z1[i, :, t]`` has ``z2[i, :, t]`` as positive and the
    features of series ``i`` at the other timestamps of both views as
    negatives; with ``soft``, the other timestamps are soft positives
    weighted by their distance in time (SoftCLT, Lee et al. 2024, ICLR).

    Parameters
    ----------
    z1, z2 : torch.Tensor of shape (n, d, t)
        Per-timestamp features of two views, aligned in time.
    mask : torch.Tensor of bool, shape (n, t), default=None
        True where a timestamp exists in both views; None: all do.
    temperature : float, default=None
        As in :func:`instance_contrastive_loss`.
    soft : float, default=None
        None: hard targets (TS2Vec). A float ``tau > 0``: each anchor's
        cross entropy is summed over the other timestamps of both views,
        weighted by :func:`soft_temporal_targets` (``tau``).
    mixup_negatives : float, default=None
        None: no more negatives. A weight in ``(0, 1)``: each timestamp's
        features, mixed with another timestamp's of the same view with
        that weight, are further negatives of every anchor of the series
        (TimesURL's Universum, :func:`mixed_negatives`).

    Returns
    -------
    torch.Tensor
        Scalar: mean over the anchors that exist (0 when ``t == 1``).
    """
    z1, z2, mask = _as_features(z1, z2, mask)
    t = z1.shape[2]
    z = torch.cat([z1, z2], dim=2).transpose(1, 2)  # (n, 2t, d)
    targets = None if soft is None else soft_temporal_targets(t, soft, z.device)
    total, count = _contrast(z, torch.cat([mask, mask], dim=1), t, temperature, targets,
                             mixup_negatives)
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


def hierarchical_contrastive_loss(z1, z2, mask=None, alpha=0.5, temporal_unit=0,
                                  temperature=None, soft_temporal=None, mixup_negatives=None,
                                  soft_instance=None, distances=None):
    """Hierarchical contrastive loss of TS2Vec [1]_.

    At each scale, ``alpha`` times the instance contrast plus ``1 - alpha``
    times the temporal contrast (from scale ``temporal_unit`` on); then the
    time axis is halved by max-pooling, until one timestamp is left, where
    the instance contrast alone is added. The sum is divided by the number
    of scales. Features are compared in float32; with a ``temperature``,
    by cosine similarity (NT-Xent at every timestamp and scale).

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
    temperature : float, default=None
        None: dot-product similarities (TS2Vec); a float ``> 0``: cosine
        similarities divided by it.
    soft_temporal : float, default=None
        None: hard temporal targets (TS2Vec). A float ``tau > 0``: soft
        temporal targets (SoftCLT), :func:`temporal_contrastive_loss`'s
        ``soft`` with ``tau * 2**k`` at scale ``k``, so that the weight of
        a pair depends on its distance in input steps at every scale.
    mixup_negatives : float, default=None
        None: the negatives of TS2Vec. A weight in ``(0, 1)``: TimesURL's
        mixed negatives in both contrasts at every scale (the
        ``mixup_negatives`` of :func:`instance_contrastive_loss` and
        :func:`temporal_contrastive_loss`; TimesURL uses 0.2).
    soft_instance : float, default=None
        None: hard instance targets (TS2Vec). A float ``tau > 0``: soft
        instance targets (SoftCLT) at every scale, the ``soft`` of
        :func:`instance_contrastive_loss`.
    distances : torch.Tensor of shape (n, n), default=None
        Distances between the series in the input space scaled to
        ``[0, 1]``; needed by ``soft_instance``, refused without it.

    Returns
    -------
    torch.Tensor
        Scalar loss.

    References
    ----------
    .. [1] Yue et al. (2022). "TS2Vec: Towards Universal Representation of
       Time Series". AAAI.
    """
    _check_weights(alpha, temporal_unit, temperature, soft_temporal, mixup_negatives,
                   soft_instance)
    z1, z2, mask = _as_features(z1, z2, mask)
    if soft_instance is None and distances is not None:
        raise ValueError("distances are only used with soft_instance; set soft_instance=tau "
                         "or leave distances out.")
    if soft_instance is not None:
        _check_distances(distances, z1.shape[0])
    loss = z1.new_zeros(())
    scales = 0
    while z1.shape[2] > 1:
        if alpha != 0:
            loss = loss + alpha * instance_contrastive_loss(z1, z2, mask, temperature,
                                                            mixup_negatives, soft_instance,
                                                            distances)
        if scales >= temporal_unit and alpha != 1:
            soft = None if soft_temporal is None else soft_temporal * 2 ** scales
            loss = loss + (1 - alpha) * temporal_contrastive_loss(z1, z2, mask, temperature,
                                                                  soft, mixup_negatives)
        scales += 1
        z1, z2, mask = max_pool_pair(z1, z2, mask)
    if z1.shape[2] == 1:
        if alpha != 0:
            loss = loss + alpha * instance_contrastive_loss(z1, z2, mask, temperature,
                                                            mixup_negatives, soft_instance,
                                                            distances)
        scales += 1
    return loss / max(scales, 1)


def multiscale_loss(loss, z1, z2, mask=None):
    """A loss on per-timestamp features at every scale of a max-pooling pyramid.

    At each scale the timestamps that exist (of every series) are the
    samples of ``loss``, which compares two batches of paired embeddings
    (Barlow Twins, VICReg); the time axis is then halved by max-pooling
    (:func:`max_pool_pair`) down to one timestamp, where the samples are the
    series. The losses of the scales with at least 2 samples are averaged,
    as VICRegL does over image locations.

    Parameters
    ----------
    loss : callable
        ``loss(a, b)`` on two ``(m, d)`` batches, row ``i`` a positive pair.
    z1, z2 : torch.Tensor of shape (n, d, t)
        Per-timestamp features of two views, aligned in time.
    mask : torch.Tensor of bool, shape (n, t), default=None
        True where a timestamp exists in both views; None: all do.

    Returns
    -------
    torch.Tensor
        Scalar loss (0 when no scale has 2 samples).
    """
    z1, z2, mask = _as_features(z1, z2, mask)
    total = z1.new_zeros(())
    scales = 0
    while True:
        a, b = (z.transpose(1, 2)[mask] for z in (z1, z2))  # (m, d)
        if a.shape[0] >= 2:
            total = total + loss(a, b)
            scales += 1
        if z1.shape[2] == 1:
            return total / max(scales, 1)
        z1, z2, mask = max_pool_pair(z1, z2, mask)


def _check_weights(alpha, temporal_unit, temperature=None, soft_temporal=None,
                   mixup_negatives=None, soft_instance=None):
    if temperature is not None:
        check_positive("temperature", temperature)
    if soft_temporal is not None:
        check_positive("soft_temporal", soft_temporal)
    if soft_instance is not None:
        check_positive("soft_instance", soft_instance)
    if mixup_negatives is not None:
        check_positive("mixup_negatives", mixup_negatives)
        if mixup_negatives >= 1:
            raise ValueError(f"mixup_negatives must be in (0, 1), got {mixup_negatives}.")
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
    temperature : float, default=None
        None: dot-product similarities (TS2Vec); a float: cosine
        similarities divided by it.
    soft_temporal : float, default=None
        None: hard temporal targets; a float: SoftCLT's soft temporal
        targets of that sharpness (see :func:`hierarchical_contrastive_loss`).
    mixup_negatives : float, default=None
        None: TS2Vec's negatives; a weight in ``(0, 1)``: TimesURL's mixed
        negatives too (see :func:`hierarchical_contrastive_loss`).
    soft_instance : float, default=None
        None: hard instance targets; a float: SoftCLT's soft instance
        targets of that sharpness, from the ``distances`` passed to
        :meth:`forward` (see :func:`hierarchical_contrastive_loss`).
    """

    def __init__(self, alpha=0.5, temporal_unit=0, temperature=None, soft_temporal=None,
                 mixup_negatives=None, soft_instance=None):
        super().__init__()
        _check_weights(alpha, temporal_unit, temperature, soft_temporal, mixup_negatives,
                       soft_instance)
        self.alpha = alpha
        self.temporal_unit = temporal_unit
        self.temperature = temperature
        self.soft_temporal = soft_temporal
        self.mixup_negatives = mixup_negatives
        self.soft_instance = soft_instance

    def forward(self, z1, z2, mask=None, distances=None):
        """Compute the loss; see :func:`hierarchical_contrastive_loss`."""
        return hierarchical_contrastive_loss(z1, z2, mask, self.alpha, self.temporal_unit,
                                             self.temperature, self.soft_temporal,
                                             self.mixup_negatives, self.soft_instance,
                                             distances)

    def extra_repr(self):
        return (f"alpha={self.alpha}, temporal_unit={self.temporal_unit}, "
                f"temperature={self.temperature}, soft_temporal={self.soft_temporal}, "
                f"mixup_negatives={self.mixup_negatives}, soft_instance={self.soft_instance}")


class MultiscaleLoss(nn.Module):
    """A loss of paired embeddings at every scale of the timestamps (:func:`multiscale_loss`).

    Parameters
    ----------
    loss : torch.nn.Module
        Loss on two ``(m, d)`` batches, e.g. :class:`~sslts.losses.BarlowTwinsLoss`.
    """

    def __init__(self, loss):
        super().__init__()
        self.loss = loss

    def forward(self, z1, z2, mask=None):
        """Compute the loss; see :func:`multiscale_loss`."""
        return multiscale_loss(self.loss, z1, z2, mask)

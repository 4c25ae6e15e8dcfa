"""Objectives: how a self-supervised method turns a batch into the inputs of its loss.

An objective is the part of a method that the training step calls. Given the
trained module (``module.encoder``, ``module.head``), a batch of NaN-padded
series with their valid lengths on the training device, and the step's
random generator, it makes its views, runs the encoder (pooled embeddings,
or per-timestamp features with ``encoder.forward_features``) and the head,
and returns an :class:`ObjectiveOutput`: the positional arguments of the
method's loss and the pooled embeddings of the batch (for the collapse
indicator). The objective holds no trained state, so a method builds a new
one from its parameters at every fit, and calls its :meth:`Objective.prepare`
with the training data.
"""

import inspect
from typing import NamedTuple

import numpy as np
import torch

from ..nn import channel_scale, masked_max_pool, timestamp_features_dim, unwrap_encoder
from ..utils.tensors import padding_mask, pairwise_rms_distances

__all__ = ["Objective", "ObjectiveOutput", "OverlappingCrops", "TwoViews",
           "project_timestamps", "take_windows", "timestamp_encoder"]


class ObjectiveOutput(NamedTuple):
    """What an objective returns for one batch.

    Attributes
    ----------
    loss_inputs : tuple
        Positional arguments of the method's loss, e.g. ``(z1, z2)``.
    embeddings : torch.Tensor of shape (m, d)
        Pooled encoder outputs of the batch (of all its views), whose spread
        is recorded as ``embedding_std``.
    """

    loss_inputs: tuple
    embeddings: torch.Tensor


class Objective:
    """Base class of the objectives (see the module docstring).

    Subclasses implement :meth:`__call__` and may override :meth:`check`.
    """

    #: Whether the loss inputs are per-series tensors ``(n, ...)`` that
    #: data-parallel training concatenates over the ranks, so that the loss
    #: sees the global batch; if False each rank's loss sees its own batch
    #: (see :mod:`sslts.training.distributed`).
    global_batch = False

    def __call__(self, module, x, lengths, generator):
        """Views, forward passes and loss inputs of one batch.

        Parameters
        ----------
        module : SSLModule
            The trained module: ``module.encoder`` and ``module.head``.
        x : torch.Tensor of shape (n, c, t) or (n, c, h, w)
            Batch right-padded with NaN, on the training device.
        lengths : torch.Tensor of int64, shape (n,)
            Valid lengths of the series of ``x``.
        generator : torch.Generator
            Source of the step's random draws, on the training device.

        Returns
        -------
        ObjectiveOutput
        """
        raise NotImplementedError

    def check(self, module, input_ndim):
        """Raise a clear ValueError if ``module`` cannot serve this objective.

        Called once when the network is built, with the dimensionality of
        the input (3 for time series, 4 for spectrograms and images).
        """

    def head_features(self, encoder, in_channels, embedding_dim):
        """Width of the features the objective feeds ``module.head``.

        By default the series embeddings, ``embedding_dim`` wide.

        Parameters
        ----------
        encoder : torch.nn.Module
            The encoder (with its wrappers).
        in_channels : int
            Channels of the input.
        embedding_dim : int
            Width of the encoder's series embedding.

        Returns
        -------
        int
        """
        return embedding_dim

    def prepare(self, dataset):
        """Take what the objective needs from the training data, before training.

        Called at every fit with its training
        :class:`~sslts.training.data.SeriesDataset`; by default nothing.
        """

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({args})"


class TwoViews(Objective):
    """Two augmented views of each series, pooled and projected.

    The protocol of SimCLR, Barlow Twins and VICReg: each series gets two
    views from ``augmentation`` (own random draws per view and per series),
    both views go through the encoder (masked global pooling) and the head,
    and the loss sees the projections ``(z1, z2)``, row ``i`` of each being
    a positive pair.

    Parameters
    ----------
    augmentation : BaseAugmentation
        Policy making the views.
    joint : bool, default=True
        If True, both views are drawn in one augmentation call on the batch
        stacked twice and encoded in one forward pass (batch-norm statistics
        over both views, half the kernel launches). If False, each view is
        drawn and encoded separately, as in the Barlow Twins and VICReg
        reference implementations.
    """

    global_batch = True

    def __init__(self, augmentation, joint=True):
        self.augmentation = augmentation
        self.joint = joint

    def __call__(self, module, x, lengths, generator):
        augment = self.augmentation.augment
        if self.joint:
            views = augment(torch.cat([x, x]), generator, torch.cat([lengths, lengths]))
            h, z = module(views)
            z1, z2 = z.chunk(2)
        else:
            h1, z1 = module(augment(x, generator, lengths))
            h2, z2 = module(augment(x, generator, lengths))
            h = torch.cat([h1, h2])
        return ObjectiveOutput((z1, z2), h)


def timestamp_encoder(encoder):
    """The module whose ``forward_features`` gives per-timestamp features, or None.

    An :class:`~sslts.nn.AdaptedEncoder` or
    :class:`~sslts.nn.StandardizedEncoder` gives them when the encoder it
    wraps does.
    """
    inner = unwrap_encoder(encoder)[0]
    return inner if callable(getattr(inner, "forward_features", None)) else None


def project_timestamps(head, h, valid):
    """A head applied to the features of each timestamp that exists.

    Parameters
    ----------
    head : torch.nn.Module
        Maps ``(m, d)`` to ``(m, d_out)``.
    h : torch.Tensor of shape (n, d, t)
        Per-timestamp features.
    valid : torch.Tensor of bool, shape (n, t)
        The timestamps that exist; the others (padding) stay out of the
        head, and of its batch-norm statistics, and are zero in the output.

    Returns
    -------
    torch.Tensor of shape (n, d_out, t)
    """
    rows = head(h.transpose(1, 2)[valid])
    out = rows.new_zeros(h.shape[0], h.shape[2], rows.shape[1])
    out[valid] = rows
    return out.transpose(1, 2)


def take_windows(x, starts, width):
    """Windows ``x[i, ..., starts[i]:starts[i] + width]`` of each series, stacked.

    Parameters
    ----------
    x : torch.Tensor of shape (n, c, t)
    starts : torch.Tensor of int64, shape (n,)
        First step of each window; ``0 <= starts[i] <= t - width``.
    width : int

    Returns
    -------
    torch.Tensor of shape (n, c, width)
    """
    index = starts[:, None] + torch.arange(width, device=x.device)
    return torch.gather(x, -1, index[:, None, :].expand(-1, x.shape[1], -1))


class OverlappingCrops(Objective):
    """Two overlapping random crops of each series, per-timestamp features of the overlap.

    TS2Vec's contextual consistency: a crop length ``size`` is drawn, then
    an overlap ``[left, left + size)`` and two crops that contain it, one
    reaching further left and one further right, so that each timestamp of
    the overlap is seen in two contexts. The crops' positions are drawn once
    per batch and shifted by a random offset per series, inside its own
    valid length. The crops go through the encoder (``forward_features``)
    in one forward pass or in two (``joint``); in training, a random ``timestamp_mask``
    fraction of the timestamps is set to zero after the encoder's first
    layer (latent masking), independently per crop, and the features get
    ``dropout``. The loss sees the features of the overlap in both crops
    and the mask of the timestamps that exist there.

    Parameters
    ----------
    augmentation : BaseAugmentation or None
        Applied to the batch before cropping, with own draws per crop; None:
        none. Use augmentations that keep timestamps aligned (magnitude,
        noise), since both crops must describe the same timestamps.
    timestamp_mask : float, default=0.5
        Fraction of timestamps masked in the latent space, in ``[0, 1)``.
    dropout : float, default=0.1
        Dropout rate of the features, in ``[0, 1)``.
    min_overlap : int, default=2
        Shortest overlap (capped by the batch's length).
    project : bool, default=False
        Pass the features of each timestamp that exists through the
        method's head (``module.head``, one forward pass for both crops)
        before the loss; False gives the loss the encoder's features.
    joint : bool, default=True
        If True, both crops are encoded in one forward pass, the shorter one
        NaN-padded to the longer one's width. If False, each crop is encoded
        on its own, as in the reference implementation (no padding, two
        smaller passes).
    series_distances : bool, default=False
        If True, the loss also gets the distances between the series of the
        batch (for SoftCLT's soft instance targets): the root mean squared
        difference of the uncropped series, channels standardised, scaled
        to ``[0, 1]`` by the smallest and largest distance between two
        training series (of up to :attr:`DISTANCE_SAMPLE` of them, evenly
        spaced), which :meth:`prepare` measures.
    """

    #: Most training series whose distances set the scale of ``series_distances``.
    DISTANCE_SAMPLE = 1000

    def __init__(self, augmentation=None, timestamp_mask=0.5, dropout=0.1, min_overlap=2,
                 project=False, joint=True, series_distances=False):
        self.augmentation = augmentation
        self.timestamp_mask = timestamp_mask
        self.dropout = dropout
        self.min_overlap = min_overlap
        self.project = project
        self.joint = joint
        self.series_distances = series_distances
        self.distance_scale = None

    def prepare(self, dataset):
        """Measure the scale of the distances between training series (``series_distances``)."""
        if not self.series_distances:
            return
        mean, std = dataset.channel_statistics()
        n, values = len(dataset), int(np.prod(dataset.X.shape[1:]))
        rows = min(n, self.DISTANCE_SAMPLE, max(2, 2 ** 24 // max(values, 1)))
        index = np.unique(np.linspace(0, n - 1, rows).round().astype(np.int64))
        center = torch.as_tensor(mean, dtype=torch.float32)[:, None]
        scale = torch.as_tensor(channel_scale(std))[:, None]
        distances = pairwise_rms_distances((dataset.rows(torch.as_tensor(index)) - center) / scale)
        off_diagonal = distances[~torch.eye(len(index), dtype=torch.bool)]
        low, high = (float(off_diagonal.min()), float(off_diagonal.max())) \
            if off_diagonal.numel() else (0.0, 0.0)
        self.distance_scale = (center, scale, low, high)

    def _distances(self, x):
        if self.distance_scale is None:
            raise RuntimeError("OverlappingCrops(series_distances=True) measures the scale of "
                               "the distances in prepare(dataset); call it before training.")
        center, scale, low, high = self.distance_scale
        distances = pairwise_rms_distances((x - center.to(x.device)) / scale.to(x.device))
        return ((distances - low) / max(high - low, 1e-12)).clamp(0, 1).float()

    def __call__(self, module, x, lengths, generator):
        n, t = x.shape[0], x.shape[-1]

        def draw(low, high):
            return int(torch.randint(low, high, (1,), generator=generator, device=x.device))

        size = draw(min(self.min_overlap, t), t + 1)
        left = draw(0, t - size + 1)
        right = left + size
        outer_left, outer_right = draw(0, left + 1), draw(right, t + 1)
        # one offset per series, in [-outer_left, length - outer_right] (when it fits)
        room = (lengths.to(torch.int64) - outer_right + outer_left).clamp(min=0)
        offset = (torch.rand(n, generator=generator, device=x.device) * (room + 1)).long()
        offset = offset - outer_left
        views = []
        for start, width in ((outer_left, right - outer_left), (left, outer_right - left)):
            view = x if self.augmentation is None else self.augmentation.augment(
                x, generator, lengths)
            views.append(take_windows(view, offset + start, width))
        if self.joint:
            width = max(v.shape[-1] for v in views)
            both = torch.cat([torch.nn.functional.pad(v, (0, width - v.shape[-1]),
                                                      value=float("nan")) for v in views])
            first, second = self._features(module, both, generator).split(n)
        else:
            first, second = (self._features(module, v, generator) for v in views)
        f1 = first[..., left - outer_left:right - outer_left]
        f2 = second[..., :size]
        mask = padding_mask(views[1][..., :size])
        both, valid = torch.cat([f1, f2]), torch.cat([mask, mask])
        pooled = masked_max_pool(both, valid)
        if self.project:
            both = project_timestamps(module.head, both, valid)
            f1, f2 = both.chunk(2)
        if self.series_distances:
            return ObjectiveOutput((f1, f2, mask, self._distances(x)), pooled)
        return ObjectiveOutput((f1, f2, mask), pooled)

    def head_features(self, encoder, in_channels, embedding_dim):
        """With ``project``, the width of the per-timestamp features (which
        leave out a pyramid pooling's parts and the series statistics of
        ``standardize="series"``); else ``embedding_dim``."""
        if not self.project or timestamp_encoder(encoder) is None:
            return embedding_dim
        return timestamp_features_dim(encoder, in_channels)

    def _features(self, module, x, generator):
        encoder = module.encoder
        if not module.training:
            return encoder.forward_features(x)
        keep = None
        if self.timestamp_mask > 0:
            keep = torch.rand(x.shape[0], x.shape[-1], generator=generator,
                              device=x.device) >= self.timestamp_mask
        h = encoder.forward_features(x) if keep is None else \
            encoder.forward_features(x, latent_mask=keep)
        if self.dropout > 0:
            kept = torch.rand(h.shape, generator=generator, device=h.device) >= self.dropout
            h = h * kept / (1 - self.dropout)
        return h

    def check(self, module, input_ndim):
        inner = timestamp_encoder(module.encoder)
        if input_ndim != 3 or inner is None:
            raise ValueError(
                "Overlapping crops need time series (3-D input) and an encoder with "
                "forward_features (per-timestamp features), such as the built-in "
                "'dilated_cnn', 'fcn' and 'resnet'.")
        if self.timestamp_mask > 0 and \
                "latent_mask" not in inspect.signature(inner.forward_features).parameters:
            raise ValueError(
                f"timestamp_mask={self.timestamp_mask} needs an encoder whose forward_features "
                "takes latent_mask (the built-in encoders do); set timestamp_mask=0 for "
                f"{type(inner).__name__}.")

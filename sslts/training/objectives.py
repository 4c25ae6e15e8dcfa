"""Objectives: how a self-supervised method turns a batch into the inputs of its loss.

An objective is the part of a method that the training step calls. Given the
trained module (``module.encoder``, ``module.head``), a batch of NaN-padded
series with their valid lengths on the training device, and the step's
random generator, it makes its views, runs the encoder (pooled embeddings,
or per-timestamp features with ``encoder.forward_features``) and the head,
and returns an :class:`ObjectiveOutput`: the positional arguments of the
method's loss and the pooled embeddings of the batch (for the collapse
indicator). The objective holds no trained state, so a method builds a new
one from its parameters at every fit.
"""

from typing import NamedTuple

import torch

__all__ = ["Objective", "ObjectiveOutput", "TwoViews"]


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

"""The module, callback and skorch nets of supervised training (fine-tuning)."""

import torch
from skorch import NeuralNetClassifier, NeuralNetRegressor
from skorch.callbacks import Callback
from torch import nn

from .net import SeriesNetMixin

__all__ = ["EncoderFreezer", "SeriesNetClassifier", "SeriesNetRegressor", "SupervisedModule"]


class SupervisedModule(nn.Module):
    """Encoder followed by a prediction head.

    A frozen encoder (see :meth:`freeze_encoder`) gets no gradient and stays
    in eval mode even while the module trains, so its weights and its
    batch-norm statistics do not change.

    Parameters
    ----------
    encoder : nn.Module
        Maps ``(n, c, t)`` to ``(n, d)``.
    head : nn.Module
        Maps ``(n, d)`` to logits or targets.
    """

    def __init__(self, encoder, head):
        super().__init__()
        self.encoder = encoder
        self.head = head
        self.encoder_frozen = False

    def freeze_encoder(self, frozen=True):
        """Freeze (or unfreeze) the encoder; return the module."""
        self.encoder_frozen = bool(frozen)
        self.encoder.requires_grad_(not self.encoder_frozen)
        return self.train(self.training)

    def train(self, mode=True):
        super().train(mode)
        if self.encoder_frozen:
            self.encoder.eval()
        return self

    def forward(self, x, lengths=None):
        """Head outputs for a batch ``x`` (the encoder reads lengths from the padding)."""
        return self.head(self.encoder(x))


class EncoderFreezer(Callback):
    """Freeze the encoder of a :class:`SupervisedModule`, for some epochs or all.

    At the start of each epoch the encoder is frozen if fewer than
    ``unfreeze_after`` epochs are done (always, when ``unfreeze_after`` is
    None), and trained with the head otherwise. The state is recorded in the
    history as ``encoder_frozen``.

    Parameters
    ----------
    unfreeze_after : int, default=None
        Number of epochs with a frozen encoder; None freezes it throughout.
    """

    def __init__(self, unfreeze_after=None):
        self.unfreeze_after = unfreeze_after

    def on_epoch_begin(self, net, **kwargs):
        done = len(net.history) - 1
        frozen = self.unfreeze_after is None or done < self.unfreeze_after
        if frozen != net.module_.encoder_frozen:
            net.module_.freeze_encoder(frozen)
        net.history.record("encoder_frozen", frozen)


class SeriesNetClassifier(SeriesNetMixin, NeuralNetClassifier):
    """skorch ``NeuralNetClassifier`` on :class:`~sslts.training.data.SeriesDataset` batches.

    Parameters
    ----------
    module : SupervisedModule
        Encoder and head returning logits.
    random_state : numpy.random.RandomState
        Source of the seeds of each ``fit_loop``.
    criterion : torch.nn.Module class or instance, default=CrossEntropyLoss
        Loss on logits.
    **kwargs
        Passed to :class:`~sslts.training.net.SeriesNetMixin`
        (``max_samples_per_epoch``, ...) and :class:`skorch.NeuralNetClassifier`.
    """

    def __init__(self, module, *, random_state, criterion=torch.nn.CrossEntropyLoss, **kwargs):
        super().__init__(module, random_state=random_state, criterion=criterion, **kwargs)


class SeriesNetRegressor(SeriesNetMixin, NeuralNetRegressor):
    """skorch ``NeuralNetRegressor`` on :class:`~sslts.training.data.SeriesDataset` batches.

    Parameters
    ----------
    module : SupervisedModule
        Encoder and head returning ``(n, n_outputs)`` targets.
    random_state : numpy.random.RandomState
        Source of the seeds of each ``fit_loop``.
    **kwargs
        Passed to :class:`~sslts.training.net.SeriesNetMixin`
        (``max_samples_per_epoch``, ...) and :class:`skorch.NeuralNetRegressor`
        (mean squared error).
    """

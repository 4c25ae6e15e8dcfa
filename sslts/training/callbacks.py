"""The callbacks of a training run: the user's, the progress display and the indicators."""

import copy
import pickle
import re
import sys

import numpy as np
from skorch.callbacks import Callback, PassthroughScoring, PrintLog
from tqdm.auto import tqdm

from ..metrics import rankme

__all__ = ["EpochTable", "FitProgressBar", "build_callbacks", "copy_callback",
           "EmbeddingRank", "embedding_std_scoring"]

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _print_table(text):
    """Print a row of the epoch table above any progress bar; plain when not a terminal."""
    if not sys.stdout.isatty():
        text = _ANSI.sub("", text)
    tqdm.write(text, file=sys.stdout)


class EpochTable(PrintLog):
    """skorch's per-epoch table, printed when the net is verbose.

    Rows are written above the progress bar (``tqdm.write``) and without
    colour codes when standard output is not a terminal.
    """

    def __init__(self):
        super().__init__(sink=_print_table)

    def on_epoch_end(self, net, **kwargs):
        if net.verbose:
            super().on_epoch_end(net, **kwargs)


class FitProgressBar(Callback):
    """One progress bar over the optimizer steps of a whole fit, kept when done.

    Its total is the number of steps the net plans for the fit (``max_epochs``
    epochs within ``max_steps``); the postfix shows the epoch and the loss of
    the last batch. Written to standard error.
    """

    def initialize(self):
        self.bar_ = None
        return self

    def on_train_begin(self, net, **kwargs):
        self.bar_ = None

    def on_epoch_begin(self, net, **kwargs):
        if self.bar_ is None:  # the first epoch of a fit: the net knows its plan
            self.bar_ = tqdm(total=net._planned_steps, desc="fit", unit="step",
                             file=sys.stderr, dynamic_ncols=True)

    def on_batch_end(self, net, training=False, **kwargs):
        if training:
            loss = net.history[-1, "batches", -1, "train_loss"]
            self.bar_.set_postfix(epoch=len(net.history), loss=f"{loss:.4f}", refresh=False)
            self.bar_.update(1)

    def on_train_end(self, net, **kwargs):
        if self.bar_ is not None:
            self.bar_.close()
        self.bar_ = None

    def __getstate__(self):
        state = self.__dict__.copy()
        state["bar_"] = None  # a live bar does not pickle
        return state


def embedding_std_scoring():
    """Epoch mean of the per-batch ``embedding_std`` of a self-supervised net."""
    return ("embedding_std", PassthroughScoring("embedding_std", lower_is_better=None,
                                                on_train=True))


class EmbeddingRank(Callback):
    """Record the epoch's ``rankme``: the effective rank of its training embeddings.

    A collapse indicator (see :func:`sslts.metrics.rankme`): the embeddings
    of the epoch's training batches (the views the loss saw, up to
    ``max_samples`` of them) are gathered and their effective rank is
    recorded in the history as ``rankme``. It falls towards 1 when the
    embeddings collapse onto a line, which ``embedding_std`` misses when they
    collapse to a few directions.

    Parameters
    ----------
    max_samples : int, default=4096
        Most embeddings gathered per epoch (the first ones).
    """

    def __init__(self, max_samples=4096):
        self.max_samples = max_samples

    def on_epoch_begin(self, net, **kwargs):
        self.embeddings_, self.gathered_ = [], 0

    def on_batch_end(self, net, training=False, y_pred=None, **kwargs):
        if training and y_pred is not None and self.gathered_ < self.max_samples:
            batch = y_pred.detach()[:self.max_samples - self.gathered_].float().cpu().numpy()
            self.embeddings_.append(batch)
            self.gathered_ += len(batch)

    def on_epoch_end(self, net, **kwargs):
        Z = np.concatenate(self.embeddings_) if self.embeddings_ else np.empty((0, 0))
        value = rankme(Z) if len(Z) >= 2 and np.isfinite(Z).all() else np.nan
        net.history.record("rankme", value)
        self.embeddings_ = []

    def __getstate__(self):
        state = self.__dict__.copy()
        state["embeddings_"] = []  # nothing of an epoch in progress is kept
        return state


def copy_callback(callback):
    """A copy of a user's callback, so that training never changes the original.

    A deep copy, or a shallow one when the callback holds something that
    cannot be copied (the ``SummaryWriter`` of skorch's ``TensorBoard``, an
    MLflow run or client): that part is shared, as a logger's destination
    should be; the callback's own state is set anew when training starts.

    Parameters
    ----------
    callback : skorch Callback, or (name, Callback)

    Returns
    -------
    The copy, in the same form.
    """
    if isinstance(callback, tuple):
        name, callback = callback
        return name, copy_callback(callback)
    try:
        return copy.deepcopy(callback)
    except (TypeError, copy.Error, pickle.PicklingError):
        return copy.copy(callback)


def build_callbacks(callbacks, *, verbose, validation_fraction, first=()):
    """The named callbacks of a net: ``first``, a progress bar, copies of ``callbacks``.

    Parameters
    ----------
    callbacks : list or None
        The user's skorch callbacks, bare or as ``(name, callback)`` pairs;
        they are copied (see :func:`copy_callback`), never modified.
    verbose : int
        Add a progress bar over the whole fit when positive.
    validation_fraction : float or None
        None means no validation split: a callback monitoring a ``valid_*``
        key is then a ValueError.
    first : sequence of (str, Callback), default=()
        Callbacks of the estimator itself, put first.

    Returns
    -------
    list of (str, Callback)
    """
    named = list(first)
    if verbose:
        named.append(("progress_bar", FitProgressBar()))
    for i, callback in enumerate(map(copy_callback, callbacks or [])):
        name, callback = (callback if isinstance(callback, tuple)
                          else (f"{type(callback).__name__.lower()}_{i}", callback))
        monitor = getattr(callback, "monitor", None)
        if validation_fraction is None and isinstance(monitor, str) and monitor.startswith("valid"):
            raise ValueError(
                f"Callback {type(callback).__name__} monitors {monitor!r}, which "
                "needs a validation split: set validation_fraction (e.g. 0.1), or "
                "monitor 'train_loss' instead."
            )
        named.append((name, callback))
    return named

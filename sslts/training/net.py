"""The skorch nets: a seeded, budgeted training loop and the self-supervised net."""

import contextlib
import math

import numpy as np
import torch
from skorch import NeuralNet
from skorch.dataset import unpack_data
from skorch.utils import TeeGenerator, to_device

from ..metrics import embedding_std
from ..utils.random import draw_seed, seeded_generator, seeded_torch
from ..utils.tensors import padding_mask
from .averaging import WeightAverage
from .callbacks import EpochTable
from .data import BatchIterator, batch_bounds, samples_per_epoch
from .distributed import average_gradients, gather, shard_size, world
from .precision import autocast, float32_inputs, grad_scaler, loss_context

__all__ = ["SSLModule", "SSLNet", "SeriesNetMixin", "check_finite_loss", "embed",
           "embed_timestamps", "eval_mode", "step_plan"]


class SSLModule(torch.nn.Module):
    """The trained parts of a self-supervised model: encoder and head.

    ``head`` holds whatever the method trains besides the encoder (a
    projection head, a predictor, ...); ``forward`` returns the pooled
    representation ``h`` (what ``transform`` gives users) and ``head(h)``.

    Parameters
    ----------
    encoder : torch.nn.Module
        Maps ``(n, c, t)`` batches to ``(n, d)``.
    head : torch.nn.Module
        The method's head.
    """

    def __init__(self, encoder, head):
        super().__init__()
        self.encoder = encoder
        self.head = head

    def forward(self, x, lengths=None):
        """Return ``(h, head(h))`` for a batch ``x`` (``lengths`` is not needed)."""
        h = self.encoder(x)
        return h, self.head(h)


def check_finite_loss(loss, epoch):
    """Raise FloatingPointError if the training ``loss`` of ``epoch`` is NaN or infinite."""
    if not torch.isfinite(loss):
        raise FloatingPointError(
            f"The training loss became {loss.item()} at epoch "
            f"{epoch}: training diverged. Lower lr, or check "
            "that the input is scaled (for instance z-normalised)."
        )


def step_plan(n_samples, batch_size, epochs, max_steps=None, max_samples=None, world_size=1):
    """The epochs and optimizer steps of a training run: ``epochs`` within ``max_steps``.

    Parameters
    ----------
    n_samples : int
        Training series.
    batch_size : int
        Series per batch.
    epochs : int
        Most epochs.
    max_steps : int, default=None
        Most optimizer steps; None: whole epochs.
    max_samples : int or float, default=None
        Series per epoch, see :func:`~sslts.training.data.samples_per_epoch`.
    world_size : int, default=1
        Processes of data-parallel training, each taking its share of the
        series of an epoch.

    Returns
    -------
    epochs : int
        Epochs begun (the last one may stop within).
    steps : int
        Optimizer steps.
    """
    per_rank = shard_size(samples_per_epoch(n_samples, max_samples), world_size)
    per_epoch = len(batch_bounds(per_rank, batch_size))
    steps = epochs * per_epoch
    if max_steps is not None:
        epochs = min(epochs, math.ceil(max_steps / per_epoch))
        steps = min(steps, max_steps)
    return epochs, steps


FITTED_OBJECT = "<the fitted object, stored with the device-safe state>"


class SeriesNetMixin:
    """Seeded, budgeted training on whole-tensor batches for skorch nets.

    Mixed in before a skorch net class. Each call of ``fit_loop`` seeds the
    step's generators from ``random_state`` and seeds torch's global
    generators for the duration of the loop. The training iterator is
    shuffled, uses ``max_samples_per_epoch`` samples per epoch (a fresh
    subset each epoch), cuts series to random windows of ``max_train_length``
    steps when that is set, and stops after ``max_steps`` optimizer steps
    (see :class:`~sslts.training.data.BatchIterator`). ``get_loss`` holds the
    one check that the training loss is finite.

    Parameters
    ----------
    *args
        Passed to the skorch net (``module``, and ``criterion`` for a plain
        ``NeuralNet``).
    random_state : numpy.random.RandomState
        Source of the seeds of the shuffling and augmentation generators,
        drawn anew at each call of ``fit_loop``.
    max_samples_per_epoch : int or float, default=None
        Training samples per epoch, a fresh random subset each epoch (int:
        a count; float in (0, 1]: a fraction); None uses all of them.
    max_train_length : int, default=None
        Train on random windows of this many steps of the longer series;
        None trains on whole series.
    max_steps : int, default=None
        Optimizer step budget of one ``fit_loop`` (training stops within an
        epoch if need be); None trains for the whole epochs.
    average_weights : bool, default=False
        At the end of each ``fit_loop``, set the module's parameters to their
        mean over the loop's optimizer steps
        (:class:`~sslts.training.averaging.WeightAverage`).
    keep_optimizer_state : bool, default=False
        Pickle the optimizer's state (needed to continue training with the
        same moment estimates); if False, a fresh optimizer is built when the
        net is unpickled.
    **kwargs
        Passed to the skorch net.
    """

    def __init__(self, *args, random_state, max_samples_per_epoch=None, max_train_length=None,
                 max_steps=None, average_weights=False, keep_optimizer_state=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.random_state = random_state
        self.average_weights = average_weights
        self.max_samples_per_epoch = max_samples_per_epoch
        self.max_train_length = max_train_length
        self.max_steps = max_steps
        self.keep_optimizer_state = keep_optimizer_state

    def _init_generators(self, rng):
        """Seed the generators of one ``fit_loop`` from ``rng``; return their names."""
        self._shuffle_generator = seeded_generator(draw_seed(rng))
        return ["_shuffle_generator"]

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        """skorch's loop within the budget: ``epochs`` (default ``max_epochs``)
        and ``max_steps`` (a keyword of ``fit_params``, default the net's)."""
        self._steps_budget = fit_params.pop("max_steps", self.max_steps)
        epochs, self._planned_steps = step_plan(
            len(X), self.batch_size, self.max_epochs if epochs is None else epochs,
            self._steps_budget, self.max_samples_per_epoch, world()[1])
        rng = self.random_state
        names = self._init_generators(rng) + ["_steps_budget", "_planned_steps", "_average"]
        self._average = WeightAverage(self.module_) if self.average_weights else None
        try:
            with seeded_torch(draw_seed(rng), self.device):
                super().fit_loop(X, y, epochs=epochs, **fit_params)
            if self._average is not None:
                self._average.apply()
            return self
        finally:
            for name in names:
                delattr(self, name)

    def train_step_single(self, batch, **fit_params):
        """skorch's forward and backward pass, then :meth:`_sync_gradients`."""
        step = super().train_step_single(batch, **fit_params)
        self._sync_gradients()
        return step

    def _sync_gradients(self):
        """In data-parallel training, average the gradients over the processes."""
        if world()[1] > 1:
            average_gradients(self.module_)

    def train_step(self, batch, **fit_params):
        """skorch's step, then the step's weights enter the average (if kept)."""
        step = super().train_step(batch, **fit_params)
        self._after_step()
        return step

    def _after_step(self):
        """Bookkeeping after each optimizer step: the weight average."""
        if getattr(self, "_average", None) is not None:
            self._average.update()

    def get_default_callbacks(self):
        """skorch's defaults, with an epoch table free of colour codes when redirected."""
        return [(name, EpochTable() if name == "print_log" else callback)
                for name, callback in super().get_default_callbacks()]

    def get_iterator(self, dataset, training=False):
        if training:
            rank, world_size = world()
            return BatchIterator(dataset, self.batch_size, shuffle=True,
                                 generator=self._shuffle_generator,
                                 max_samples=self.max_samples_per_epoch,
                                 window=self.max_train_length,
                                 max_steps=getattr(self, "_steps_budget", None),
                                 rank=rank, world_size=world_size)
        return BatchIterator(dataset, self.batch_size)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        """The batch loss; a non-finite training loss raises FloatingPointError."""
        loss = self.criterion_loss(y_pred, y_true, X=X, training=training)
        if training:
            check_finite_loss(loss, len(self.history))
        return loss

    def criterion_loss(self, y_pred, y_true, X=None, training=False):
        """skorch's loss of the batch: ``criterion_(y_pred, y_true)``."""
        return super().get_loss(y_pred, y_true, X=X, training=training)

    def __getstate__(self):
        # The optimizer's state (AdamW's moments: twice the weights) is only
        # needed to continue training; without ``keep_optimizer_state`` it is
        # left out, and a fresh optimizer is built on loading.
        optimizer = None
        if not self.keep_optimizer_state and "optimizer_" in self.__dict__:
            optimizer = self.__dict__.pop("optimizer_")
        try:
            state = super().__getstate__()
        finally:
            if optimizer is not None:
                self.__dict__["optimizer_"] = optimizer
        state["_optimizer_left_out"] = optimizer is not None
        # ``module`` and ``criterion`` are passed as instances, so after
        # initialisation they are the trained ``module_``/``criterion_``
        # themselves. skorch moves only the latter through its device-safe
        # pickling; pickled as plain attributes, CUDA tensors would not load
        # on a machine without CUDA. Store a marker and restore the link.
        for name in ("module", "criterion"):
            if isinstance(state.get(name), torch.nn.Module):
                state[name] = FITTED_OBJECT
        return state

    def __setstate__(self, state):
        left_out = state.pop("_optimizer_left_out", False)
        super().__setstate__(state)
        for name in ("module", "criterion"):
            if isinstance(getattr(self, name, None), str) and getattr(self, name) == FITTED_OBJECT:
                setattr(self, name, getattr(self, name + "_"))
        if left_out:
            self.initialize_optimizer()


class SSLNet(SeriesNetMixin, NeuralNet):
    """skorch ``NeuralNet`` whose step runs a self-supervised objective.

    Each training step hands the batch (values and valid lengths, on the
    training device) and a seeded generator to ``objective``, which makes
    the views, runs the encoder and head of ``module`` and returns the
    inputs of ``criterion``; :meth:`get_loss` applies the criterion and
    checks the loss. The batch-level ``embedding_std`` collapse indicator of
    the objective's embeddings is recorded in the history.

    Parameters
    ----------
    module : SSLModule
        Encoder and head.
    criterion : torch.nn.Module
        Loss, called with the objective's ``loss_inputs``.
    objective : Objective
        See :class:`~sslts.training.objectives.Objective`.
    random_state : numpy.random.RandomState
        See :class:`SeriesNetMixin`.
    precision : {"32", "bf16", "16-mixed"}, default="32"
        Training precision, see :mod:`sslts.training.precision`.
    **kwargs
        Passed to :class:`SeriesNetMixin` and :class:`skorch.NeuralNet`.
    """

    def __init__(self, module, criterion, objective, *, random_state, precision="32",
                 **kwargs):
        super().__init__(module, criterion, random_state=random_state, **kwargs)
        self.objective = objective
        self.precision = precision

    def set_objective(self, objective, criterion):
        """Replace the objective and the (parameter-free) loss of an initialized net."""
        self.objective = objective
        self.criterion = criterion
        self.initialize_criterion()
        self.criterion_ = to_device(self.criterion_, self.device)
        return self

    def _init_generators(self, rng):
        names = super()._init_generators(rng)
        # each rank augments its shard with its own draws
        self._augment_generator = seeded_generator(draw_seed(rng) + world()[0], self.device)
        self._valid_generator = seeded_generator(draw_seed(rng), self.device)
        self._scaler = grad_scaler(self.device, self.precision)
        return names + ["_augment_generator", "_valid_generator", "_scaler"]

    def run_objective(self, batch, generator):
        """The objective's output for one batch from :meth:`get_iterator`."""
        Xi, _ = unpack_data(batch)
        x = to_device(Xi["x"], self.device)
        lengths = to_device(Xi["lengths"], self.device)
        return self.objective(self.module_, x, lengths, generator)

    def criterion_loss(self, y_pred, y_true, X=None, training=False):
        inputs = float32_inputs(y_pred.loss_inputs)
        if training and world()[1] > 1 and self.objective.global_batch:
            inputs = tuple(gather(x) for x in inputs)
        with loss_context(self.device):
            return self.criterion_(*inputs)

    def train_step_single(self, batch, **fit_params):
        self._set_training(True)
        with autocast(self.device, self.precision):
            out = self.run_objective(batch, self._augment_generator)
        loss = self.get_loss(out, None, training=True)
        (loss if self._scaler is None else self._scaler.scale(loss)).backward()
        self._sync_gradients()
        embeddings = out.embeddings.float()
        self.history.record_batch("embedding_std", embedding_std(embeddings))
        return {"loss": loss, "y_pred": embeddings}

    def train_step(self, batch, **fit_params):
        """skorch's step; with float16 the loss is scaled and the step goes
        through the ``GradScaler`` (skipped when gradients overflow)."""
        if getattr(self, "_scaler", None) is None:
            return super().train_step(batch, **fit_params)
        self.optimizer_.zero_grad()
        step = self.train_step_single(batch, **fit_params)
        self._scaler.unscale_(self.optimizer_)  # callbacks see the true gradients
        self.notify("on_grad_computed",
                    named_parameters=TeeGenerator(self.get_all_learnable_params()),
                    batch=batch)
        self._scaler.step(self.optimizer_)
        self._scaler.update()
        self._after_step()
        return step

    def validation_step(self, batch, **fit_params):
        self._set_training(False)
        with torch.no_grad():
            with autocast(self.device, self.precision):
                out = self.run_objective(batch, self._valid_generator)
            loss = self.get_loss(out, None, training=False)
        return {"loss": loss, "y_pred": out.embeddings.float()}

    def embed(self, dataset):
        """Encode ``dataset`` in eval mode, without augmentation.

        Returns
        -------
        numpy.ndarray of float32, shape (n, d)
        """
        return embed(self.module_.encoder, dataset, self.batch_size, self.device)


@contextlib.contextmanager
def eval_mode(encoder):
    """Run the block with ``encoder`` in eval and inference mode, then restore its
    training flag, so that embedding leaves the model as it found it."""
    was_training = encoder.training
    encoder.eval()
    try:
        with torch.inference_mode():
            yield encoder
    finally:
        encoder.train(was_training)


def embed_timestamps(encoder, dataset, batch_size, device):
    """Per-timestamp features of a dataset by an encoder in eval mode.

    The encoder's training flag is restored afterwards.

    Parameters
    ----------
    encoder : torch.nn.Module
        With ``forward_features`` mapping ``(n, c, t)`` to ``(n, d, t)``.
    dataset : SeriesDataset
        The series, NaN right-padded.
    batch_size : int
        Series per forward pass.
    device : str
        Device of the encoder.

    Returns
    -------
    numpy.ndarray of float32, shape (n, t, d)
        ``t`` is the dataset's padded length; NaN where a series is padding.
    """
    n, t = len(dataset), dataset.X.shape[-1]
    out = None
    start = 0
    with eval_mode(encoder):
        for batch, _ in BatchIterator(dataset, batch_size):
            x = to_device(batch["x"], device)
            h = encoder.forward_features(x).float().transpose(1, 2)  # (b, t_b, d)
            h = h.masked_fill(~padding_mask(x)[..., None], float("nan")).cpu().numpy()
            if out is None:
                out = np.full((n, t, h.shape[-1]), np.nan, dtype=np.float32)
            out[start:start + len(h), :h.shape[1]] = h
            start += len(h)
    return out


def embed(encoder, dataset, batch_size, device):
    """Embeddings of a dataset by an encoder in eval mode, batch by batch.

    The encoder's training flag is restored afterwards.

    Parameters
    ----------
    encoder : torch.nn.Module
        Maps ``(n, c, t)`` (or ``(n, c, h, w)``) batches to ``(n, d)``.
    dataset : SeriesDataset
        The series, NaN right-padded.
    batch_size : int
        Series per forward pass.
    device : str
        Device of the encoder.

    Returns
    -------
    numpy.ndarray of float32, shape (n, d)
        Written batch by batch into one preallocated array.
    """
    out, start = None, 0
    with eval_mode(encoder):
        for batch, _ in BatchIterator(dataset, batch_size):
            z = encoder(to_device(batch["x"], device)).float().cpu().numpy()
            if out is None:
                out = np.empty((len(dataset), z.shape[1]), dtype=np.float32)
            out[start:start + len(z)] = z
            start += len(z)
    return out

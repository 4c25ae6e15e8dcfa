"""The skorch net that trains an encoder and projection head on two views."""

import numpy as np
import torch
from skorch import NeuralNet
from skorch.dataset import unpack_data
from skorch.utils import to_device

from ..augmentations.base import valid_lengths
from ..utils.random import draw_seed, seeded_generator, seeded_torch
from .data import BatchIterator


class SSLModule(torch.nn.Module):
    """Encoder followed by a projection head.

    ``forward`` returns both the representation ``h`` (what ``transform``
    gives users) and the projection ``z`` (what the loss sees).
    """

    def __init__(self, encoder, head):
        super().__init__()
        self.encoder = encoder
        self.head = head

    def forward(self, x):
        h = self.encoder(x)
        return h, self.head(h)


def embedding_std(h):
    """Mean over dimensions of the batch std of the L2-normalised embeddings.

    A collapse indicator: it falls to 0 when every sample maps to the same
    direction and is about ``1 / sqrt(d)`` for well spread embeddings.
    """
    h = torch.nn.functional.normalize(h.detach().float(), dim=1)
    return h.std(dim=0).mean().item()


def check_finite_loss(loss, epoch):
    """Raise FloatingPointError if the training ``loss`` of ``epoch`` is NaN or infinite."""
    if not torch.isfinite(loss):
        raise FloatingPointError(
            f"The training loss became {loss.item()} at epoch "
            f"{epoch}: training diverged. Lower lr, or check "
            "that the input is scaled (for instance z-normalised)."
        )


FITTED_OBJECT = "<the fitted object, stored with the device-safe state>"


class SeriesNetMixin:
    """Seeded training loop and whole-tensor batch iterators for skorch nets.

    Mixed in before a skorch net class whose ``__init__`` sets
    ``random_state`` (a numpy ``RandomState``) and ``max_samples_per_epoch``.
    Each call of ``fit_loop`` seeds the step's generators from
    ``random_state`` and seeds torch's global generators for the duration of
    the loop. The training iterator is shuffled and uses
    ``max_samples_per_epoch`` samples per epoch, a fresh subset each epoch,
    cut to random windows of ``max_train_length`` steps when that is set
    (see :class:`~sslts.training.data.BatchIterator`).
    """

    max_train_length = None

    def _init_generators(self, rng):
        """Seed the generators of one ``fit_loop`` from ``rng``; return their names."""
        self._shuffle_generator = seeded_generator(draw_seed(rng))
        return ["_shuffle_generator"]

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        rng = self.random_state
        names = self._init_generators(rng)
        try:
            with seeded_torch(draw_seed(rng), self.device):
                return super().fit_loop(X, y, epochs=epochs, **fit_params)
        finally:
            for name in names:
                delattr(self, name)

    def __getstate__(self):
        # ``module`` and ``criterion`` are passed as instances, so after
        # initialisation they are the trained ``module_``/``criterion_``
        # themselves. skorch moves only the latter through its device-safe
        # pickling; pickled as plain attributes, CUDA tensors would not load
        # on a machine without CUDA. Store a marker and restore the link.
        state = super().__getstate__()
        for name in ("module", "criterion"):
            if isinstance(state.get(name), torch.nn.Module):
                state[name] = FITTED_OBJECT
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        for name in ("module", "criterion"):
            if isinstance(getattr(self, name, None), str) and getattr(self, name) == FITTED_OBJECT:
                setattr(self, name, getattr(self, name + "_"))

    def get_iterator(self, dataset, training=False):
        if training:
            return BatchIterator(dataset, self.batch_size, shuffle=True,
                                 generator=self._shuffle_generator,
                                 max_samples=self.max_samples_per_epoch,
                                 window=self.max_train_length)
        return BatchIterator(dataset, self.batch_size)


class SSLNet(SeriesNetMixin, NeuralNet):
    """skorch ``NeuralNet`` whose step contrasts two augmented views.

    The training iterator is shuffled and yields whole-tensor batches (see
    :class:`~sslts.training.data.BatchIterator`); each step draws two views
    with ``augmentation`` on the training device, encodes both in one forward
    pass and calls ``criterion(z1, z2)``. The batch-level ``embedding_std``
    collapse indicator is recorded in the history.

    Parameters
    ----------
    module : SSLModule
        Encoder and head.
    criterion : torch.nn.Module
        Loss taking the projections of the two views.
    augmentation : BaseAugmentation
        Policy that makes the views.
    random_state : numpy.random.RandomState
        Source of the seeds of the shuffling and augmentation generators,
        drawn anew at each call of ``fit_loop``.
    max_samples_per_epoch : int or float, default=None
        Training samples per epoch, a fresh random subset each epoch (int:
        a count; float in (0, 1]: a fraction); None uses all of them.
    max_train_length : int, default=None
        Train on random windows of this many steps of the longer series,
        the same window for both views; None trains on whole series.
    **kwargs
        Passed to :class:`skorch.NeuralNet`.
    """

    def __init__(self, module, criterion, augmentation, random_state,
                 max_samples_per_epoch=None, max_train_length=None, **kwargs):
        super().__init__(module, criterion, **kwargs)
        self.augmentation = augmentation
        self.random_state = random_state
        self.max_samples_per_epoch = max_samples_per_epoch
        self.max_train_length = max_train_length

    def _init_generators(self, rng):
        names = super()._init_generators(rng)
        self._augment_generator = seeded_generator(draw_seed(rng), self.device)
        self._valid_generator = seeded_generator(draw_seed(rng), self.device)
        return names + ["_augment_generator", "_valid_generator"]

    def two_view_loss(self, x, generator):
        """Loss of two augmented views of batch ``x`` and their representations."""
        x = to_device(x, self.device)
        lengths = valid_lengths(x)
        # both views in one call: half the kernel launches, own draws per row
        views = self.augmentation.augment(torch.cat([x, x]), generator,
                                          torch.cat([lengths, lengths]))
        h, z = self.module_(views)
        z1, z2 = z.chunk(2)
        return self.criterion_(z1, z2), h

    def train_step_single(self, batch, **fit_params):
        self._set_training(True)
        x, _ = unpack_data(batch)
        loss, h = self.two_view_loss(x, self._augment_generator)
        check_finite_loss(loss, len(self.history))
        loss.backward()
        self.history.record_batch("embedding_std", embedding_std(h))
        return {"loss": loss, "y_pred": h}

    def validation_step(self, batch, **fit_params):
        self._set_training(False)
        x, _ = unpack_data(batch)
        with torch.no_grad():
            loss, h = self.two_view_loss(x, self._valid_generator)
        return {"loss": loss, "y_pred": h}

    def embed(self, dataset):
        """Encode ``dataset`` in eval mode, without augmentation.

        Returns
        -------
        numpy.ndarray of float32, shape (n, d)
        """
        self.module_.eval()
        chunks = []
        with torch.inference_mode():
            for x, _ in self.get_iterator(dataset):
                h = self.module_.encoder(to_device(x, self.device))
                chunks.append(h.float().cpu())
        return torch.cat(chunks).numpy().astype(np.float32, copy=False)

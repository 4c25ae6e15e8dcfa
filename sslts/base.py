"""Base class of the self-supervised transformers."""

import copy
import math
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
)
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, RealNotInt, StrOptions
from sklearn.utils.validation import _check_feature_names, check_is_fitted
from skorch.callbacks import PassthroughScoring, ProgressBar
from skorch.helper import predefined_split

from .augmentations import BaseAugmentation
from .nn import ENCODERS, ProjectionHead, encoder_output_dim, save_encoder
from .nn.encoders import _check_int
from .nn.transfer import prepare_encoder
from .training import BatchIterator, SeriesDataset, SSLModule, SSLNet
from .utils.device import resolve_device
from .utils.random import draw_seed, seeded_torch
from .utils.validation import check_images, check_time_series, input_ndim, record_input_shape

SHARED_PARAMETERS = """\
    encoder : {"resnet", "fcn", "dilated_cnn", "resnet2d"}, torch.nn.Module class or instance, default="resnet"
        Encoder mapping ``(n, c, t)`` to ``(n, d)``; a class is built as
        ``cls(in_channels=..., out_features=embedding_dim)``, an instance is
        copied (it must handle NaN right-padding, see :mod:`sslts.nn`).
        For 4-D input (spectrograms, images) the encoder is 2-D:
        ``"resnet2d"``, which ``"resnet"`` becomes automatically, or a module
        taking ``(n, c, h, w)``. A fitted sslts estimator (e.g. a fitted
        ``SimCLRTransformer``) or a module from :func:`sslts.nn.load_encoder`
        starts training from that pretrained encoder; the estimator is not
        modified.
    embedding_dim : int, default=128
        Output size of the built-in encoders.
    adapt_channels : bool, default=True
        When the encoder expects another number of channels than ``X`` has (a
        pretrained encoder), learn a 1x1 convolution mapping the channels of
        ``X`` to the encoder's and warn; if False, raise a ValueError.
    head_dims : tuple of int, default=None
        Projection head sizes; None gives the method's default.
    augmentations : BaseAugmentation, default=None
        Policy making the two views; None gives the method's default
        policy, :func:`sslts.methods.policies.default_policy` (the image
        policy for 4-D input). It must match the input's dimensionality.
    max_epochs : int, default=100
        Most passes over the data.
    max_steps : int, default=200
        Optimizer step budget: ``fit`` trains for
        ``min(max_epochs, ceil(max_steps / batches_per_epoch))`` epochs, so
        large datasets cost about as much as small ones; None trains for
        ``max_epochs``.
    max_train_length : int, default=256
        Series longer than this are trained on random windows of this many
        steps (the same window for both views, a new one at each step);
        ``transform`` always embeds whole series. None trains on whole
        series, at a cost growing with their length.
    batch_size : int, default=64
        Series per batch (at least 2).
    max_samples_per_epoch : int or float, default=None
        Train each epoch on a fresh random subset of this many series (int,
        at least 2; more than there are means all) or of this fraction of
        them (float in (0, 1]); None uses every series in every epoch.
    lr : float, default=1e-3
        AdamW learning rate.
    weight_decay : float, default=1e-4
        AdamW weight decay.
    validation_fraction : float, default=None
        Fraction of the series held out to report ``valid_loss``; None trains on all.
    device : str, default="auto"
        ``"auto"``, ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"mps"``.
    callbacks : list of skorch callbacks, default=None
        Extra callbacks (EarlyStopping, Checkpoint, LRScheduler, loggers),
        bare or as ``(name, callback)`` pairs; copied at each fit.
    warm_start : bool, default=False
        If True, ``fit`` continues training the fitted encoder.
    verbose : int, default=0
        Print a per-epoch table and a progress bar when positive.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling and augmentations.

"""

SHARED_ATTRIBUTES = """\
    Attributes
    ----------
    net_ : SSLNet
        The trained skorch net (``net_.module_.encoder`` is the encoder).
    encoder_ : torch.nn.Module
        The trained encoder; pass the fitted transformer as ``encoder=`` to
        start another model from it, or save it with ``save_encoder(path)``.
    history_ : skorch.History
        Per-epoch ``train_loss`` and ``embedding_std`` (collapse indicator).
    embedding_dim_ : int
        Size of the embeddings returned by ``transform``.
    n_features_in_ : int
        ``X.shape[1]`` of the training array (channels for 3-D input).
    n_channels_in_ : int
        Number of channels seen in ``fit``.
    input_ndim_ : int
        3 when fitted on time series (2-D input is read as univariate), 4
        when fitted on spectrograms or images; ``transform`` needs the same.
    feature_names_in_ : ndarray of str
        Column names, when ``X`` was a DataFrame with string column names.
"""


def fill_shared_doc(cls):
    """Substitute the shared parameter and attribute docs into ``cls.__doc__``."""
    cls.__doc__ = cls.__doc__ % {
        "shared_parameters": SHARED_PARAMETERS.rstrip("\n"),
        "shared_attributes": SHARED_ATTRIBUTES.rstrip("\n"),
    }
    return cls


class SeriesEstimatorMixin:
    """Input handling and encoder reuse shared by the sslts estimators.

    For estimators whose ``fit`` trains ``net_.module_.encoder`` on time
    series: validation of ``X`` into a :class:`~sslts.training.SeriesDataset`,
    the validation split, the choice of the encoder, the user's skorch
    callbacks, access to the trained encoder and saving it. A fitted
    estimator passed as ``encoder`` (a pretrained encoder) is shared by
    clones rather than cloned unfitted: ``fit`` only reads it.
    """

    def __sklearn_is_fitted__(self):
        return hasattr(self, "net_")

    @property
    def history_(self):
        """skorch ``History`` of the training: per-epoch losses (and, for the
        self-supervised transformers, ``embedding_std``)."""
        check_is_fitted(self, "net_")
        return self.net_.history

    @staticmethod
    def _check_finite(out, problem):
        """Return ``out``; if it holds NaN or inf, raise FloatingPointError
        starting with ``problem`` (e.g. "The encoder produced non-finite
        embeddings")."""
        if not np.isfinite(out).all():
            raise FloatingPointError(
                f"{problem}. If you passed a custom "
                "encoder, it must handle NaN right-padding (see "
                "sslts.nn.padding_mask); otherwise training diverged: lower lr."
            )
        return out

    @property
    def encoder_(self):
        """The trained encoder module (``net_.module_.encoder``)."""
        check_is_fitted(self, "net_")
        return self.net_.module_.encoder

    def save_encoder(self, path):
        """Write the trained encoder's architecture and weights to ``path``.

        The file holds tensors, strings and numbers only; read it back with
        :func:`sslts.nn.load_encoder` and pass the module as ``encoder=``.

        Parameters
        ----------
        path : str, os.PathLike or file-like object
            Destination, written with ``torch.save``.

        Raises
        ------
        TypeError
            If the encoder is not one of the built-in encoders; pickle the
            estimator instead.
        """
        save_encoder(self.encoder_, path)

    def __sklearn_clone__(self):
        clone = super().__sklearn_clone__()
        if isinstance(self.encoder, BaseEstimator):
            clone.encoder = self.encoder  # a pretrained encoder: shared, only read
        return clone

    def _dataset(self, X, *, reset, min_samples=2):
        """Validate ``X`` (recording its shape when ``reset``) into a dataset."""
        n_channels = None if reset else self.n_channels_in_
        name = type(self).__name__
        ndim = 4 if input_ndim(X) >= 4 else 3
        if not reset and ndim != self.input_ndim_:
            kinds = {3: "time series (2-D or 3-D)", 4: "spectrograms or images (4-D)"}
            raise ValueError(
                f"X holds {kinds[ndim]} but {name} was fitted on {kinds[self.input_ndim_]}; "
                "transform the same kind of input (e.g. through the same Spectrogram)."
            )
        if ndim == 4:
            X3 = check_images(X, n_channels=n_channels, min_samples=min_samples,
                              estimator_name=name)
            lengths = None
        else:
            X3, lengths = check_time_series(
                X, n_channels=n_channels, min_samples=min_samples, estimator_name=name,
            )
        _check_feature_names(self, X, reset=reset)
        if reset:
            record_input_shape(self, X, X3)
            self.input_ndim_ = ndim
        return SeriesDataset(X3, lengths)

    def _split(self, dataset, rng):
        """Hold out ``validation_fraction`` of ``dataset`` for the valid loss."""
        if self.validation_fraction is None:
            return dataset, None
        n = len(dataset)
        n_valid = int(round(self.validation_fraction * n))
        if n_valid < 2 or n - n_valid < 2:
            raise ValueError(
                f"validation_fraction={self.validation_fraction} leaves {n_valid} "
                f"validation and {n - n_valid} training samples out of {n}; both "
                "need at least 2."
            )
        order = rng.permutation(n)
        parts = [np.sort(order[n_valid:]), np.sort(order[:n_valid])]
        return [SeriesDataset(dataset.X[p].numpy(), dataset.lengths[p].numpy(),
                              None if dataset.y is None else dataset.y[p].numpy())
                for p in parts]

    def _encoder_for_input(self):
        """``encoder``, with "resnet" read as "resnet2d" for 4-D input; checks names."""
        if not isinstance(self.encoder, str):
            return self.encoder
        if self.encoder == "resnet" and self.input_ndim_ == 4:
            return "resnet2d"
        encoder_ndim = getattr(ENCODERS[self.encoder], "input_ndim", 3)
        if encoder_ndim != self.input_ndim_:
            hint = ("pass encoder='resnet2d' (or 'resnet', which becomes it)"
                    if self.input_ndim_ == 4 else
                    "use a 1-D encoder (e.g. 'resnet') or compute spectrograms first "
                    "with sslts.spectrogram.Spectrogram")
            raise ValueError(
                f"encoder={self.encoder!r} takes {encoder_ndim}-D batches but X is "
                f"{self.input_ndim_}-D; {hint}."
            )
        return self.encoder

    def _build_encoder(self):
        """The encoder to train (built, copied or adapted) and set ``embedding_dim_``.

        Call inside ``seeded_torch`` so that new weights are reproducible.
        """
        encoder = prepare_encoder(self._encoder_for_input(), self.n_channels_in_,
                                  self.embedding_dim, adapt_channels=self.adapt_channels)
        self.embedding_dim_ = encoder_output_dim(encoder, self.n_channels_in_,
                                                 self.input_ndim_)
        return encoder

    def _net_kwargs(self, rng, valid, callbacks, device):
        """skorch keyword arguments shared by the nets of the sslts estimators."""
        return dict(
            random_state=np.random.RandomState(draw_seed(rng)),
            optimizer=torch.optim.AdamW,
            lr=self.lr,
            optimizer__weight_decay=self.weight_decay,
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            max_samples_per_epoch=self.max_samples_per_epoch,
            train_split=None if valid is None else predefined_split(valid),
            callbacks=callbacks,
            device=device,
            verbose=int(self.verbose),
        )

    def _user_callbacks(self):
        """The progress bar (when verbose) and copies of ``callbacks``, named."""
        callbacks = []
        if self.verbose:
            callbacks.append(("progress_bar", ProgressBar()))
        for i, callback in enumerate(copy.deepcopy(self.callbacks or [])):
            name, callback = (callback if isinstance(callback, tuple)
                              else (f"{type(callback).__name__.lower()}_{i}", callback))
            monitor = getattr(callback, "monitor", None)
            if (self.validation_fraction is None and isinstance(monitor, str)
                    and monitor.startswith("valid")):
                raise ValueError(
                    f"Callback {type(callback).__name__} monitors {monitor!r}, which "
                    "needs a validation split: set validation_fraction (e.g. 0.1), or "
                    "monitor 'train_loss' instead."
                )
            callbacks.append((name, callback))
        return callbacks


class BaseSSLTransformer(SeriesEstimatorMixin, ClassNamePrefixFeaturesOutMixin,
                         TransformerMixin, BaseEstimator):
    """Self-supervised encoder for time series with ``fit``/``transform``.

    Subclasses define the loss (:meth:`_build_criterion`), the default
    augmentation policy (:meth:`_default_augmentations`) and the default
    projection head (:meth:`_default_head_dims`). Training runs in a skorch
    :class:`~sslts.training.SSLNet` built in :meth:`fit` and kept as
    ``net_``; ``transform`` returns the encoder's embeddings in eval mode.
    """

    _parameter_constraints = {
        "encoder": [StrOptions(set(ENCODERS)), type, torch.nn.Module, BaseEstimator],
        "embedding_dim": [Interval(Integral, 1, None, closed="left")],
        "adapt_channels": ["boolean"],
        "head_dims": [None, tuple, list],
        "augmentations": [None, BaseAugmentation],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "max_steps": [None, Interval(Integral, 1, None, closed="left")],
        "max_train_length": [None, Interval(Integral, 2, None, closed="left")],
        "batch_size": [Interval(Integral, 2, None, closed="left")],
        "max_samples_per_epoch": [None, Interval(Integral, 2, None, closed="left"),
                                  Interval(RealNotInt, 0, 1, closed="right")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "validation_fraction": [None, Interval(Real, 0, 1, closed="neither")],
        "device": [str],
        "callbacks": [None, list],
        "warm_start": ["boolean"],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
    }

    # ------------------------------------------------------------------ hooks
    def _build_criterion(self):
        """Return the loss module ``criterion(z1, z2)``."""
        raise NotImplementedError

    def _default_augmentations(self):
        """Return the method's default augmentation policy."""
        raise NotImplementedError

    def _default_head_dims(self, in_features):
        """Return the default projection head sizes for ``in_features`` inputs."""
        raise NotImplementedError

    # -------------------------------------------------------------- public API
    def fit(self, X, y=None):
        """Train the encoder on ``X`` without labels.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints)
            Time series: 3-D array, 2-D array (univariate), list of arrays of
            different lengths, or sktime ``nested_univ``/``pd-multiindex``
            frame. NaN right-padding marks the end of shorter series.
            Or a 4-D array ``(n_samples, n_channels, n_freqs, n_frames)`` of
            spectrograms (see :class:`sslts.spectrogram.Spectrogram`) or
            images, finite and of one size, for a 2-D encoder.
        y : None
            Ignored; present for pipelines.

        Returns
        -------
        self : BaseSSLTransformer
        """
        if self.warm_start and hasattr(self, "net_"):
            return self._continue(X, epochs=None)
        return self._fit_new(X, epochs=None)

    def partial_fit(self, X, y=None):
        """Train for one more epoch on ``X``, initialising on the first call.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints)
            Time series, as in :meth:`fit`.
        y : None
            Ignored.

        Returns
        -------
        self : BaseSSLTransformer
        """
        if hasattr(self, "net_"):
            return self._continue(X, epochs=1)
        return self._fit_new(X, epochs=1)

    def transform(self, X):
        """Embed ``X`` with the trained encoder (eval mode, no augmentation).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints)
            Time series with as many channels as in ``fit``; lengths may
            differ from those seen in ``fit``. 4-D input if ``fit`` had 4-D
            input (its height and width may differ).

        Returns
        -------
        Z : ndarray of float32, shape (n_samples, n_features_out)
        """
        check_is_fitted(self, "net_")
        dataset = self._dataset(X, reset=False, min_samples=1)
        return self._check_finite(self.net_.embed(dataset),
                                  "The encoder produced non-finite embeddings")

    @property
    def _n_features_out(self):
        return self.embedding_dim_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.three_d_array = True
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags

    # ---------------------------------------------------------------- helpers
    def _augmentation_policy(self):
        policy = self._default_augmentations() if self.augmentations is None else self.augmentations
        policy = copy.deepcopy(policy)
        policy.validate()
        if policy.expected_ndim() != self.input_ndim_:
            kinds = {3: "time series (3-D)", 4: "spectrograms or images (4-D)"}
            raise ValueError(
                f"augmentations work on {kinds[policy.expected_ndim()]} but X holds "
                f"{kinds[self.input_ndim_]}; pass augmentations for this input "
                "(sslts.augmentations.spectral for 4-D), or None for the default."
            )
        return policy

    def _train(self, train, epochs):
        """Train ``net_`` on ``train`` for ``epochs``; None means the budget
        (``max_epochs`` within ``max_steps``)."""
        if epochs is None:
            epochs = self.max_epochs
            if self.max_steps is not None:
                batches = len(BatchIterator(train, self.batch_size,
                                            max_samples=self.max_samples_per_epoch))
                epochs = min(epochs, math.ceil(self.max_steps / batches))
        self.net_.partial_fit(train, epochs=epochs)
        return self

    def _callbacks(self):
        callbacks = [("embedding_std", PassthroughScoring(
            "embedding_std", lower_is_better=None, on_train=True))]
        return callbacks + self._user_callbacks()

    def _fit_new(self, X, epochs):
        self._validate_params()
        device = resolve_device(self.device)
        criterion = self._build_criterion()
        callbacks = self._callbacks()
        dataset = self._dataset(X, reset=True)
        policy = self._augmentation_policy()  # its default depends on the input
        rng = check_random_state(self.random_state)
        train, valid = self._split(dataset, rng)
        with seeded_torch(draw_seed(rng)):
            encoder = self._build_encoder()
            if self.head_dims is None:
                head_dims = self._default_head_dims(self.embedding_dim_)
            else:
                head_dims = tuple(_check_int(f"head_dims[{i}]", d)
                                  for i, d in enumerate(self.head_dims))
            head = ProjectionHead(self.embedding_dim_, tuple(head_dims))
        self.net_ = SSLNet(
            module=SSLModule(encoder, head),
            criterion=criterion,
            augmentation=policy,
            max_train_length=self.max_train_length,
            **self._net_kwargs(rng, valid, callbacks, device),
        )
        self.net_.initialize()
        return self._train(train, epochs)

    def _continue(self, X, epochs):
        dataset = self._dataset(X, reset=False)
        train, valid = self._split(dataset, np.random.RandomState(draw_seed(self.net_.random_state)))
        if valid is not None:  # validate on the held-out part of this X, never on train
            self.net_.train_split = predefined_split(valid)
        self.net_.max_train_length = self.max_train_length
        return self._train(train, epochs)

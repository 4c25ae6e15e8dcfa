"""Base class of the self-supervised transformers."""

import copy
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
)
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_feature_names, check_is_fitted
from skorch.callbacks import PassthroughScoring, ProgressBar
from skorch.helper import predefined_split

from .augmentations import BaseAugmentation
from .nn import ENCODERS, ProjectionHead, build_encoder, encoder_output_dim
from .training import SeriesDataset, SSLModule, SSLNet
from .utils.device import resolve_device
from .utils.random import draw_seed, seeded_torch
from .utils.validation import check_time_series, n_features

SHARED_PARAMETERS = """\
    encoder : {"resnet", "fcn", "dilated_cnn"}, torch.nn.Module class or instance, default="resnet"
        Encoder mapping ``(n, c, t)`` to ``(n, d)``; a class is built as
        ``cls(in_channels=..., out_features=embedding_dim)``, an instance is
        copied (it must handle NaN right-padding, see :mod:`sslts.nn`).
    embedding_dim : int, default=128
        Output size of the built-in encoders.
    head_dims : tuple of int, default=None
        Projection head sizes; None gives the method's default.
    augmentations : BaseAugmentation, default=None
        Policy making the two views; None gives the method's default
        policy, :func:`sslts.methods.policies.default_policy`.
    max_epochs : int, default=100
        Number of passes over the data.
    batch_size : int, default=64
        Series per batch (at least 2).
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
    history_ : skorch.History
        Per-epoch ``train_loss`` and ``embedding_std`` (collapse indicator).
    embedding_dim_ : int
        Size of the embeddings returned by ``transform``.
    n_features_in_ : int
        ``X.shape[1]`` of the training array (channels for 3-D input).
    n_channels_in_ : int
        Number of channels seen in ``fit``.
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


class BaseSSLTransformer(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Self-supervised encoder for time series with ``fit``/``transform``.

    Subclasses define the loss (:meth:`_build_criterion`), the default
    augmentation policy (:meth:`_default_augmentations`) and the default
    projection head (:meth:`_default_head_dims`). Training runs in a skorch
    :class:`~sslts.training.SSLNet` built in :meth:`fit` and kept as
    ``net_``; ``transform`` returns the encoder's embeddings in eval mode.
    """

    _parameter_constraints = {
        "encoder": [StrOptions(set(ENCODERS)), type, torch.nn.Module],
        "embedding_dim": [Interval(Integral, 1, None, closed="left")],
        "head_dims": [None, tuple, list],
        "augmentations": [None, BaseAugmentation],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 2, None, closed="left")],
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
        y : None
            Ignored; present for pipelines.

        Returns
        -------
        self : BaseSSLTransformer
        """
        if self.warm_start and hasattr(self, "net_"):
            return self._continue(X, epochs=self.max_epochs)
        return self._fit_new(X, epochs=self.max_epochs)

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
            differ from those seen in ``fit``.

        Returns
        -------
        Z : ndarray of float32, shape (n_samples, n_features_out)
        """
        check_is_fitted(self, "net_")
        dataset = self._dataset(X, reset=False, min_samples=1)
        Z = self.net_.embed(dataset)
        if not np.isfinite(Z).all():
            raise FloatingPointError(
                "The encoder produced non-finite embeddings. If you passed a custom "
                "encoder, it must handle NaN right-padding (see "
                "sslts.nn.padding_mask); otherwise training diverged: lower lr."
            )
        return Z

    def __sklearn_is_fitted__(self):
        return hasattr(self, "net_")

    @property
    def history_(self):
        """skorch ``History`` of the training: losses and ``embedding_std`` per epoch."""
        check_is_fitted(self, "net_")
        return self.net_.history

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
    def _dataset(self, X, *, reset, min_samples=2):
        """Validate ``X`` (recording its shape when ``reset``) into a dataset."""
        n_channels = None if reset else self.n_channels_in_
        X3, lengths = check_time_series(
            X, n_channels=n_channels, min_samples=min_samples,
            estimator_name=type(self).__name__,
        )
        _check_feature_names(self, X, reset=reset)
        if reset:
            self.n_features_in_ = n_features(X, X3)
            self.n_channels_in_ = X3.shape[1]
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
        return [SeriesDataset(dataset.X[p].numpy(), dataset.lengths[p].numpy()) for p in parts]

    def _augmentation_policy(self):
        policy = self._default_augmentations() if self.augmentations is None else self.augmentations
        policy = copy.deepcopy(policy)
        policy.validate()
        return policy

    def _callbacks(self):
        callbacks = [("embedding_std", PassthroughScoring(
            "embedding_std", lower_is_better=None, on_train=True))]
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

    def _fit_new(self, X, epochs):
        self._validate_params()
        device = resolve_device(self.device)
        policy = self._augmentation_policy()
        criterion = self._build_criterion()
        callbacks = self._callbacks()
        dataset = self._dataset(X, reset=True)
        rng = check_random_state(self.random_state)
        train, valid = self._split(dataset, rng)
        with seeded_torch(draw_seed(rng)):
            encoder = build_encoder(self.encoder, self.n_channels_in_, self.embedding_dim)
            self.embedding_dim_ = encoder_output_dim(encoder, self.n_channels_in_)
            head_dims = self.head_dims
            if head_dims is None:
                head_dims = self._default_head_dims(self.embedding_dim_)
            head = ProjectionHead(self.embedding_dim_, tuple(head_dims))
        self.net_ = SSLNet(
            module=SSLModule(encoder, head),
            criterion=criterion,
            augmentation=policy,
            random_state=np.random.RandomState(draw_seed(rng)),
            optimizer=torch.optim.AdamW,
            lr=self.lr,
            optimizer__weight_decay=self.weight_decay,
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            train_split=None if valid is None else predefined_split(valid),
            callbacks=callbacks,
            device=device,
            verbose=int(self.verbose),
        )
        self.net_.initialize()
        self.net_.partial_fit(train, epochs=epochs)
        return self

    def _continue(self, X, epochs):
        dataset = self._dataset(X, reset=False)
        train, valid = self._split(dataset, np.random.RandomState(draw_seed(self.net_.random_state)))
        if valid is not None:  # validate on the held-out part of this X, never on train
            self.net_.train_split = predefined_split(valid)
        self.net_.partial_fit(train, epochs=epochs)
        return self

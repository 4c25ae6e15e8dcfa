"""Base classes of the sslts estimators: input, encoder and the self-supervised assembly.

:class:`SeriesEstimatorMixin` holds what every estimator that trains an
encoder does (input validation, the encoder to start from, the validation
split). :class:`BaseSSLTransformer` assembles a self-supervised model:
validate the input, build the encoder, take the method's objective and loss,
build the net (:mod:`sslts.training`) and train it.
"""

import copy
import warnings

import numpy as np
import torch
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.exceptions import NotFittedError
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from .augmentations.policies import default_policy
from .losses import MultiscaleLoss
from .metrics import alignment, check_criterion, embedding_std, rankme, uniformity
from .nn import (
    ENCODERS,
    ProjectionHead,
    StandardizedEncoder,
    encoder_output_dim,
    prepare_encoder,
    save_encoder,
    standardized,
)
from .parameters import CONSTRAINTS, fill_doc
from .training.callbacks import (
    EmbeddingRank,
    build_callbacks,
    copy_callback,
    embedding_std_scoring,
)
from .training.data import SeriesDataset
from .training.distributed import (
    broadcast_random_state,
    data_parallel,
    init_from_environment,
    world,
)
from .training.net import SSLModule, SSLNet, embed_timestamps
from .training.objectives import OverlappingCrops, TwoViews, timestamp_encoder
from .training.precision import check_precision
from .training.settings import apply_settings, net_settings, validation_split
from .training.warm_start import ARCHITECTURE, changed_params, check_unchanged, record_params
from .utils.device import resolve_device
from .utils.params import check_int
from .utils.random import draw_seed, seeded_generator, seeded_torch
from .utils.threads import uses_cpu_threads
from .utils.validation import INPUT_KINDS, validate_input

__all__ = ["BaseSSLTransformer", "SeriesEstimatorMixin", "TwoViewSSLTransformer", "fill_ssl_doc",
           "pretrained_encoder", "ssl_doc"]

#: Parameters of every self-supervised transformer, in documentation order.
SSL_PARAMETERS = ("encoder", "embedding_dim", "encoder_params", "adapt_channels", "standardize",
                  "head_dims", "augmentations", "max_epochs", "max_steps", "max_train_length",
                  "batch_size", "max_samples_per_epoch", "lr", "weight_decay",
                  "validation_fraction", "device", "precision", "n_jobs", "callbacks",
                  "warm_start", "verbose", "random_state")



def ssl_doc(**overrides):
    """Decorator filling ``%(shared_parameters)s``, ``%(shared_attributes)s``
    and ``%(level)s`` in the docstring of a self-supervised method.

    Parameters
    ----------
    **overrides : str
        numpydoc entries replacing the shared ones, by parameter name (for a
        method whose defaults differ).
    """
    return fill_doc(
        extra={
            "net_": """\
    net_ : sslts.training.net.SSLNet
        The trained skorch net (``net_.module_.encoder`` is the encoder).""",
            "history_": """\
    history_ : skorch.History
        Per-epoch ``train_loss`` and two collapse indicators of the training
        embeddings: ``embedding_std`` and ``rankme`` (their effective rank,
        see :func:`sslts.metrics.rankme`).""",
            **overrides,
        },
        shared_parameters=SSL_PARAMETERS,
        shared_attributes=("net_", "encoder_", "history_", "embedding_dim_", "n_features_in_",
                           "n_channels_in_", "input_ndim_", "feature_names_in_"),
        level=("level",),
    )


#: :func:`ssl_doc` with the shared entries as they are.
fill_ssl_doc = ssl_doc()


def pretrained_encoder(estimator):
    """A copy of the trained encoder of a fitted sslts estimator.

    Parameters
    ----------
    estimator : estimator instance
        A fitted sslts estimator (anything with a trained ``encoder_``, such
        as a fitted ``SimCLRTransformer``); it is not modified.

    Returns
    -------
    torch.nn.Module
    """
    name = type(estimator).__name__
    try:
        module = estimator.encoder_
    except NotFittedError as exc:
        raise NotFittedError(
            f"encoder={name}(...) is not fitted: fit it first to start from its "
            "trained encoder, or pass an encoder name, class or module to train "
            "from scratch."
        ) from exc
    except AttributeError:
        raise TypeError(
            f"encoder={name}(...) has no trained encoder: pass a fitted sslts "
            "estimator (e.g. a fitted SimCLRTransformer), an encoder name, an "
            "nn.Module class or an nn.Module instance."
        ) from None
    return copy.deepcopy(module)


class SeriesEstimatorMixin:
    """Input handling and encoder reuse shared by the sslts estimators.

    For estimators whose ``fit`` trains ``net_.module_.encoder`` on time
    series: validation of ``X`` into a
    :class:`~sslts.training.data.SeriesDataset`, the validation split, the
    choice of the encoder, access to the trained encoder and saving it. A
    fitted estimator passed as ``encoder`` (a pretrained encoder) is shared
    by clones rather than cloned unfitted: ``fit`` only reads it.
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
        # scikit-learn's clone, except for two parameters: a pretrained encoder
        # (a fitted estimator) is shared, since fit only reads it, and the
        # callbacks are copied with copy_callback, since loggers hold writers
        # and runs that a deep copy cannot take
        proxy = copy.copy(self)
        proxy.callbacks = None
        clone = super(SeriesEstimatorMixin, proxy).__sklearn_clone__()
        if isinstance(self.encoder, BaseEstimator):
            clone.encoder = self.encoder
        if self.callbacks is not None:
            clone.callbacks = [copy_callback(callback) for callback in self.callbacks]
        return clone

    def _dataset(self, X, *, reset, min_samples=2):
        """Validate ``X`` (recording its shape when ``reset``) into a dataset."""
        array, lengths = validate_input(self, X, reset=reset, min_samples=min_samples,
                                        lazy=True)
        return SeriesDataset(array, lengths)

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
        return [dataset.subset(np.sort(part)) for part in (order[n_valid:], order[:n_valid])]

    @staticmethod
    def _rank0_random_state(rng, device):
        """``rng``, or in data-parallel training a copy holding rank 0's state
        (the process group is first set up from ``torchrun``'s environment)."""
        init_from_environment(device)
        if world()[1] == 1:
            return rng
        return broadcast_random_state(copy.deepcopy(rng), device)

    def _encoder_for_input(self):
        """``encoder`` as a module or a name to build, "resnet" read as
        "resnet2d" for 4-D input; checks names against the input."""
        if isinstance(self.encoder, BaseEstimator):
            return pretrained_encoder(self.encoder)
        if not isinstance(self.encoder, str):
            return self.encoder
        if self.encoder == "resnet" and self.input_ndim_ == 4:
            return "resnet2d"
        encoder_ndim = getattr(ENCODERS[self.encoder], "input_ndim", 3)
        if encoder_ndim != self.input_ndim_:
            hint = ("pass encoder='resnet2d' (or 'resnet', which becomes it)"
                    if self.input_ndim_ == 4 else
                    "use a 1-D encoder (e.g. 'resnet') or compute spectrograms first "
                    "with sslts.Spectrogram")
            raise ValueError(
                f"encoder={self.encoder!r} takes {encoder_ndim}-D batches but X is "
                f"{self.input_ndim_}-D; {hint}."
            )
        return self.encoder

    def _encoder_params(self):
        """Constructor arguments of an encoder built from a name or a class:
        ``encoder_params`` (None in methods written before sslts 0.9)."""
        return getattr(self, "encoder_params", None)

    def _net_arguments(self, rng, valid, callbacks, device, params=None):
        """skorch keyword arguments of a new net: its seed source (drawn from
        ``rng``), validation split, callbacks, device and the settings of
        ``params`` (default: the estimator's parameters)."""
        params = self.get_params(deep=False) if params is None else params
        return dict(random_state=np.random.RandomState(draw_seed(rng)),
                    train_split=validation_split(valid), callbacks=callbacks, device=device,
                    **net_settings(params))

    def _build_encoder(self, dataset):
        """The encoder to train (built, copied or adapted) and set ``embedding_dim_``.

        With ``standardize``, the encoder is fed ``dataset``'s channels
        standardised, unless it already standardises its input (a pretrained
        encoder keeps its statistics). Call inside ``seeded_torch`` so that
        new weights are reproducible.
        """
        encoder = prepare_encoder(self._encoder_for_input(), self.n_channels_in_,
                                  self.embedding_dim, params=self._encoder_params(),
                                  adapt_channels=self.adapt_channels)
        # methods written before sslts 0.8 have no `standardize` and keep feeding raw values
        standardize = getattr(self, "standardize", False)
        if standardize and not isinstance(encoder, StandardizedEncoder):
            encoder = standardized(encoder, standardize, *dataset.channel_statistics())
        self.embedding_dim_ = encoder_output_dim(encoder, self.n_channels_in_,
                                                 self.input_ndim_)
        return encoder


class BaseSSLTransformer(SeriesEstimatorMixin, ClassNamePrefixFeaturesOutMixin,
                         TransformerMixin, BaseEstimator):
    """Self-supervised encoder for time series with ``fit``/``transform``.

    A method subclasses it with its ``__init__`` (its own parameters, then
    those of :data:`SSL_PARAMETERS`), its loss (:meth:`_build_loss`) and
    its default head sizes (:meth:`_default_head_dims`); it may replace the
    two-view objective (:meth:`_build_objective`), the head
    (:meth:`_build_head`) and the default augmentation policy
    (:meth:`_default_augmentations`). ``fit`` assembles the model and trains
    it in a :class:`~sslts.training.net.SSLNet` kept as ``net_``;
    ``transform`` returns the encoder's embeddings in eval mode.
    """

    _parameter_constraints = {name: CONSTRAINTS[name] for name in SSL_PARAMETERS}
    #: Parameters a warm start may not change.
    _fixed_on_warm_start = ARCHITECTURE

    # ------------------------------------------------------------------ hooks
    def _build_loss(self):
        """Return the loss module, called with the objective's ``loss_inputs``."""
        raise NotImplementedError

    def _default_head_dims(self, in_features):
        """Return the default projection head sizes for ``in_features`` inputs."""
        raise NotImplementedError

    def _build_objective(self, augmentations):
        """Return the objective (default: :class:`~sslts.training.objectives.TwoViews`)."""
        return TwoViews(augmentations)

    def _build_head(self, in_features):
        """Return the head on ``in_features``-dimensional embeddings."""
        if self.head_dims is None:
            dims = self._default_head_dims(in_features)
        else:
            dims = tuple(check_int(f"head_dims[{i}]", d) for i, d in enumerate(self.head_dims))
        return ProjectionHead(in_features, tuple(dims))

    def _default_augmentations(self):
        """Return the default augmentation policy for the input."""
        return default_policy(self.input_ndim_)

    # -------------------------------------------------------------- public API
    @uses_cpu_threads
    def fit(self, X, y=None):
        """Train the encoder on ``X`` without labels.

        With ``warm_start=True`` and a fitted model, training continues (see
        ``warm_start``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints)
            Time series: 3-D array, 2-D array (univariate), list of arrays of
            different lengths, or sktime ``nested_univ``/``pd-multiindex``
            frame. NaN right-padding marks the end of shorter series.
            Or a 4-D array ``(n_samples, n_channels, n_freqs, n_frames)`` of
            spectrograms (see :class:`sslts.Spectrogram`) or images, finite
            and of one size, for a 2-D encoder.
        y : None
            Ignored; present for pipelines.

        Returns
        -------
        self : BaseSSLTransformer
        """
        return self._fit(X, one_pass=False)

    @uses_cpu_threads
    def partial_fit(self, X, y=None):
        """Train for one pass over ``X``, initialising on the first call.

        Later calls continue training the same network, as a warm start
        does (parameter changes take effect or are refused the same way).
        ``max_epochs`` and ``max_steps`` bound ``fit``, not this one pass.

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
        return self._fit(X, one_pass=True)

    @uses_cpu_threads
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
        return self._embed(self._dataset(X, reset=False, min_samples=1))

    @uses_cpu_threads
    def transform_timestamps(self, X):
        """Per-timestamp representations of ``X`` (eval mode, no augmentation).

        For segmentation, forecasting or anomaly detection: the encoder's
        features at each time step, before pooling over time (``transform``
        returns their pooled summary).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints)
            Time series with as many channels as in ``fit``, as in
            :meth:`transform`.

        Returns
        -------
        H : ndarray of float32, shape (n_samples, n_timepoints, n_timestamp_features)
            ``n_timepoints`` is the longest series; NaN where a series is
            padding. ``n_timestamp_features`` is the encoder's width per
            time step: ``embedding_dim_`` with a global pooling, a seventh of
            it with the pyramid pooling
            (:func:`sslts.nn.masked_pyramid_max_pool`), less the ``2 c``
            series statistics with ``standardize="series"``.

        Raises
        ------
        ValueError
            If the encoder gives no per-timestamp features (a 2-D encoder, or
            a custom one without ``forward_features``).
        """
        check_is_fitted(self, "net_")
        if self.input_ndim_ != 3 or timestamp_encoder(self.encoder_) is None:
            raise ValueError(
                f"transform_timestamps needs an encoder with per-timestamp features "
                f"(forward_features) on time series; {type(self.encoder_).__name__} on "
                f"{INPUT_KINDS[self.input_ndim_]} has none. The built-in 1-D encoders "
                "('resnet', 'fcn', 'dilated_cnn', 'ts2vec') have them.")
        dataset = self._dataset(X, reset=False, min_samples=1)
        H = embed_timestamps(self.encoder_, dataset, self.batch_size, self.net_.device)
        valid = np.arange(H.shape[1]) < dataset.lengths.numpy()[:, None]
        self._check_finite(H[valid], "The encoder produced non-finite features")
        return H

    @uses_cpu_threads
    def score(self, X, y=None, *, criterion="rankme"):
        """Label-free quality of the embeddings of ``X`` (higher is better).

        ``GridSearchCV`` and ``cross_val_score`` call it when no ``scoring``
        is given, so a search over temperature, augmentations or encoder
        runs on unlabeled data: ``GridSearchCV(SimCLRTransformer(),
        grid).fit(X)``. See :mod:`sslts.metrics` and the "Tuning without
        labels" page for how well each criterion tracks accuracy.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints)
            Time series, as in :meth:`transform`; at least 2. The rank of
            ``n`` embeddings is at most ``n``: a warning says when the
            RankMe of ``X`` comes near that ceiling.
        y : None
            Ignored; present for pipelines and model selection.
        criterion : {"rankme", "alignment_uniformity", "embedding_std"}, default="rankme"
            ``"rankme"``: effective rank of the embeddings
            (:func:`sslts.metrics.rankme`). ``"alignment_uniformity"``: minus
            the sum of the alignment of two views of ``X`` (made by the
            library's default augmentation policy, the same for every
            configuration and seeded, so the score is reproducible) and the
            uniformity of the embeddings of ``X``. ``"embedding_std"``: spread of the
            normalised embeddings.

        Returns
        -------
        float
        """
        check_criterion(criterion)
        check_is_fitted(self, "net_")
        dataset = self._dataset(X, reset=False, min_samples=1)
        if len(dataset) < 2:
            raise ValueError(f"score needs at least 2 series to measure a spread of "
                             f"embeddings; got {len(dataset)}.")
        Z = self._embed(dataset)
        if criterion == "rankme":
            value = rankme(Z)
            if len(Z) < Z.shape[1] and value > 0.5 * len(Z):
                warnings.warn(
                    f"score: the effective rank {value:.1f} of {len(Z)} embeddings is near its "
                    f"ceiling ({len(Z)} series, {Z.shape[1]} dimensions), so configurations "
                    "that would rank higher on more series score alike. Score on more "
                    "series (for instance cv=ShuffleSplit(1, test_size=0.5)).",
                    UserWarning, stacklevel=2)
            return value
        if criterion == "embedding_std":
            return embedding_std(Z)
        Z1, Z2 = (self._embed(view, " of an augmented view")
                  for view in self._default_views(dataset))
        return -(alignment(Z1, Z2) + uniformity(Z))

    def _embed(self, dataset, what=""):
        """Embeddings of ``dataset``; FloatingPointError if any is not finite."""
        return self._check_finite(self.net_.embed(dataset),
                                  f"The encoder produced non-finite embeddings{what}")

    def _default_views(self, dataset):
        """Two views of ``dataset`` by the default policy, from a fixed seed."""
        policy = default_policy(self.input_ndim_)
        generator = seeded_generator(0)
        X = dataset.rows(torch.arange(len(dataset)))
        with torch.no_grad():
            return [SeriesDataset(policy.augment(X, generator, dataset.lengths),
                                  dataset.lengths) for _ in range(2)]

    @property
    def _n_features_out(self):
        return self.embedding_dim_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.three_d_array = True
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags

    # ---------------------------------------------------------------- assembly
    @_fit_context(prefer_skip_nested_validation=False)
    def _fit(self, X, *, one_pass):
        """Build (or keep, when continuing) the net and train it on ``X``."""
        params = self.get_params(deep=False)
        device = resolve_device(self.device)
        continuing = hasattr(self, "net_") and (one_pass or self.warm_start)
        changed = self._check_warm_start(params, device) if continuing else None
        callbacks = build_callbacks(self.callbacks, verbose=self.verbose,
                                    validation_fraction=self.validation_fraction,
                                    first=[embedding_std_scoring(),
                                           ("rankme", EmbeddingRank())])
        dataset = self._dataset(X, reset=not continuing)
        objective = self._build_objective(self._augmentation_policy())
        loss = self._build_loss()
        check_precision(params.get("precision", "32"), device)
        if continuing:
            if "random_state" in changed:
                self.net_.random_state = np.random.RandomState(
                    draw_seed(check_random_state(self.random_state)))
            rng = np.random.RandomState(draw_seed(self.net_.random_state))
        else:
            rng = check_random_state(self.random_state)
        rng = self._rank0_random_state(rng, device)
        train, valid = self._split(dataset, rng)
        objective.prepare(train)
        settings = {**params, "max_steps": self._step_budget(train)}
        if continuing:
            self._update_net(objective, loss, valid, callbacks, settings, changed)
        else:
            self.net_ = self._build_net(rng, objective, loss, train, valid, callbacks, device,
                                        settings)
        self._fitted_params = record_params(params)
        # a model that may continue training keeps the optimizer's state in pickles
        self.net_.keep_optimizer_state = bool(self.warm_start or one_pass)
        with data_parallel(self.net_.module_):
            self.net_.partial_fit(train, epochs=1 if one_pass else None,
                                  max_steps=None if one_pass else settings["max_steps"])
        return self

    def _check_warm_start(self, params, device):
        """Names of the parameters changed since the last fit; refuse fixed ones."""
        changed = [name for name in changed_params(self._fitted_params, params)
                   if name != "device"]
        if device != self.net_.device:
            changed.append("device")
        check_unchanged(changed, (*self._fixed_on_warm_start, "device"), type(self).__name__)
        return changed

    def _update_net(self, objective, loss, valid, callbacks, params, changed):
        """Give the fitted net the objective, loss and settings of the current parameters."""
        module = self.net_.module_
        objective.check(module, self.input_ndim_)
        width = objective.head_features(module.encoder, self.n_channels_in_, self.embedding_dim_)
        trained = getattr(module.head, "in_features", width)
        if trained != width:
            raise ValueError(
                f"The new objective feeds the head {width} features, but it was trained on "
                f"{trained}: with standardize='series' (or a pyramid pooling), level cannot "
                "change on a warm start, as the series embedding and the per-timestamp "
                "features differ in width. Fit a new model (warm_start=False), or train "
                "with standardize=True and a global pooling from the start.")
        self.net_.set_objective(objective, loss)
        apply_settings(self.net_, params)
        if {"callbacks", "verbose", "validation_fraction"} & set(changed):
            self.net_.callbacks = callbacks  # unchanged callbacks keep their state
            self.net_.initialize_callbacks()
        self.net_.train_split = validation_split(valid)

    def _step_budget(self, train):
        """The optimizer step budget of ``fit`` on the dataset ``train``."""
        return self.max_steps

    def _build_net(self, rng, objective, loss, train, valid, callbacks, device, settings):
        with seeded_torch(draw_seed(rng)):
            module = SSLModule(self._build_encoder(train), None)
            objective.check(module, self.input_ndim_)
            module.head = self._build_head(
                objective.head_features(module.encoder, self.n_channels_in_, self.embedding_dim_))
        net = SSLNet(module, loss, objective,
                     **self._net_arguments(rng, valid, callbacks, device, settings))
        return net.initialize()

    def _augmentation_policy(self):
        policy = self._default_augmentations() if self.augmentations is None else self.augmentations
        if policy is None:  # the method's default is no augmentation
            return None
        policy = copy.deepcopy(policy)
        policy.validate()
        if policy.expected_ndim() != self.input_ndim_:
            raise ValueError(
                f"augmentations work on {INPUT_KINDS[policy.expected_ndim()]} but X holds "
                f"{INPUT_KINDS[self.input_ndim_]}; pass augmentations for this input "
                "(sslts.augmentations.spectral for 4-D), or None for the default."
            )
        return policy


class TwoViewSSLTransformer(BaseSSLTransformer):
    """A method comparing two views of each series (SimCLR, Barlow Twins, VICReg).

    With ``level="series"`` the loss sees the pooled, projected embeddings
    of two augmented views (:class:`~sslts.training.objectives.TwoViews`).
    With ``level="hierarchical"`` it sees the projected features of each
    timestamp of two overlapping crops
    (:class:`~sslts.training.objectives.OverlappingCrops`), through
    :meth:`_hierarchical_loss`, and the default is no augmentation besides
    the crops and the timestamp masking. Subclasses implement
    :meth:`_series_loss` and may override :meth:`_hierarchical_loss`.
    """

    _parameter_constraints = {**BaseSSLTransformer._parameter_constraints,
                              "level": CONSTRAINTS["level"]}

    def _series_loss(self):
        """Return the loss on two ``(n, d)`` batches of projections."""
        raise NotImplementedError

    def _hierarchical_loss(self):
        """Return the loss on per-timestamp projections: by default the series
        loss at every scale, with timestamps as samples
        (:class:`~sslts.losses.MultiscaleLoss`)."""
        return MultiscaleLoss(self._series_loss())

    def _build_loss(self):
        return self._series_loss() if self.level == "series" else self._hierarchical_loss()

    def _build_objective(self, augmentations):
        if self.level == "series":
            return super()._build_objective(augmentations)
        return OverlappingCrops(augmentations, project=True)

    def _default_augmentations(self):
        return super()._default_augmentations() if self.level == "series" else None

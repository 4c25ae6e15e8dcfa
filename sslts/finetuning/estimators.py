"""Supervised fine-tuning of (pretrained) encoders: classifier and regressor.

Fine-tuning trains a pretrained encoder and a new head on labels, as in the
linear-probe versus fine-tuning protocol of SimCLR (Chen et al. 2020, ICML)
and the "linear probing then fine-tuning" schedule of Kumar et al. 2022,
"Fine-Tuning can Distort Pretrained Features and Underperform
Out-of-Distribution", ICLR.
"""

from numbers import Integral, Real

import numpy as np
import torch
from scipy.special import softmax
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, _fit_context
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_array, check_is_fitted, column_or_1d

from ..base import SeriesEstimatorMixin
from ..nn import ProjectionHead
from ..parameters import CONSTRAINTS, fill_doc
from ..training.callbacks import build_callbacks
from ..training.distributed import data_parallel
from ..training.supervised import (
    EncoderFreezer,
    SeriesNetClassifier,
    SeriesNetRegressor,
    SupervisedModule,
)
from ..utils.device import resolve_device
from ..utils.params import store_params
from ..utils.random import draw_seed, seeded_torch
from ..utils.threads import uses_cpu_threads

__all__ = ["SSLClassifier", "SSLRegressor"]

#: Parameters shared with the self-supervised transformers, in documentation order.
_SHARED = ("encoder", "embedding_dim", "encoder_params", "adapt_channels", "standardize",
           "max_epochs", "batch_size", "max_samples_per_epoch", "lr", "weight_decay",
           "validation_fraction", "device", "n_jobs", "callbacks", "verbose", "random_state")

_OWN_DOCS = {
    "standardize": """\
    standardize : bool or "series", default=True
        Standardise each channel of the input by its mean and standard
        deviation over the training series, inside the encoder (its
        statistics travel with it); "series" also standardises each series
        on its own and appends its level and log spread to the embedding;
        False feeds the values as they are (see
        :class:`~sslts.SimCLRTransformer`). A pretrained encoder that already
        standardises its input keeps its own statistics.""",
    "hidden_dims": """\
    hidden_dims : tuple of int, default=()
        Hidden layer sizes of the head (Linear, BatchNorm, ReLU each) before
        its output layer; ``()`` gives a linear head.""",
    "freeze_encoder": """\
    freeze_encoder : bool, default=False
        If True, only the head is trained (for the first ``unfreeze_after``
        epochs, when it is set): the encoder gets no gradient and stays in
        eval mode, so its weights and batch-norm statistics do not change.""",
    "unfreeze_after": """\
    unfreeze_after : int, default=None
        With ``freeze_encoder=True``: train the head alone for this many
        epochs, then the encoder and the head together (linear probing then
        fine-tuning). None keeps the encoder frozen throughout.""",
    "encoder_lr": """\
    encoder_lr : float, default=None
        Learning rate of the encoder's parameters (a separate optimizer
        parameter group); None uses ``lr``. A smaller value than ``lr``
        (e.g. ``lr / 10``) keeps a pretrained encoder close to its start.""",
    "history_": """\
    history_ : skorch.History
        Per-epoch ``train_loss`` (and ``valid_loss``, plus ``valid_acc`` for
        the classifier, when ``validation_fraction`` is set;
        ``encoder_frozen`` when ``freeze_encoder`` is set).""",
}

_PARAMETER_ORDER = ("encoder", "embedding_dim", "encoder_params", "adapt_channels", "standardize",
                    "hidden_dims", "freeze_encoder", "unfreeze_after", "encoder_lr", *_SHARED[5:])


def _fill_doc(cls, net):
    net_doc = f"""\
    net_ : sslts.training.supervised.{net}
        The trained skorch net (``net_.module_`` holds ``encoder`` and ``head``)."""
    return fill_doc(extra={**_OWN_DOCS, "net_": net_doc},
                    parameters=_PARAMETER_ORDER,
                    attributes=("net_", "encoder_", "history_", "embedding_dim_",
                                "n_features_in_", "n_channels_in_", "input_ndim_",
                                "feature_names_in_"))(cls)


class _BaseFineTuner(SeriesEstimatorMixin, BaseEstimator):
    """Encoder plus a new head trained on labels, built and trained in ``fit``.

    Subclasses turn ``y`` into training targets (:meth:`_targets`), give the
    number of outputs of the head and the skorch net class, and turn the
    head's outputs into predictions.
    """

    _parameter_constraints = {
        **{name: CONSTRAINTS[name] for name in _SHARED},
        "hidden_dims": [tuple, list],
        "freeze_encoder": ["boolean"],
        "unfreeze_after": [None, Interval(Integral, 1, None, closed="left")],
        "encoder_lr": [None, Interval(Real, 0, None, closed="neither")],
    }
    _net_class = None

    def __init__(self, encoder="resnet", *, embedding_dim=128, encoder_params=None,
                 adapt_channels=True, standardize=True, hidden_dims=(), freeze_encoder=False,
                 unfreeze_after=None, encoder_lr=None, max_epochs=100, batch_size=64,
                 max_samples_per_epoch=None, lr=1e-3, weight_decay=1e-4, validation_fraction=None,
                 device="auto", n_jobs=None, callbacks=None, verbose=0, random_state=None):
        store_params(self, locals())

    def _targets(self, y, n_samples):
        """Validate ``y``, record what predictions need, return the net's targets."""
        raise NotImplementedError

    @uses_cpu_threads
    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Train the encoder and a new head on ``(X, y)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints)
            Time series in any format the SSL transformers accept (3-D or
            2-D arrays, ragged lists, sktime frames, NaN right-padding for
            shorter series), or 4-D spectrograms/images for a 2-D encoder.
        y : array-like of shape (n_samples,)
            Class labels (classifier) or targets, also ``(n_samples,
            n_outputs)`` for the regressor.

        Returns
        -------
        self
        """
        if self.unfreeze_after is not None and not self.freeze_encoder:
            raise ValueError(
                f"unfreeze_after={self.unfreeze_after} unfreezes a frozen encoder, but "
                "freeze_encoder=False: set freeze_encoder=True, or unfreeze_after=None."
            )
        device = resolve_device(self.device)
        first = ([("encoder_freezer", EncoderFreezer(self.unfreeze_after))]
                 if self.freeze_encoder else [])
        callbacks = build_callbacks(self.callbacks, verbose=self.verbose,
                                    validation_fraction=self.validation_fraction, first=first)
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )
        dataset = self._dataset(X, reset=True)
        dataset.y = torch.as_tensor(self._targets(y, len(dataset)))
        rng = self._rank0_random_state(check_random_state(self.random_state), device)
        train, valid = self._split(dataset, rng)
        with seeded_torch(draw_seed(rng)):
            encoder = self._build_encoder(train)
            head = ProjectionHead(self.embedding_dim_,
                                  tuple(self.hidden_dims) + (self._n_outputs,))
        groups = {} if self.encoder_lr is None else {
            "optimizer__param_groups": [("encoder.*", {"lr": self.encoder_lr})]}
        self.net_ = self._net_class(SupervisedModule(encoder, head), **groups,
                                    **self._net_arguments(rng, valid, callbacks, device))
        self.net_.initialize()
        with data_parallel(self.net_.module_):
            self.net_.partial_fit(train)
        return self

    def _forward(self, X):
        """Outputs of the head for ``X`` in eval mode, float64 ``(n, n_outputs)``."""
        check_is_fitted(self, "net_")
        dataset = self._dataset(X, reset=False, min_samples=1)
        out = self.net_.forward(dataset).double().numpy()
        return self._check_finite(out, "The network produced non-finite outputs")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.three_d_array = True
        return tags


class SSLClassifier(ClassifierMixin, _BaseFineTuner):
    """Classify time series by fine-tuning a (pretrained) encoder with a new head.

    ``SSLClassifier(encoder=fitted_transformer)`` starts from the encoder a
    self-supervised transformer learned without labels and trains it, with
    a new linear (or small MLP) head, on labelled series with cross-entropy.
    ``SSLClassifier(encoder="resnet")`` trains the same network from scratch:
    the supervised baseline. Inputs are handled as by the SSL transformers:
    variable lengths, NaN padding, 2-D/3-D arrays, lists and sktime frames.

%(parameters)s

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels (any sortable labels, strings included).
%(attributes)s

    See Also
    --------
    SSLRegressor : The same for regression targets.
    sslts.SimCLRTransformer : Pretrains an encoder without labels.

    Examples
    --------
    >>> from sslts import SimCLRTransformer, SSLClassifier
    >>> from sslts.datasets import load_ucr_uea
    >>> X, y = load_ucr_uea("GunPoint", "train")
    >>> pretrained = SimCLRTransformer(encoder="fcn", max_epochs=5, random_state=0).fit(X)
    >>> clf = SSLClassifier(encoder=pretrained, max_epochs=5, random_state=0).fit(X, y)
    >>> clf.classes_
    array(['1', '2'], dtype='<U1')
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
    """

    _net_class = SeriesNetClassifier

    def _targets(self, y, n_samples):
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        _check_length(y, n_samples)
        encoder = LabelEncoder()
        codes = encoder.fit_transform(y)
        self.classes_ = encoder.classes_
        if len(self.classes_) < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes in y; "
                f"got 1 class: {self.classes_[0]!r}."
            )
        self._n_outputs = len(self.classes_)
        return codes.astype(np.int64)

    @uses_cpu_threads
    def predict_proba(self, X):
        """Class probabilities (softmax of the head's logits, eval mode).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints)
            Time series with as many channels as in ``fit``.

        Returns
        -------
        P : ndarray of float64, shape (n_samples, n_classes)
            Columns in the order of ``classes_``.
        """
        return softmax(self._forward(X), axis=1)

    @uses_cpu_threads
    def predict(self, X):
        """Most probable class of each series.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints)
            Time series with as many channels as in ``fit``.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        codes = self._forward(X).argmax(axis=1)
        return self.classes_[codes]


_fill_doc(SSLClassifier, "SeriesNetClassifier")


class SSLRegressor(RegressorMixin, _BaseFineTuner):
    """Regress on time series by fine-tuning a (pretrained) encoder with a new head.

    As :class:`SSLClassifier`, with a head of ``n_outputs`` units trained
    with the mean squared error. Targets are standardised for training (per
    output: mean 0, standard deviation 1) and predictions are returned in
    the original units.

%(parameters)s

    Attributes
    ----------
    n_outputs_ : int
        Number of targets (columns of a 2-D ``y``).
    y_mean_, y_scale_ : ndarray of shape (n_outputs,)
        Mean and standard deviation of the training targets.
%(attributes)s

    See Also
    --------
    SSLClassifier : The same for class labels.

    Examples
    --------
    >>> import numpy as np
    >>> from sslts import SSLRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(40, 1, 30)
    >>> y = X[:, 0, :5].mean(axis=1)  # a target read off the series
    >>> reg = SSLRegressor(encoder="fcn", max_epochs=3, random_state=0).fit(X, y)
    >>> reg.predict(X[:3]).shape
    (3,)
    """

    _net_class = SeriesNetRegressor

    def _targets(self, y, n_samples):
        y = check_array(y, ensure_2d=False, dtype=np.float64, input_name="y")
        if y.ndim not in (1, 2):
            raise ValueError(f"y must be 1-D or 2-D, got shape {y.shape}.")
        _check_length(y, n_samples)
        self._y_ndim = y.ndim
        Y = y.reshape(len(y), -1)
        self.n_outputs_ = self._n_outputs = Y.shape[1]
        self.y_mean_ = Y.mean(axis=0)
        scale = Y.std(axis=0)
        self.y_scale_ = np.where(scale > 0, scale, 1.0)
        return ((Y - self.y_mean_) / self.y_scale_).astype(np.float32)

    @uses_cpu_threads
    def predict(self, X):
        """Predicted targets.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints)
            Time series with as many channels as in ``fit``.

        Returns
        -------
        y : ndarray of float64, shape (n_samples,) or (n_samples, n_outputs)
            1-D when ``y`` was 1-D in ``fit``.
        """
        Y = self._forward(X) * self.y_scale_ + self.y_mean_
        return Y[:, 0] if self._y_ndim == 1 else Y

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


_fill_doc(SSLRegressor, "SeriesNetRegressor")


def _check_length(y, n_samples):
    if len(y) != n_samples:
        raise ValueError(
            f"X has {n_samples} series but y has {len(y)} targets; pass one target "
            "per series."
        )

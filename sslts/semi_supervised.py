"""Semi-supervised classification: self-supervised embedding, supervised head.

The self-supervised transformer learns from every series, labeled or not; the
classifier then learns from the labeled ones only: the semi-supervised
setting of SimCLR (Chen et al. 2020, ICML: pre-train on all the data, train on
a small labeled part), with a frozen encoder instead of fine-tuning it.
"""

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.metrics import accuracy_score
from sklearn.utils import assert_all_finite, get_tags
from sklearn.utils._param_validation import HasMethods
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    _check_sample_weight,
    _estimator_has,
    check_is_fitted,
    column_or_1d,
)

from .utils.params import store_params
from .utils.validation import check_input

__all__ = ["SemiSupervisedClassifier"]


class SemiSupervisedClassifier(ClassifierMixin, MetaEstimatorMixin, BaseEstimator):
    """Classifier trained on embeddings learnt from labeled and unlabeled series.

    ``fit(X, y)`` fits a clone of ``ssl`` on all of ``X`` (labels unused),
    embeds ``X``, and fits a clone of ``estimator`` on the embeddings of the
    labeled rows. Rows whose label equals ``unlabeled_label`` (``-1`` by
    default, scikit-learn's convention for semi-supervised learning, as in
    :class:`~sklearn.semi_supervised.SelfTrainingClassifier`) are unlabeled.
    Unlike self-training, no pseudo-label is ever assigned.

    Parameters
    ----------
    ssl : transformer
        Unsupervised transformer of time series into feature vectors, e.g.
        :class:`~sslts.SimCLRTransformer` or a :class:`~sklearn.pipeline.Pipeline`
        ending in one (preprocessing first). Cloned in ``fit``; tune its
        parameters as ``ssl__<name>``.
    estimator : classifier
        Any scikit-learn classifier, fitted on the embeddings of the labeled
        rows. Cloned in ``fit``; tune it as ``estimator__<name>``.
    unlabeled_label : int, float or str, default=-1
        Label marking the unlabeled rows of ``y``. Keep ``-1`` for integer
        labels; with string labels use a string such as ``"unlabeled"`` (a
        string ``y`` holds no ``-1``, so with the default every row counts as
        labeled).

    Attributes
    ----------
    ssl_ : transformer
        The fitted clone of ``ssl``.
    estimator_ : classifier
        The fitted clone of ``estimator``.
    classes_ : ndarray of shape (n_classes,)
        Classes seen among the labeled rows.
    labeled_mask_ : ndarray of bool, shape (n_samples,)
        Rows of the training data that were labeled.
    n_features_in_ : int
        ``X.shape[1]`` in ``fit``, when ``ssl_`` records it.
    feature_names_in_ : ndarray of str
        Column names of ``X`` in ``fit``, when ``ssl_`` records them.

    See Also
    --------
    sklearn.semi_supervised.SelfTrainingClassifier : Pseudo-labels the
        unlabeled rows instead of learning a representation from them.

    Notes
    -----
    :meth:`score` ignores unlabeled rows, so ``GridSearchCV`` and
    ``cross_val_score`` with the default ``scoring=None`` measure accuracy on
    the labeled rows of each test fold. A named scorer such as
    ``scoring="accuracy"`` would count the unlabeled rows as a class: pass
    ``scoring=None`` or a callable that drops them.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sslts import SimCLRTransformer
    >>> from sslts import SemiSupervisedClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(20, 1, 16)
    >>> y = np.array([0, 1] * 10)
    >>> y[4:] = -1  # only the first four series are labeled
    >>> clf = SemiSupervisedClassifier(
    ...     SimCLRTransformer(encoder="fcn", max_epochs=1, random_state=0),
    ...     LogisticRegression()).fit(X, y)
    >>> clf.classes_
    array([0, 1])
    >>> clf.predict(X[:3]).shape
    (3,)
    """

    _parameter_constraints = {
        "ssl": [HasMethods(["fit", "transform"])],
        "estimator": [HasMethods(["fit", "predict"])],
        "unlabeled_label": [Real, str],
    }

    def __init__(self, ssl, estimator, *, unlabeled_label=-1):
        store_params(self, locals())

    def fit(self, X, y):
        """Fit ``ssl`` on all series and ``estimator`` on the labeled ones.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints)
            Time series in any format the ``ssl`` transformer accepts.
        y : array-like of shape (n_samples,)
            Labels; ``unlabeled_label`` marks the unlabeled rows.

        Returns
        -------
        self : SemiSupervisedClassifier
        """
        self._validate_params()
        y = self._check_y(X, y)
        labeled = self._labeled(y)
        if not labeled.any():
            raise ValueError(
                f"All {len(y)} rows of y are unlabeled (equal to "
                f"unlabeled_label={self.unlabeled_label!r}); label at least one "
                "series of each of two classes."
            )
        y_labeled = y[labeled]
        check_classification_targets(y_labeled)
        classes = np.unique(y_labeled)
        if classes.size < 2:
            raise ValueError(
                f"The labeled rows of y hold only one class ({classes.tolist()[0]!r}); "
                "a classifier needs labeled series of at least two classes."
            )
        self.ssl_ = clone(self.ssl)
        Z = self.ssl_.fit_transform(X)
        self.estimator_ = clone(self.estimator).fit(Z[labeled], y_labeled)
        self.classes_ = self.estimator_.classes_
        self.labeled_mask_ = labeled
        for name in ("n_features_in_", "feature_names_in_"):
            if hasattr(self.ssl_, name):
                setattr(self, name, getattr(self.ssl_, name))
        return self

    def predict(self, X):
        """Predict the class of each series.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints)
            Time series.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        return self._delegate("predict", X)

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities from ``estimator_.predict_proba``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints)
            Time series.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``.
        """
        return self._delegate("predict_proba", X)

    @available_if(_estimator_has("predict_log_proba"))
    def predict_log_proba(self, X):
        """Log class probabilities from ``estimator_.predict_log_proba``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints)
            Time series.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``.
        """
        return self._delegate("predict_log_proba", X)

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X):
        """Decision scores from ``estimator_.decision_function``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints)
            Time series.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
        """
        return self._delegate("decision_function", X)

    def score(self, X, y, sample_weight=None):
        """Accuracy on the labeled rows; rows equal to ``unlabeled_label`` are ignored.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints)
            Time series.
        y : array-like of shape (n_samples,)
            True labels, ``unlabeled_label`` for rows to ignore.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            Accuracy of :meth:`predict` over the labeled rows.
        """
        check_is_fitted(self, "estimator_")
        y = self._check_y(X, y)
        labeled = self._labeled(y)
        if not labeled.any():
            raise ValueError(
                f"All {len(y)} rows of y are unlabeled (equal to "
                f"unlabeled_label={self.unlabeled_label!r}); there is nothing "
                "to score. With cross-validation, use fewer folds or a "
                "stratified splitter so that each test fold holds labeled rows."
            )
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, y)[labeled]
        y_pred = self.predict(X)[labeled]
        return accuracy_score(y[labeled], y_pred, sample_weight=sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        ssl_tags = get_tags(self.ssl)
        tags.input_tags.allow_nan = ssl_tags.input_tags.allow_nan
        tags.input_tags.three_d_array = ssl_tags.input_tags.three_d_array
        return tags

    # ---------------------------------------------------------------- helpers
    def _check_y(self, X, y):
        """``y`` as a 1-D array with one label per series of ``X``."""
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y "
                f"is None; mark unlabeled series with unlabeled_label="
                f"{self.unlabeled_label!r}."
            )
        y = column_or_1d(y, warn=True)
        assert_all_finite(y, input_name="y")
        n_samples = len(check_input(X, min_samples=1)[0])  # time series or 4-D input
        if len(y) != n_samples:
            raise ValueError(
                f"X holds {n_samples} series but y has {len(y)} labels; give one "
                f"label per series (unlabeled_label={self.unlabeled_label!r} for "
                "the unlabeled ones)."
            )
        return y

    def _delegate(self, method, X):
        """Call ``estimator_.<method>`` on the embeddings of ``X``."""
        check_is_fitted(self, "estimator_")
        return getattr(self.estimator_, method)(self.ssl_.transform(X))

    def _labeled(self, y):
        """Boolean mask of the rows of ``y`` that are not ``unlabeled_label``."""
        return np.asarray(y != self.unlabeled_label, dtype=bool).reshape(len(y))

import pickle

import numpy as np
import pytest
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline
from sklearn.svm import SVC
from sklearn.utils.estimator_checks import parametrize_with_checks

from sslts import FillMissing, SemiSupervisedClassifier, SimCLRTransformer

from .conftest import FAST


class FlattenRecorder(TransformerMixin, BaseEstimator):
    """Flattens each series; records how many series ``fit`` saw."""

    def fit(self, X, y=None):
        self.n_fit_ = len(X)
        self.y_fit_ = y
        return self

    def transform(self, X):
        return np.asarray(X).reshape(len(X), -1)


def hide(y, keep, unlabeled=-1):
    """Copy of ``y`` with all rows but ``keep`` unlabeled."""
    out = np.full_like(y, unlabeled)
    out[keep] = y[keep]
    return out


KEEP = [0, 1, 2, 12, 13, 14]  # three labeled series of each class in `series`


def test_fit_uses_all_series_for_ssl_and_labeled_for_estimator(series):
    X, y = series
    y_semi = hide(y, KEEP)
    X_copy, y_copy = X.copy(), y_semi.copy()
    ssl = FlattenRecorder()
    clf = SemiSupervisedClassifier(ssl, KNeighborsClassifier(n_neighbors=1)).fit(X, y_semi)
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(y_semi, y_copy)
    assert not hasattr(ssl, "n_fit_")  # cloned, the parameter is untouched
    assert clf.ssl_.n_fit_ == len(X) and clf.ssl_.y_fit_ is None  # labels unused
    assert clf.estimator_.n_samples_fit_ == len(KEEP)
    np.testing.assert_array_equal(clf.classes_, [0, 1])
    np.testing.assert_array_equal(clf.labeled_mask_, y_semi != -1)
    # 1-NN on flattened series: the labeled series predict their own label
    np.testing.assert_array_equal(clf.predict(X[KEEP]), y[KEEP])


def test_4d_input_that_the_ssl_step_accepts(series):
    rng = np.random.RandomState(0)
    images = rng.randn(12, 2, 6, 8)
    y = hide(np.repeat([0, 1], 6), [0, 1, 6, 7])
    ssl = SimCLRTransformer(**{**FAST, "encoder": "resnet", "batch_size": 4})
    clf = SemiSupervisedClassifier(ssl, LogisticRegression()).fit(images, y)
    assert clf.ssl_.input_ndim_ == 4 and clf.predict(images).shape == (12,)
    assert 0 <= clf.score(images, np.repeat([0, 1], 6)) <= 1
    with pytest.raises(ValueError, match="12 series but y has 11 labels"):
        clf.fit(images, y[:11])


def test_predict_delegates_to_the_embeddings(series):
    X, y = series
    clf = SemiSupervisedClassifier(SimCLRTransformer(**FAST), LogisticRegression())
    clf.fit(X, hide(y, KEEP))
    Z = clf.ssl_.transform(X)
    assert Z.shape == (len(X), FAST["embedding_dim"] + 2 * X.shape[1])  # + level, log spread
    np.testing.assert_array_equal(clf.predict(X), clf.estimator_.predict(Z))
    np.testing.assert_allclose(clf.predict_proba(X), clf.estimator_.predict_proba(Z))
    np.testing.assert_allclose(clf.predict_log_proba(X), clf.estimator_.predict_log_proba(Z))
    np.testing.assert_allclose(clf.decision_function(X), clf.estimator_.decision_function(Z))
    assert clf.n_features_in_ == 2


def test_methods_follow_the_estimator(series):
    X, _ = series
    svc = SemiSupervisedClassifier(FlattenRecorder(), SVC())
    knn = SemiSupervisedClassifier(FlattenRecorder(), KNeighborsClassifier(n_neighbors=1))
    assert hasattr(svc, "decision_function") and not hasattr(svc, "predict_proba")
    assert hasattr(knn, "predict_proba") and not hasattr(knn, "decision_function")
    with pytest.raises(NotFittedError):
        svc.decision_function(X)
    with pytest.raises(NotFittedError):
        knn.predict(X)


def test_score_ignores_unlabeled_rows(series):
    X, y = series
    clf = SemiSupervisedClassifier(FlattenRecorder(), KNeighborsClassifier(n_neighbors=3))
    clf.fit(X, hide(y, KEEP))
    y_pred = clf.predict(X)
    y_test = y.copy()
    y_test[::2] = -1
    labeled = y_test != -1
    expected = np.mean(y_pred[labeled] == y[labeled])
    assert clf.score(X, y_test) == pytest.approx(expected)
    # unlabeled rows may hold any prediction: flipping them does not matter
    assert clf.score(X, np.where(labeled, y_test, -1)) == pytest.approx(expected)
    weights = np.linspace(1, 2, len(y))
    assert clf.score(X, y_test, sample_weight=weights) == pytest.approx(
        np.average(y_pred[labeled] == y[labeled], weights=weights[labeled]))
    with pytest.raises(ValueError, match="sample_weight.shape == .*expected"):
        clf.score(X, y_test, sample_weight=weights[:-1])
    with pytest.raises(ValueError, match="All 24 rows of y are unlabeled.*nothing to score"):
        clf.score(X, np.full(len(y), -1))


def test_string_labels_with_unlabeled_marker(series):
    X, y = series
    names = np.array(["slow", "fast"])[y].astype(object)
    y_semi = hide(names, KEEP, unlabeled="?")
    clf = SemiSupervisedClassifier(FlattenRecorder(), KNeighborsClassifier(n_neighbors=1),
                                   unlabeled_label="?").fit(X, y_semi)
    assert set(clf.classes_) == {"slow", "fast"}
    assert clf.estimator_.n_samples_fit_ == len(KEEP)
    assert clf.score(X, y_semi) == 1.0  # labeled rows predict themselves
    # with the default marker -1 a string y is fully labeled: "?" becomes a class
    clf = SemiSupervisedClassifier(FlattenRecorder(), KNeighborsClassifier(n_neighbors=1))
    assert "?" in clf.fit(X, y_semi).classes_


@pytest.mark.parametrize("y, match", [
    (np.zeros(23, dtype=int), "X holds 24 series but y has 23 labels"),
    (np.full(24, -1), "All 24 rows of y are unlabeled"),
    (np.r_[np.zeros(5, dtype=int), np.full(19, -1)], r"only one class \(0\)"),
    (None, "requires y to be passed"),
    (np.linspace(0, 1, 24), "Unknown label type"),
    (np.r_[np.nan, np.zeros(23)], "Input y contains NaN"),
])
def test_invalid_targets(series, y, match):
    X, _ = series
    ssl = FlattenRecorder()
    with pytest.raises(ValueError, match=match):
        SemiSupervisedClassifier(ssl, LogisticRegression()).fit(X, y)


@pytest.mark.parametrize("params, match", [
    (dict(ssl=LogisticRegression(), estimator=LogisticRegression()), "'ssl' parameter"),
    (dict(ssl=FlattenRecorder(), estimator=FlattenRecorder()), "'estimator' parameter"),
    (dict(ssl=FlattenRecorder(), estimator=SVC(), unlabeled_label=None),
     "'unlabeled_label' parameter"),
])
def test_invalid_parameters(series, params, match):
    X, y = series
    with pytest.raises(ValueError, match=match):
        SemiSupervisedClassifier(**params).fit(X, y)


def test_ssl_pipeline_with_gaps_and_pickle(series):
    X, y = series
    X = X.copy()
    X[::4, 1, 10:14] = np.nan
    ssl = Pipeline([("fill", FillMissing()), ("simclr", SimCLRTransformer(**FAST))])
    clf = SemiSupervisedClassifier(ssl, LogisticRegression()).fit(X, hide(y, KEEP))
    proba = clf.predict_proba(X)
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), proba)


def test_grid_search_and_cross_val_score(series):
    X, y = series
    y_semi = hide(y, [0, 1, 2, 3, 12, 13, 14, 15])
    clf = SemiSupervisedClassifier(SimCLRTransformer(**dict(FAST, max_epochs=1)),
                                   LogisticRegression())
    cv = StratifiedKFold(n_splits=2, shuffle=True, random_state=0)
    grid = GridSearchCV(clf, {"ssl__temperature": [0.1, 0.5], "estimator__C": [0.1, 10.0]},
                        cv=cv, error_score="raise").fit(X, y_semi)
    assert set(grid.best_params_) == {"ssl__temperature", "estimator__C"}
    assert grid.best_estimator_.ssl_.temperature == grid.best_params_["ssl__temperature"]
    assert grid.best_estimator_.estimator_.C == grid.best_params_["estimator__C"]
    scores = grid.cv_results_["mean_test_score"]
    assert scores.shape == (4,) and np.all((scores >= 0) & (scores <= 1))
    # scores are accuracies on the 4 labeled rows per test fold: multiples of 1/4
    split = grid.cv_results_["split0_test_score"]
    np.testing.assert_allclose(split * 4, np.round(split * 4))

    scores = cross_val_score(clone(clf), X, y_semi, cv=cv, error_score="raise")
    assert scores.shape == (2,)
    np.testing.assert_allclose(scores * 4, np.round(scores * 4))


# ------------------------------------------------------- sklearn checks


LENGTH_MAY_CHANGE = (
    "The ssl transformer reads a 2-D input as a batch of univariate series, and "
    "series of another length are valid at predict time, so a different number "
    "of columns is not an error."
)
EXPECTED_FAILED_CHECKS = {
    "check_n_features_in_after_fitting": LENGTH_MAY_CHANGE,
    "check_classifiers_train": LENGTH_MAY_CHANGE + " The rest of this check "
    "(accuracy, output shapes, predict_proba) is test_predict_delegates_to_the_embeddings.",
    "check_classifiers_classes": "The check uses the labels -1 and 1, and -1 marks "
    "unlabeled rows (scikit-learn skips this part for its own semi-supervised "
    "classifiers); string labels are test_string_labels_with_unlabeled_marker.",
}
SMALL = dict(encoder="fcn", embedding_dim=8, max_epochs=2, batch_size=16, random_state=0)


@parametrize_with_checks(
    [SemiSupervisedClassifier(SimCLRTransformer(**SMALL), LogisticRegression())],
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS,
)
def test_sklearn_compatible(estimator, check):
    check(estimator)

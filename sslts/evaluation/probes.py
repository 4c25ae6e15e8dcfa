"""Downstream classifiers fitted on embeddings to score them."""

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

SVM_C_GRID = [1e-4, 1e-3, 1e-2, 1e-1, 1, 10, 100, 1e3, 1e4, np.inf]
SVM_MAX_ITER = 10_000_000


def svm_probe(Z, y, *, n_jobs=None):
    """Fit the RBF SVM probe of the TS2Vec / T-Loss protocol on embeddings.

    ``SVC(gamma="scale", max_iter=10_000_000)`` with ``C`` searched over
    ``1e-4 ... 1e4, inf`` by 5-fold cross-validation, except when there are
    fewer than 50 samples or fewer than 5 per class, where ``C = inf`` is
    used without search (Yue et al. 2022, "TS2Vec", AAAI; Franceschi et al.
    2019, NeurIPS). The iteration cap is the reference code's: without it,
    ``C = inf`` on classes that overlap never converges; a candidate whose
    fit fails scores NaN in the search and is not chosen.

    Parameters
    ----------
    Z : ndarray of shape (n_samples, n_features)
        Training embeddings.
    y : array-like of shape (n_samples,)
        Labels.
    n_jobs : int, default=None
        Parallel jobs of the grid search.

    Returns
    -------
    estimator : fitted SVC or GridSearchCV
        Use its ``score(Z_test, y_test)`` for the test accuracy.
    """
    y = np.asarray(y)
    n_classes = np.unique(y).size
    svm = SVC(C=np.inf, gamma="scale", max_iter=SVM_MAX_ITER)
    if len(y) < 50 or len(y) // n_classes < 5:
        return svm.fit(Z, y)
    search = GridSearchCV(svm, {"C": SVM_C_GRID}, cv=5, n_jobs=n_jobs)
    return search.fit(Z, y)


def logistic_probe(Z, y):
    """Fit a logistic regression on standardized embeddings.

    ``StandardScaler`` then ``LogisticRegression`` (L2, ``C=1``), the linear
    probe of the TS2Vec evaluation code.

    Parameters
    ----------
    Z : ndarray of shape (n_samples, n_features)
        Training embeddings.
    y : array-like of shape (n_samples,)
        Labels.

    Returns
    -------
    estimator : fitted Pipeline
        Use its ``score(Z_test, y_test)`` for the test accuracy.
    """
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    return model.fit(Z, y)


def knn_probe(Z, y):
    """Fit a 1-nearest-neighbour classifier (Euclidean) on embeddings.

    Parameters
    ----------
    Z : ndarray of shape (n_samples, n_features)
        Training embeddings (or any feature vectors).
    y : array-like of shape (n_samples,)
        Labels.

    Returns
    -------
    estimator : fitted KNeighborsClassifier
        Use its ``score(Z_test, y_test)`` for the test accuracy.
    """
    return KNeighborsClassifier(n_neighbors=1).fit(Z, y)


#: Probe name -> function ``probe(Z, y)`` returning a fitted classifier.
PROBES = {"svm": svm_probe, "logistic": logistic_probe, "knn": knn_probe}


def probe_accuracy(probe, Z_train, y_train, Z_test, y_test):
    """Fit a probe on training embeddings and return its test accuracy.

    Parameters
    ----------
    probe : {"svm", "logistic", "knn"} or callable
        A name in :data:`PROBES`, or a function ``probe(Z, y)`` returning a
        fitted classifier with ``score``.
    Z_train : ndarray of shape (n_train, n_features)
        Training embeddings.
    y_train : array-like of shape (n_train,)
        Training labels.
    Z_test : ndarray of shape (n_test, n_features)
        Test embeddings.
    y_test : array-like of shape (n_test,)
        Test labels.

    Returns
    -------
    accuracy : float
        Fraction of test samples classified correctly.
    """
    if isinstance(probe, str):
        if probe not in PROBES:
            raise ValueError(f"Unknown probe {probe!r}; choose one of {sorted(PROBES)}.")
        probe = PROBES[probe]
    return float(probe(Z_train, y_train).score(Z_test, y_test))

"""Downstream classifiers fitted on embeddings to score them."""

import numpy as np
from sklearn.model_selection import GridSearchCV
from sklearn.svm import SVC

SVM_C_GRID = [1e-4, 1e-3, 1e-2, 1e-1, 1, 10, 100, 1e3, 1e4, np.inf]


def svm_probe(Z, y, *, n_jobs=None):
    """Fit the RBF SVM probe of the TS2Vec / T-Loss protocol on embeddings.

    ``SVC(gamma="scale")`` with ``C`` searched over ``1e-4 ... 1e4, inf`` by
    5-fold cross-validation, except when there are fewer than 50 samples or
    fewer than 5 per class, where ``C = inf`` is used without search
    (Yue et al. 2022, "TS2Vec", AAAI; Franceschi et al. 2019, NeurIPS).

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
    svm = SVC(C=np.inf, gamma="scale")
    if len(y) < 50 or len(y) // n_classes < 5:
        return svm.fit(Z, y)
    search = GridSearchCV(svm, {"C": SVM_C_GRID}, cv=5, n_jobs=n_jobs)
    return search.fit(Z, y)

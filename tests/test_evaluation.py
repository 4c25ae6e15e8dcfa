"""The SVM probe of the TS2Vec protocol."""

import numpy as np
from sklearn.model_selection import GridSearchCV
from sklearn.svm import SVC

from sslts.evaluation import svm_probe
from sslts.evaluation.probes import SVM_C_GRID


def blobs(n_per_class, n_classes=2, seed=0):
    rng = np.random.RandomState(seed)
    y = np.repeat(np.arange(n_classes), n_per_class)
    Z = rng.randn(len(y), 5) + 4.0 * y[:, None]
    return Z, y


def test_small_train_sets_use_hard_margin_without_search():
    Z, y = blobs(20)  # 40 samples < 50
    probe = svm_probe(Z, y)
    assert isinstance(probe, SVC) and probe.C == np.inf and probe.gamma == "scale"
    Z, y = blobs(4, n_classes=15)  # 60 samples but fewer than 5 per class
    assert isinstance(svm_probe(Z, y), SVC)


def test_larger_train_sets_search_c_by_5_fold_cv():
    Z, y = blobs(30)
    probe = svm_probe(Z, y)
    assert isinstance(probe, GridSearchCV)
    assert probe.param_grid == {"C": SVM_C_GRID} and probe.cv == 5
    assert SVM_C_GRID[0] == 1e-4 and SVM_C_GRID[-1] == np.inf
    Z_test, y_test = blobs(30, seed=1)
    assert probe.score(Z_test, y_test) > 0.95

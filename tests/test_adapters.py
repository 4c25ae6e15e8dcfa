"""The sktime and aeon adapters, checked by sktime's and aeon's own estimator suites."""

import numpy as np
import pandas as pd
import pytest

from sslts import SimCLRTransformer
from sslts.adapters.sktime import SktimeSSLTransformer, _windows

SMALL = dict(encoder="fcn", embedding_dim=4, max_epochs=1, batch_size=8, random_state=0)


def test_sktime_estimator_checks_pass():
    from sktime.utils.estimator_checks import check_estimator

    results = check_estimator(SktimeSSLTransformer, raise_exceptions=False, verbose=False)
    failed = {name: str(error)[:200] for name, error in results.items() if error != "PASSED"}
    assert len(results) > 100 and not failed, failed


def test_aeon_estimator_checks_pass():
    pytest.importorskip("aeon")
    from aeon.testing.estimator_checking import check_estimator

    from sslts.adapters.aeon import AeonSSLTransformer

    results = check_estimator(AeonSSLTransformer, raise_exceptions=False)
    failed = {name: str(error)[:200] for name, error in results.items() if error != "PASSED"}
    assert len(results) > 10 and not failed, failed


def test_sktime_pipeline_on_a_nested_frame():
    from sklearn.linear_model import LogisticRegression
    from sktime.classification.compose import SklearnClassifierPipeline
    from sktime.datasets import load_unit_test

    X_train, y_train = load_unit_test(split="train")  # nested_univ frames
    X_test, y_test = load_unit_test(split="test")
    ssl = SktimeSSLTransformer(SimCLRTransformer(**{**SMALL, "max_epochs": 3}))
    pipe = SklearnClassifierPipeline(LogisticRegression(max_iter=1000), [ssl]).fit(X_train, y_train)
    assert 0.5 <= pipe.score(X_test, y_test) <= 1
    Z = ssl.clone().fit_transform(X_train)
    assert isinstance(Z, pd.DataFrame) and Z.shape == (20, 4 + 2)  # + level, log spread
    assert list(Z.columns) == [f"simclrtransformer{i}" for i in range(6)]


def test_single_series_trains_on_its_windows():
    x = np.arange(40, dtype=float).reshape(1, 40)
    windows = _windows(x)
    assert [w.shape for w in windows] == [(1, 20)] * 3
    np.testing.assert_array_equal(windows[1][0], np.arange(10, 30))
    assert len(_windows(np.ones((2, 2)))) == 2  # too short: the series twice

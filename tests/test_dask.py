"""Hyper-parameter search on a Dask cluster through joblib's dask backend."""

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.model_selection import GridSearchCV

from sslts import SimCLRTransformer

from .conftest import FAST

distributed = pytest.importorskip("dask.distributed")


def test_grid_search_on_a_local_dask_cluster(series):
    X, _ = series
    grid = {"temperature": [0.1, 0.5, 1.0]}
    local = GridSearchCV(SimCLRTransformer(**FAST, n_jobs=1), grid, cv=2).fit(X)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        with parallel_config("dask"):
            search = GridSearchCV(SimCLRTransformer(**FAST, n_jobs=1), grid, cv=2).fit(X)
        workers = {task[0] for task in client.run(lambda: 1).items()}
    assert len(workers) == 2
    np.testing.assert_allclose(search.cv_results_["mean_test_score"],
                               local.cv_results_["mean_test_score"], rtol=1e-4)
    assert search.best_params_ == local.best_params_
    assert search.best_estimator_.transform(X).shape == (len(X), 16 + 2 * 2)

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import Pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

from sslts import ClipOutliers, FillMissing, SimCLRTransformer, TimeSeriesScaler

from .conftest import FAST

nan = np.nan
TRANSFORMERS = [FillMissing(), FillMissing(method="ffill"), FillMissing(method="bfill"),
                TimeSeriesScaler(), TimeSeriesScaler(method="minmax", per="channel"),
                ClipOutliers()]
IDS = ["linear", "ffill", "bfill", "zscore", "minmax-channel", "clip"]


def with_gaps(shape=(6, 2, 20), seed=0):
    """Random series with interior gaps, a leading gap in one channel, a
    trailing gap in one channel and a shorter series padded with NaN."""
    rng = np.random.RandomState(seed)
    X = rng.randn(*shape)
    X[rng.uniform(size=shape) < 0.2] = nan
    X[0, 0, :3] = nan  # leading gap
    X[1, 1, -4:] = nan  # trailing gap in one channel only: missing, not padding
    X[2, :, -5:] = nan  # padding: series 2 has length t - 5
    X[:, :, 7] = rng.randn(*shape[:2])  # every channel observed somewhere
    X[2, :, -5:] = nan
    return X


def pandas_fill(X, method):
    """Reference: pandas filling of each channel over its series' valid prefix."""
    out = np.full(X.shape, nan)
    lengths = X.shape[2] - np.argmax(~np.isnan(X).all(axis=1)[:, ::-1], axis=1)
    for i, j in np.ndindex(X.shape[:2]):
        s = pd.Series(X[i, j, : lengths[i]])
        if method == "linear":
            s = s.interpolate(method="linear", limit_direction="both")
        elif method == "ffill":
            s = s.ffill().bfill()
        else:
            s = s.bfill().ffill()
        out[i, j, : lengths[i]] = s.to_numpy()
    return out


# ------------------------------------------------------------ FillMissing


@pytest.mark.parametrize("method", ["linear", "ffill", "bfill"])
def test_fill_missing_matches_pandas(method):
    X = with_gaps()
    X_copy = X.copy()
    out = FillMissing(method=method).fit_transform(X)
    np.testing.assert_array_equal(X, X_copy)  # input untouched
    assert out.dtype == np.float32 and out.shape == X.shape
    np.testing.assert_allclose(out, pandas_fill(X, method), rtol=1e-6)
    # padding of the short series stays padding, nothing else is NaN
    assert np.isnan(out[2, :, -5:]).all()
    assert not np.isnan(np.delete(out, 2, axis=0)).any()
    assert not np.isnan(out[2, :, :-5]).any()


def test_fill_missing_methods_differ_on_a_gap():
    X = np.array([[[0.0, nan, nan, 3.0]]])
    fills = {m: FillMissing(method=m).fit_transform(X)[0, 0, 1:3]
             for m in ("linear", "ffill", "bfill")}
    np.testing.assert_allclose(fills["linear"], [1.0, 2.0])
    np.testing.assert_array_equal(fills["ffill"], [0.0, 0.0])
    np.testing.assert_array_equal(fills["bfill"], [3.0, 3.0])


def test_fill_missing_2d_and_ragged():
    X2 = np.array([[nan, 1.0, nan, 5.0], [2.0, nan, 4.0, nan]])
    out = FillMissing(method="bfill").fit_transform(X2)
    assert out.shape == (2, 4)
    np.testing.assert_array_equal(out, [[1.0, 1.0, 5.0, 5.0], [2.0, 4.0, 4.0, nan]])
    ragged = [np.array([1.0, nan, 3.0]), np.array([nan, 2.0])]
    out = FillMissing(method="ffill").fit_transform(ragged)
    assert out.shape == (2, 1, 3)
    np.testing.assert_array_equal(out[:, 0], [[1.0, 1.0, 3.0], [2.0, 2.0, nan]])


def test_fill_missing_channel_without_values():
    X = np.ones((2, 2, 5))
    X[1, 1] = nan
    for method in ("linear", "ffill", "bfill"):
        with pytest.raises(ValueError, match="Channel 1 of sample 1 is entirely NaN"):
            FillMissing(method=method).fit(X)
        est = FillMissing(method=method).fit(np.ones((2, 2, 5)))
        with pytest.raises(ValueError, match="Channel 1 of sample 1 is entirely NaN"):
            est.transform(X)


# ------------------------------------------------------- TimeSeriesScaler


@pytest.mark.parametrize("per", ["series", "channel"])
def test_zscore_statistics(per):
    X = with_gaps() * 3.0 + 7.0
    X_copy = X.copy()
    out = TimeSeriesScaler(per=per).fit_transform(X)
    np.testing.assert_array_equal(X, X_copy)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(np.isnan(out), np.isnan(X))  # gaps stay gaps
    axis = (1, 2) if per == "series" else 2
    np.testing.assert_allclose(np.nanmean(out, axis=axis), 0.0, atol=1e-5)
    np.testing.assert_allclose(np.nanstd(out, axis=axis), 1.0, rtol=1e-5)
    if per == "series":  # channels keep their relative scale
        ratio = np.nanstd(out[:, 0], axis=1) / np.nanstd(out[:, 1], axis=1)
        np.testing.assert_allclose(
            ratio, np.nanstd(X[:, 0], axis=1) / np.nanstd(X[:, 1], axis=1), rtol=1e-5)


@pytest.mark.parametrize("per", ["series", "channel"])
def test_minmax_statistics(per):
    X = with_gaps() * 3.0 - 2.0
    out = TimeSeriesScaler(method="minmax", per=per).fit_transform(X)
    np.testing.assert_array_equal(np.isnan(out), np.isnan(X))
    axis = (1, 2) if per == "series" else 2
    np.testing.assert_allclose(np.nanmin(out, axis=axis), 0.0, atol=1e-6)
    np.testing.assert_allclose(np.nanmax(out, axis=axis), 1.0, rtol=1e-6)
    # an increasing map of each channel of each series: ranks unchanged
    x, o = X[3, 0], out[3, 0]
    valid = ~np.isnan(x)
    np.testing.assert_array_equal(np.argsort(x[valid]), np.argsort(o[valid]))


@pytest.mark.parametrize("method", ["zscore", "minmax"])
@pytest.mark.parametrize("per", ["series", "channel"])
def test_constant_series_become_zeros(method, per):
    X = np.full((3, 2, 6), 0.1)
    X[1, 1] = 5.0  # series 1 is constant per channel, not per series
    X[2, :, 4:] = nan
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = TimeSeriesScaler(method=method, per=per).fit_transform(X)
    np.testing.assert_array_equal(out[0], 0.0)
    np.testing.assert_array_equal(out[2, :, :4], 0.0)
    assert np.isnan(out[2, :, 4:]).all()
    if per == "channel":
        np.testing.assert_array_equal(out[1], 0.0)
    else:
        assert np.unique(out[1]).size == 2 and np.isfinite(out[1]).all()


def test_scaler_2d_is_per_row():
    X = np.array([[1.0, 2.0, 3.0], [10.0, 30.0, 20.0]])
    out = TimeSeriesScaler(method="minmax").fit_transform(X)
    assert out.shape == (2, 3)
    np.testing.assert_allclose(out, [[0.0, 0.5, 1.0], [0.0, 1.0, 0.5]])


# ------------------------------------------------------------ ClipOutliers


def test_clip_outliers_band():
    rng = np.random.RandomState(1)
    X = rng.randn(4, 3, 50)
    X[0, 1, 10] = 40.0
    X[2, 0, 5] = -40.0
    X[3, :, 45:] = nan
    X_copy = X.copy()
    z = 2.0
    out = ClipOutliers(z=z).fit_transform(X)
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(np.isnan(out), np.isnan(X))
    mean = np.nanmean(X, axis=2, keepdims=True)
    std = np.nanstd(X, axis=2, keepdims=True)
    inside = np.abs(X - mean) <= z * std
    np.testing.assert_allclose(out[inside], X[inside], rtol=1e-6)
    np.testing.assert_allclose(out[~inside & ~np.isnan(X)],
                               np.clip(X, mean - z * std, mean + z * std)[~inside & ~np.isnan(X)],
                               rtol=1e-5)
    assert out[0, 1, 10] < 40.0 and out[2, 0, 5] > -40.0
    assert (~inside & ~np.isnan(X)).sum() > 2  # some ordinary values were clipped too


def test_clip_cannot_reach_a_spike_in_a_short_series():
    # Samuelson: with n values, none is more than sqrt(n - 1) std from the mean
    X = np.zeros((1, 1, 10))
    X[0, 0, 4] = 50.0
    np.testing.assert_allclose(ClipOutliers(z=3.0).fit_transform(X), X, rtol=1e-6)
    assert ClipOutliers(z=2.9).fit_transform(X)[0, 0, 4] < 50.0


def test_clip_constant_channel_unchanged():
    X = np.full((2, 1, 8), 3.3)
    np.testing.assert_array_equal(ClipOutliers().fit_transform(X), np.float32(3.3))


# ------------------------------------------------------------------ shared


@pytest.mark.parametrize("est", TRANSFORMERS, ids=IDS)
def test_not_fitted_and_channel_mismatch(est):
    est = clone(est)
    X = with_gaps()
    with pytest.raises(NotFittedError):
        est.transform(X)
    est.fit(X)
    assert est.n_channels_in_ == 2 and est.n_features_in_ == 2
    with pytest.raises(ValueError, match="X has 3 channels.*fitted with 2 channels"):
        est.transform(np.ones((2, 3, 20)))
    assert est.transform(with_gaps((3, 2, 31))).shape == (3, 2, 31)


@pytest.mark.parametrize("est", TRANSFORMERS, ids=IDS)
def test_deterministic_and_stateless(est):
    X = with_gaps()
    fitted = clone(est).fit(X)
    out = fitted.transform(X)
    np.testing.assert_array_equal(clone(est).fit_transform(X), out)
    np.testing.assert_array_equal(fitted.transform(X), out)
    # each series is transformed on its own: the fit data does not matter
    other = clone(est).fit(with_gaps(seed=1) * 10.0)
    np.testing.assert_array_equal(other.transform(X), out)
    np.testing.assert_array_equal(fitted.transform(X[2:4]), out[2:4])


@pytest.mark.parametrize("est", TRANSFORMERS, ids=IDS)
def test_rejects_infinity(est):
    X = np.ones((2, 1, 5))
    X[1, 0, 2] = np.inf
    with pytest.raises(ValueError, match="infinity in sample 1"):
        clone(est).fit_transform(X)


@pytest.mark.parametrize("est, match", [
    (FillMissing(method="nearest"), "'method' parameter of FillMissing"),
    (TimeSeriesScaler(method="robust"), "'method' parameter of TimeSeriesScaler"),
    (TimeSeriesScaler(per="sample"), "'per' parameter of TimeSeriesScaler"),
    (ClipOutliers(z=0), "'z' parameter of ClipOutliers"),
    (ClipOutliers(z="3"), "'z' parameter of ClipOutliers"),
])
def test_invalid_parameters(est, match):
    with pytest.raises(ValueError, match=match):
        est.fit(np.ones((2, 1, 5)))


def test_pipeline_before_ssl_gives_finite_embeddings(series):
    X, _ = series
    X = X.copy()
    X[::3, 0, 5:9] = nan  # interior gaps
    X[1, 1, :4] = nan  # leading gap
    X[4, :, 25:] = nan  # shorter series
    pipe = Pipeline([("fill", FillMissing()), ("scale", TimeSeriesScaler()),
                     ("clip", ClipOutliers()), ("ssl", SimCLRTransformer(**FAST))])
    Z = pipe.fit_transform(X)
    assert Z.shape == (len(X), FAST["embedding_dim"] + 2 * X.shape[1])  # + level, log spread
    assert np.isfinite(Z).all()
    np.testing.assert_array_equal(pipe.transform(X), Z)


# ------------------------------------------------------- sklearn checks


LENGTH_MAY_CHANGE = (
    "A 2-D input is a batch of univariate series, and series of another length "
    "are valid at transform time, so a different number of columns is not an "
    "error (the channel count is checked instead, see "
    "test_not_fitted_and_channel_mismatch)."
)


EXPECTED_FAILED_CHECKS = {
    "check_n_features_in_after_fitting": LENGTH_MAY_CHANGE,
    "check_transformer_general": LENGTH_MAY_CHANGE
    + " The rest of this check is test_deterministic_and_stateless.",
}


@parametrize_with_checks(
    [clone(est) for est in TRANSFORMERS],
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS,
)
def test_sklearn_compatible(estimator, check):
    check(estimator)

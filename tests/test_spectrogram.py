"""Tests of the Spectrogram transformer and of spectrogram pipelines."""

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

import sslts.spectrogram
from sslts import SimCLRTransformer, Spectrogram
from sslts.nn import ResNet2D


def random_series(shape=(5, 2, 100), seed=0):
    return np.random.RandomState(seed).randn(*shape)


def frames_of(x, n_fft, hop):
    """Frames of a 1-D signal as rows, without padding."""
    starts = range(0, len(x) - n_fft + 1, hop)
    return np.stack([x[s:s + n_fft] for s in starts])


@pytest.mark.parametrize("center, n_frames", [(True, 1 + 100 // 4), (False, 1 + (100 - 16) // 4)])
def test_shape_and_dtype(center, n_frames):
    X = random_series()
    S = Spectrogram(n_fft=16, center=center).fit_transform(X)  # hop_length = n_fft // 4
    assert S.shape == (5, 2, 9, n_frames) and S.dtype == np.float32
    assert np.isfinite(S).all()
    S2 = Spectrogram(n_fft=16, hop_length=10).fit_transform(X[:, 0])  # 2-D: univariate
    assert S2.shape == (5, 1, 9, 1 + 100 // 10)


@pytest.mark.parametrize("window", ["boxcar", "hann"])
def test_matches_numpy_short_time_fourier_transform(window):
    X = random_series((3, 2, 40))
    n_fft, hop = 8, 3
    S = Spectrogram(n_fft=n_fft, hop_length=hop, window=window, center=False,
                    log=False).fit_transform(X)
    hann = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n_fft) / n_fft)
    w = np.ones(n_fft) if window == "boxcar" else hann
    for i in range(3):
        for c in range(2):
            expected = np.abs(np.fft.rfft(frames_of(X[i, c], n_fft, hop) * w, axis=1)).T
            np.testing.assert_allclose(S[i, c], expected, rtol=1e-4, atol=1e-4)


def test_center_pads_by_reflection_and_log_adds_eps():
    X = random_series((2, 1, 30))
    n_fft, hop, eps = 8, 2, 1e-3
    S = Spectrogram(n_fft=n_fft, hop_length=hop, window="boxcar", eps=eps).fit_transform(X)
    padded = np.pad(X[1, 0], n_fft // 2, mode="reflect")
    expected = np.log(np.abs(np.fft.rfft(frames_of(padded, n_fft, hop), axis=1)).T + eps)
    np.testing.assert_allclose(S[1, 0], expected, rtol=1e-4, atol=1e-4)


def test_pure_tone_peaks_at_its_bin():
    steps = np.arange(256)
    X = np.stack([np.sin(2 * np.pi * k * steps / 32) for k in (2, 5, 11)])[:, None]
    S = Spectrogram(n_fft=32, hop_length=8, center=False).fit_transform(X)
    expected = np.array([[2], [5], [11]]) * np.ones((1, S.shape[-1]))
    np.testing.assert_array_equal(S.argmax(axis=2)[:, 0], expected)


def test_silence_is_log_eps_not_minus_infinity():
    S = Spectrogram(n_fft=8, eps=1e-5).fit_transform(np.zeros((2, 1, 20)))
    np.testing.assert_allclose(S, np.log(1e-5), rtol=1e-6)


def test_input_not_modified_and_missing_values_filled():
    X = random_series((4, 2, 50))
    X[1, 0, 10:13] = np.nan  # missing values inside a series
    X.setflags(write=False)
    before = X.copy()
    S = Spectrogram(n_fft=16).fit_transform(X)
    np.testing.assert_array_equal(X, before)
    assert np.isfinite(S).all()
    filled = before.copy()
    filled[1, 0, 10:13] = np.interp([10, 11, 12], [9, 13], before[1, 0, [9, 13]])
    np.testing.assert_allclose(S, Spectrogram(n_fft=16).fit_transform(filled), rtol=1e-5, atol=1e-5)


def test_chunks_give_the_same_result(monkeypatch):
    X = random_series((4, 3, 64))
    whole = Spectrogram(n_fft=16).fit_transform(X)
    monkeypatch.setattr(sslts.spectrogram, "_CHUNK", 5)  # 12 rows in 3 chunks
    np.testing.assert_array_equal(Spectrogram(n_fft=16).fit_transform(X), whole)


def test_transform_length_may_differ_from_fit():
    spec = Spectrogram(n_fft=16, hop_length=4).fit(random_series((3, 2, 64)))
    assert spec.transform(random_series((2, 2, 128))).shape == (2, 2, 9, 33)


@pytest.mark.parametrize("params, X, match", [
    ({"n_fft": 128}, random_series(), r"n_fft=128 is longer than the series \(100 time points\)"),
    ({"n_fft": 1}, random_series(), "n_fft"),
    ({"hop_length": 0}, random_series(), "hop_length"),
    ({"window": "kaiser"}, random_series(), "window"),
    ({"eps": 0.0}, random_series(), "eps"),
    ({"device": "tpu"}, random_series(), "Unknown device"),
    ({}, [np.ones(100), np.ones(80)], "one length.*sample 1 has 80 time points"),
    ({}, np.ones((2, 3, 4, 100)), "4-D"),
])
def test_clear_errors(params, X, match):
    with pytest.raises(ValueError, match=match):
        Spectrogram(**params).fit(X)


def test_transform_checks_fitted_channels_and_length():
    with pytest.raises(NotFittedError):
        Spectrogram().transform(random_series())
    spec = Spectrogram(n_fft=32).fit(random_series())
    with pytest.raises(ValueError, match="X has 1 channels, but Spectrogram was fitted with 2"):
        spec.transform(random_series((2, 1, 100)))
    with pytest.raises(ValueError, match="n_fft=32 is longer than the series"):
        spec.transform(random_series((2, 2, 20)))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_matches_cpu():
    X = random_series((6, 2, 200))
    np.testing.assert_allclose(Spectrogram(device="cuda").fit_transform(X),
                               Spectrogram().fit_transform(X), rtol=1e-4, atol=1e-4)


def test_pipeline_with_self_supervised_transformer_and_classifier():
    rng = np.random.RandomState(0)
    steps = np.arange(64)
    y = np.repeat([0, 1], 8)
    X = np.sin(2 * np.pi * np.where(y == 0, 2, 12)[:, None, None] * steps / 64
               + rng.uniform(0, 6, (16, 2, 1))) + 0.1 * rng.randn(16, 2, 64)
    pipe = make_pipeline(
        Spectrogram(n_fft=16, hop_length=4),
        SimCLRTransformer(encoder=ResNet2D(2, 8, widths=(4, 8)), max_epochs=2, batch_size=8,
                          random_state=0),
        KNeighborsClassifier(n_neighbors=1),
    )
    pipe.fit(X, y)
    assert pipe[:-1].transform(X).shape == (16, 8 + 2 * 2)  # + level, log spread per channel
    assert pipe.predict(X).shape == (16,)
    assert pipe.named_steps["simclrtransformer"].input_ndim_ == 4
    other = clone(pipe).set_params(spectrogram__n_fft=32)
    assert other.get_params()["spectrogram__n_fft"] == 32
    assert other.fit(X, y)[:-1].transform(X).shape == (16, 8 + 2 * 2)


LENGTH_MAY_CHANGE = (
    "A 2-D input is a batch of univariate series whose length may change between "
    "fit and transform (it changes the number of frames), so a different number "
    "of columns is not an error; the channel count is checked instead."
)
EXPECTED_FAILED_CHECKS = {
    "check_n_features_in_after_fitting": LENGTH_MAY_CHANGE,
    "check_transformer_general": LENGTH_MAY_CHANGE,
    "check_estimators_pickle": (
        "The check puts NaN at the end of some rows, which marks them as shorter "
        "(NaN right-padding); Spectrogram needs series of one length and says so."
    ),
    "check_fit2d_1feature": (
        "One time point is shorter than the smallest window (n_fft=2); the error "
        "says so in its own words."
    ),
}


@parametrize_with_checks([Spectrogram(n_fft=2, hop_length=1)],
                         expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS)
def test_sklearn_compatible(estimator, check):
    check(estimator)

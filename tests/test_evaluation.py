"""Probes, the evaluation harness, baselines, references and reports."""

import os
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.model_selection import GridSearchCV
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import SVC

from sslts import SimCLRTransformer
from sslts.datasets import BUNDLED_DATASETS, load_ucr_uea
from sslts.evaluation import (
    BASELINES,
    PROBES,
    baselines,
    evaluate_transformer,
    knn_probe,
    logistic_probe,
    minirocket_baseline,
    one_nn_baseline,
    probe_accuracy,
    random_encoder_baseline,
    reference_accuracy,
    series_statistics_baseline,
    svm_probe,
    track_resources,
    ts2vec_baseline,
)
from sslts.evaluation import baselines as baselines_module
from sslts.evaluation.baselines import _to_length, missing_dependency, run_baseline
from sslts.evaluation.benchmark import RUN_COLUMNS, run_benchmark
from sslts.evaluation.probes import SVM_C_GRID
from sslts.evaluation.references import REFERENCE_METHODS
from sslts.evaluation.report import (
    SUMMARY_COLUMNS,
    cpu_model,
    format_table,
    machine_description,
    plot_summary,
    summarize,
    summary_figure,
    to_markdown,
)
from sslts.nn import SeriesStandardizedEncoder, build_encoder
from sslts.utils.random import draw_seed, seeded_torch
from sslts.utils.validation import check_time_series

from .conftest import FAST


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


def test_svm_probe_caps_iterations_like_the_reference_code():
    # without the cap, C=inf on overlapping classes (PLAID) never converges
    search = svm_probe(*blobs(30))
    assert search.estimator.max_iter == 10_000_000
    assert search.best_estimator_.max_iter == 10_000_000
    assert svm_probe(*blobs(10)).max_iter == 10_000_000  # no search: C=inf directly


# ------------------------------------------------------------------- probes


def test_every_probe_scores_separable_embeddings_perfectly():
    Z, y = blobs(30, n_classes=3)
    Z, y = 3 * Z, y.astype(str)  # well apart, string labels
    Z_test, y_test = blobs(20, n_classes=3, seed=1)
    for name in PROBES:
        assert probe_accuracy(name, Z, y, 3 * Z_test, y_test.astype(str)) == 1.0


def test_probe_accuracy_counts_test_errors():
    Z, y = blobs(10)
    Z_test, y_test = blobs(10, seed=1)
    y_test[:5] = 1 - y_test[:5]  # 5 of 20 test labels flipped
    assert probe_accuracy("knn", Z, y, Z_test, y_test) == pytest.approx(0.75)
    assert probe_accuracy(lambda Z, y: knn_probe(Z, y), Z, y, Z_test, y_test) == 0.75


def test_logistic_probe_is_standardized():
    Z, y = blobs(20)
    scaled = Z * np.array([1e6, 1e-6, 1.0, 1.0, 1.0])
    a = logistic_probe(Z, y).predict_proba(Z)
    b = logistic_probe(scaled, y).predict_proba(scaled)
    np.testing.assert_allclose(a, b, atol=1e-6)


def test_knn_probe_is_one_nearest_neighbour():
    Z, y = blobs(10)
    y = np.random.RandomState(0).permutation(y)  # labels unrelated to Z
    probe = knn_probe(Z, y)
    assert probe.n_neighbors == 1 and probe.score(Z, y) == 1.0


def test_unknown_probe_names_the_choices():
    Z, y = blobs(5)
    with pytest.raises(ValueError, match="Unknown probe 'mlp'.*'knn', 'logistic', 'svm'"):
        probe_accuracy("mlp", Z, y, Z, y)


# ---------------------------------------------------------------- harness


def test_evaluate_transformer_fits_a_clone_and_probes_both_splits(series):
    X, y = series
    X_train, y_train, X_test, y_test = X[::2], y[::2], X[1::2], y[1::2]
    X_copy = X_train.copy()
    model = SimCLRTransformer(**FAST)
    record = evaluate_transformer(model, X_train, y_train, X_test, y_test,
                                  probes=("svm", "knn"))
    assert not hasattr(model, "net_")  # the caller's estimator is untouched
    np.testing.assert_array_equal(X_train, X_copy)
    fitted = record["transformer"]
    Z_train, Z_test = fitted.transform(X_train), fitted.transform(X_test)
    assert record["accuracy"] == {
        name: probe_accuracy(name, Z_train, y_train, Z_test, y_test) for name in ("svm", "knn")
    }
    assert record["fit_seconds"] > 0 and record["peak_memory_mb"] >= 0
    assert record["peak_gpu_memory_mb"] is None


def test_evaluate_transformer_checks_probes_before_fitting(series):
    X, y = series
    with pytest.raises(ValueError, match=r"Unknown probe\(s\) \['mlp'\]"):
        evaluate_transformer(SimCLRTransformer(**FAST), X, y, X, y, probes=("svm", "mlp"))
    with pytest.raises(ValueError, match="probes is empty"):
        evaluate_transformer(SimCLRTransformer(**FAST), X, y, X, y, probes=())


def test_track_resources_measures_time_and_the_block_peak():
    with track_resources() as usage:
        block = np.ones(64 * 2**20 // 8)  # 64 MiB, touched
        del block
        time.sleep(0.01)
    assert usage.seconds >= 0.01
    if usage.exact:  # Linux: the peak was reset at the start of the block
        assert 60 <= usage.peak_memory_mb < 200
    else:
        assert usage.peak_memory_mb >= 0
    with track_resources() as again:  # a block allocating nothing
        pass
    if again.exact:
        assert again.peak_memory_mb < 20


# --------------------------------------------------------------- baselines


def ragged_shapes(n, seed):
    """Rising ramps (class 0) and sine bumps (class 1) of random lengths."""
    rng = np.random.RandomState(seed)
    y = np.arange(n) % 2
    X = [np.linspace(0, 1, L) if label == 0 else np.sin(np.linspace(0, np.pi, L))
         for label, L in zip(y, rng.randint(20, 60, size=n))]
    return X, y


def test_one_nn_baseline_matches_a_plain_1nn_on_equal_lengths(series):
    X, y = series
    record = one_nn_baseline(X[::2], y[::2], X[1::2], y[1::2])
    flat = X.reshape(len(X), -1)
    expected = KNeighborsClassifier(1).fit(flat[::2], y[::2]).score(flat[1::2], y[1::2])
    assert record["accuracy"] == pytest.approx(expected)
    assert record["fit_seconds"] >= 0 and record["peak_gpu_memory_mb"] is None


def test_one_nn_baseline_resamples_unequal_lengths():
    X_train, y_train = ragged_shapes(10, seed=0)
    X_test, y_test = ragged_shapes(12, seed=1)
    assert one_nn_baseline(X_train, y_train, X_test, y_test)["accuracy"] == 1.0
    A, lengths = check_time_series(X_train)
    resampled = _to_length(A, lengths, 50)
    np.testing.assert_allclose(resampled[0, 0], np.linspace(0, 1, 50), atol=1e-6)
    equal = A[:, :, :20]
    assert _to_length(equal, np.full(10, 20), 20) is equal  # nothing to resample
    # onto the padded length itself: every step is valid, none is read from padding
    same = _to_length(A, lengths, A.shape[2])
    assert np.isfinite(same).all()
    for i, n in enumerate(lengths):
        grid = np.linspace(0, n - 1, A.shape[2])
        np.testing.assert_allclose(same[i, 0], np.interp(grid, np.arange(n), A[i, 0, :n]),
                                   atol=1e-6)


class FakeRocket:
    """Stands in for sktime's MiniRocket classes: mean and std features."""

    inputs = []

    def __init__(self, **params):
        self.params = params

    def fit_transform(self, X):
        return self.transform(X)

    def transform(self, X):
        FakeRocket.inputs.append(X)
        if isinstance(X, list):
            return pd.DataFrame([[f.to_numpy().mean(), f.to_numpy().std()] for f in X])
        return np.stack([X.mean(axis=(1, 2)), X.std(axis=(1, 2))], axis=1)


@pytest.fixture
def fake_rocket(monkeypatch):
    monkeypatch.setattr(baselines, "missing_dependency", lambda name: None)
    monkeypatch.setattr(baselines, "_make_minirocket",
                        lambda n_channels, variable, seed: FakeRocket(variable=variable))
    FakeRocket.inputs = []
    return FakeRocket


def test_minirocket_baseline_passes_arrays_or_frames_by_length(fake_rocket):
    X, y = ragged_shapes(16, seed=0)
    record = minirocket_baseline(X[:8], y[:8], X[8:], y[8:], random_state=0)
    assert 0 <= record["accuracy"] <= 1 and record["fit_seconds"] >= 0
    warm_up, frames = fake_rocket.inputs[:2]
    assert len(warm_up) == 2  # numba's compilation on two series, before the timed fit
    assert isinstance(frames, list) and len(frames) == 8
    assert frames[0].shape == (len(X[0]), 1)  # (t_i, c): padding removed
    fake_rocket.inputs = []
    equal = np.random.RandomState(0).randn(10, 2, 12)
    minirocket_baseline(equal[:6], y[:6], equal[6:], y[6:10])
    assert isinstance(fake_rocket.inputs[1], np.ndarray)
    assert fake_rocket.inputs[1].shape == (6, 2, 12)


def test_optional_baselines_say_how_to_install(monkeypatch):
    for name in ("minirocket", "ts2vec"):
        spec = BASELINES[name]._replace(requires="no_such_module_for_sslts")
        monkeypatch.setitem(BASELINES, name, spec)
        message = missing_dependency(name)
        assert "no_such_module_for_sslts" in message and 'pip install "sslts[bench]"' in message
    Z, y = blobs(5)
    with pytest.raises(ImportError, match="sslts\\[bench\\]"):
        minirocket_baseline(Z[:, None, :], y, Z[:, None, :], y)
    with pytest.raises(ImportError, match="sslts\\[bench\\]"):
        ts2vec_baseline(Z[:, None, :], y, Z[:, None, :], y)
    assert missing_dependency("1nn") is None


def test_random_encoder_baseline_embeds_with_untrained_weights(series, monkeypatch):
    X, y = series
    seen = []

    def probe(name, Z_train, y_train, Z_test, y_test):
        seen.append((name, Z_train))
        return 0.5

    monkeypatch.setattr(baselines_module, "probe_accuracy", probe)
    record = random_encoder_baseline(X, y, X, y, random_state=0, device="cpu",
                                     standardize=False)
    random_encoder_baseline(X, y, X, y, random_state=1, device="cpu", standardize=False)
    assert record["accuracy"] == 0.5 and record["fit_seconds"] > 0
    (name, Z), (_, Z_other) = seen
    # the methods' default encoder, seeded, untrained, in eval mode
    with seeded_torch(draw_seed(np.random.RandomState(0))):
        encoder = build_encoder("resnet", 2, 128).eval()
    with torch.no_grad():
        expected = encoder(torch.as_tensor(X, dtype=torch.float32)).numpy()
    assert name == "svm" and Z.shape == (24, 128)
    np.testing.assert_allclose(Z, expected, rtol=1e-5, atol=1e-6)
    assert not np.allclose(Z, Z_other)  # another seed, other weights


def test_random_encoder_baseline_standardizes_its_input_as_the_methods_do(series,
                                                                          monkeypatch):
    X, y = series
    X = X + np.array([3.0, -1.0], dtype=X.dtype)[None, :, None]
    seen = []
    monkeypatch.setattr(baselines_module, "probe_accuracy",
                        lambda name, Z, *args: seen.append(Z) or 0.5)
    for scale, standardize in [(1, "series"), (1000, "series"), (1000, True),
                               (1, True), (1, False), (1000, False)]:
        random_encoder_baseline(X * scale, y, X * scale, y, random_state=0, device="cpu",
                                standardize=standardize)
    series_1, series_1000, true_1000, true_1, raw_1, raw_1000 = seen
    # the methods' default: the series' level and log spread appended per channel
    assert series_1.shape == (24, 128 + 2 * 2) and raw_1.shape == (24, 128)
    level = np.nanmean(X, axis=2)
    np.testing.assert_allclose(series_1[:, 128:130],
                               (level - np.nanmean(X, axis=(0, 2))) / np.nanstd(X, axis=(0, 2)),
                               rtol=1e-4, atol=1e-5)
    # standardised input: the units of the data do not matter; raw input: they do
    np.testing.assert_allclose(series_1000, series_1, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(true_1000, true_1, rtol=1e-4, atol=1e-4)
    assert not np.allclose(raw_1000, raw_1, rtol=1e-2)
    assert not np.allclose(series_1[:, :128], true_1, rtol=1e-2)
    with pytest.raises(ValueError, match="standardize must be True, False or 'series'"):
        random_encoder_baseline(X, y, X, y, random_state=0, device="cpu",
                                standardize="channels")


def test_series_statistics_baseline_is_what_the_methods_append(series, monkeypatch):
    X, y = series
    X = X + np.array([3.0, -1.0], dtype=X.dtype)[None, :, None]
    X[y == 1] *= 2.0  # the classes now also differ by spread
    X[:5, :, 20:] = np.nan  # some series shorter: padding is left out
    original = X.copy()
    seen = []
    monkeypatch.setattr(baselines_module, "probe_accuracy",
                        lambda name, Z, *args: seen.append((name, Z)) or 0.5)
    record = run_baseline("series_statistics", X, y, X, y)
    random_encoder_baseline(X, y, X, y, random_state=0, device="cpu")
    (name, Z), (_, Z_encoder) = seen
    assert record["accuracy"] == 0.5 and name == "svm"
    # exactly the 2 c features standardize="series" appends to an embedding
    assert Z.shape == (24, 4)
    np.testing.assert_allclose(Z, Z_encoder[:, 128:], rtol=1e-5, atol=1e-6)
    mean, std = np.nanmean(X, axis=(0, 2)), np.nanstd(X, axis=(0, 2))
    standardized = (X - mean[None, :, None]) / std[None, :, None]
    np.testing.assert_allclose(Z[:, :2], np.nanmean(standardized, axis=2), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(Z[:, 2:], np.log(np.nanstd(standardized, axis=2)), rtol=1e-4,
                               atol=1e-5)
    np.testing.assert_array_equal(X, original)
    assert "random_state" not in BASELINES["series_statistics"].options  # one run, no seeds


def test_series_statistics_baseline_separates_by_level_not_by_shape(series):
    X, y = series  # sines of two frequencies: the same level and spread
    X_train, X_test = X[::2], X[1::2]
    y_train, y_test = y[::2], y[1::2]
    by_shape = series_statistics_baseline(X_train, y_train, X_test, y_test)
    shifted = X + np.where(y == 1, 2.0, 0.0)[:, None, None]
    by_level = series_statistics_baseline(shifted[::2], y_train, shifted[1::2], y_test)
    assert by_level["accuracy"] == 1.0
    assert by_shape["accuracy"] <= 0.75


def test_random_ts2vec_encoder_baseline_uses_that_encoder(series, monkeypatch):
    X, y = series
    seen = []
    monkeypatch.setattr(baselines_module, "probe_accuracy",
                        lambda name, Z, *args: seen.append(Z) or 0.5)
    record = run_baseline("random_ts2vec_encoder", X, y, X, y, random_state=0, device="cpu")
    assert record["accuracy"] == 0.5
    with seeded_torch(draw_seed(np.random.RandomState(0))):
        encoder = build_encoder("ts2vec", 2, 320, {"hidden_channels": 128})
    # TS2VecTransformer's default input: each series standardised on its own
    mean, std = np.nanmean(X, axis=(0, 2)), np.nanstd(X, axis=(0, 2))
    encoder = SeriesStandardizedEncoder(encoder, mean, std).eval()
    with torch.no_grad():
        expected = encoder(torch.as_tensor(X, dtype=torch.float32)).numpy()
    assert seen[0].shape == (24, 320 + 2 * 2)
    np.testing.assert_allclose(seen[0], expected, rtol=1e-5, atol=1e-5)


def test_run_baseline_passes_only_the_options_a_baseline_takes(series):
    X, y = series
    record = run_baseline("1nn", X, y, X, y, random_state=3, device="cpu", max_epochs=1)
    assert record["accuracy"] == 1.0  # the test set is the training set
    with pytest.raises(ValueError, match="Unknown baseline 'svm'"):
        run_baseline("svm", X, y, X, y)


NUMBA_LAYER_SCRIPT = """
import sys, warnings
import numba
import numpy as np
from sslts.evaluation.baselines import _numba_without_openmp

@numba.njit(parallel=True)
def total(x):
    s = 0.0
    for i in numba.prange(x.shape[0]):
        s += x[i]
    return s

if sys.argv[1] == "started":  # numba's threads already run on OpenMP
    numba.config.THREADING_LAYER = "omp"
    total(np.ones(10))
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    _numba_without_openmp()
total(np.ones(10))
print(numba.threading_layer(), [str(w.message)[:30] for w in caught])
"""


@pytest.mark.parametrize("case, env, expected", [
    ("fresh", {}, "workqueue []"),
    ("fresh", {"NUMBA_THREADING_LAYER": "omp"}, "omp []"),  # the user's choice stays
    ("started", {}, "omp [\"numba's OpenMP threading layer\"]"),
])
def test_minirocket_keeps_numba_off_openmp(case, env, expected):
    pytest.importorskip("numba")
    environment = {k: v for k, v in os.environ.items() if k != "NUMBA_THREADING_LAYER"}
    result = subprocess.run([sys.executable, "-c", NUMBA_LAYER_SCRIPT, case],
                            env={**environment, **env}, capture_output=True, text=True,
                            timeout=300)
    if "No threading layer could be loaded" in result.stderr:
        pytest.skip("numba's OpenMP layer is not available here")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


@pytest.mark.slow
def test_minirocket_baseline_on_gunpoint():
    pytest.importorskip("numba")
    X_train, y_train = load_ucr_uea("GunPoint", "train")
    X_test, y_test = load_ucr_uea("GunPoint", "test")
    assert minirocket_baseline(X_train, y_train, X_test, y_test, random_state=0)["accuracy"] > 0.9
    X_train, y_train = load_ucr_uea("JapaneseVowels", "train")
    X_test, y_test = load_ucr_uea("JapaneseVowels", "test")
    assert minirocket_baseline(X_train, y_train, X_test, y_test, random_state=0)["accuracy"] > 0.8


@pytest.mark.slow
def test_ts2vec_baseline_runs_with_the_svm_probe():
    pytest.importorskip("ts2vec")
    X_train, y_train = load_ucr_uea("ItalyPowerDemand", "train")
    X_test, y_test = load_ucr_uea("ItalyPowerDemand", "test")
    record = ts2vec_baseline(X_train, y_train, X_test, y_test, random_state=0, device="cpu",
                             max_epochs=2)
    assert record["accuracy"] > 0.6 and record["fit_seconds"] > 0


# --------------------------------------------------------------- references


def test_references_cover_the_bundled_datasets():
    for dataset in BUNDLED_DATASETS:
        values = reference_accuracy(dataset)
        assert set(values) == set(REFERENCE_METHODS)
        assert all(v is None or 0 < v <= 1 for v in values.values())
    assert reference_accuracy("GunPoint")["MiniRocket"] > reference_accuracy("GunPoint")["TS2Vec"]
    assert set(reference_accuracy("NotADataset").values()) == {None}


# ------------------------------------------------------- benchmark, report


def test_run_benchmark_rows_per_seed_and_probe(series):
    X, y = series
    data = {"toy": (X[::2], y[::2], X[1::2], y[1::2])}
    runs = run_benchmark(data, ["vicreg"], seeds=2, probes=("svm", "knn"), baselines=("1nn",),
                         params=FAST, device="cpu", progress=False)
    assert list(runs.columns) == RUN_COLUMNS
    ssl = runs[runs["kind"] == "ssl"]
    pairs = sorted(zip(ssl["seed"], ssl["probe"]))
    assert pairs == [(0, "knn"), (0, "svm"), (1, "knn"), (1, "svm")]
    base = runs[runs["kind"] == "baseline"]
    assert list(base["method"]) == ["1-NN (raw)"] and base["seed"].isna().all()
    assert list(base["probe"]) == ["knn"]
    assert runs["accuracy"].between(0, 1).all()


def test_run_benchmark_reports_each_run_and_reruns_only_what_done_lacks(series):
    X, y = series
    data = {"toy": (X[::2], y[::2], X[1::2], y[1::2])}
    common = dict(seeds=2, baselines=("1nn",), params=FAST, device="cpu", progress=False)
    sizes = []
    runs = run_benchmark(data, ["vicreg"], probes=("knn",),
                         on_run=lambda so_far: sizes.append(len(so_far)), **common)
    assert sizes == [1, 2, 3]  # 1-NN, then one row per seed
    done = runs.copy()
    done.loc[done["seed"] == 0, "accuracy"] = 0.125  # marks a kept row
    done = done[done["seed"] != 1]
    again = run_benchmark(data, ["vicreg"], probes=("knn",), done=done, **common)
    ssl = again[again["kind"] == "ssl"].set_index("seed")["accuracy"]
    assert ssl[0] == 0.125 and ssl[1] != 0.125
    # a probe that done lacks means a new fit, with every probe asked for
    more = run_benchmark(data, ["vicreg"], probes=("knn", "svm"), done=done, **common)
    ssl = more[more["kind"] == "ssl"]
    assert len(ssl) == 4 and 0.125 not in set(ssl["accuracy"])
    with pytest.raises(ValueError, match="lacks the columns"):
        run_benchmark(data, ["vicreg"], done=done.drop(columns="accuracy"), **common)


def test_partial_results_keep_the_earlier_rows_of_runs_still_ahead(series):
    X, y = series
    data = {"first": (X[::2], y[::2], X[1::2], y[1::2]),
            "second": (X[1::2], y[1::2], X[::2], y[::2])}
    common = dict(seeds=1, baselines=("1nn",), params=FAST, device="cpu", progress=False)
    runs = run_benchmark(data, ["vicreg"], probes=("knn",), **common)
    done = runs[~((runs["dataset"] == "first") & (runs["kind"] == "ssl"))]
    saved = []
    run_benchmark(data, ["vicreg"], probes=("knn",), done=done, on_run=saved.append, **common)
    # the one new run (first's VICReg) is saved with second's rows, not yet reached
    assert len(saved) == 1
    assert list(saved[0]["dataset"]) == ["first", "first", "second", "second"]
    pd.testing.assert_frame_equal(saved[0].iloc[2:].reset_index(drop=True),
                                  runs.iloc[2:].reset_index(drop=True))


@pytest.mark.parametrize("kwargs, match", [
    (dict(seeds=0), "seeds must be a positive integer"),
    (dict(methods=["byol"]), "Unknown method"),
    (dict(baselines=["rocket"]), "Unknown baseline"),
    (dict(probes=["mlp"]), "Unknown probe"),
])
def test_run_benchmark_rejects_bad_arguments(series, kwargs, match):
    X, y = series
    with pytest.raises(ValueError, match=match):
        run_benchmark({"toy": (X, y, X, y)}, **kwargs)


def fake_runs():
    rows = [
        ("GunPoint", "1-NN (raw)", "baseline", "knn", None, 0.9, 0.01, 1.0),
        ("GunPoint", "SimCLR", "ssl", "svm", 0, 0.8, 10.0, 50.0),
        ("GunPoint", "SimCLR", "ssl", "svm", 1, 1.0, 20.0, 70.0),
        ("Custom", "SimCLR", "ssl", "svm", 0, 0.5, 1.0, 5.0),
    ]
    runs = pd.DataFrame(rows, columns=RUN_COLUMNS[:-1])
    runs["peak_gpu_memory_mb"] = None
    return runs


def test_summarize_aggregates_over_seeds_and_adds_references():
    summary = summarize(fake_runs())
    assert list(summary.columns) == SUMMARY_COLUMNS
    assert list(summary["method"]) == ["1-NN (raw)", "SimCLR", "SimCLR"]
    simclr = summary.iloc[1]
    assert simclr["accuracy_mean"] == pytest.approx(0.9)
    assert simclr["accuracy_std"] == pytest.approx(0.1)
    assert simclr["n_runs"] == 2 and simclr["fit_seconds"] == 15.0
    assert simclr["peak_memory_mb"] == 70.0
    assert simclr["TS2Vec (published)"] == reference_accuracy("GunPoint")["TS2Vec"]
    assert pd.isna(summary.iloc[2]["T-Loss (published)"])


def test_markdown_and_figure(tmp_path):
    summary = summarize(fake_runs())
    machine = machine_description("cpu")
    assert machine["cores"] >= 1 and machine["torch"] == torch.__version__
    text = to_markdown(summary, machine, command="sslts benchmark")
    assert "| GunPoint | SimCLR | svm | 0.900 | 0.100 | 2 | 15.0 | 70 | 0.980 |" in text
    assert "| Custom | SimCLR | svm | 0.500 | 0.000 | 1 | 1.0 | 5 | n/a | n/a | n/a |" in text
    assert "`sslts benchmark`" in text and f"- CPU: {machine['CPU']}" in text
    table = format_table(summary).splitlines()
    assert table[0].startswith("dataset") and "1-NN (raw)" in table[1]
    assert "GPU" not in table[0]  # shown only when measured on CUDA
    plot_summary(summary, tmp_path / "plot.png")
    assert (tmp_path / "plot.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_figure_shows_values_references_and_a_zoomed_axis():
    import matplotlib.pyplot as plt

    summary = summarize(fake_runs())
    fig = summary_figure(summary)
    ax = fig.axes[0]
    values = {text.get_text() for text in ax.texts}
    assert {"0.900", "0.500"} <= values  # each bar carries its accuracy
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert "TS2Vec (published)" in legend and "1-NN (raw)" in legend
    assert ax.get_legend().get_bbox_to_anchor().x0 > ax.get_window_extent().x1 - 1
    low = (summary["accuracy_mean"] - summary["accuracy_std"]).min()
    assert 0 < ax.get_ylim()[0] <= low and ax.get_ylim()[1] > 1.0
    plt.close(fig)


def test_gpu_memory_is_shown_when_measured():
    runs = fake_runs()
    runs.loc[1:, "peak_gpu_memory_mb"] = [200.0, 300.0, 10.0]
    summary = summarize(runs)
    assert list(summary["peak_gpu_memory_mb"].iloc[1:]) == [300.0, 10.0]
    assert "peak GPU memory (MiB)" in format_table(summary).splitlines()[0]
    assert "| GunPoint | SimCLR | svm | 0.900 | 0.100 | 2 | 15.0 | 70 | 300 |" in to_markdown(
        summary, machine_description())


def test_cpu_model_reads_cpuinfo(tmp_path, monkeypatch):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nmodel name\t: Test CPU 9000\n")
    real_open = open
    monkeypatch.setattr("builtins.open", lambda path, *a, **k: real_open(
        cpuinfo if path == "/proc/cpuinfo" else path, *a, **k))
    assert cpu_model() == "Test CPU 9000"
    assert machine_description()["CPU"] == "Test CPU 9000"


def test_progress_weights_follow_the_expected_cost_of_each_run():
    from sslts.evaluation.benchmark import _cost

    X = np.zeros((40, 1, 300))  # batch 40, 1 step per epoch, windows of 256
    assert _cost(X, "ssl", "simclr", {}) == 100 * 40 * 256  # 100 epochs within 200 steps
    assert _cost(X, "ssl", "simclr", {"max_steps": 10}) == 10 * 40 * 256
    assert _cost(X, "baseline", "random_encoder", {}) == 40 * 300
    assert _cost(X, "baseline", "1nn", {}) < _cost(X, "baseline", "random_encoder", {})

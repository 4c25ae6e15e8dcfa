"""Label-free scores: the functions of sslts.metrics, score(), and search without labels."""

import pickle
import warnings

import numpy as np
import pytest
import torch
from sklearn.model_selection import GridSearchCV, ShuffleSplit, cross_val_score
from sklearn.pipeline import make_pipeline

from sslts import SimCLRTransformer, TimeSeriesScaler, TS2VecTransformer, VICRegTransformer
from sslts.metrics import (
    LABEL_FREE_CRITERIA,
    alignment,
    embedding_std,
    label_free_scorer,
    rankme,
    uniformity,
)

FAST = dict(max_steps=3, batch_size=16, embedding_dim=8, random_state=0, device="cpu")


def reference_rankme(Z, eps=1e-7):
    """The formula of Garrido et al. (2023), written directly."""
    s = np.linalg.svd(np.asarray(Z, dtype=np.float64), compute_uv=False)
    p = s / np.abs(s).sum() + eps
    return np.exp(-(p * np.log(p)).sum())


@pytest.fixture(scope="module")
def series():
    rng = np.random.default_rng(0)
    t = np.linspace(0, 6, 40)
    X = np.sin(t * rng.uniform(0.5, 2, (48, 1, 1)) + rng.uniform(0, 3, (48, 1, 1)))
    return (X + 0.1 * rng.standard_normal(X.shape)).astype(np.float32)


@pytest.fixture(scope="module")
def fitted(series):
    return SimCLRTransformer(**FAST).fit(series)


# ------------------------------------------------------------------ functions
@pytest.mark.parametrize("shape", [(2, 3), (50, 8), (8, 50), (300, 64)])
def test_rankme_matches_the_formula(shape):
    Z = np.random.default_rng(1).standard_normal(shape) * 5 + 1
    assert rankme(Z) == pytest.approx(reference_rankme(Z), rel=1e-9)


def test_rankme_bounds_and_invariances():
    rng = np.random.default_rng(2)
    assert rankme(np.eye(6)) == pytest.approx(6, rel=1e-5)  # all directions equally
    line = np.outer(rng.standard_normal(30), rng.standard_normal(10))
    assert rankme(line) == pytest.approx(1, rel=1e-4)  # rank one: collapse
    assert rankme(np.zeros((5, 3))) == 0.0
    Z = rng.standard_normal((40, 12))
    assert rankme(Z * 1e30) == pytest.approx(rankme(Z), rel=1e-9)  # no overflow, no scale
    assert rankme(Z * 1e-30) == pytest.approx(rankme(Z), rel=1e-9)
    assert rankme(Z.astype(np.float32)) == pytest.approx(rankme(Z), rel=1e-5)
    assert rankme(torch.from_numpy(Z)) == pytest.approx(rankme(Z), rel=1e-9)
    low = Z[:, :3] @ rng.standard_normal((3, 12))
    assert rankme(low) < 3.01 < rankme(Z) <= 12


def test_alignment_and_uniformity():
    rng = np.random.default_rng(3)
    Z = rng.standard_normal((64, 16))
    assert alignment(Z, 2 * Z) == pytest.approx(0, abs=1e-12)  # scale does not matter
    assert alignment(Z, -Z) == pytest.approx(4)  # opposite unit vectors: distance 2
    near = alignment(Z, Z + 0.1 * rng.standard_normal(Z.shape))
    far = alignment(Z, rng.standard_normal(Z.shape))
    assert 0 < near < far
    assert uniformity(np.ones((10, 4))) == pytest.approx(0, abs=1e-12)  # all coincide
    spread = uniformity(Z)
    n = len(Z)
    i, j = np.triu_indices(n, 1)
    U = Z / np.linalg.norm(Z, axis=1, keepdims=True)
    expected = np.log(np.mean(np.exp(-2 * ((U[i] - U[j]) ** 2).sum(1))))
    assert spread == pytest.approx(expected, rel=1e-9)
    assert spread < uniformity(Z[:, :2] + 3) < 0  # fewer directions, less uniform


def test_embedding_std_same_for_arrays_and_tensors():
    Z = np.random.default_rng(4).standard_normal((32, 8))
    U = Z / np.linalg.norm(Z, axis=1, keepdims=True)
    assert embedding_std(Z) == pytest.approx(U.std(axis=0, ddof=1).mean(), rel=1e-6)
    assert embedding_std(torch.from_numpy(Z)) == pytest.approx(embedding_std(Z), rel=1e-6)


@pytest.mark.parametrize("function", [rankme, uniformity, embedding_std])
@pytest.mark.parametrize("Z, error, match", [
    (np.ones((1, 4)), ValueError, "at least 2"),
    (np.ones(4), ValueError, "2-D"),
    (np.array([[1.0, np.nan], [0.0, 1.0]]), ValueError, "NaN or infinite"),
    (np.array([[1.0, np.inf], [0.0, 1.0]]), ValueError, "NaN or infinite"),
    (np.array([["a", "b"], ["c", "d"]]), TypeError, "real numbers"),
])
def test_bad_embeddings_are_refused(function, Z, error, match):
    with pytest.raises(error, match=match):
        function(Z)


def test_alignment_refuses_mismatched_views():
    with pytest.raises(ValueError, match="same shape"):
        alignment(np.ones((4, 3)), np.ones((5, 3)))


def test_inputs_are_not_modified():
    Z = np.random.default_rng(5).standard_normal((20, 6)).astype(np.float32)
    before = Z.copy()
    rankme(Z), uniformity(Z), alignment(Z, Z[::-1]), embedding_std(Z)
    np.testing.assert_array_equal(Z, before)


# ---------------------------------------------------------------- estimators
def test_score_is_rankme_of_the_embeddings(fitted, series):
    Z = fitted.transform(series)
    assert fitted.score(series) == pytest.approx(rankme(Z), rel=1e-9)
    assert fitted.score(series, criterion="embedding_std") == pytest.approx(embedding_std(Z))
    assert fitted.score(series, y=np.zeros(len(series))) == fitted.score(series)  # y ignored


def test_alignment_uniformity_score_uses_fixed_default_views(fitted, series):
    first = fitted.score(series, criterion="alignment_uniformity")
    assert fitted.score(series, criterion="alignment_uniformity") == first  # reproducible
    Z = fitted.transform(series)
    assert first != pytest.approx(-uniformity(Z))  # the views add an alignment term
    assert first < -uniformity(Z)  # alignment is positive


def test_score_errors(fitted, series):
    with pytest.raises(ValueError, match="criterion must be one of"):
        fitted.score(series, criterion="accuracy")
    with pytest.raises(ValueError, match="score needs at least 2 series"):
        fitted.score(series[:1])
    with pytest.raises(ValueError, match="channels|features"):
        fitted.score(np.concatenate([series, series], axis=1))
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        SimCLRTransformer().score(series)


def test_score_warns_near_the_rank_ceiling():
    X = np.random.default_rng(6).standard_normal((6, 1, 30)).astype(np.float32)
    model = SimCLRTransformer(**{**FAST, "embedding_dim": 32, "encoder": "fcn"}).fit(X)
    assert rankme(model.transform(X)) > 3
    with pytest.warns(UserWarning, match="near its ceiling"):
        model.score(X)


def test_score_does_not_warn_with_more_series_than_dimensions(fitted, series):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fitted.score(series)


def test_score_refuses_non_finite_embeddings(fitted, series):
    broken = pickle.loads(pickle.dumps(fitted))
    with torch.no_grad():
        for p in broken.encoder_.parameters():
            p.fill_(float("nan"))
    for criterion in LABEL_FREE_CRITERIA:
        with pytest.raises(FloatingPointError, match="non-finite embeddings"):
            broken.score(series, criterion=criterion)


@pytest.mark.parametrize("seed", [0, 1])
def test_collapsed_configuration_scores_below_a_healthy_one(seed):
    """VICReg without its variance and covariance terms collapses; RankMe sees it."""
    from sslts.datasets import load_ucr_uea

    X, _ = load_ucr_uea("ItalyPowerDemand", "train")
    settings = dict(max_steps=40, random_state=seed, device="cpu")
    healthy = VICRegTransformer(**settings).fit(X)
    collapsed = VICRegTransformer(var_weight=0.0, cov_weight=0.0, **settings).fit(X)
    assert collapsed.score(X) < 0.8 * healthy.score(X)
    assert collapsed.history_[-1, "rankme"] < healthy.history_[-1, "rankme"]


def test_history_records_rankme_per_epoch(series):
    model = SimCLRTransformer(**{**FAST, "max_steps": 6, "batch_size": 24}).fit(series)
    ranks = model.history_[:, "rankme"]
    assert len(ranks) == len(model.history_) == 3  # two batches per epoch
    assert all(1 <= r <= 8 for r in ranks)  # at most the embedding width
    assert len(set(ranks)) > 1


def test_grid_search_without_labels(series):
    search = GridSearchCV(SimCLRTransformer(**FAST), {"temperature": [0.1, 1.0]},
                          cv=ShuffleSplit(2, test_size=0.5, random_state=0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        search.fit(series)  # no y
    scores = search.cv_results_["mean_test_score"]
    assert np.isfinite(scores).all() and (scores >= 1).all()
    assert search.best_params_["temperature"] == [0.1, 1.0][int(np.argmax(scores))]
    assert search.best_estimator_.score(series) == pytest.approx(
        rankme(search.best_estimator_.transform(series)))


@pytest.mark.parametrize("criterion", LABEL_FREE_CRITERIA)
def test_scorer_in_pipeline_and_cross_val_score(series, criterion):
    pipeline = make_pipeline(TimeSeriesScaler(), SimCLRTransformer(**FAST))
    scorer = label_free_scorer(criterion)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        scores = cross_val_score(pipeline, series, cv=2, scoring=scorer)
        pipeline.fit(series)
        assert pipeline.score(series) == pytest.approx(
            pipeline[-1].score(pipeline[0].transform(series)))
        direct = pipeline[-1].score(pipeline[0].transform(series), criterion=criterion)
        assert scorer(pipeline, series) == pytest.approx(direct)
    assert scores.shape == (2,) and np.isfinite(scores).all()


def test_scorer_errors():
    with pytest.raises(ValueError, match="criterion must be one of"):
        label_free_scorer("rank")
    from sklearn.linear_model import LinearRegression

    with pytest.raises(TypeError, match="self-supervised transformer"):
        label_free_scorer()(LinearRegression(), np.ones((3, 2)))


def test_score_of_ts2vec_on_ragged_series(series):
    ragged = [s[:, : 20 + i % 20] for i, s in enumerate(series)]
    model = TS2VecTransformer(**{**FAST, "batch_size": 8}).fit(ragged)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        assert model.score(ragged) == pytest.approx(rankme(model.transform(ragged)))
        assert np.isfinite(model.score(ragged, criterion="alignment_uniformity"))

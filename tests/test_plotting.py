"""Tests of the plots: augmentation gallery, training history, embedding map."""

import sys

import numpy as np
import pytest
import torch

from sslts import SimCLRTransformer, SSLClassifier
from sslts.augmentations import Compose, Jitter, ResizedCrop, Scaling, TimeWarp
from sslts.plotting import plot_augmentations, plot_embedding, plot_history
from sslts.utils.random import draw_seed, seeded_generator

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
plt = pytest.importorskip("matplotlib.pyplot")


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture
def x():
    """One 2-channel series of 40 steps, float64."""
    t = np.linspace(0, 1, 40)
    return np.stack([np.sin(2 * np.pi * t), np.cos(6 * np.pi * t)])


def expected_views(x, augmentations, n_views, seed):
    """Views as documented: one seed drawn per panel, n_views copies of x."""
    rng = np.random.RandomState(seed)
    batch = torch.from_numpy(np.repeat(x[None].astype(np.float32), n_views, axis=0))
    return [aug.augment(batch, seeded_generator(draw_seed(rng))).numpy()
            for aug in augmentations]


def test_one_panel_per_augmentation_with_titles(x):
    augs = [Jitter(sigma=0.1), TimeWarp(), ResizedCrop(scale=(0.3, 0.9))]
    fig = plot_augmentations(x, augs, random_state=0)
    assert len(fig.axes) == 3
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[0] == "Jitter(sigma=0.1)"
    assert titles[1].replace("\n", " ") == "TimeWarp(n_knots=4, sigma=0.2)"
    assert "scale=(0.3, 0.9)" in titles[2].replace("\n", " ")


def test_dict_keys_are_titles(x):
    fig = plot_augmentations(x, {"noise": Jitter(), "warp": TimeWarp()}, random_state=0)
    assert [ax.get_title() for ax in fig.axes] == ["noise", "warp"]


def test_lines_are_the_original_and_the_augmented_views(x):
    augs = [Jitter(sigma=0.2), Compose([Scaling(sigma=0.5), TimeWarp(sigma=0.5)])]
    fig = plot_augmentations(x, augs, n_views=2, random_state=3)
    expected = expected_views(x, augs, n_views=2, seed=3)
    for ax, views in zip(fig.axes, expected):
        lines = ax.get_lines()
        assert len(lines) == 2 * (1 + 2)  # per channel: original + 2 views
        for ch in range(2):
            original, *drawn = lines[3 * ch: 3 * ch + 3]
            assert original.get_gid() == "original"
            assert original.get_alpha() < 1
            np.testing.assert_allclose(original.get_ydata(), x[ch], rtol=1e-6)
            for line, view in zip(drawn, views):
                assert line.get_gid() == "view"
                np.testing.assert_array_equal(line.get_ydata(), view[ch])
                assert not np.allclose(line.get_ydata(), x[ch], atol=1e-3)
            np.testing.assert_array_equal(original.get_xdata(), np.arange(40))


def test_same_seed_same_views_and_input_unchanged(x):
    before = x.copy()
    first = plot_augmentations(x, [Jitter()], random_state=7).axes[0].get_lines()[1]
    second = plot_augmentations(x, [Jitter()], random_state=7).axes[0].get_lines()[1]
    other = plot_augmentations(x, [Jitter()], random_state=8).axes[0].get_lines()[1]
    np.testing.assert_array_equal(first.get_ydata(), second.get_ydata())
    assert not np.array_equal(first.get_ydata(), other.get_ydata())
    np.testing.assert_array_equal(x, before)


def test_univariate_padded_series_and_channel_choice(x):
    padded = np.concatenate([x[0, :30], np.full(10, np.nan)])
    fig = plot_augmentations(padded, [TimeWarp(sigma=0.5)], random_state=0)
    view = fig.axes[0].get_lines()[1].get_ydata()
    assert np.isfinite(view[:30]).all() and np.isnan(view[30:]).all()

    fig = plot_augmentations(x, [Jitter()], n_views=3, channel=1, random_state=0)
    lines = fig.axes[0].get_lines()
    assert len(lines) == 4
    np.testing.assert_allclose(lines[0].get_ydata(), x[1], rtol=1e-6)


def test_layout_and_given_figure(x):
    augs = [Jitter(), Scaling(), TimeWarp(), ResizedCrop()]
    fig = plot_augmentations(x, augs, ncols=2, random_state=0)
    assert [ax.get_subplotspec().get_geometry()[:2] for ax in fig.axes] == [(2, 2)] * 4

    given = plt.figure()
    out = plot_augmentations(x, augs[:2], fig=given, random_state=0)
    assert out is given and len(given.axes) == 2


@pytest.mark.parametrize("bad, match", [
    (np.zeros((2, 3, 10)), "one series"),
    (np.float64(1.0), "one series"),
    (None, "one series"),
    ([[1.0, 2.0], [1.0]], "one series"),
])
def test_not_one_series(bad, match):
    with pytest.raises(ValueError, match=match):
        plot_augmentations(bad, [Jitter()])


def test_bad_arguments(x):
    with pytest.raises(ValueError, match="augmentations is empty"):
        plot_augmentations(x, [])
    with pytest.raises(TypeError, match=r"augmentations\[1\] must be an augmentation"):
        plot_augmentations(x, [Jitter(), "jitter"])
    with pytest.raises(TypeError, match=r"augmentations\['a'\] must be an augmentation"):
        plot_augmentations(x, {"a": np.mean})
    with pytest.raises(ValueError, match="sigma"):
        plot_augmentations(x, [Jitter(sigma=-1.0)])
    with pytest.raises(ValueError, match="channel=2 does not exist"):
        plot_augmentations(x, [Jitter()], channel=2)
    with pytest.raises(ValueError, match="n_views"):
        plot_augmentations(x, [Jitter()], n_views=0)
    with pytest.raises(TypeError, match="fig must be a matplotlib Figure"):
        plot_augmentations(x, [Jitter()], fig=plt.gca())
    with pytest.raises(TypeError, match="strings"):
        plot_augmentations(np.array(["a", "b"]), [Jitter()])


def test_missing_matplotlib(x, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match="pip install matplotlib"):
        plot_augmentations(x, [Jitter()])


# ----------------------------------------------------------- history, embedding


@pytest.fixture
def fitted():
    X = np.random.RandomState(0).randn(24, 1, 30)
    return SimCLRTransformer(encoder="fcn", embedding_dim=16, max_epochs=4, batch_size=8,
                             validation_fraction=0.25, random_state=0).fit(X)


def test_plot_history_draws_the_losses_and_the_collapse_indicator(fitted):
    fig = plot_history(fitted)
    loss_ax, collapse_ax, rank_ax = fig.axes
    lines = {line.get_label(): line for line in loss_ax.get_lines()}
    assert set(lines) == {"train_loss", "valid_loss"}
    np.testing.assert_allclose(lines["train_loss"].get_ydata(),
                               fitted.history_[:, "train_loss"])
    np.testing.assert_array_equal(lines["valid_loss"].get_xdata(), [1, 2, 3, 4])
    curves = {line.get_label(): line for line in collapse_ax.get_lines()}
    np.testing.assert_allclose(curves["embedding_std"].get_ydata(),
                               fitted.history_[:, "embedding_std"])
    assert curves["spread: 1/sqrt(18)"].get_ydata()[0] == pytest.approx(18 ** -0.5)  # 16 + 2
    np.testing.assert_allclose(rank_ax.get_lines()[0].get_ydata(), fitted.history_[:, "rankme"])


def test_plot_history_of_a_fine_tuner_has_no_collapse_panel(series):
    from sslts.plotting import plot_history

    X, y = series
    clf = SSLClassifier(encoder="fcn", max_epochs=2, random_state=0).fit(X, y)
    assert [ax.get_title() for ax in plot_history(clf).axes] == ["loss"]
    with pytest.raises(TypeError, match="fitted sslts estimator"):
        plot_history(object())


def test_plot_embedding_draws_two_dimensions_as_they_are_and_colours_by_label():
    Z = np.random.RandomState(0).randn(12, 2)
    y = np.array(["a", "b", "c"] * 4)
    fig = plot_embedding(Z, y)
    groups = fig.axes[0].collections
    assert len(groups) == 3
    np.testing.assert_allclose(groups[0].get_offsets(), Z[y == "a"])
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["a", "b", "c"]


@pytest.mark.parametrize("method", ["tsne", "pca"])
def test_plot_embedding_reduces_more_dimensions(method):
    Z = np.random.RandomState(0).randn(20, 8)
    fig = plot_embedding(Z, method=method, random_state=0)
    (points,) = fig.axes[0].collections
    assert points.get_offsets().shape == (20, 2)
    again = plot_embedding(Z, method=method, random_state=0).axes[0].collections[0]
    np.testing.assert_allclose(points.get_offsets(), again.get_offsets())


@pytest.mark.parametrize("Z, y, error, match", [
    (np.zeros((5, 3)), np.arange(4), ValueError, "5 rows but y has 4"),
    (np.full((5, 3), np.nan), None, ValueError, "NaN"),
    (np.zeros((1, 3)), None, ValueError, "minimum of 2"),
])
def test_plot_embedding_errors(Z, y, error, match):
    with pytest.raises(error, match=match):
        plot_embedding(Z, y)

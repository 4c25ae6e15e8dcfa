"""Fine-tuning estimators (SSLClassifier, SSLRegressor) and per-epoch subsampling."""

import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import cross_validate
from sklearn.utils.estimator_checks import (
    check_regressors_train,
    parametrize_with_checks,
)
from skorch.callbacks import Callback, EarlyStopping

from sslts import SimCLRTransformer, SSLClassifier, SSLRegressor
from sslts.nn import AdaptedEncoder, unwrap_encoder
from sslts.training.data import BatchIterator, SeriesDataset
from sslts.utils.random import seeded_generator

from .conftest import FAST

TUNE = dict(encoder="fcn", embedding_dim=16, max_epochs=3, batch_size=8, random_state=0)


def sines(n=24, seed=0, t=32, channels=2):
    """Noisy slow (class 0) and fast (class 1) sines, and their frequencies."""
    rng = np.random.RandomState(seed)
    y = np.arange(n) % 2
    freq = np.where(y == 0, 1.0, 5.0)
    phase = rng.uniform(0, 2 * np.pi, size=(n, channels, 1))
    grid = np.linspace(0, 1, t)
    X = np.sin(2 * np.pi * freq[:, None, None] * grid + phase) + 0.1 * rng.randn(n, channels, t)
    return X, y, freq


class EpochWeights(Callback):
    """Copies of the encoder's weights at the start and after every epoch."""

    def on_train_begin(self, net, **kwargs):
        self.weights = [_weights(net.module_.encoder)]

    def on_epoch_end(self, net, **kwargs):
        self.weights.append(_weights(net.module_.encoder))


class EpochSamples(Callback):
    """The first value of every training series seen, per epoch."""

    def on_train_begin(self, net, **kwargs):
        self.epochs = []

    def on_epoch_begin(self, net, **kwargs):
        self.epochs.append([])

    def on_batch_begin(self, net, batch=None, training=False, **kwargs):
        if training:
            self.epochs[-1].extend(batch[0]["x"][:, 0, 0].tolist())


def _weights(module):
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


def _same(a, b):
    return all(torch.equal(a[k], b[k]) for k in a)


def _callback(model, name):
    return dict(model.net_.callbacks_)[name]


@pytest.fixture(scope="module")
def pretrained():
    X, _, _ = sines(24, seed=1)
    return SimCLRTransformer(**FAST).fit(X)


# ------------------------------------------------------------ classification
def test_learns_a_separable_problem_with_string_labels():
    X, y, _ = sines(32, seed=0)
    X_test, y_test, _ = sines(32, seed=5)
    names = np.array(["slow", "fast"])
    model = SSLClassifier(**{**TUNE, "max_epochs": 8}).fit(X, names[y])
    assert list(model.classes_) == ["fast", "slow"]
    assert model.score(X_test, names[y_test]) > 0.8
    P = model.predict_proba(X_test)
    assert P.shape == (32, 2) and P.dtype == np.float64
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    np.testing.assert_array_equal(model.predict(X_test), model.classes_[P.argmax(axis=1)])
    losses = model.history_[:, "train_loss"]
    assert losses[-1] < losses[0]


def test_from_scratch_and_pretrained_starts_differ(pretrained):
    X, y, _ = sines()
    start = [("start", EpochWeights())]
    tuned = SSLClassifier(**{**TUNE, "encoder": pretrained, "callbacks": start}).fit(X, y)
    scratch = SSLClassifier(**{**TUNE, "callbacks": start}).fit(X, y)
    first = _callback(tuned, "start").weights[0]
    assert _same(first, _weights(pretrained.encoder_))
    assert not _same(_callback(scratch, "start").weights[0], first)
    assert not np.allclose(tuned.predict_proba(X), scratch.predict_proba(X))


def test_frozen_encoder_keeps_weights_and_statistics_and_trains_the_head(pretrained):
    X, y, _ = sines()
    model = SSLClassifier(**{**TUNE, "encoder": pretrained, "freeze_encoder": True}).fit(X, y)
    assert _same(_weights(model.encoder_), _weights(pretrained.encoder_))
    assert model.history_[:, "encoder_frozen"] == [True, True, True]
    module = model.net_.module_.train()
    assert module.head.training and not module.encoder.training  # frozen: eval mode
    scratch_head = SSLClassifier(**{**TUNE, "encoder": pretrained, "freeze_encoder": True,
                                    "max_epochs": 1}).fit(X, y).net_.module_.head
    assert not _same(_weights(model.net_.module_.head), _weights(scratch_head))


def test_unfreeze_after_trains_the_encoder_only_after_n_epochs(pretrained):
    X, y, _ = sines()
    params = {**TUNE, "encoder": pretrained, "freeze_encoder": True, "unfreeze_after": 2,
              "max_epochs": 4, "callbacks": [("weights", EpochWeights())]}
    model = SSLClassifier(**params).fit(X, y)
    snapshots = _callback(model, "weights").weights
    assert _same(snapshots[0], _weights(pretrained.encoder_))
    assert _same(snapshots[1], snapshots[0]) and _same(snapshots[2], snapshots[0])
    assert not _same(snapshots[3], snapshots[2]) and not _same(snapshots[4], snapshots[3])
    assert model.history_[:, "encoder_frozen"] == [True, True, False, False]


def test_encoder_lr_is_the_learning_rate_of_the_encoder_group(pretrained):
    X, y, _ = sines()
    model = SSLClassifier(**{**TUNE, "encoder": pretrained, "lr": 1e-2,
                             "encoder_lr": 1e-4}).fit(X, y)
    groups = model.net_.optimizer_.param_groups
    encoder_ids = {id(p) for p in model.encoder_.parameters()}
    by_lr = {g["lr"]: {id(p) for p in g["params"]} for g in groups}
    assert by_lr[1e-4] == encoder_ids
    assert by_lr[1e-2] == {id(p) for p in model.net_.module_.head.parameters()}
    default = SSLClassifier(**{**TUNE, "lr": 1e-2}).fit(X, y)
    assert [g["lr"] for g in default.net_.optimizer_.param_groups] == [1e-2]


def test_mlp_head_and_channel_adapter(pretrained):
    X, y, _ = sines(channels=3)
    with pytest.warns(UserWarning, match="expects 2 channels but X has 3"):
        model = SSLClassifier(**{**TUNE, "encoder": pretrained, "hidden_dims": (8,)}).fit(X, y)
    assert isinstance(model.encoder_.encoder, AdaptedEncoder)  # inside the standardisation
    linears = [m for m in model.net_.module_.head.modules() if isinstance(m, torch.nn.Linear)]
    # the pretrained embedding: 16 features, then each of its 2 channels' level and log spread
    assert [(m.in_features, m.out_features) for m in linears] == [(16 + 2 * 2, 8), (8, 2)]
    assert model.predict(X).shape == (24,)


def test_encoder_params_build_the_encoder_and_the_head_fits_its_embedding(pretrained):
    X, y, _ = sines()
    model = SSLClassifier(**{**TUNE, "encoder": "dilated_cnn",
                             "encoder_params": {"depth": 2, "pooling": "pyramid"}}).fit(X, y)
    encoder = unwrap_encoder(model.encoder_)[0]
    assert len(encoder.blocks) == 3 and encoder.pooling == "pyramid"
    linear, = [m for m in model.net_.module_.head.modules() if isinstance(m, torch.nn.Linear)]
    assert (linear.in_features, model.embedding_dim_) == (7 * 16, 7 * 16)
    with pytest.raises(ValueError, match="already built"):
        SSLClassifier(**{**TUNE, "encoder": pretrained,
                         "encoder_params": {"depth": 2}}).fit(X, y)


def test_variable_length_series_predict_as_if_alone():
    X, y, _ = sines()
    ragged = [x[:, : 20 + i % 12] for i, x in enumerate(X)]
    model = SSLClassifier(**TUNE).fit(ragged, y)
    P = model.predict_proba(ragged)
    alone = model.predict_proba([ragged[0], ragged[1][:, :20]])
    np.testing.assert_allclose(P[0], alone[0], rtol=1e-5, atol=1e-6)
    padded = np.array(X, dtype=np.float32)
    padded[0, :, 20:] = np.nan
    before = padded.copy()
    np.testing.assert_allclose(model.predict_proba(padded)[0], P[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(padded, before)  # input untouched


def test_same_seed_same_model_and_pickle_round_trip():
    X, y, _ = sines()
    a = SSLClassifier(**TUNE).fit(X, y)
    b = SSLClassifier(**TUNE).fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    restored = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(restored.predict_proba(X), a.predict_proba(X))
    np.testing.assert_array_equal(restored.classes_, a.classes_)


def test_cross_validation_keeps_the_pretrained_encoder(pretrained):
    X, y, _ = sines(32)
    model = SSLClassifier(**{**TUNE, "encoder": pretrained,
                             "callbacks": [("start", EpochWeights())]})
    assert clone(model).encoder is pretrained
    folds = cross_validate(model, X, y, cv=2, return_estimator=True)["estimator"]
    start = _weights(pretrained.encoder_)
    assert len(folds) == 2
    assert all(_same(_callback(fold, "start").weights[0], start) for fold in folds)


def test_validation_fraction_and_early_stopping():
    X, y, _ = sines(32)
    stop = EarlyStopping(monitor="valid_loss", patience=1, threshold=10.0)
    model = SSLClassifier(**{**TUNE, "max_epochs": 10, "validation_fraction": 0.25,
                             "callbacks": [stop]}).fit(X, y)
    assert len(model.history_) == 2
    assert np.isfinite(model.history_[:, "valid_loss"]).all()
    assert all(0 <= a <= 1 for a in model.history_[:, "valid_acc"])
    with pytest.raises(ValueError, match="validation_fraction"):
        SSLClassifier(**{**TUNE, "callbacks": [EarlyStopping()]}).fit(X, y)


@pytest.mark.parametrize("params, match", [
    ({"freeze_encoder": "yes"}, "freeze_encoder"),
    ({"unfreeze_after": 0}, "unfreeze_after"),
    ({"unfreeze_after": 2}, "freeze_encoder=True"),
    ({"encoder_lr": 0.0}, "encoder_lr"),
    ({"hidden_dims": 8}, "hidden_dims"),
    ({"lr": -1.0}, "lr"),
    ({"encoder": "transformer"}, "encoder"),
])
def test_invalid_parameters(params, match):
    X, y, _ = sines()
    with pytest.raises(ValueError, match=match):
        SSLClassifier(**{**TUNE, **params}).fit(X, y)


def test_bad_targets_are_clear_errors():
    X, y, _ = sines()
    with pytest.raises(ValueError, match="24 series but y has 23"):
        SSLClassifier(**TUNE).fit(X, y[:-1])
    with pytest.raises(ValueError, match="at least 2 classes"):
        SSLClassifier(**TUNE).fit(X, np.zeros(24))
    with pytest.raises(ValueError, match="requires y"):
        SSLClassifier(**TUNE).fit(X, None)
    with pytest.raises(ValueError, match="Unknown label type"):
        SSLClassifier(**TUNE).fit(X, np.linspace(0, 1, 24))
    with pytest.raises(ValueError, match="NaN"):
        SSLRegressor(**TUNE).fit(X, np.full(24, np.nan))
    model = SSLClassifier(**TUNE).fit(X, y)
    with pytest.raises(ValueError, match="X has 1 channels, but SSLClassifier was fitted with 2"):
        model.predict(X[:, :1])


# ---------------------------------------------------------------- regression
def test_regressor_predicts_in_the_units_of_y(pretrained):
    X, _, freq = sines(32)
    target = 1000.0 * freq + 5000.0
    model = SSLRegressor(**{**TUNE, "encoder": pretrained, "max_epochs": 10}).fit(X, target)
    pred = model.predict(X)
    assert pred.shape == (32,) and pred.dtype == np.float64
    assert model.score(X, target) > 0.5
    np.testing.assert_allclose(model.y_mean_, [target.mean()])
    np.testing.assert_allclose(model.y_scale_, [target.std()])


def test_regressor_multi_output():
    X, _, freq = sines()
    Y = np.stack([freq, -2 * freq], axis=1)
    model = SSLRegressor(**TUNE).fit(X, Y)
    assert model.n_outputs_ == 2 and model.predict(X).shape == (24, 2)


# -------------------------------------------------- per-epoch subsampling
def _dataset(n=10):
    X = np.arange(n, dtype=np.float32).reshape(n, 1, 1).repeat(4, axis=2)
    return SeriesDataset(X, np.full(n, 4))


def test_iterator_draws_a_fresh_subset_each_epoch():
    iterator = BatchIterator(_dataset(10), batch_size=3, shuffle=True,
                             generator=seeded_generator(0), max_samples=4)
    epochs = [[int(v) for b, _ in iterator for v in b["x"][:, 0, 0]] for _ in range(5)]
    assert all(len(e) == 4 == len(set(e)) for e in epochs)
    assert len({tuple(sorted(e)) for e in epochs}) > 1
    assert len(iterator) == 1  # 3 + 1: a last single sample is merged
    assert BatchIterator(_dataset(10), 3, max_samples=0.25).n_samples() == 3
    assert BatchIterator(_dataset(10), 3, max_samples=50).n_samples() == 10
    with pytest.raises(ValueError, match="max_samples"):
        BatchIterator(_dataset(10), 3, max_samples=1.5).n_samples()


def test_unshuffled_subset_keeps_dataset_order():
    iterator = BatchIterator(_dataset(10), batch_size=10, generator=seeded_generator(0),
                             max_samples=5)
    values = [int(v) for b, _ in iterator for v in b["x"][:, 0, 0]]
    assert values == sorted(values) and len(values) == 5


@pytest.mark.parametrize("max_samples, batches", [(8, 2), (0.5, 3), (100, 6)])
def test_training_steps_per_epoch_follow_max_samples_per_epoch(max_samples, batches):
    X, _, _ = sines()
    model = SimCLRTransformer(**{**FAST, "batch_size": 4, "max_epochs": 1,
                                 "max_samples_per_epoch": max_samples}).fit(X)
    assert len(model.history_[-1, "batches"]) == batches


def test_epoch_subsets_differ_and_are_reproducible():
    X, _, _ = sines()
    X[:, 0, 0] = np.arange(24)  # identifies each series in the batches

    def subsets(seed):
        params = {**FAST, "max_epochs": 4, "max_samples_per_epoch": 6, "random_state": seed,
                  "callbacks": [("samples", EpochSamples())]}
        model = SimCLRTransformer(**params).fit(X)
        return [sorted(epoch) for epoch in _callback(model, "samples").epochs]

    first = subsets(0)
    assert all(len(epoch) == 6 == len(set(epoch)) for epoch in first)
    assert len({tuple(epoch) for epoch in first}) > 1
    assert len(set().union(*first)) > 6
    assert subsets(0) == first
    assert subsets(1) != first


def test_fine_tuning_uses_max_samples_per_epoch():
    X, y, _ = sines()
    model = SSLClassifier(**{**TUNE, "batch_size": 4, "max_samples_per_epoch": 8}).fit(X, y)
    assert all(len(model.history_[i, "batches"]) == 2 for i in range(3))


@pytest.mark.parametrize("value", [0, 1, 1.5, 0.0, -0.5, "half", True])
def test_invalid_max_samples_per_epoch(value):
    X, y, _ = sines()
    with pytest.raises(ValueError, match="max_samples_per_epoch"):
        SimCLRTransformer(**{**FAST, "max_samples_per_epoch": value}).fit(X)
    with pytest.raises(ValueError, match="max_samples_per_epoch"):
        SSLClassifier(**{**TUNE, "max_samples_per_epoch": value}).fit(X, y)


# ---------------------------------------------------- scikit-learn checks
SMALL = dict(encoder="fcn", embedding_dim=8, max_epochs=2, batch_size=16, random_state=0)

LENGTH_MAY_CHANGE = (
    "A 2-D input is a batch of univariate series, and series of another length "
    "are valid at predict time, so a different number of columns is not an "
    "error (the channel count is checked instead)."
)
FEW_EPOCHS = (
    "Its data are tabular (10 columns, read as univariate series of 10 time points, "
    "the target following one column): the 2 epochs used here for speed stay below "
    "the check's score of 0.5; with 8 epochs the check passes, see "
    "test_regressor_passes_the_training_check_with_more_epochs (slow)."
)
EXPECTED_FAILED_CHECKS = {
    "check_n_features_in_after_fitting": LENGTH_MAY_CHANGE,
    # its n_features part fails; its accuracy part passes (0.92 > 0.83 on its blobs)
    "check_classifiers_train": LENGTH_MAY_CHANGE,
    "check_regressors_train": FEW_EPOCHS,
}


@parametrize_with_checks(
    [SSLClassifier(**SMALL), SSLRegressor(**SMALL)],
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS,
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.slow
def test_regressor_passes_the_training_check_with_more_epochs():
    check_regressors_train("SSLRegressor", SSLRegressor(**{**SMALL, "max_epochs": 8}))

"""Behaviour of the self-supervised transformers through their public API."""

import io
import pickle

import joblib
import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline
from skorch.callbacks import Callback, EarlyStopping, LRScheduler
from torch.optim.lr_scheduler import StepLR

from sslts import (
    BarlowTwinsTransformer,
    SimCLRTransformer,
    SSLClassifier,
    TS2VecTransformer,
    VICRegTransformer,
)
from sslts.augmentations import Compose, Jitter, TimeWarp
from sslts.nn import ResNet1D, unwrap_encoder

from .conftest import FAST

METHODS = [SimCLRTransformer, BarlowTwinsTransformer, VICRegTransformer, TS2VecTransformer]


class MeanLinear(torch.nn.Module):
    """A minimal custom encoder: linear map of the per-channel means."""

    def __init__(self, in_channels, out_features):
        super().__init__()
        self.proj = torch.nn.Linear(in_channels, out_features)

    def forward(self, x):
        return self.proj(torch.nan_to_num(x).mean(dim=-1))


@pytest.mark.parametrize("cls", METHODS)
def test_fit_transform_shape_dtype_and_names(cls, series):
    X, _ = series
    model = cls(**FAST).fit(X)
    Z = model.transform(X)
    width = 16 + 2 * 2 * (model.standardize == "series")  # + mean, log std per channel
    assert Z.shape == (24, width) and Z.dtype == np.float32
    assert np.isfinite(Z).all()
    assert model.n_features_in_ == 2 and model.n_channels_in_ == 2
    names = model.get_feature_names_out()
    assert list(names[:2]) == [f"{cls.__name__.lower()}0", f"{cls.__name__.lower()}1"]
    assert len(names) == width


def test_pandas_output(series):
    X, _ = series
    model = SimCLRTransformer(**FAST).set_output(transform="pandas")
    frame = model.fit_transform(X)
    assert list(frame.columns) == list(model.get_feature_names_out())
    default = model.set_output(transform="default").transform(X)
    np.testing.assert_array_equal(frame.to_numpy(), default)


@pytest.mark.parametrize("cls", METHODS)
def test_same_seed_same_embeddings_other_seed_differs(cls, series):
    X, _ = series
    Z1 = cls(**FAST).fit_transform(X)
    Z2 = cls(**FAST).fit(X).transform(X)
    Z3 = cls(**{**FAST, "random_state": 1}).fit_transform(X)
    np.testing.assert_array_equal(Z1, Z2)
    assert not np.allclose(Z1, Z3)


def test_dropout_encoder_is_deterministic_and_global_rng_untouched(series):
    X, _ = series

    class DropoutEncoder(MeanLinear):
        def forward(self, x):
            return torch.nn.functional.dropout(super().forward(x), 0.5, self.training)

    params = {**FAST, "encoder": DropoutEncoder}
    state = torch.random.get_rng_state()
    Z1 = SimCLRTransformer(**params).fit_transform(X)
    assert torch.equal(state, torch.random.get_rng_state())
    np.testing.assert_array_equal(Z1, SimCLRTransformer(**params).fit_transform(X))


def test_transform_is_repeatable_eval_mode_and_not_augmented(series):
    X, _ = series
    model = SimCLRTransformer(**FAST).fit(X)
    model.net_.module_.train()
    Z1 = model.transform(X)
    assert model.net_.module_.training  # transform changes no state
    np.testing.assert_array_equal(Z1, model.transform(X))
    encoder = model.net_.module_.encoder.eval()
    with torch.no_grad():
        direct = encoder(torch.as_tensor(X, dtype=torch.float32))
    np.testing.assert_allclose(Z1, direct.numpy(), rtol=1e-5, atol=1e-5)


def test_training_changes_the_encoder_and_records_history(series):
    X, _ = series
    model = SimCLRTransformer(**{**FAST, "max_epochs": 3}).fit(X)
    history = model.history_
    assert len(history) == 3
    losses = history[:, "train_loss"]
    stds = history[:, "embedding_std"]
    assert np.isfinite(losses).all()
    assert all(0 < s <= 1 for s in stds)
    untrained = SimCLRTransformer(**{**FAST, "max_epochs": 1}).fit(X)
    assert not np.allclose(model.transform(X), untrained.transform(X))


def test_loss_decreases_over_training(series):
    X, _ = series
    model = SimCLRTransformer(**{**FAST, "max_epochs": 30}).fit(X)
    losses = model.history_[:, "train_loss"]
    assert np.mean(losses[-5:]) < np.mean(losses[:5])


def test_variable_length_series_embed_as_if_alone(series):
    X, _ = series
    ragged = [X[0][:, :20], X[1], X[2][:, :25]]
    model = SimCLRTransformer(**FAST).fit([x[:, : 16 + i] for i, x in enumerate(X)])
    Z = model.transform(ragged)
    alone = model.transform(np.stack([X[0][:, :20], X[3][:, :20]]))
    np.testing.assert_allclose(Z[0], alone[0], rtol=1e-4, atol=1e-5)


def test_input_formats_agree(series):
    X, _ = series
    uni = X[:, 0, :]
    model = SimCLRTransformer(**FAST).fit(uni)
    Z2d = model.transform(uni)
    np.testing.assert_allclose(Z2d, model.transform(uni[:, None, :]), rtol=1e-6)
    np.testing.assert_allclose(Z2d, model.transform(list(uni)), rtol=1e-6)
    nested = pd.DataFrame({"dim_0": [pd.Series(row) for row in uni]})
    with pytest.warns(UserWarning, match="feature names"):
        np.testing.assert_allclose(Z2d, model.transform(nested), rtol=1e-6)
    np.testing.assert_allclose(Z2d, model.transform(uni.astype(np.float32)), rtol=1e-6)


def test_fit_and_transform_do_not_modify_input(series):
    X, _ = series
    X = X.copy()
    X[0, :, -5:] = np.nan
    before = X.copy()
    model = SimCLRTransformer(**FAST).fit(X)
    model.transform(X)
    np.testing.assert_array_equal(X, before)


def test_read_only_input(series):
    X, _ = series
    X = X.copy()
    X.setflags(write=False)
    model = SimCLRTransformer(**FAST)
    np.testing.assert_array_equal(model.fit_transform(X), model.transform(X))


def test_pickle_and_joblib_round_trip(series):
    X, _ = series
    model = VICRegTransformer(**FAST).fit(X)
    Z = model.transform(X)
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(Z, restored.transform(X))
    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    buffer.seek(0)
    np.testing.assert_array_equal(Z, joblib.load(buffer).transform(X))


def test_pickles_keep_the_optimizer_state_only_to_continue_training(series):
    X, _ = series
    model = SimCLRTransformer(**FAST).fit(X)
    assert len(model.net_.optimizer_.state) > 0  # the live model is untouched
    light = pickle.dumps(model)
    heavy = pickle.dumps(SimCLRTransformer(**{**FAST, "warm_start": True}).fit(X))
    weights = sum(p.numel() * 4 for p in model.net_.module_.parameters())
    # AdamW keeps two moments per weight: about three times the weights when kept
    assert len(light) < 1.5 * weights < 2.5 * weights < len(heavy)
    restored = pickle.loads(light)
    assert len(restored.net_.optimizer_.state) == 0  # a fresh optimizer
    assert pickle.loads(heavy).net_.optimizer_.state
    restored.partial_fit(X)  # continues, with fresh moment estimates
    assert len(restored.history_) == 3 and len(restored.net_.optimizer_.state) > 0
    assert len(pickle.loads(pickle.dumps(restored)).net_.optimizer_.state) > 0


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_model_marked_as_cuda_unpickles_on_cpu(series):
    X, _ = series
    model = SimCLRTransformer(**FAST).fit(X)
    Z = model.transform(X)
    model.net_.device = "cuda"  # as if trained on a GPU machine
    with pytest.warns(UserWarning, match="CUDA"):
        restored = pickle.loads(pickle.dumps(model))
    assert str(restored.net_.device) == "cpu"
    np.testing.assert_array_equal(Z, restored.transform(X))


class TensorFreePickler(pickle.Pickler):
    """Pickler that fails on any tensor outside skorch's device-safe state."""

    def reducer_override(self, obj):
        if isinstance(obj, torch.Tensor):
            raise AssertionError("a tensor is pickled as a plain attribute; on a "
                                 "machine without CUDA a CUDA tensor would not load")
        return NotImplemented


@pytest.mark.parametrize("make", [lambda: SimCLRTransformer(**FAST),
                                  lambda: SSLClassifier(**FAST)],
                         ids=["SimCLRTransformer", "SSLClassifier"])
def test_tensors_pickled_only_through_device_safe_state(series, make):
    # skorch pickles module_/criterion_/optimizer_ with a map_location on load;
    # any other tensor (such as the module passed as an instance) must not
    # reach the plain pickle stream
    X, y = series
    model = make().fit(X, y)
    buffer = io.BytesIO()
    TensorFreePickler(buffer).dump(model)
    restored = pickle.loads(buffer.getvalue())
    assert restored.net_.module is restored.net_.module_
    np.testing.assert_array_equal(model.transform(X) if hasattr(model, "transform")
                                  else model.predict_proba(X),
                                  restored.transform(X) if hasattr(restored, "transform")
                                  else restored.predict_proba(X))
    restored.set_params(max_epochs=1).fit(X, y)  # the restored net still trains


def test_clone_and_nested_augmentation_params(series):
    model = SimCLRTransformer(augmentations=Compose([Jitter(), TimeWarp()]))
    model.set_params(augmentations__jitter__sigma=0.5, augmentations__timewarp__n_knots=2)
    params = model.get_params()
    assert params["augmentations__jitter__sigma"] == 0.5
    assert params["augmentations__timewarp__n_knots"] == 2
    copy = clone(model)
    assert copy.get_params()["augmentations__jitter__sigma"] == 0.5
    assert copy.augmentations is not model.augmentations


def test_fit_does_not_change_the_augmentation_or_encoder_params(series):
    X, _ = series
    policy = Compose([Jitter(sigma=0.2)])
    encoder = ResNet1D(2, out_features=8, widths=(8,))
    weights = [p.detach().clone() for p in encoder.parameters()]
    model = SimCLRTransformer(**{**FAST, "encoder": encoder, "augmentations": policy})
    model.fit(X)
    assert model.augmentations is policy and policy.steps[0].sigma == 0.2
    assert all(torch.equal(a, b) for a, b in zip(weights, encoder.parameters()))
    assert model.embedding_dim_ == 8 + 2 * 2  # + each channel's level and log spread


def test_custom_encoder_class(series):
    X, _ = series

    Z = SimCLRTransformer(**{**FAST, "encoder": MeanLinear, "embedding_dim": 5}).fit_transform(X)
    assert Z.shape == (24, 5 + 2 * 2)


def test_pipeline_grid_search_over_temperature_and_augmentations(series):
    X, y = series
    pipe = Pipeline([("ssl", SimCLRTransformer(**FAST)),
                     ("clf", KNeighborsClassifier(n_neighbors=1))])
    grid = GridSearchCV(pipe, {"ssl__temperature": [0.1, 0.5],
                               "ssl__augmentations": [Jitter(), Compose([Jitter(), TimeWarp()])]},
                        cv=2)
    grid.fit(X, y)
    assert len(grid.cv_results_["params"]) == 4
    assert grid.best_score_ > 0.8  # slow vs fast sines separate easily


@pytest.mark.parametrize("max_steps, epochs, steps",
                         [(4, 2, 4), (3, 1, 3), (100, 5, 15), (None, 5, 15)])
def test_max_steps_is_the_exact_number_of_optimizer_steps(series, max_steps, epochs, steps):
    X, _ = series  # 24 series in batches of 8: 3 steps per epoch
    model = SimCLRTransformer(**{**FAST, "max_epochs": 5, "max_steps": max_steps,
                                 "callbacks": [("steps", OptimizerSteps())]}).fit(X)
    assert len(model.history_) == epochs
    assert sum(len(epoch["batches"]) for epoch in model.history_) == steps
    assert dict(model.net_.callbacks_)["steps"].steps == steps
    # the per-epoch indicators are averages of the batches actually run
    last = model.history_[-1]
    assert last["embedding_std"] == pytest.approx(
        np.mean([b["embedding_std"] for b in last["batches"]]))


class OptimizerSteps(Callback):
    """Number of optimizer steps (gradients computed) in training."""

    def on_train_begin(self, net, **kwargs):
        self.steps = 0

    def on_grad_computed(self, net, named_parameters, **kwargs):
        self.steps += 1


class BatchLengths(Callback):
    """Time length of every training batch."""

    def on_train_begin(self, net, **kwargs):
        self.lengths = []

    def on_batch_begin(self, net, batch=None, training=False, **kwargs):
        if training:
            self.lengths.append(batch[0]["x"].shape[-1])


@pytest.mark.parametrize("max_train_length, expected", [(12, 12), (None, 32), (64, 32)])
def test_max_train_length_trains_on_windows_and_embeds_whole_series(
        series, max_train_length, expected):
    X, _ = series  # length 32
    model = SimCLRTransformer(**{**FAST, "max_train_length": max_train_length,
                                 "callbacks": [("lengths", BatchLengths())]}).fit(X)
    lengths = dict(model.net_.callbacks_)["lengths"].lengths
    assert lengths and set(lengths) == {expected}
    Z = model.transform(X)
    # transform sees whole series: the end of a series changes its embedding
    X_end = X.copy()
    X_end[:, :, -8:] += 3.0
    assert not np.allclose(model.transform(X_end), Z, atol=1e-4)


@pytest.mark.parametrize("head_dims, match", [((8.5, 4), r"head_dims\[0\] must be an integer"),
                                              ([16, 0], r"head_dims\[1\] must be an integer")])
def test_invalid_head_dims_name_the_parameter(series, head_dims, match):
    with pytest.raises(ValueError, match=match):
        SimCLRTransformer(**{**FAST, "head_dims": head_dims}).fit(series[0])


def test_head_dims_sets_the_projection_sizes(series):
    model = SimCLRTransformer(**{**FAST, "head_dims": [12, 6]}).fit(series[0])
    linears = [m for m in model.net_.module_.head.modules() if isinstance(m, torch.nn.Linear)]
    assert [m.out_features for m in linears] == [12, 6]


@pytest.mark.parametrize("param, value", [("max_steps", 0), ("max_train_length", 1),
                                          ("max_train_length", 2.5)])
def test_invalid_training_budget(series, param, value):
    with pytest.raises(ValueError, match=param):
        SimCLRTransformer(**{**FAST, param: value}).fit(series[0])


def test_warm_start_and_partial_fit_continue_training(series):
    X, _ = series
    model = SimCLRTransformer(**{**FAST, "warm_start": True}).fit(X)
    encoder = model.net_.module_.encoder
    model.fit(X)
    assert len(model.history_) == 4 and model.net_.module_.encoder is encoder
    online = SimCLRTransformer(**FAST)
    online.partial_fit(X)
    online.partial_fit(X)
    online.partial_fit(X)
    assert len(online.history_) == 3
    cold = SimCLRTransformer(**FAST).fit(X)
    cold.fit(X)
    assert len(cold.history_) == 2


def test_validation_fraction_reports_valid_loss(series):
    X, _ = series
    model = SimCLRTransformer(**{**FAST, "validation_fraction": 0.25}).fit(X)
    assert np.isfinite(model.history_[:, "valid_loss"]).all()
    assert "valid_loss" not in SimCLRTransformer(**FAST).fit(X).history_[-1]
    with pytest.raises(ValueError, match="validation_fraction"):
        SimCLRTransformer(**{**FAST, "validation_fraction": 0.01}).fit(X)


def test_continued_training_validates_on_held_out_part_of_new_data(series):
    X, _ = series
    model = SimCLRTransformer(**{**FAST, "validation_fraction": 0.25, "warm_start": True})
    model.fit(X)
    X_new = X + 100.0  # rows that cannot be mistaken for the first X
    model.fit(X_new)
    valid = model.net_.train_split.keywords["valid_ds"].X.numpy()
    assert valid.shape[0] == 6
    assert valid.min() > 50  # drawn from X_new, not the first fit's hold-out
    assert len(model.history_) == 4 and np.isfinite(model.history_[:, "valid_loss"]).all()


def test_callbacks_are_used_and_not_mutated(series):
    X, _ = series
    scheduler = LRScheduler(policy=StepLR, step_size=1, gamma=0.1)
    model = SimCLRTransformer(**{**FAST, "lr": 1e-2, "callbacks": [scheduler]}).fit(X)
    lr = model.net_.optimizer_.param_groups[0]["lr"]
    assert lr == pytest.approx(1e-2 * 0.1 ** 2)
    assert not hasattr(scheduler, "lr_scheduler_")


def test_early_stopping_needs_the_key_it_monitors(series):
    X, _ = series
    stop = EarlyStopping(monitor="train_loss", patience=1, threshold=10.0)
    model = SimCLRTransformer(**{**FAST, "max_epochs": 20, "callbacks": [stop]}).fit(X)
    assert len(model.history_) == 2
    valid = {**FAST, "max_epochs": 20, "validation_fraction": 0.25,
             "callbacks": [("stop", EarlyStopping(patience=1, threshold=10.0))]}
    assert len(SimCLRTransformer(**valid).fit(X).history_) == 2
    with pytest.raises(ValueError, match="validation_fraction"):
        SimCLRTransformer(**{**FAST, "callbacks": [EarlyStopping()]}).fit(X)


def test_verbose_prints_the_epoch_table_and_one_bar_over_the_fit(series, capsys):
    X, _ = series  # 24 series in batches of 8, 2 epochs within max_steps=5: 5 steps
    SimCLRTransformer(**{**FAST, "verbose": 1, "max_steps": 5}).fit(X)
    out, err = capsys.readouterr()
    assert "train_loss" in out
    assert "\x1b[" not in out  # no colour codes when the output is not a terminal
    bars = [line for line in err.replace("\r", "\n").splitlines() if line.startswith("fit:")]
    assert bars and "5/5" in bars[-1] and "epoch=2" in bars[-1]
    SimCLRTransformer(**FAST).fit(X)
    assert capsys.readouterr() == ("", "")


def test_divergence_and_nan_encoders_raise(series):
    X, _ = series

    class NaNEncoder(MeanLinear):
        def forward(self, x):
            return super().forward(x) * float("nan")

    with pytest.raises(FloatingPointError, match="diverged"):
        SimCLRTransformer(**{**FAST, "encoder": NaNEncoder}).fit(X)

    model = SimCLRTransformer(**FAST).fit(X)
    with torch.no_grad():
        next(model.net_.module_.encoder.parameters()).fill_(float("nan"))
    with pytest.raises(FloatingPointError, match="non-finite embeddings"):
        model.transform(X)


@pytest.mark.parametrize("params, match", [
    ({"temperature": -1.0}, "temperature"),
    ({"temperature": 0.0}, "temperature"),
    ({"batch_size": 0}, "batch_size"),
    ({"encoder": "transformer"}, "encoder"),
    ({"device": "tpu"}, "Unknown device"),
    ({"max_epochs": 0}, "max_epochs"),
    ({"lr": -1.0}, "lr"),
])
def test_invalid_parameters(params, match, series):
    X, _ = series
    with pytest.raises(ValueError, match=match):
        SimCLRTransformer(**{**FAST, **params}).fit(X)


@pytest.mark.parametrize("cls", METHODS)
def test_encoder_params_build_the_encoder(cls, series):
    X, _ = series
    model = cls(**{**FAST, "encoder_params": {"widths": (3, 5), "pooling": "max"}}).fit(X)
    encoder = unwrap_encoder(model.encoder_)[0]
    assert [layer.conv.out_channels for layer in encoder.layers] == [3, 5, 16]
    width = 16 + 2 * 2 * (model.standardize == "series")
    assert encoder.pooling == "max" and model.transform(X).shape == (len(X), width)
    assert model.get_params()["encoder_params"] == {"widths": (3, 5), "pooling": "max"}


@pytest.mark.parametrize("params, error, match", [
    ({"hidden_channels": 8}, TypeError, "'hidden_channels', which FCN does not take"),
    ({"out_features": 8}, ValueError, "may not set out_features"),
    ({"pooling": "median"}, ValueError, "pooling must be one of"),
    ([("pooling", "max")], ValueError, "encoder_params"),
])
def test_invalid_encoder_params(series, params, error, match):
    X, _ = series
    with pytest.raises(error, match=match):
        SimCLRTransformer(**{**FAST, "encoder_params": params}).fit(X)


def test_encoder_params_refused_for_built_encoders(series):
    X, _ = series
    fitted = SimCLRTransformer(**FAST).fit(X)
    for encoder in (fitted, ResNet1D(2, 16)):
        with pytest.raises(ValueError, match="already built: leave encoder_params=None"):
            SimCLRTransformer(**{**FAST, "encoder": encoder,
                                 "encoder_params": {"pooling": "max"}}).fit(X)


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_cuda_without_cuda_is_a_clear_error(series):
    X, _ = series
    with pytest.raises(ValueError, match="CUDA is not available"):
        SimCLRTransformer(**{**FAST, "device": "cuda"}).fit(X)


@pytest.mark.parametrize("cls", METHODS)
def test_invalid_method_parameters(cls, series):
    X, _ = series
    bad = {SimCLRTransformer: {"temperature": float("-inf")},
           BarlowTwinsTransformer: {"lambda_": -0.1},
           VICRegTransformer: {"var_weight": -1.0},
           TS2VecTransformer: {"alpha": 1.5}}[cls]
    with pytest.raises(ValueError, match=next(iter(bad))):
        cls(**{**FAST, **bad}).fit(X)


@pytest.mark.parametrize("X, error, match", [
    (None, TypeError, "None"),
    (np.zeros(10), ValueError, "1-D"),
    (np.zeros((4, 1, 5, 5)), ValueError, "4-D"),
    (np.zeros((0, 5)), ValueError, "0 sample"),
    (np.zeros((1, 5)), ValueError, "1 sample"),
    (np.array([["a", "b"], ["c", "d"]]), TypeError, "string"),
    (np.ones((3, 5)) * 1j, ValueError, "omplex"),
    (np.array([[1.0, np.inf], [1.0, 2.0]]), ValueError, "inf"),
    (np.array([[np.nan, np.nan], [1.0, 2.0]]), ValueError, "NaN"),
    ((np.zeros((4, 1, 5)), None), TypeError, r"tuple \(X, y\).*unpack it"),
    ((np.zeros((4, 1, 5)), np.arange(4)), TypeError, r"tuple \(X, y\)"),
])
def test_bad_input_is_a_clear_error(X, error, match):
    with pytest.raises(error, match=match):
        SimCLRTransformer(**FAST).fit(X)


def test_transform_checks_channels_and_fitted(series):
    X, _ = series
    from sklearn.exceptions import NotFittedError
    with pytest.raises(NotFittedError):
        SimCLRTransformer(**FAST).transform(X)
    model = SimCLRTransformer(**FAST).fit(X)
    with pytest.raises(ValueError, match="X has 1 channels, but SimCLRTransformer was fitted "):
        model.transform(X[:, :1])


def pyramid_readout(H, axis):
    """Max over the whole series, halves and quarters of (n, t, d) NaN-padded features."""
    lengths = (~np.isnan(H[:, :, 0])).sum(axis=axis)
    rows = []
    for h, length in zip(H, lengths):
        parts = [h[s * length // k:max((s + 1) * length // k, s * length // k + 1)].max(axis=0)
                 for k in (1, 2, 4) for s in range(k)]
        rows.append(np.concatenate(parts))
    return np.stack(rows)


@pytest.mark.parametrize("cls, encoder, params, pool", [
    (SimCLRTransformer, "resnet", None, np.nanmean),
    (TS2VecTransformer, "ts2vec", None, np.nanmax),
    (TS2VecTransformer, "ts2vec", {"pooling": "pyramid"}, pyramid_readout),
    (SimCLRTransformer, "resnet", {"pooling": "pyramid"}, pyramid_readout)])
def test_timestamp_representations_pool_to_the_embeddings(series, cls, encoder, params, pool):
    X, _ = series
    ragged = [x[:, : 20 + i % 7] for i, x in enumerate(X)]
    model = cls(**{**FAST, "encoder": encoder, "encoder_params": params}).fit(ragged)
    H = model.transform_timestamps(ragged)
    assert H.shape == (24, 26, 16) and H.dtype == np.float32
    lengths = np.array([20 + i % 7 for i in range(24)])
    padded = np.arange(26)[None, :] >= lengths[:, None]
    assert np.isnan(H[padded]).all() and np.isfinite(H[~padded]).all()
    pooled = pool(H, axis=1)  # the embedding, before the series statistics of "series"
    np.testing.assert_allclose(pooled, model.transform(ragged)[:, :pooled.shape[1]],
                               rtol=1e-5, atol=1e-5)
    # one series alone gets the same features (eval mode, padding does not leak)
    np.testing.assert_allclose(model.transform_timestamps([ragged[3]])[0], H[3, :23],
                               rtol=1e-5, atol=1e-5)


def test_timestamp_representations_need_per_timestamp_features(series):
    X, _ = series
    model = SimCLRTransformer(**{**FAST, "encoder": MeanLinear}).fit(X)
    with pytest.raises(ValueError, match="per-timestamp features"):
        model.transform_timestamps(X)

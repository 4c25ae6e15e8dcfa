"""Continued training (warm start, partial_fit): a changed parameter takes effect or is refused."""

import numpy as np
import pytest
import torch
from sklearn import config_context
from sklearn.utils._param_validation import InvalidParameterError
from skorch.callbacks import Callback

from sslts import BarlowTwinsTransformer, SimCLRTransformer, TS2VecTransformer, VICRegTransformer
from sslts.augmentations import Compose, Jitter, Scaling

from .conftest import FAST


class BatchSizes(Callback):
    """Sizes of the training batches, and the learning rate seen at each step."""

    def __init__(self):
        self.sizes, self.lrs = [], []

    def on_batch_begin(self, net, batch=None, training=False, **kwargs):
        if training:
            self.sizes.append(len(batch[0]["x"]))
            self.lrs.append(net.optimizer_.param_groups[0]["lr"])


def warm(**params):
    return SimCLRTransformer(**{**FAST, "max_epochs": 1, "batch_size": 12, "lr": 1e-3,
                                "warm_start": True, **params})


def test_changed_training_parameters_take_effect(series):
    X, _ = series  # 24 series
    model = warm().fit(X)
    state = {k: v.clone() for k, v in model.net_.optimizer_.state_dict()["state"][0].items()}
    model.set_params(lr=0.5, weight_decay=0.1, batch_size=8, temperature=5.0, max_epochs=2,
                     max_steps=5, callbacks=[("sizes", BatchSizes())])
    model.fit(X)
    groups = model.net_.optimizer_.param_groups
    assert all(g["lr"] == 0.5 and g["weight_decay"] == 0.1 for g in groups)
    assert model.net_.criterion_.temperature == 5.0
    sizes = dict(model.net_.callbacks_)["sizes"]
    # batch 8 over 24 series: 3 steps per epoch; max_steps=5 stops in epoch 2
    assert sizes.sizes == [8] * 5 and sizes.lrs == [0.5] * 5
    assert len(model.history_) == 1 + 2
    # the optimizer kept its moment estimates (a warm start, not a new optimizer)
    assert model.net_.optimizer_.state_dict()["state"][0]["step"] > state["step"]


def test_changed_augmentations_take_effect(series):
    X, _ = series
    model = warm().fit(X)
    policy = Compose([Jitter(sigma=0.5), Scaling()])
    model.set_params(augmentations=policy).fit(X)
    used = model.net_.objective.augmentation
    assert [type(s) for s in used.steps] == [Jitter, Scaling] and used.steps[0].sigma == 0.5
    assert used is not policy  # a copy: the parameter is never modified


@pytest.mark.parametrize("cls, param, value, attribute", [
    (BarlowTwinsTransformer, "lambda_", 0.5, "lambda_"),
    (VICRegTransformer, "cov_weight", 3.0, "cov_weight"),
    (TS2VecTransformer, "soft_temporal", 2.0, "soft_temporal"),
    (TS2VecTransformer, "soft_instance", 5.0, "soft_instance"),
])
def test_changed_loss_parameters_take_effect(series, cls, param, value, attribute):
    X, _ = series
    model = cls(**{**FAST, "max_epochs": 1, "warm_start": True}).fit(X)
    model.set_params(**{param: value}).fit(X)
    assert getattr(model.net_.criterion_, attribute) == value
    if param == "soft_instance":  # the new objective measured its distance scale
        assert model.net_.objective.series_distances
        assert model.net_.objective.distance_scale is not None


def test_changed_random_state_takes_effect(series):
    X, _ = series
    same = warm().fit(X)
    other = warm().fit(X)
    np.testing.assert_array_equal(same.transform(X), other.transform(X))
    same.fit(X)
    other.set_params(random_state=5).fit(X)
    assert not np.allclose(same.transform(X), other.transform(X))


def test_unchanged_callbacks_keep_their_state(series):
    X, _ = series
    counter = BatchSizes()
    model = warm(callbacks=[("sizes", counter)]).fit(X)
    model.fit(X)
    assert len(dict(model.net_.callbacks_)["sizes"].sizes) == 4  # 2 steps per fit
    assert counter.sizes == []  # the user's callback is copied, never used


def test_validation_fraction_can_be_lifted(series):
    X, _ = series
    model = warm(validation_fraction=0.25).fit(X)
    model.set_params(validation_fraction=None).fit(X)
    assert model.net_.train_split is None
    assert "valid_loss" not in model.history_[-1]


@pytest.mark.parametrize("param, value", [("embedding_dim", 8), ("encoder", "resnet"),
                                          ("head_dims", (4, 4)), ("adapt_channels", False),
                                          ("standardize", False),
                                          ("encoder_params", {"pooling": "max"})])
@pytest.mark.parametrize("continue_with", ["fit", "partial_fit"])
def test_architecture_cannot_change(series, param, value, continue_with):
    X, _ = series
    model = warm().fit(X)
    model.set_params(**{param: value})
    with pytest.raises(ValueError, match=f"{param} changed since SimCLRTransformer was fitted"):
        getattr(model, continue_with)(X)
    assert len(model.history_) == 1  # nothing trained


def test_device_cannot_change(series):
    X, _ = series
    model = warm().fit(X)
    model.set_params(device="cpu").fit(X)  # "auto" is the CPU here: no change
    model.net_.device = "cuda:7"  # as if trained elsewhere
    with pytest.raises(ValueError, match="device changed"):
        model.fit(X)


def test_head_dims_as_a_list_or_a_tuple_is_no_change(series):
    X, _ = series
    model = warm(head_dims=[8, 4]).fit(X)
    model.set_params(head_dims=(8, 4)).fit(X)
    assert len(model.history_) == 2


def test_equal_encoder_params_are_no_change(series):
    X, _ = series
    model = warm(encoder_params={"pooling": "max"}).fit(X)
    model.set_params(encoder_params={"pooling": "max"}).fit(X)  # another, equal dict
    assert len(model.history_) == 2
    model.encoder_params["pooling"] = "mean"  # changed in place: refused
    with pytest.raises(ValueError, match="encoder_params changed"):
        model.fit(X)


@pytest.mark.parametrize("continue_with", ["fit", "partial_fit"])
def test_parameters_are_validated_on_every_path(series, continue_with):
    X, _ = series
    model = warm().fit(X)
    model.set_params(lr=-1.0)
    with pytest.raises(InvalidParameterError, match="'lr' parameter of SimCLRTransformer"):
        getattr(model, continue_with)(X)


def test_skip_parameter_validation_is_respected(series, monkeypatch):
    X, _ = series
    model = warm()

    def fail(self):
        raise AssertionError("validated")

    monkeypatch.setattr(SimCLRTransformer, "_validate_params", fail)
    with config_context(skip_parameter_validation=True):
        model.fit(X).fit(X)
        model.partial_fit(X)
    with pytest.raises(AssertionError, match="validated"):
        model.fit(X)


def test_partial_fit_is_one_pass_whatever_max_steps(series):
    X, _ = series
    model = SimCLRTransformer(**{**FAST, "max_steps": 1})  # 24 series in batches of 8
    model.partial_fit(X)
    model.partial_fit(X)
    assert [len(epoch["batches"]) for epoch in model.history_] == [3, 3]
    model.set_params(warm_start=True).fit(X)
    assert len(model.history_[-1, "batches"]) == 1


def test_warm_start_trains_the_same_network(series):
    X, _ = series
    model = warm().fit(X)
    encoder = model.net_.module_.encoder
    before = {k: v.clone() for k, v in encoder.state_dict().items()}
    model.set_params(lr=0.01).fit(X)
    assert model.net_.module_.encoder is encoder
    assert any(not torch.equal(before[k], v) for k, v in encoder.state_dict().items())

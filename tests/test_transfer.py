"""Pretrained encoders: reuse by other estimators, channel adapter, save and load."""

import io
import pickle
import warnings

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.neighbors import KNeighborsClassifier
from skorch.callbacks import Callback

from sslts import BarlowTwinsTransformer, SimCLRTransformer, TS2VecTransformer, VICRegTransformer
from sslts.nn import (
    FCN,
    AdaptedEncoder,
    ChannelAdapter,
    DilatedCNN,
    ResNet1D,
    load_encoder,
    save_encoder,
)
from sslts.nn.transfer import describe_encoder, prepare_encoder

from .conftest import FAST

METHODS = [SimCLRTransformer, BarlowTwinsTransformer, VICRegTransformer, TS2VecTransformer]


class StartWeights(Callback):
    """Record a copy of the encoder's weights when training begins."""

    def on_train_begin(self, net, **kwargs):
        self.weights = {k: v.detach().clone()
                        for k, v in net.module_.encoder.state_dict().items()}


def weights(module):
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


def same_weights(a, b):
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def saved(obj):
    """Save an encoder (module or fitted estimator) into a buffer."""
    buffer = io.BytesIO()
    if isinstance(obj, torch.nn.Module):
        save_encoder(obj, buffer)
    else:
        obj.save_encoder(buffer)
    buffer.seek(0)
    return buffer


def padded(X, length):
    """``X`` (n, c, t) float32 with the steps from ``length`` on set to NaN."""
    X = np.array(X, dtype=np.float32)
    X[..., length:] = np.nan
    return X


# ------------------------------------------------------------ channel adapter
def test_adapter_init_averages_or_copies_channels():
    x = torch.arange(24, dtype=torch.float32).reshape(2, 3, 4)
    down = ChannelAdapter(3, 1)(x)
    torch.testing.assert_close(down, x.mean(dim=1, keepdim=True))
    up = ChannelAdapter(3, 5)(x)
    torch.testing.assert_close(up, x[:, [0, 1, 2, 0, 1]])
    uneven = ChannelAdapter(3, 2)(x)
    torch.testing.assert_close(uneven[:, 0], (x[:, 0] + x[:, 2]) / 2)
    torch.testing.assert_close(uneven[:, 1], x[:, 1])


def test_adapter_keeps_padding_as_padding_and_handles_4d():
    adapter = ChannelAdapter(2, 3)
    with torch.no_grad():
        adapter.conv.bias.fill_(1.0)  # padding must not become the bias
    x = torch.ones(2, 2, 6)
    x[0, :, 4:] = float("nan")
    out = adapter(x)
    assert out.shape == (2, 3, 6)
    assert torch.isnan(out[0, :, 4:]).all() and torch.isfinite(out[0, :, :4]).all()
    assert torch.isfinite(out[1]).all()
    assert adapter(torch.ones(2, 2, 5, 7)).shape == (2, 3, 5, 7)
    with pytest.raises(ValueError, match=r"\(n, 2, \.\.\.\)"):
        adapter(torch.ones(2, 4, 6))


def test_adapted_encoder_embedding_does_not_depend_on_padding():
    torch.manual_seed(0)
    encoder = AdaptedEncoder(ResNet1D(1, out_features=8, widths=(8,)), in_channels=3).eval()
    x = torch.randn(2, 3, 20)
    alone = encoder(x[:, :, :12])
    with torch.no_grad():
        both = encoder(torch.as_tensor(padded(x.numpy(), 12)))
    torch.testing.assert_close(both, alone, rtol=1e-5, atol=1e-5)
    assert encoder.in_channels == 3 and encoder.out_features == 8


def test_adapted_encoder_needs_in_channels():
    with pytest.raises(ValueError, match="in_channels"):
        AdaptedEncoder(torch.nn.Linear(3, 4), in_channels=2)


# ------------------------------------------------------------- save and load
@pytest.mark.parametrize("module", [
    ResNet1D(2, out_features=8, widths=(4, 6), kernel_sizes=(5, 3), pooling="max"),
    FCN(1, out_features=6, widths=(4,), kernel_sizes=(3, 3)),
    DilatedCNN(3, out_features=5, hidden_channels=4, depth=2, kernel_size=2, causal=False,
               pooling="mean"),
    AdaptedEncoder(FCN(2, out_features=4, widths=(4,), kernel_sizes=(3, 1)), in_channels=5),
], ids=["resnet", "fcn", "dilated_cnn", "adapted"])
def test_save_load_round_trip_rebuilds_the_same_encoder(module):
    torch.manual_seed(0)
    for p in module.parameters():  # not the initial weights
        p.data.normal_()
    module.eval()
    x = torch.randn(3, module.in_channels, 17)
    loaded = load_encoder(saved(module))
    assert type(loaded) is type(module) and not loaded.training
    assert same_weights(weights(loaded), weights(module))
    with torch.no_grad():
        torch.testing.assert_close(loaded(x), module(x))


def test_file_holds_plain_data_only(tmp_path):
    path = tmp_path / "encoder.pt"
    save_encoder(FCN(2, out_features=4, widths=(3,), kernel_sizes=(3, 3)), path)
    content = torch.load(path, weights_only=True)
    assert content["name"] == "fcn"
    assert content["kwargs"] == {"in_channels": 2, "out_features": 4, "widths": (3,),
                                 "kernel_sizes": (3, 3), "pooling": "mean"}
    assert all(torch.is_tensor(v) for v in content["state_dict"].values())
    assert isinstance(load_encoder(str(path)), FCN)


def test_custom_encoders_cannot_be_saved_by_name():
    class Custom(torch.nn.Module):
        in_channels, out_features = 2, 3

        def forward(self, x):
            return x.mean(dim=-1)

    class MyResNet(ResNet1D):
        pass

    for module in (Custom(), MyResNet(2, out_features=4)):
        with pytest.raises(TypeError, match="state_dict"):
            save_encoder(module, io.BytesIO())


def test_save_refuses_an_encoder_it_cannot_rebuild_exactly():
    module = ResNet1D(1, out_features=4, widths=(4,))
    module.blocks[0].layers[0].conv._pad = (0, 7)  # same weights, another function
    with pytest.raises(TypeError, match="Cannot recover"):
        save_encoder(module, io.BytesIO())


def test_describe_encoder_reports_the_adapter():
    description = describe_encoder(AdaptedEncoder(ResNet1D(1, out_features=4), in_channels=6))
    assert description["name"] == "resnet" and description["wrappers"] == (("adapt", 6),)
    assert description["kwargs"]["in_channels"] == 1


def test_loading_other_files_is_a_clear_error(tmp_path):
    not_torch = tmp_path / "notes.txt"
    not_torch.write_text("hello")
    code = io.BytesIO()
    torch.save(torch.nn.Linear(2, 2), code)  # unpickling it would need code
    code.seek(0)
    other = io.BytesIO()
    torch.save({"weights": torch.zeros(2)}, other)
    other.seek(0)
    for source in (str(not_torch), code, other):
        with pytest.raises(ValueError, match="not an sslts encoder file"):
            load_encoder(source)
    with pytest.raises(FileNotFoundError):
        load_encoder(tmp_path / "missing.pt")


def test_loading_a_damaged_or_newer_file_is_a_clear_error():
    content = torch.load(saved(FCN(1, out_features=4, widths=(3,), kernel_sizes=(3, 3))),
                         weights_only=True)
    newer = io.BytesIO()
    torch.save({**content, "version": 99}, newer)
    newer.seek(0)
    with pytest.raises(ValueError, match="version 99"):
        load_encoder(newer)
    damaged = io.BytesIO()
    torch.save({**content, "state_dict": {}}, damaged)
    damaged.seek(0)
    with pytest.raises(ValueError, match="damaged"):
        load_encoder(damaged)


# --------------------------------------------------- pretrained estimators
@pytest.mark.parametrize("cls", METHODS)
def test_fitted_transformer_as_encoder_starts_from_a_copy(cls, series):
    X, _ = series
    pretrained = SimCLRTransformer(**FAST).fit(X)
    before = weights(pretrained.encoder_)
    Z = pretrained.transform(X)
    start = StartWeights()
    model = cls(**{**FAST, "encoder": pretrained, "callbacks": [("start", start)]}).fit(X)
    recorded = dict(model.net_.callbacks_)["start"].weights
    assert same_weights(recorded, before)
    assert model.encoder_ is not pretrained.encoder_
    assert not same_weights(weights(model.encoder_), before)  # it trained
    assert same_weights(weights(pretrained.encoder_), before)  # the original did not
    np.testing.assert_array_equal(pretrained.transform(X), Z)


def test_saved_encoder_embeds_like_the_transformer_and_restarts_training(series):
    X, _ = series
    model = SimCLRTransformer(**FAST).fit(X)
    loaded = load_encoder(saved(model))
    with torch.no_grad():
        Z = loaded(torch.as_tensor(X, dtype=torch.float32)).numpy()
    np.testing.assert_allclose(Z, model.transform(X), rtol=1e-5, atol=1e-6)
    restarted = SimCLRTransformer(**{**FAST, "encoder": loaded,
                                     "callbacks": [("start", StartWeights())]}).fit(X)
    assert same_weights(dict(restarted.net_.callbacks_)["start"].weights, weights(model.encoder_))
    assert same_weights(weights(loaded), weights(model.encoder_))  # copied, not trained


def test_channel_mismatch_adds_an_adapter_and_warns(series):
    X, _ = series
    univariate = SimCLRTransformer(**FAST).fit(X[:, 0])
    X3 = np.concatenate([X, X[:, :1]], axis=1)
    ragged = padded(X3, 20)
    ragged[::2] = X3[::2]
    with pytest.warns(UserWarning, match="expects 1 channels but X has 3"):
        model = SimCLRTransformer(**{**FAST, "encoder": univariate}).fit(ragged)
    adapted = model.encoder_.encoder  # inside the standardisation of the new data
    assert isinstance(adapted, AdaptedEncoder)
    assert adapted.adapter.in_channels == 3 and adapted.adapter.out_channels == 1
    Z = model.transform(ragged)
    # 16 features, the level and log spread of the adapted channel, then of the 3 new ones
    assert Z.shape == (24, 16 + 2 * 1 + 2 * 3) and np.isfinite(Z).all()
    alone = model.transform(X3[1:2, :, :20])
    np.testing.assert_allclose(Z[1], alone[0], rtol=1e-4, atol=1e-5)


def test_strict_channels_raise_and_matching_channels_do_not_warn(series):
    X, _ = series
    pretrained = SimCLRTransformer(**FAST).fit(X)
    with pytest.raises(ValueError, match="expects 2 channels but X has 1"):
        SimCLRTransformer(**{**FAST, "encoder": pretrained}, adapt_channels=False).fit(X[:, :1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = SimCLRTransformer(**{**FAST, "encoder": pretrained}, adapt_channels=False).fit(X)
    assert not isinstance(model.encoder_, AdaptedEncoder)


def test_unusable_estimators_as_encoder_are_clear_errors(series):
    X, y = series
    with pytest.raises(NotFittedError, match="fit it first"):
        SimCLRTransformer(**{**FAST, "encoder": SimCLRTransformer()}).fit(X)
    knn = KNeighborsClassifier().fit(X[:, 0], y)
    with pytest.raises(TypeError, match="no trained encoder"):
        SimCLRTransformer(**{**FAST, "encoder": knn}).fit(X)
    with pytest.raises(ValueError, match="adapt_channels"):
        SimCLRTransformer(**FAST, adapt_channels="yes").fit(X)


def test_clones_share_the_pretrained_estimator(series):
    X, _ = series
    pretrained = SimCLRTransformer(**FAST).fit(X)
    copy = clone(SimCLRTransformer(**{**FAST, "encoder": pretrained}))
    assert copy.encoder is pretrained and hasattr(copy.encoder, "net_")
    assert not hasattr(copy, "net_")
    module = ResNet1D(2)
    assert clone(SimCLRTransformer(encoder=module)).encoder is not module  # modules are copied


def test_prepare_encoder_leaves_matching_modules_alone():
    module = ResNet1D(2, out_features=4)
    built = prepare_encoder(module, 2, 99)
    assert type(built) is ResNet1D and built is not module
    assert same_weights(weights(built), weights(module))
    assert isinstance(prepare_encoder("fcn", 3, 5), FCN)


def test_fitted_model_with_pretrained_encoder_pickles(series):
    X, _ = series
    pretrained = SimCLRTransformer(**FAST).fit(X)
    model = VICRegTransformer(**{**FAST, "encoder": pretrained}).fit(X)
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.transform(X), model.transform(X))

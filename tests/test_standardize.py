"""Input standardisation inside the encoder (``standardize``)."""

import io
import pickle
import warnings

import numpy as np
import pytest
import torch

from sslts import SimCLRTransformer, SSLClassifier, TS2VecTransformer
from sslts.nn import (
    FCN,
    AdaptedEncoder,
    ResNet1D,
    SeriesStandardizedEncoder,
    StandardizedEncoder,
    channel_scale,
    load_encoder,
    save_encoder,
    standardized,
    unwrap_encoder,
)
from sslts.training.data import SeriesDataset
from sslts.utils import lazy
from sslts.utils.lazy import LazySeries

from .conftest import FAST


def ragged(seed=0, n=30, c=3, t=40):
    """float32 series in different units per channel, the last ones NaN-padded."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, c, t)) * np.array([5.0, 0.01, 300.0])[:c, None]
    X = (X + np.array([1e3, -2.0, 0.0])[:c, None]).astype(np.float32)
    X[-5:, :, 25:] = np.nan
    return X


def direct_statistics(X):
    values = np.moveaxis(X, 1, 0).reshape(X.shape[1], -1).astype(np.float64)
    return np.nanmean(values, axis=1), np.nanstd(values, axis=1)


@pytest.mark.parametrize("chunk_rows", [1, 7, 1000])
def test_channel_statistics_match_numpy_in_memory_and_out_of_core(chunk_rows, monkeypatch,
                                                                  tmp_path):
    X = ragged()
    monkeypatch.setattr(lazy, "CHUNK_BYTES", chunk_rows * 3 * 40 * 8)
    mean, std = direct_statistics(X)
    path = tmp_path / "X.npy"
    np.save(path, X)
    for source in (X, LazySeries(np.load(path, mmap_mode="r"))):
        got_mean, got_std = SeriesDataset(source).channel_statistics()
        np.testing.assert_allclose(got_mean, mean, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(got_std, std, rtol=1e-10)


def test_channel_scale_keeps_constant_channels_unscaled():
    np.testing.assert_array_equal(channel_scale([2.0, 0.0, 1e-3]),
                                  np.float32([2.0, 1.0, 1e-3]))


def test_standardized_encoder_standardizes_and_keeps_padding():
    torch.manual_seed(0)
    inner = FCN(2, out_features=4, widths=(3,), kernel_sizes=(3, 3)).eval()
    module = StandardizedEncoder(inner, [10.0, -1.0], [2.0, 0.5]).eval()
    x = torch.randn(3, 2, 12)
    x[0, :, 8:] = float("nan")
    expected_input = (x - torch.tensor([10.0, -1.0]).view(1, 2, 1)) / torch.tensor(
        [2.0, 0.5]).view(1, 2, 1)
    with torch.no_grad():
        torch.testing.assert_close(module(x), inner(expected_input))
        features = module.forward_features(x)
        torch.testing.assert_close(features, inner.forward_features(expected_input))
    assert torch.isnan(expected_input[0, :, 8:]).all()
    assert torch.equal(features[0, :, 8:], torch.zeros(4, 4))  # padding masked
    assert module.in_channels == 2 and module.out_features == 4


@pytest.mark.parametrize("mean, scale, match", [
    ([0.0, 0.0], [1.0], "1-D of one length"),
    ([[0.0]], [[1.0]], "1-D of one length"),
    ([np.nan], [1.0], "finite"),
    ([0.0], [0.0], "positive"),
])
def test_standardized_encoder_refuses_bad_statistics(mean, scale, match):
    with pytest.raises(ValueError, match=match):
        StandardizedEncoder(FCN(1, out_features=4), mean, scale)


def test_standardized_encoder_refuses_another_channel_count():
    module = StandardizedEncoder(FCN(2, out_features=4), [0.0, 0.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="2 channels on axis 1"):
        module(torch.zeros(2, 3, 10))


@pytest.mark.parametrize("cls", [SimCLRTransformer, TS2VecTransformer])
def test_units_do_not_change_the_model(cls):
    X = ragged(c=2)
    # another unit; a power of two, so that float rounding is the same too
    scaled = X * np.float32(1024.0)
    params = dict(max_steps=5, batch_size=8, random_state=0, n_jobs=1)  # same sums
    Z = cls(**params).fit(X).transform(X)
    Z_scaled = cls(**params).fit(scaled).transform(scaled)
    np.testing.assert_allclose(Z_scaled, Z, rtol=1e-6, atol=1e-6 * np.abs(Z).max())
    raw = cls(**params, standardize=False)
    Z_raw = raw.fit(X).transform(X)
    Z_raw_scaled = raw.fit(scaled).transform(scaled)
    assert not np.allclose(Z_raw_scaled, Z_raw, rtol=1e-2, atol=1e-2 * np.abs(Z_raw).max())


def test_statistics_come_from_the_training_split_and_input_is_unchanged():
    X = ragged()
    before = X.copy()
    model = SimCLRTransformer(**FAST).fit(X)
    mean, std = direct_statistics(X)
    np.testing.assert_allclose(model.encoder_.mean.numpy(), mean, rtol=1e-5)
    np.testing.assert_allclose(model.encoder_.scale.numpy(), std, rtol=1e-5)
    held_out = SimCLRTransformer(**FAST, validation_fraction=0.5).fit(X)
    assert not np.allclose(held_out.encoder_.mean.numpy(), mean, rtol=1e-4)
    np.testing.assert_array_equal(X, before)


def test_standardize_false_feeds_the_values_as_they_are():
    model = SimCLRTransformer(**FAST, standardize=False).fit(ragged())
    assert type(model.encoder_) is FCN


def test_constant_channel_is_centred_only():
    X = ragged(c=2)
    X[:, 1] = np.where(np.isnan(X[:, 1]), np.nan, 7.0)
    model = SimCLRTransformer(**FAST).fit(X)
    assert model.encoder_.scale[1].item() == 1.0
    assert model.encoder_.mean[1].item() == pytest.approx(7.0)
    assert np.isfinite(model.transform(X)).all()


def test_pretrained_statistics_are_kept_by_transfer_pickle_and_files():
    X = ragged()
    source = SimCLRTransformer(**FAST, standardize=True).fit(X)
    target_X = ragged(seed=1) * np.float32(3.0)
    y = np.arange(len(target_X)) % 2
    for model in (SimCLRTransformer(**{**FAST, "encoder": source}).fit(target_X),
                  SSLClassifier(source, embedding_dim=16, max_epochs=1, batch_size=8,
                                random_state=0).fit(target_X, y)):
        encoder, wrappers = unwrap_encoder(model.encoder_)
        assert wrappers == [("standardize", 3)]  # not standardised twice
        torch.testing.assert_close(model.encoder_.mean, source.encoder_.mean)
    copy = pickle.loads(pickle.dumps(source))
    np.testing.assert_array_equal(copy.transform(X), source.transform(X))
    buffer = io.BytesIO()
    source.save_encoder(buffer)
    buffer.seek(0)
    loaded = load_encoder(buffer)
    assert type(loaded) is StandardizedEncoder
    x = torch.as_tensor(X)
    with torch.no_grad():
        torch.testing.assert_close(loaded(x), source.encoder_.cpu().eval()(x))


def test_another_channel_count_is_standardised_before_the_adapter():
    source = SimCLRTransformer(**FAST).fit(ragged(c=1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        model = SimCLRTransformer(**{**FAST, "encoder": source}).fit(ragged(c=3))
    assert unwrap_encoder(model.encoder_)[1] == [("standardize_series", 3), ("adapt", 3),
                                                 ("standardize_series", 1)]
    buffer = io.BytesIO()
    model.save_encoder(buffer)
    buffer.seek(0)
    loaded = load_encoder(buffer)
    x = torch.as_tensor(ragged(seed=2, c=3))
    with torch.no_grad():
        torch.testing.assert_close(loaded(x), model.encoder_.cpu().eval()(x))


def test_version_1_files_still_load():
    module = AdaptedEncoder(ResNet1D(1, out_features=4, widths=(3,)), in_channels=2)
    buffer = io.BytesIO()
    save_encoder(module, buffer)
    buffer.seek(0)
    content = torch.load(buffer, weights_only=True)
    assert content["version"] == 2
    old = {k: v for k, v in content.items() if k != "wrappers"}
    old.update(version=1, adapter_in_channels=2)
    buffer = io.BytesIO()
    torch.save(old, buffer)
    buffer.seek(0)
    loaded = load_encoder(buffer)
    x = torch.randn(2, 2, 16)
    with torch.no_grad():
        torch.testing.assert_close(loaded(x), module.eval()(x))


# ------------------------------------------------------ each series standardised on its own


def test_series_standardized_encoder_matches_a_direct_computation():
    torch.manual_seed(0)
    inner = FCN(2, out_features=4, widths=(3,), kernel_sizes=(3, 3)).eval()
    module = SeriesStandardizedEncoder(inner, [10.0, -1.0], [2.0, 0.5]).eval()
    x = torch.randn(3, 2, 12, dtype=torch.float64).float() * 3 + 5
    x[0, :, 8:] = float("nan")  # padding: left out of the series' statistics
    x[2, 1] = 4.0  # a constant channel
    z = (x - torch.tensor([10.0, -1.0]).view(1, 2, 1)) / torch.tensor([2.0, 0.5]).view(1, 2, 1)
    level = torch.stack([torch.stack([row[~torch.isnan(row)].mean() for row in series])
                         for series in z])
    spread = torch.stack([torch.stack([row[~torch.isnan(row)].std(correction=0)
                                       for row in series]) for series in z])
    spread = spread.clamp(min=1e-4)
    standardized = (z - level[..., None]) / spread[..., None]
    with torch.no_grad():
        out = module(x)
        torch.testing.assert_close(out[:, :4], inner(standardized))
        torch.testing.assert_close(out[:, 4:], torch.cat([level, spread.log()], dim=1))
        torch.testing.assert_close(module.forward_features(x), inner.forward_features(standardized))
    assert torch.isfinite(out).all() and out[2, 7] == pytest.approx(np.log(1e-4))
    assert module.out_features == 4 + 2 * 2 and module.in_channels == 2


def test_series_standardize_sees_shapes_at_one_scale_and_keeps_the_scale():
    X = ragged(c=2)
    before = X.copy()
    model = TS2VecTransformer(**{**FAST, "standardize": "series"}).fit(X)
    assert isinstance(model.encoder_, SeriesStandardizedEncoder)
    Z = model.transform(X)
    assert Z.shape == (len(X), model.embedding_dim_) and model.embedding_dim_ == 16 + 4
    changed = X.copy()
    changed[3] = changed[3] * np.float32(64.0) + np.float32(5.0)  # one series, rescaled
    Z_changed = model.transform(changed)
    np.testing.assert_allclose(Z_changed[3, :16], Z[3, :16], rtol=1e-4, atol=1e-4)  # same shape
    assert np.allclose(Z_changed[3, 18:], Z[3, 18:] + np.log(64.0), atol=1e-4)  # log spread
    np.testing.assert_allclose(np.delete(Z_changed, 3, 0), np.delete(Z, 3, 0), rtol=1e-6)
    np.testing.assert_array_equal(X, before)
    plain = TS2VecTransformer(**FAST).fit(X).transform(changed)
    assert not np.allclose(plain[3], TS2VecTransformer(**FAST).fit(X).transform(X)[3],
                           rtol=1e-3, atol=1e-3)  # the default depends on the series' scale


def test_series_standardize_travels_with_pickles_and_files():
    X = ragged()
    model = SimCLRTransformer(**{**FAST, "standardize": "series"}).fit(X)
    assert model.transform(X).shape[1] == model.embedding_dim_ == 16 + 2 * 3
    copy = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(copy.transform(X), model.transform(X))
    buffer = io.BytesIO()
    model.save_encoder(buffer)
    buffer.seek(0)
    loaded = load_encoder(buffer)
    assert type(loaded) is SeriesStandardizedEncoder
    assert unwrap_encoder(loaded)[1] == [("standardize_series", 3)]
    x = torch.as_tensor(X)
    with torch.no_grad():
        torch.testing.assert_close(loaded(x), model.encoder_.cpu().eval()(x))


@pytest.mark.parametrize("value", ["channels", 1.0])
def test_standardize_refuses_other_values(value):
    with pytest.raises(ValueError, match="standardize"):
        SimCLRTransformer(**{**FAST, "standardize": value}).fit(ragged())


def test_channel_statistics_are_read_once_per_dataset(monkeypatch):
    reads = []
    read = SeriesDataset._read_channel_statistics
    monkeypatch.setattr(SeriesDataset, "_read_channel_statistics",
                        lambda self: reads.append(len(self)) or read(self))
    dataset = SeriesDataset(ragged())
    mean, std = dataset.channel_statistics()
    mean[:] = 99.0  # the caller's copy: the dataset's statistics stay as read
    np.testing.assert_allclose(dataset.channel_statistics()[0], direct_statistics(ragged())[0])
    assert reads == [len(dataset)]
    # one fit standardises the input and scales the soft-instance distances: one read
    reads.clear()
    TS2VecTransformer(embedding_dim=8, max_steps=2, batch_size=8, soft_instance=10,
                      random_state=0, device="cpu").fit(ragged())
    assert reads == [len(ragged())]


def test_standardized_wraps_as_the_parameter_says():
    inner = FCN(2, out_features=4, widths=(3,), kernel_sizes=(3, 3))
    mean, std = [1.0, -2.0], [2.0, 0.0]
    assert standardized(inner, False, mean, std) is inner
    for value, kind in [(True, StandardizedEncoder), (np.True_, StandardizedEncoder),
                        ("series", SeriesStandardizedEncoder)]:
        module = standardized(inner, value, mean, std)
        assert type(module) is kind and module.encoder is inner
        torch.testing.assert_close(module.scale, torch.tensor([2.0, 1.0]))  # channel_scale
    for bad in ("channels", 1, None):
        with pytest.raises(ValueError, match="standardize must be True, False or 'series'"):
            standardized(inner, bad, mean, std)

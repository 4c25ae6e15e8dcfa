"""TS2Vec (overlapping crops, latent masking, averaged weights) and the hierarchical level."""

import pickle

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback

from sslts import BarlowTwinsTransformer, SimCLRTransformer, TS2VecTransformer, VICRegTransformer
from sslts.losses import HierarchicalContrastiveLoss, MultiscaleLoss
from sslts.nn import TS2VecEncoder, unwrap_encoder
from sslts.training.averaging import WeightAverage
from sslts.training.net import SSLModule
from sslts.training.objectives import OverlappingCrops, project_timestamps, take_windows
from sslts.utils.random import seeded_generator

from .conftest import FAST


def pointwise_module():
    """An encoder whose feature at a timestamp depends on that timestamp only."""
    torch.manual_seed(0)
    return SSLModule(TS2VecEncoder(1, out_features=4, depth=0, kernel_size=1), torch.nn.Identity())


def ragged_batch(lengths, t=30, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(len(lengths), 1, t, generator=g)
    for i, length in enumerate(lengths):
        x[i, :, length:] = float("nan")
    return x, torch.tensor(lengths)


@pytest.mark.parametrize("joint", [True, False])
@pytest.mark.parametrize("seed", range(5))
def test_the_two_crops_describe_the_same_timestamps(seed, joint):
    """Without masking or dropout a pointwise encoder gives equal features in both crops."""
    module = pointwise_module().eval()
    x, lengths = ragged_batch([30, 22, 9, 30])
    out = OverlappingCrops(joint=joint)(module, x, lengths, seeded_generator(seed))
    f1, f2, mask = out.loss_inputs
    assert f1.shape == f2.shape and mask.shape == (4, f1.shape[2])
    torch.testing.assert_close(f1, f2)
    # padding of the shorter series is outside the mask, and some timestamps exist
    assert mask.any() and (f1.masked_select(~mask[:, None, :]) == 0).all()
    assert out.embeddings.shape == (8, 4)


@pytest.mark.parametrize("seed", range(3))
def test_joint_and_separate_crops_give_the_same_features(seed):
    """Encoding both crops in one padded pass or in two changes nothing."""
    torch.manual_seed(seed)
    module = SSLModule(TS2VecEncoder(1, out_features=8, hidden_channels=8, depth=3),
                       torch.nn.Identity()).eval()
    x, lengths = ragged_batch([30, 22, 9, 30])
    joint, separate = (OverlappingCrops(joint=j)(module, x, lengths, seeded_generator(seed))
                       for j in (True, False))
    for a, b in zip(joint.loss_inputs, separate.loss_inputs):
        torch.testing.assert_close(a, b)
    torch.testing.assert_close(joint.embeddings, separate.embeddings)


def test_crops_move_per_series_and_stay_in_their_length():
    module = pointwise_module().eval()
    x, lengths = ragged_batch([30] * 6)
    starts = set()
    for seed in range(20):
        f1, _, mask = OverlappingCrops()(module, x, lengths, seeded_generator(seed)).loss_inputs
        assert mask.all()  # equal lengths: every overlap timestamp exists
        # locate the overlap of each series in its own features
        full = module.encoder.forward_features(x)
        for i in range(6):
            found = [s for s in range(31 - f1.shape[2])
                     if torch.allclose(full[i, :, s:s + f1.shape[2]], f1[i])]
            starts.add(found[0])
    assert len(starts) > 5  # the overlap is drawn anywhere in the series


def test_take_windows():
    x = torch.arange(20.0).view(2, 1, 10)
    out = take_windows(x, torch.tensor([1, 6]), 3)
    assert out.tolist() == [[[1.0, 2.0, 3.0]], [[16.0, 17.0, 18.0]]]


def test_a_masked_timestamp_does_not_reach_the_features():
    torch.manual_seed(0)
    encoder = TS2VecEncoder(2, out_features=8, depth=2).eval()
    x = torch.randn(3, 2, 20)
    keep = torch.ones(3, 20, dtype=torch.bool)
    keep[:, 7] = False
    changed = x.clone()
    changed[:, :, 7] += 5.0
    torch.testing.assert_close(encoder.forward_features(x, latent_mask=keep),
                               encoder.forward_features(changed, latent_mask=keep))
    assert not torch.allclose(encoder.forward_features(x), encoder.forward_features(changed))
    torch.testing.assert_close(encoder.forward_features(x, latent_mask=torch.ones_like(keep)),
                               encoder.forward_features(x))


def test_training_masks_about_the_requested_fraction():
    module = pointwise_module().train()
    crops = OverlappingCrops(timestamp_mask=0.3, dropout=0.0)
    x = torch.randn(64, 1, 200)
    features = crops._features(module, x, seeded_generator(0))
    constant = module.encoder.forward_features(
        torch.ones(1, 1, 1), latent_mask=torch.zeros(1, 1, dtype=torch.bool))[0, :, 0]
    masked = torch.isclose(features, constant[None, :, None], atol=1e-6).all(dim=1)
    masked = masked.float().mean().item()
    assert 0.27 < masked < 0.33
    # no masking at all in eval mode
    eval_features = crops._features(module.eval(), x, seeded_generator(0))
    torch.testing.assert_close(eval_features, module.encoder.forward_features(x))


def test_weight_average_is_the_mean_of_the_steps():
    module = torch.nn.Linear(2, 1)
    average = WeightAverage(module)
    seen = []
    for value in (1.0, 2.0, 6.0):
        with torch.no_grad():
            module.weight.fill_(value)
        average.update()
        seen.append(value)
    average.apply()
    assert torch.allclose(module.weight, torch.full((1, 2), np.mean(seen)))


class RecordWeights(Callback):
    def initialize(self):
        self.weights = []
        return self

    def on_batch_end(self, net, training=False, **kwargs):
        if training:
            encoder = unwrap_encoder(net.module_.encoder)[0]
            self.weights.append(encoder.input_projection.weight.detach().clone())


def test_transform_uses_the_average_of_the_steps(series):
    X, _ = series
    params = dict(embedding_dim=8, max_steps=5, batch_size=8, random_state=0)
    model = TS2VecTransformer(callbacks=[("record", RecordWeights())], **params).fit(X)
    weights = dict(model.net_.callbacks_)["record"].weights
    assert len(weights) == 5
    trained = unwrap_encoder(model.encoder_)[0].input_projection.weight.detach()
    torch.testing.assert_close(trained, torch.stack(weights).mean(0))
    last = TS2VecTransformer(average_weights=False, **params).fit(X)
    last_weights = unwrap_encoder(last.encoder_)[0].input_projection.weight.detach()
    torch.testing.assert_close(last_weights, weights[-1])
    # a warm start may switch it off
    model.set_params(average_weights=False, warm_start=True).fit(X)
    assert model.net_.average_weights is False


def test_fit_on_ragged_series_pickles_and_validates(series):
    X, _ = series
    ragged = [x[:, : 20 + i % 7] for i, x in enumerate(X)]
    model = TS2VecTransformer(**{**FAST, "validation_fraction": 0.25}).fit(ragged)
    assert np.isfinite(model.history_[:, "valid_loss"]).all()
    Z = model.transform(ragged)
    assert Z.shape == (24, 16 + 2 * 2) and np.isfinite(Z).all()  # + mean, log std per channel
    clone = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(clone.transform(ragged), Z)


def test_default_encoder_is_ts2vecs(series):
    model = TS2VecTransformer(embedding_dim=8, max_steps=2, random_state=0).fit(series[0])
    encoder, wrappers = unwrap_encoder(model.encoder_)
    assert isinstance(encoder, TS2VecEncoder) and not encoder.causal
    assert wrappers == [("standardize_series", 2)] and model.standardize == "series"
    assert len(encoder.blocks) == 11 and encoder.pooling == "max"
    assert encoder.init_kwargs["hidden_channels"] == 128  # the reference has 64
    assert encoder.input_projection.out_channels == 128
    assert model.net_.objective.augmentation is None


@pytest.mark.parametrize("params, hidden, depth", [
    ({"encoder": "dilated_cnn"}, 64, 10),
    ({"encoder_params": {}}, 128, 10),
    ({"encoder_params": {"hidden_channels": 64}}, 64, 10),
    ({"encoder_params": {"depth": 2}}, 128, 2),
    ({"encoder": "ts2vec", "encoder_params": {"hidden_channels": 16, "depth": 3}}, 16, 3)])
def test_encoder_params_update_the_wider_default_of_the_ts2vec_encoder(series, params, hidden,
                                                                       depth):
    model = TS2VecTransformer(embedding_dim=8, max_steps=2, random_state=0, **params)
    encoder = unwrap_encoder(model.fit(series[0]).encoder_)[0]
    assert encoder.init_kwargs["hidden_channels"] == hidden
    assert encoder.init_kwargs["depth"] == depth
    assert model.encoder_params == params.get("encoder_params")  # the parameter is not modified


def test_pyramid_readout(series):
    X = series[0]
    model = TS2VecTransformer(embedding_dim=8, max_steps=2, random_state=0,
                              encoder_params={"pooling": "pyramid", "depth": 3}).fit(X)
    encoder = unwrap_encoder(model.encoder_)[0]
    assert encoder.pooling == "pyramid" and len(encoder.blocks) == 4
    # 7 maxima of the 8 features per timestamp (TS2Vec's own readout first), then
    # the mean and log std of the 2 channels
    Z = model.transform(X)
    assert Z.shape == (24, 60) and model.embedding_dim_ == 60
    assert model.get_feature_names_out()[-1] == "ts2vectransformer59"
    H = model.transform_timestamps(X)
    assert H.shape == (24, 32, 8)
    np.testing.assert_allclose(Z[:, :8], np.nanmax(H, axis=1), rtol=1e-5, atol=1e-5)


def test_head_dims_are_refused(series):
    with pytest.raises(ValueError, match="no projection head"):
        TS2VecTransformer(**{**FAST, "head_dims": (8,)}).fit(series[0])


def test_encoders_without_timestamp_features_are_refused(series):
    class Pooled(torch.nn.Module):
        def __init__(self, in_channels, out_features):
            super().__init__()
            self.proj = torch.nn.Linear(in_channels, out_features)

        def forward(self, x):
            return self.proj(torch.nan_to_num(x).mean(-1))

    class NoLatentMask(Pooled):
        def forward_features(self, x):
            return self.proj(torch.nan_to_num(x).transpose(1, 2)).transpose(1, 2)

    X = series[0]
    with pytest.raises(ValueError, match="forward_features"):
        TS2VecTransformer(**{**FAST, "encoder": Pooled}).fit(X)
    with pytest.raises(ValueError, match="timestamp_mask=0"):
        TS2VecTransformer(**{**FAST, "encoder": NoLatentMask}).fit(X)
    model = TS2VecTransformer(**{**FAST, "encoder": NoLatentMask, "timestamp_mask": 0.0}).fit(X)
    assert np.isfinite(model.transform(X)).all()


def test_images_are_refused():
    X = np.random.default_rng(0).normal(size=(8, 1, 6, 6)).astype(np.float32)
    with pytest.raises(ValueError, match="3-D input"):
        TS2VecTransformer(**{**FAST, "encoder": "resnet2d"}).fit(X)


@pytest.mark.parametrize("params, match", [({"timestamp_mask": 1.0}, "timestamp_mask"),
                                           ({"dropout": -0.1}, "dropout"),
                                           ({"temporal_unit": -1}, "temporal_unit"),
                                           ({"average_weights": "yes"}, "average_weights"),
                                           ({"soft_temporal": 0.0}, "soft_temporal"),
                                           ({"soft_temporal": "on"}, "soft_temporal"),
                                           ({"mixup_negatives": 1.0}, "mixup_negatives"),
                                           ({"mixup_negatives": 0}, "mixup_negatives"),
                                           ({"soft_instance": 0.0}, "soft_instance"),
                                           ({"soft_instance": "dtw"}, "soft_instance")])
def test_invalid_parameters(series, params, match):
    with pytest.raises(ValueError, match=match):
        TS2VecTransformer(**{**FAST, **params}).fit(series[0])


@pytest.mark.parametrize("name, value", [("soft_temporal", 0.5), ("mixup_negatives", 0.2),
                                         ("soft_instance", 3.0)])
def test_loss_options_change_the_training_reproducibly(series, name, value):
    X, _ = series
    plain = TS2VecTransformer(**FAST).fit(X)
    changed = TS2VecTransformer(**{**FAST, name: value}).fit(X)
    assert getattr(plain.net_.criterion_, name) is None
    assert getattr(changed.net_.criterion_, name) == value
    assert np.isfinite(changed.history_[:, "train_loss"]).all()
    Z = changed.transform(X)
    assert np.isfinite(Z).all() and not np.allclose(Z, plain.transform(X))
    again = TS2VecTransformer(**{**FAST, name: value}).fit(X)
    np.testing.assert_allclose(again.transform(X), Z, rtol=1e-5, atol=1e-6)


def test_series_distances_are_scaled_over_the_training_set():
    """The batch's distances: RMS differences of the standardised series, 0 for the
    closest pair of training series and 1 for the farthest, padding left out."""
    from sslts.training.data import SeriesDataset

    x, lengths = ragged_batch([30, 22, 9, 30, 17], seed=3)
    x[:, :, :] *= 4.0  # standardising undoes the scale
    crops = OverlappingCrops(series_distances=True)
    with pytest.raises(RuntimeError, match="prepare"):
        crops(pointwise_module(), x, lengths, seeded_generator(0))
    crops.prepare(SeriesDataset(x, lengths))
    distances = crops(pointwise_module(), x, lengths, seeded_generator(0)).loss_inputs[3]
    assert distances.shape == (5, 5) and torch.equal(distances, distances.T)
    assert (distances.diagonal() == 0).all()
    off = distances[~torch.eye(5, dtype=torch.bool)]
    assert off.min() == 0 and off.max() == 1
    values = x.flatten().nan_to_num(0)[~torch.isnan(x.flatten())]
    z = (x - values.mean()) / values.std(correction=0)
    raw = torch.tensor([[float(torch.sqrt(((z[i] - z[j]) ** 2).nanmean())) for j in range(5)]
                        for i in range(5)])
    low, high = raw[~torch.eye(5, dtype=torch.bool)].aminmax()
    expected = ((raw - low) / (high - low)).fill_diagonal_(0.0)
    torch.testing.assert_close(distances, expected, rtol=1e-4, atol=1e-5)
    # a batch of two series keeps the training set's scale (not 0 and 1 of its own)
    pair = crops(pointwise_module(), x[[1, 4]], lengths[[1, 4]],
                 seeded_generator(0)).loss_inputs[3]
    torch.testing.assert_close(pair[0, 1], expected[1, 4], rtol=1e-4, atol=1e-5)
    assert 0 < pair[0, 1] < 1


# ------------------------------------------- the hierarchical level of the two-view methods


def test_project_timestamps_keeps_padding_out_of_the_head():
    torch.manual_seed(0)
    head = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.BatchNorm1d(5)).train()
    h = torch.randn(2, 3, 4)
    valid = torch.tensor([[True, True, True, False], [True, False, False, False]])
    out = project_timestamps(head, h, valid)
    assert out.shape == (2, 5, 4)
    assert (out.transpose(1, 2)[~valid] == 0).all()
    # batch-norm statistics over the 4 timestamps that exist: mean 0 per feature
    torch.testing.assert_close(out.transpose(1, 2)[valid].mean(0), torch.zeros(5),
                               atol=1e-5, rtol=0)


@pytest.mark.parametrize("cls, loss", [(SimCLRTransformer, HierarchicalContrastiveLoss),
                                       (BarlowTwinsTransformer, MultiscaleLoss),
                                       (VICRegTransformer, MultiscaleLoss)])
def test_two_view_methods_train_at_the_hierarchical_level(series, cls, loss):
    X, _ = series
    ragged = [x[:, : 20 + i % 7] for i, x in enumerate(X)]
    model = cls(**{**FAST, "level": "hierarchical"}).fit(ragged)
    objective = model.net_.objective
    assert isinstance(objective, OverlappingCrops) and objective.project
    assert objective.augmentation is None  # no default augmentation at this level
    assert isinstance(model.net_.criterion_, loss)
    assert np.isfinite(model.history_[:, "train_loss"]).all()
    Z = model.transform(ragged)
    assert Z.shape == (24, 16 + 2 * 2) and np.isfinite(Z).all()  # + level, log spread
    # the head was trained: it saw per-timestamp features
    fresh = cls(**{**FAST, "level": "hierarchical", "max_epochs": 1, "max_steps": 1}).fit(ragged)
    assert not torch.equal(next(model.net_.module_.head.parameters()),
                           next(fresh.net_.module_.head.parameters()))


def test_simclr_hierarchical_level_uses_its_temperature(series):
    model = SimCLRTransformer(**{**FAST, "level": "hierarchical", "temperature": 0.2})
    model.fit(series[0])
    assert model.net_.criterion_.temperature == 0.2


def test_level_switches_on_warm_start(series):
    X, _ = series
    model = SimCLRTransformer(**{**FAST, "warm_start": True, "standardize": True}).fit(X)
    model.set_params(level="hierarchical").fit(X)
    assert isinstance(model.net_.objective, OverlappingCrops)
    assert len(model.history_) == 4


def test_level_cannot_switch_on_warm_start_when_the_head_width_changes(series):
    X, _ = series
    # standardize="series": the embedding is 16 + 2 * 2 wide, the timestamp features 16
    model = SimCLRTransformer(**{**FAST, "warm_start": True}).fit(X)
    assert model.net_.module_.head.in_features == 20
    with pytest.raises(ValueError, match="feeds the head 16 features, but it was trained on 20"):
        model.set_params(level="hierarchical").fit(X)


def test_hierarchical_head_takes_the_timestamp_features(series):
    X, _ = series
    model = SimCLRTransformer(**{**FAST, "level": "hierarchical"}).fit(X)
    assert model.net_.module_.head.in_features == 16  # the per-timestamp width
    assert model.transform(X).shape == (24, 16 + 2 * 2)  # + each channel's level, log spread
    # the pyramid pooling keeps the same per-timestamp width, 7 parts in the embedding
    model = SimCLRTransformer(**{**FAST, "level": "hierarchical",
                                 "encoder_params": {"pooling": "pyramid"}}).fit(X)
    assert model.net_.module_.head.in_features == 16
    Z = model.transform(X)
    assert Z.shape == (24, 7 * 16 + 2 * 2) and np.isfinite(Z).all()


def test_hierarchical_level_refuses_images_and_bad_values(series):
    images = np.random.default_rng(0).normal(size=(8, 1, 6, 6)).astype(np.float32)
    with pytest.raises(ValueError, match="3-D input"):
        SimCLRTransformer(**{**FAST, "encoder": "resnet2d", "level": "hierarchical"}).fit(images)
    with pytest.raises(ValueError, match="level"):
        VICRegTransformer(**{**FAST, "level": "timestamps"}).fit(series[0])


@pytest.mark.parametrize("length, steps", [(800, 200), (900, 600)])
def test_auto_step_budget_follows_ts2vec(length, steps):
    """max_steps="auto": 200 steps up to 100,000 training values, 600 above."""
    X = np.random.default_rng(0).standard_normal((60, 2, length)).astype(np.float32)
    model = TS2VecTransformer(max_steps="auto", embedding_dim=8, max_epochs=1, batch_size=30,
                              max_train_length=16, random_state=0, device="cpu").fit(X)
    assert model.net_.max_steps == steps  # 96,000 or 108,000 values
    assert len(model.history_) == 1 and len(model.history_[-1, "batches"]) == 2
    assert TS2VecTransformer().max_steps == "auto"  # the default, as the reference code
    assert TS2VecTransformer(max_steps=5, max_epochs=1, embedding_dim=8, batch_size=30,
                             max_train_length=16, device="cpu").fit(X).net_.max_steps == 5
    with pytest.raises(ValueError, match="max_steps"):
        TS2VecTransformer(max_steps="many").fit(X)

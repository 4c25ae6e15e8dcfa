"""Tests for sslts.nn: pooling, encoders, heads."""

import pytest
import torch
from torch import nn

from sslts.nn import (
    ENCODERS,
    FCN,
    DilatedCNN,
    ProjectionHead,
    ResNet1D,
    build_encoder,
    encoder_output_dim,
    load_encoder,
    masked_max_pool,
    masked_mean_pool,
    masked_pyramid_max_pool,
    padding_mask,
    save_encoder,
    timestamp_features_dim,
)
from sslts.utils.tensors import pairwise_rms_distances, valid_lengths

torch.set_num_threads(2)

C = 3


SERIES_ENCODERS = sorted(name for name, cls in ENCODERS.items()
                         if getattr(cls, "input_ndim", 3) == 3)


def small(name, **kwargs):
    """Small encoder of each kind (fast tests)."""
    if name == "resnet":
        params = dict(out_features=8, widths=(4, 6))
        return ResNet1D(C, **{**params, **kwargs})
    if name == "fcn":
        params = dict(out_features=8, widths=(4, 6))
        return FCN(C, **{**params, **kwargs})
    params = dict(out_features=8, hidden_channels=5, depth=3)
    return DilatedCNN(C, **{**params, **kwargs})


CONFIGS = [
    ("resnet", {}),
    ("resnet", {"pooling": "max", "kernel_sizes": (4, 2)}),
    ("fcn", {}),
    ("fcn", {"pooling": "max", "kernel_sizes": (6, 4, 2)}),
    ("dilated_cnn", {}),
    ("dilated_cnn", {"causal": False}),
    ("dilated_cnn", {"causal": False, "kernel_size": 2, "pooling": "mean"}),
    ("dilated_cnn", {"causal": True, "kernel_size": 4}),
    ("dilated_cnn", {"causal": False, "pooling": "pyramid"}),
    ("resnet", {"pooling": "pyramid"}),
]
IDS = [f"{n}-{'-'.join(f'{k}={v}' for k, v in kw.items())}" for n, kw in CONFIGS]


def pad_nan(x, total):
    """Right-pad (n, c, t) with NaN up to ``total`` steps."""
    tail = torch.full((x.shape[0], x.shape[1], total - x.shape[2]), float("nan"))
    return torch.cat([x, tail], dim=2)


def warm_up(model, n_steps=3):
    """Update batch-norm running statistics, then switch to eval mode."""
    model.train()
    with torch.no_grad():
        for _ in range(n_steps):
            model(2.0 * torch.randn(6, C, 20) + 1.0)
    return model.eval()


# ----------------------------------------------------------------- pooling


def test_padding_mask():
    x = torch.randn(2, 2, 5)
    x[0, :, 3:] = float("nan")
    x[1, 0, 4] = float("nan")  # one channel only: still valid
    expected = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], dtype=torch.bool)
    assert torch.equal(padding_mask(x), expected)
    assert torch.equal(padding_mask(x, lengths=torch.tensor([3, 5])), expected)


def test_valid_length_is_one_after_the_last_observed_step():
    x = torch.randn(4, 2, 6)
    x[0, :, 4:] = float("nan")  # padding
    x[1, :, 2] = float("nan")  # a gap inside the series is not padding
    x[1, :, 5:] = float("nan")
    x[2] = float("nan")  # nothing observed
    assert valid_lengths(x).tolist() == [4, 5, 0, 6]
    assert padding_mask(x)[1].tolist() == [True] * 5 + [False]
    images = torch.randn(2, 1, 3, 7)
    images[0, :, :, 5:] = float("nan")  # columns: the last axis is time
    assert valid_lengths(images).tolist() == [5, 7]


def test_pairwise_rms_distances_leave_unobserved_values_out():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(4, 2, 9, generator=g)
    x[1, :, 6:] = float("nan")  # padding
    x[2, 1, :] = float("nan")  # a channel never observed
    x[3] = x[0] + 0.5  # a constant offset: distance 0.5
    got = pairwise_rms_distances(x)
    for i in range(4):
        for j in range(4):
            both = ~torch.isnan(x[i]) & ~torch.isnan(x[j])
            expected = ((x[i] - x[j])[both] ** 2).double().mean().sqrt()
            torch.testing.assert_close(got[i, j], expected if i != j else expected * 0)
    torch.testing.assert_close(got[0, 3], torch.tensor(0.5, dtype=torch.float64))
    assert got.dtype == torch.float64 and torch.equal(got, got.T)


@pytest.mark.parametrize("name", sorted(ENCODERS))
def test_encoders_record_their_constructor_arguments(name):
    kwargs = {"resnet": dict(widths=(5,), kernel_sizes=(3, 3), pooling="max"),
              "fcn": dict(widths=(5, 6), kernel_sizes=(5, 3, 3)),
              "dilated_cnn": dict(hidden_channels=6, depth=2, causal=False),
              "ts2vec": dict(hidden_channels=6, depth=2, kernel_size=5),
              "resnet2d": dict(widths=(5,), strides=(1, 2))}[name]
    module = ENCODERS[name](3, out_features=4, **kwargs)
    assert module.init_kwargs["in_channels"] == 3 and module.init_kwargs["out_features"] == 4
    for key, value in kwargs.items():
        assert module.init_kwargs[key] == value
    rebuilt = type(module)(**module.init_kwargs)
    assert {k: v.shape for k, v in rebuilt.state_dict().items()} == {
        k: v.shape for k, v in module.state_dict().items()}


def test_masked_pooling_ignores_padded_steps():
    h = torch.randn(3, 4, 6)
    lengths = [6, 2, 1]
    mask = torch.arange(6)[None, :] < torch.tensor(lengths)[:, None]
    h_big = h.clone()
    h_big[~mask.unsqueeze(1).expand_as(h)] = 1e9
    mean, mx = masked_mean_pool(h_big, mask), masked_max_pool(h_big, mask)
    assert mean.shape == mx.shape == (3, 4)
    for i, length in enumerate(lengths):
        torch.testing.assert_close(mean[i], h[i, :, :length].mean(-1))
        torch.testing.assert_close(mx[i], h[i, :, :length].amax(-1))
    h_neg = h.clone()
    h_neg[~mask.unsqueeze(1).expand_as(h)] = -1e9
    torch.testing.assert_close(masked_mean_pool(h_neg, mask), mean)


def test_masked_pooling_empty_sample_gives_zero():
    h = torch.randn(2, 3, 4)
    mask = torch.tensor([[True] * 4, [False] * 4])
    assert torch.all(masked_mean_pool(h, mask)[1] == 0)
    assert torch.all(masked_max_pool(h, mask)[1] == 0)


def pyramid_reference(h, lengths):
    """Temporal pyramid of maxima written as a loop over series and parts."""
    rows = []
    for i, length in enumerate(lengths):
        parts = []
        for k in (1, 2, 4):
            for s in range(k):
                start = s * length // k
                stop = max((s + 1) * length // k, start + 1)
                parts.append(h[i, :, start:stop].amax(-1))
        rows.append(torch.cat(parts))
    return torch.stack(rows)


@pytest.mark.parametrize("lengths", [[8, 8], [11, 4, 1, 2, 3, 7], [5, 9, 6]])
def test_pyramid_pooling_matches_a_loop(lengths):
    torch.manual_seed(0)
    t = max(lengths)
    h = torch.randn(len(lengths), 3, t, requires_grad=True)
    mask = torch.arange(t)[None, :] < torch.tensor(lengths)[:, None]
    out = masked_pyramid_max_pool(h, mask)
    expected = pyramid_reference(h, lengths)
    assert out.shape == (len(lengths), 21)
    torch.testing.assert_close(out, expected)
    weights = torch.randn_like(out)
    grad, = torch.autograd.grad((out * weights).sum(), h)
    grad_expected, = torch.autograd.grad((expected * weights).sum(), h)
    torch.testing.assert_close(grad, grad_expected)
    assert torch.all(grad[~mask.unsqueeze(1).expand_as(h)] == 0)  # padding gets none
    # the first block is the global max; huge values in the padding change nothing
    torch.testing.assert_close(out[:, :3], masked_max_pool(h, mask))
    padded = h.detach().masked_fill(~mask.unsqueeze(1), 1e9)
    torch.testing.assert_close(masked_pyramid_max_pool(padded, mask), out.detach())


def test_pyramid_pooling_empty_sample_gives_zero():
    h = torch.randn(2, 3, 4)
    mask = torch.tensor([[True] * 4, [False] * 4])
    out = masked_pyramid_max_pool(h, mask)
    assert torch.all(out[1] == 0) and torch.all(out[0] != 0)


# ----------------------------------------------------------------- encoders


@pytest.mark.parametrize("name,kwargs", CONFIGS, ids=IDS)
@pytest.mark.parametrize("t", [1, 2, 7])
def test_output_shapes(name, kwargs, t):
    model = small(name, **kwargs)
    x = torch.randn(4, C, t)
    assert model(x).shape == (4, model.out_features)
    assert model.forward_features(x).shape == (4, model.timestamp_features, t)
    parts = 7 if kwargs.get("pooling") == "pyramid" else 1
    assert model.out_features == parts * model.timestamp_features == parts * 8
    model.eval()
    assert model(x[:1]).shape == (1, model.out_features)


def test_default_encoders_shapes():
    x = torch.randn(2, C, 10)
    for cls, dim in [(ResNet1D, 128), (FCN, 128), (DilatedCNN, 320)]:
        model = cls(C)
        assert model.out_features == dim
        assert model(x).shape == (2, dim)
    assert len(ResNet1D(C).blocks) == 3
    assert len(FCN(C).layers) == 3
    assert len(DilatedCNN(C).blocks) == 11  # depth hidden blocks + last block


@pytest.mark.parametrize("name,kwargs", CONFIGS, ids=IDS)
def test_padding_invariance(name, kwargs):
    torch.manual_seed(0)
    model = warm_up(small(name, **kwargs))
    lengths = [9, 1, 5, 12]
    series = [torch.randn(1, C, n) for n in lengths]
    with torch.no_grad():
        alone = torch.cat([model(s) for s in series])
        feats_alone = [model.forward_features(s) for s in series]
        for total in (12, 30):
            batch = torch.cat([pad_nan(s, total) for s in series])
            torch.testing.assert_close(model(batch), alone, atol=1e-5, rtol=1e-5)
            feats = model.forward_features(batch)
            for i, n in enumerate(lengths):
                torch.testing.assert_close(feats[i : i + 1, :, :n], feats_alone[i],
                                           atol=1e-5, rtol=1e-5)
                assert torch.all(feats[i, :, n:] == 0)
    assert torch.isfinite(alone).all()


@pytest.mark.parametrize("name,kwargs", CONFIGS[::2], ids=IDS[::2])
def test_per_sample_independence_in_eval(name, kwargs):
    torch.manual_seed(1)
    model = warm_up(small(name, **kwargs))
    x = torch.randn(5, C, 11)
    other = x.clone()
    other[1:] = 100 * torch.randn(4, C, 11)
    other[2, :, 4:] = float("nan")
    with torch.no_grad():
        torch.testing.assert_close(model(x)[0], model(other)[0], atol=1e-5, rtol=1e-5)
        torch.testing.assert_close(model(x[:1])[0], model(x)[0], atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("name", SERIES_ENCODERS)
def test_gradients_reach_first_layer(name):
    model = small(name)
    x = torch.randn(4, C, 10)
    x[1, :, 6:] = float("nan")
    model(x).sum().backward()
    first = next(p for p in model.parameters() if p.dim() == 3)
    assert first.grad is not None
    assert torch.isfinite(first.grad).all() and first.grad.abs().sum() > 0
    assert all(torch.isfinite(p.grad).all() for p in model.parameters() if p.grad is not None)


@pytest.mark.parametrize("kernel_size", [2, 3])
def test_causal_dilated_cnn_ignores_future(kernel_size):
    torch.manual_seed(2)
    model = DilatedCNN(C, out_features=6, hidden_channels=4, depth=3, kernel_size=kernel_size,
                       causal=True)
    model = warm_up(model)
    x = torch.randn(2, C, 16)
    k = 7
    changed = x.clone()
    changed[:, :, k:] = 10 * torch.randn(2, C, 16 - k)
    with torch.no_grad():
        before, after = model.forward_features(x), model.forward_features(changed)
    torch.testing.assert_close(before[..., :k], after[..., :k])
    assert not torch.allclose(before[..., k:], after[..., k:])
    # the non-causal variant does look ahead
    model = warm_up(DilatedCNN(C, out_features=6, hidden_channels=4, depth=3, causal=False))
    with torch.no_grad():
        before, after = model.forward_features(x), model.forward_features(changed)
    assert not torch.allclose(before[..., :k], after[..., :k])


@pytest.mark.parametrize("name", SERIES_ENCODERS)
def test_input_validation(name):
    model = small(name)
    with pytest.raises(ValueError, match="expected 3 channels, got 2"):
        model(torch.randn(2, 2, 5))
    with pytest.raises(ValueError, match="3-D"):
        model(torch.randn(2, 5))
    with pytest.raises(ValueError, match="3-D"):
        model.forward_features(torch.randn(1, 2, C, 5))


@pytest.mark.parametrize("cls", [ResNet1D, FCN, DilatedCNN])
@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"in_channels": 0}, "in_channels"),
        ({"in_channels": 2.5}, "in_channels"),
        ({"out_features": 0}, "out_features"),
        ({"pooling": "sum"}, r"\['max', 'mean', 'pyramid'\]"),
    ],
)
def test_common_argument_validation(cls, kwargs, match):
    with pytest.raises(ValueError, match=match):
        cls(**{"in_channels": C, **kwargs})


@pytest.mark.parametrize("cls", [ResNet1D, FCN])
@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"widths": ()}, "widths"),
        ({"widths": (4, 0)}, "widths"),
        ({"kernel_sizes": ()}, "kernel_sizes"),
        ({"kernel_sizes": (3, -1, 3)}, "kernel_sizes"),
    ],
)
def test_width_kernel_validation(cls, kwargs, match):
    with pytest.raises(ValueError, match=match):
        cls(C, **kwargs)


def test_fcn_needs_one_kernel_per_layer():
    with pytest.raises(ValueError, match="one value per layer"):
        FCN(C, widths=(4, 4), kernel_sizes=(3, 3))


@pytest.mark.parametrize(
    "kwargs", [{"hidden_channels": 0}, {"depth": -1}, {"kernel_size": 0}, {"depth": True}]
)
def test_dilated_cnn_validation(kwargs):
    with pytest.raises(ValueError):
        DilatedCNN(C, **kwargs)


def test_dilated_cnn_depth_zero():
    model = DilatedCNN(C, out_features=4, depth=0)
    assert len(model.blocks) == 1
    assert model(torch.randn(2, C, 5)).shape == (2, 4)


# ------------------------------------------------------------ build_encoder


def test_build_encoder_from_string():
    for name, cls in ENCODERS.items():
        model = build_encoder(name, C, 16)
        assert type(model) is cls and model.out_features == 16 and model.in_channels == C
    with pytest.raises(ValueError, match="dilated_cnn.*fcn.*resnet"):
        build_encoder("transformer", C, 16)


def test_build_encoder_from_class():
    model = build_encoder(FCN, C, 5)
    assert isinstance(model, FCN) and model.out_features == 5

    class NoKwargs(nn.Module):
        def __init__(self, channels):
            super().__init__()

    with pytest.raises(TypeError, match="in_channels=..., out_features=..."):
        build_encoder(NoKwargs, C, 5)


def test_build_encoder_from_instance_is_deep_copy():
    original = small("fcn")
    before = [p.detach().clone() for p in original.parameters()]
    model = build_encoder(original, C, 999)
    assert model is not original
    optimizer = torch.optim.SGD(model.parameters(), lr=1.0)
    model(torch.randn(4, C, 10)).pow(2).sum().backward()
    optimizer.step()
    assert all(torch.equal(a, b) for a, b in zip(before, original.parameters()))
    assert not all(torch.equal(a, b) for a, b in zip(before, model.parameters()))
    assert all(p.grad is None for p in original.parameters())


def test_build_encoder_takes_constructor_arguments():
    model = build_encoder("ts2vec", C, 6, {"hidden_channels": 4, "depth": 2,
                                           "pooling": "pyramid"})
    assert model.init_kwargs["hidden_channels"] == 4 and len(model.blocks) == 3
    assert model.timestamp_features == 6 and model.out_features == 42
    assert encoder_output_dim(model, C) == 42
    model = build_encoder(FCN, C, 5, {"widths": (3, 4)})
    assert [layer.conv.out_channels for layer in model.layers] == [3, 4, 5]
    assert build_encoder("fcn", C, 5, {}).init_kwargs == FCN(C, 5).init_kwargs
    with pytest.raises(TypeError, match="'hidden', which FCN does not take; its arguments "
                                        "are widths, kernel_sizes, pooling"):
        build_encoder("fcn", C, 5, {"hidden": 3})
    with pytest.raises(ValueError, match="may not set in_channels, out_features"):
        build_encoder("fcn", C, 5, {"out_features": 3, "in_channels": 2})
    with pytest.raises(ValueError, match="already built"):
        build_encoder(small("fcn"), C, 5, {"pooling": "max"})
    with pytest.raises(ValueError, match="pooling must be one of"):
        build_encoder("resnet", C, 5, {"pooling": "median"})


def test_pyramid_encoder_file_round_trip(tmp_path):
    torch.manual_seed(0)
    model = warm_up(small("dilated_cnn", pooling="pyramid"))
    save_encoder(model, tmp_path / "encoder.pt")
    loaded = load_encoder(tmp_path / "encoder.pt").eval()
    x = pad_nan(torch.randn(3, C, 9), 13)
    with torch.no_grad():
        torch.testing.assert_close(loaded(x), model(x))
    assert loaded.out_features == 56 and loaded.pooling == "pyramid"


@pytest.mark.parametrize("bad", [None, 3, FCN(C).forward, dict, object()])
def test_build_encoder_type_error(bad):
    with pytest.raises(TypeError):
        build_encoder(bad, C, 8)


def test_encoder_output_dim():
    assert encoder_output_dim(small("resnet"), C) == 8

    class Plain(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv1d(C, 7, 3)
            self.bn = nn.BatchNorm1d(7)

        def forward(self, x):
            return self.bn(self.conv(x)).mean(-1)

    plain = Plain().train()
    running = plain.bn.running_mean.clone()
    assert encoder_output_dim(plain, C) == 7
    assert plain.training
    assert torch.equal(plain.bn.running_mean, running)

    class NotPooled(nn.Module):
        def forward(self, x):
            return x

    with pytest.raises(ValueError, match="2-D"):
        encoder_output_dim(NotPooled(), C)

    class Misdeclared(Plain):
        out_features = 16

    with pytest.raises(ValueError, match="out_features=16 but returns 7"):
        encoder_output_dim(Misdeclared(), C)
    with pytest.raises(ValueError, match="batches \\(the channels of X\\)"):
        encoder_output_dim(Plain(), C + 1)


# ------------------------------------------------------------------- heads


def test_projection_head_structure():
    head = ProjectionHead(8, dims=(16, 12, 4))
    types = [type(m) for m in head.layers]
    assert types == [nn.Linear, nn.BatchNorm1d, nn.ReLU,
                     nn.Linear, nn.BatchNorm1d, nn.ReLU, nn.Linear]
    assert head.out_features == 4
    assert head(torch.randn(5, 8)).shape == (5, 4)

    head = ProjectionHead(8, dims=(16, 4), batch_norm=False)
    assert [type(m) for m in head.layers] == [nn.Linear, nn.ReLU, nn.Linear]
    assert ProjectionHead(8, dims=(3,)).layers[0].out_features == 3
    assert ProjectionHead(8).out_features == 128


def test_projection_head_identity():
    head = ProjectionHead(8, dims=())
    x = torch.randn(3, 8)
    assert head.out_features == 8
    assert torch.equal(head(x), x)
    assert sum(p.numel() for p in head.parameters()) == 0


@pytest.mark.parametrize("kwargs", [{"dims": (4, 0)}, {"dims": (-1,)}, {"in_features": 0}])
def test_projection_head_validation(kwargs):
    with pytest.raises(ValueError):
        ProjectionHead(**{"in_features": 8, **kwargs})


def test_timestamp_features_dim_probes_forward_features():
    model = build_encoder("ts2vec", C, 6, {"hidden_channels": 4, "depth": 2,
                                           "pooling": "pyramid"}).train()
    assert timestamp_features_dim(model, C) == 6  # not the 42 of the pyramid embedding
    assert model.training  # the training flag is restored

    class Flat(nn.Module):
        def forward_features(self, x):
            return x.mean(-1)  # (n, c): no time axis

    with pytest.raises(ValueError, match=r"returned \(2, 3\) .* must return \(n, features, t\)"):
        timestamp_features_dim(Flat(), C)
    class Conv(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv1d(C, 4, 3, padding=1)

        def forward_features(self, x):
            return self.conv(x)

    assert timestamp_features_dim(Conv(), C) == 4
    shrinking = Conv()
    shrinking.conv.padding = (0,)  # 14 steps out of 16: not one per time step
    with pytest.raises(ValueError, match=r"returned \(2, 4, 14\) .* one feature vector per"):
        timestamp_features_dim(shrinking, C)
    with pytest.raises(ValueError, match="failed on a batch of shape \\(2, 5, 16\\)"):
        timestamp_features_dim(Conv(), 5)  # torch's own error, turned into a ValueError

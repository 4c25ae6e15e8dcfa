"""4-D input (spectrograms, images): validation, ResNet2D, augmentations, SSL transformers."""

import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from sslts import BarlowTwinsTransformer, SimCLRTransformer, VICRegTransformer
from sslts.augmentations import Compose, Jitter, RandomApply, RandomChoice, TimeWarp
from sslts.augmentations.spectral import (
    FrequencyMasking,
    GaussianBlur,
    RandomResizedCrop2D,
    TimeMasking,
)
from sslts.nn import ENCODERS, ResNet2D, build_encoder, encoder_output_dim, unwrap_encoder
from sslts.utils.random import seeded_generator
from sslts.utils.validation import check_images, input_ndim

METHODS = [SimCLRTransformer, BarlowTwinsTransformer, VICRegTransformer]
# Small settings that keep each fit well under a second.
FAST_2D = {"encoder": ResNet2D(2, 8, widths=(4, 8)), "max_epochs": 2, "batch_size": 8,
           "random_state": 0}


@pytest.fixture
def images():
    """Two classes of noisy stripes (horizontal, vertical), shape (16, 2, 8, 10), float64."""
    rng = np.random.RandomState(0)
    y = np.repeat([0, 1], 8)
    rows, cols = np.meshgrid(np.arange(8), np.arange(10), indexing="ij")
    stripes = np.stack([np.sin(rows * 1.5), np.sin(cols * 1.5)])  # (2, 8, 10)
    X = stripes[y][:, None] + 0.1 * rng.randn(16, 2, 8, 10)
    return X, y


def random_images(shape=(6, 2, 9, 12), seed=0):
    return np.random.RandomState(seed).randn(*shape).astype(np.float32)


# ----------------------------------------------------------------- validation


def test_check_images_copies_to_float32():
    X = np.arange(2 * 1 * 3 * 4).reshape(2, 1, 3, 4)
    X4 = check_images(X)
    assert X4.dtype == np.float32 and X4.flags["C_CONTIGUOUS"]
    np.testing.assert_array_equal(X4, X)
    X4[0, 0, 0, 0] = 99
    assert X[0, 0, 0, 0] == 0
    stacked = check_images([np.ones((1, 3, 4)), np.zeros((1, 3, 4))])
    assert stacked.shape == (2, 1, 3, 4) and stacked[0].sum() == 12


@pytest.mark.parametrize("X, error, match", [
    (None, TypeError, "4-D array"),
    (np.ones((2, 3, 4)), ValueError, "got 3-D"),
    (np.ones((2, 1, 1, 3, 4)), ValueError, "got 5-D"),
    (np.ones((2, 1, 0, 4)), ValueError, "empty axis"),
    (np.ones((1, 1, 3, 4)), ValueError, "1 sample"),
    ([np.ones((1, 3, 4)), np.ones((1, 3, 5))], ValueError, r"X\[1\] has shape \(1, 3, 5\)"),
    (np.full((2, 1, 3, 4), "a"), TypeError, "string"),
])
def test_check_images_errors(X, error, match):
    with pytest.raises(error, match=match):
        check_images(X)


@pytest.mark.parametrize("value, kind", [(np.nan, "NaN"), (np.inf, "infinity")])
def test_check_images_rejects_non_finite(value, kind):
    X = np.ones((3, 1, 3, 4))
    X[2, 0, 1, 1] = value
    with pytest.raises(ValueError, match=f"{kind} in sample 2.*finite"):
        check_images(X)


def test_check_images_channels():
    with pytest.raises(ValueError, match="X has 2 channels, but Est was fitted with 3"):
        check_images(np.ones((2, 2, 3, 3)), n_channels=3, estimator_name="Est")


def test_input_ndim_of_4d():
    assert input_ndim(np.ones((2, 1, 3, 4))) == 4
    assert input_ndim([np.ones((1, 3, 4)), np.ones((1, 3, 5))]) == 4
    assert input_ndim(np.ones((2, 1, 1, 3, 4))) == 5
    assert input_ndim([np.ones(3), np.ones(2)]) == 3


# ------------------------------------------------------------------- ResNet2D


def test_resnet2d_shapes_and_sizes():
    model = ResNet2D(3, 16, widths=(4, 8)).eval()
    assert model.in_channels == 3 and model.out_features == 16 and model.input_ndim == 4
    with torch.no_grad():
        assert model(torch.randn(5, 3, 9, 13)).shape == (5, 16)
        assert model(torch.randn(2, 3, 1, 1)).shape == (2, 16)
        assert model.forward_features(torch.randn(2, 3, 9, 13)).shape == (2, 16, 3, 4)
    model = ResNet2D(3, 16, widths=(4, 8), strides=(1, 1, 1)).eval()
    with torch.no_grad():
        assert model.forward_features(torch.randn(2, 3, 9, 13)).shape == (2, 16, 9, 13)


def test_resnet2d_samples_are_independent_in_eval_mode():
    model = ResNet2D(2, 8, widths=(4, 8))
    model.train()(torch.randn(8, 2, 6, 6))  # non-trivial batch-norm statistics
    model.eval()
    x = torch.randn(4, 2, 6, 6)
    with torch.no_grad():
        torch.testing.assert_close(model(x)[:1], model(x[:1]))


def test_resnet2d_gradients_reach_first_layer():
    model = ResNet2D(2, 8, widths=(4, 8))
    model(torch.randn(4, 2, 6, 7)).sum().backward()
    first = model.blocks[0].conv1.weight
    assert first.grad is not None and first.grad.abs().sum() > 0
    assert all(torch.isfinite(p.grad).all() for p in model.parameters())


@pytest.mark.parametrize("kwargs, match", [
    ({"in_channels": 0}, "in_channels"),
    ({"out_features": 0}, "out_features"),
    ({"widths": ()}, "widths"),
    ({"kernel_size": 4}, "odd"),
    ({"strides": (1, 2)}, "one value per block"),
    ({"strides": (1, 0, 2)}, r"strides\[1\]"),
])
def test_resnet2d_invalid_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ResNet2D(**{"in_channels": 2, "out_features": 8, **kwargs})


def test_resnet2d_input_errors():
    model = ResNet2D(2, 8, widths=(4,), strides=(1, 2))
    with pytest.raises(ValueError, match="4-D input.*Spectrogram"):
        model(torch.randn(2, 2, 10))
    with pytest.raises(ValueError, match="expected 2 channels, got 3"):
        model(torch.randn(2, 3, 5, 5))


def test_resnet2d_is_registered():
    assert ENCODERS["resnet2d"] is ResNet2D
    model = build_encoder("resnet2d", 3, 12)
    assert isinstance(model, ResNet2D) and model.in_channels == 3 and model.out_features == 12


def test_encoder_output_dim_probes_4d_modules():
    class Pooled2D(torch.nn.Module):  # no out_features attribute
        def __init__(self):
            super().__init__()
            self.conv = torch.nn.Conv2d(3, 5, 3)

        def forward(self, x):
            return self.conv(x).mean(dim=(2, 3))

    assert encoder_output_dim(Pooled2D(), 3, ndim=4) == 5


# -------------------------------------------------------------- augmentations


def make_augmentations():
    """One instance of each 4-D augmentation, each changing every sample."""
    return [
        GaussianBlur(sigma=(0.5, 2.0)),
        RandomResizedCrop2D(scale=(0.3, 0.8)),
        TimeMasking(max_width=4, fill=0.0),
        FrequencyMasking(max_width=4, fill=0.0),
        Compose([RandomResizedCrop2D(), GaussianBlur()]),
        RandomChoice([GaussianBlur(), TimeMasking(max_width=0.5)]),
    ]


AUGMENTATIONS = make_augmentations()
AUG_IDS = [type(aug).__name__ for aug in AUGMENTATIONS]


@pytest.mark.parametrize("aug", AUGMENTATIONS, ids=AUG_IDS)
def test_augmentation_shape_dtype_and_changes(aug):
    X = random_images()
    Xt = clone(aug).set_params(random_state=0).fit_transform(X)
    assert Xt.shape == X.shape and Xt.dtype == np.float32 and np.isfinite(Xt).all()
    assert not np.allclose(Xt, X)


@pytest.mark.parametrize("aug", AUGMENTATIONS, ids=AUG_IDS)
def test_identical_samples_get_different_views(aug):
    X = np.repeat(random_images((1, 2, 9, 12)), 8, axis=0)
    Xt = clone(aug).set_params(random_state=0).fit_transform(X)
    assert len({Xt[i].tobytes() for i in range(8)}) > 2


@pytest.mark.parametrize("aug", AUGMENTATIONS, ids=AUG_IDS)
def test_fresh_randomness_and_reproducible_seed(aug):
    X = random_images()
    fitted = clone(aug).set_params(random_state=3).fit(X)
    first, second = fitted.transform(X), fitted.transform(X)
    assert not np.array_equal(first, second)
    again = clone(aug).set_params(random_state=3).fit(X)
    np.testing.assert_array_equal(again.transform(X), first)


@pytest.mark.parametrize("aug", AUGMENTATIONS, ids=AUG_IDS)
def test_input_not_modified_and_kernel_keeps_dtype(aug):
    X = random_images()
    X.setflags(write=False)
    before = X.copy()
    clone(aug).set_params(random_state=0).fit_transform(X)
    np.testing.assert_array_equal(X, before)
    x = torch.from_numpy(before).double()
    out1 = aug.augment(x, seeded_generator(1))
    out2 = aug.augment(x, seeded_generator(1))
    assert out1.dtype == torch.float64 and torch.equal(out1, out2)
    assert torch.equal(x, torch.from_numpy(before).double())


@pytest.mark.parametrize("aug", [
    GaussianBlur(sigma=(0.0, 0.0)),
    RandomResizedCrop2D(scale=(1.0, 1.0), ratio=(1.0, 1.0)),
    TimeMasking(max_width=0),
    FrequencyMasking(max_width=0.0),
    TimeMasking(max_width=5, n_masks=0),
], ids=["blur", "crop", "time", "freq", "no-masks"])
def test_identity_at_zero_strength(aug):
    X = random_images()
    np.testing.assert_allclose(aug.set_params(random_state=0).fit_transform(X), X, atol=1e-5)


def test_blur_preserves_constant_images_and_mass():
    levels = np.arange(1, 5, dtype=np.float32)[:, None, None, None]
    X = np.ones((4, 2, 7, 9), dtype=np.float32) * levels
    np.testing.assert_allclose(GaussianBlur(sigma=(1.0, 3.0), random_state=0).fit_transform(X), X,
                               rtol=1e-5)
    impulse = np.zeros((20, 1, 15, 15), dtype=np.float32)
    impulse[:, 0, 7, 7] = 1.0
    out = GaussianBlur(sigma=(0.5, 1.5), random_state=0).fit_transform(impulse)
    np.testing.assert_allclose(out.sum(axis=(2, 3)), 1.0, rtol=1e-5)  # kernel fits inside
    np.testing.assert_allclose(out, out[:, :, ::-1, ::-1], atol=1e-6)  # symmetric
    peaks = out[:, 0, 7, 7]
    assert peaks.max() - peaks.min() > 0.1  # one sigma per sample


def test_blur_kernel_size_default_and_explicit():
    impulse = np.zeros((1, 1, 21, 21), dtype=np.float32)
    impulse[0, 0, 10, 10] = 1.0
    # default kernel: 2 * ceil(3 * 2.0) + 1 = 13 -> support of radius 6
    out = GaussianBlur(sigma=(2.0, 2.0)).fit_transform(impulse)
    assert out[0, 0, 10, 16] > 0 and out[0, 0, 10, 17] == 0
    out = GaussianBlur(sigma=(2.0, 2.0), kernel_size=3).fit_transform(impulse)
    assert out[0, 0, 10, 11] > 0 and out[0, 0, 10, 12] == 0


def test_resized_crop_of_ramp_has_scaled_span():
    # a linear ramp along the width: bilinear resampling is exact, so a crop
    # covering a fraction w of the width spans w of the values
    ramp = np.broadcast_to(np.linspace(0, 1, 17, dtype=np.float32), (50, 1, 11, 17)).copy()
    crop = RandomResizedCrop2D(scale=(0.25, 0.25), ratio=(1.0, 1.0), random_state=0)
    Xt = crop.fit_transform(ramp)
    span = Xt[:, 0, :, -1] - Xt[:, 0, :, 0]
    np.testing.assert_allclose(span, 0.5, atol=1e-5)
    np.testing.assert_allclose(np.diff(Xt, axis=-1), 0.5 / 16, atol=1e-5)
    assert Xt.min() >= 0 and Xt.max() <= 1
    starts = Xt[:, 0, 0, 0]
    assert len(np.unique(starts.round(4))) > 10 and starts.min() >= 0 and starts.max() <= 0.5


def test_resized_crop_stays_within_values():
    X = random_images((30, 1, 9, 12))
    Xt = RandomResizedCrop2D(scale=(0.1, 1.0), ratio=(0.2, 5.0), random_state=0).fit_transform(X)
    assert Xt.min() >= X.min() - 1e-6 and Xt.max() <= X.max() + 1e-6


@pytest.mark.parametrize("cls, axis", [(FrequencyMasking, 2), (TimeMasking, 3)])
def test_masks_whole_bands_of_the_right_width(cls, axis):
    X = np.ones((400, 2, 10, 12), dtype=np.float32)
    Xt = cls(max_width=4, fill=-7.0, random_state=0).fit_transform(X)
    masked = Xt == -7.0
    other = 3 if axis == 2 else 2
    lines = masked.all(axis=(1, other))  # (n, size): whole rows/columns, all channels
    np.testing.assert_array_equal(masked.any(axis=(1, other)), lines)
    widths = lines.sum(axis=1)
    assert set(widths) == {0, 1, 2, 3, 4}  # uniform in {0, ..., max_width}
    starts = lines.argmax(axis=1)[widths > 0]
    assert starts.min() == 0 and (starts + widths[widths > 0]).max() == X.shape[axis]
    runs = np.diff(lines.astype(int), axis=1)
    assert ((runs == 1).sum(axis=1) + lines[:, 0] <= 1).all()  # one contiguous band
    # a fraction of the axis
    Xt = cls(max_width=0.5, fill=-7.0, random_state=0).fit_transform(X)
    widths = (Xt == -7.0).all(axis=(1, other)).sum(axis=1)
    assert widths.max() == X.shape[axis] // 2
    # several bands: their union exceeds one band's width
    Xt = cls(max_width=2, n_masks=3, fill=-7.0, random_state=0).fit_transform(X)
    widths = (Xt == -7.0).all(axis=(1, other)).sum(axis=1)
    assert widths.max() == 6


def test_masks_fill_with_channel_mean():
    X = random_images((20, 2, 6, 8))
    Xt = TimeMasking(max_width=8, random_state=0).fit_transform(X)
    changed = Xt != X
    means = np.broadcast_to(X.mean(axis=(2, 3), keepdims=True), X.shape)
    assert changed.any()
    np.testing.assert_allclose(Xt[changed], means[changed], rtol=1e-5)


@pytest.mark.parametrize("aug, match", [
    (GaussianBlur(sigma=(-1.0, 1.0)), "sigma"),
    (GaussianBlur(sigma=(2.0, 1.0)), "sigma"),
    (GaussianBlur(sigma=1.0), "sigma"),
    (GaussianBlur(kernel_size=4), "odd"),
    (GaussianBlur(kernel_size=0), "kernel_size"),
    (RandomResizedCrop2D(scale=(0.5, 1.5)), "scale"),
    (RandomResizedCrop2D(scale=(0.0, 0.0)), "scale"),
    (RandomResizedCrop2D(ratio=(0.0, 1.0)), "ratio"),
    (RandomResizedCrop2D(ratio=(2.0, 1.0)), "ratio"),
    (TimeMasking(max_width=-1), "max_width"),
    (TimeMasking(max_width=1.5), "max_width"),
    (FrequencyMasking(n_masks=-1), "n_masks"),
    (FrequencyMasking(fill="median"), "fill"),
    (FrequencyMasking(fill=float("nan")), "fill"),
    (Compose([GaussianBlur(), Jitter()]), "mixes"),
])
def test_invalid_parameters(aug, match):
    with pytest.raises(ValueError, match=match):
        aug.fit(random_images())


@pytest.mark.parametrize("aug", AUGMENTATIONS, ids=AUG_IDS)
def test_3d_input_to_4d_augmentation_is_a_clear_error(aug):
    with pytest.raises(ValueError, match="4-D spectrograms or images.*Spectrogram"):
        clone(aug).fit(np.ones((4, 2, 30)))
    fitted = clone(aug).fit(random_images())
    with pytest.raises(ValueError, match="4-D spectrograms or images"):
        fitted.transform(np.ones((4, 2, 30)))
    with pytest.raises(ValueError, match="X has 3 channels, but .* fitted with 2"):
        fitted.transform(random_images((6, 3, 9, 12)))
    with pytest.raises(NotFittedError):
        clone(aug).transform(random_images())


@pytest.mark.parametrize("aug", [Jitter(), TimeWarp(), Compose([Jitter()])], ids=str)
def test_4d_input_to_time_series_augmentation_is_a_clear_error(aug):
    with pytest.raises(ValueError, match="time series.*sslts.augmentations.spectral"):
        aug.fit(random_images())


def test_expected_ndim():
    assert GaussianBlur().expected_ndim() == 4 and Jitter().expected_ndim() == 3
    assert Compose([TimeMasking(), FrequencyMasking()]).expected_ndim() == 4
    assert RandomChoice([Jitter(), TimeWarp()]).expected_ndim() == 3
    with pytest.raises(ValueError, match="mixes"):
        RandomChoice([Jitter(), GaussianBlur()]).expected_ndim()


def test_masking_params_are_sklearn_params():
    aug = TimeMasking(max_width=3, n_masks=2, fill=0.5, random_state=1)
    assert aug.get_params() == {"max_width": 3, "n_masks": 2, "fill": 0.5, "random_state": 1}
    assert clone(aug).get_params() == aug.get_params()


# --------------------------------------------------- self-supervised transformers


@pytest.mark.parametrize("cls", METHODS)
def test_fit_transform_4d(cls, images):
    X, _ = images
    model = cls(**FAST_2D).fit(X)
    Z = model.transform(X)
    assert Z.shape == (16, 8 + 2 * 2) and Z.dtype == np.float32 and np.isfinite(Z).all()
    assert model.input_ndim_ == 4 and model.n_channels_in_ == 2 and model.n_features_in_ == 2
    assert isinstance(unwrap_encoder(model.net_.module_.encoder)[0], ResNet2D)
    # eval mode, no augmentation; seeded (close, not equal: CUDA kernels may reorder sums)
    np.testing.assert_allclose(Z, model.transform(X), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(Z, cls(**FAST_2D).fit_transform(X), rtol=1e-5, atol=1e-6)
    assert not np.allclose(Z, cls(**{**FAST_2D, "random_state": 1}).fit_transform(X), atol=1e-4)


def test_default_resnet_becomes_resnet2d_for_4d(images):
    X, _ = images
    model = SimCLRTransformer(embedding_dim=8, max_epochs=1, batch_size=8, random_state=0).fit(X)
    assert isinstance(unwrap_encoder(model.net_.module_.encoder)[0], ResNet2D)
    assert model.encoder == "resnet"  # the parameter itself is untouched
    assert model.transform(X).shape == (16, 8 + 2 * 2)  # + level, log spread per channel


def test_default_policy_depends_on_input_dimensionality(images, series):
    X, _ = images
    model = SimCLRTransformer(**FAST_2D).fit(X)
    kinds = {type(step) for step in model.net_.objective.augmentation.steps}
    assert {RandomResizedCrop2D, GaussianBlur, FrequencyMasking, TimeMasking} <= kinds
    assert model.net_.objective.augmentation.expected_ndim() == 4
    model = SimCLRTransformer(encoder="fcn", embedding_dim=8, max_epochs=1, batch_size=8,
                              random_state=0).fit(series[0])
    assert model.net_.objective.augmentation.expected_ndim() == 3


def test_custom_4d_policy_is_used(images):
    X, _ = images
    policy = Compose([TimeMasking(max_width=2)])
    model = SimCLRTransformer(**{**FAST_2D, "augmentations": policy}).fit(X)
    assert [type(s) for s in model.net_.objective.augmentation.steps] == [TimeMasking]


def test_mismatched_policy_and_encoder_are_clear_errors(images, series):
    X, _ = images
    with pytest.raises(ValueError, match="augmentations work on time series.*spectral"):
        SimCLRTransformer(**{**FAST_2D, "augmentations": Jitter()}).fit(X)
    with pytest.raises(ValueError, match="augmentations work on 4-D spectrograms"):
        SimCLRTransformer(encoder="fcn", augmentations=GaussianBlur(), max_epochs=1).fit(series[0])
    with pytest.raises(ValueError, match="encoder='fcn' takes 3-D.*resnet2d"):
        SimCLRTransformer(encoder="fcn", max_epochs=1).fit(X)
    with pytest.raises(ValueError, match="encoder='resnet2d' takes 4-D.*Spectrogram"):
        SimCLRTransformer(encoder="resnet2d", max_epochs=1).fit(series[0])


@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_4d_input_must_be_finite(value, images):
    X = images[0].copy()
    X[3, 1, 2, 2] = value
    with pytest.raises(ValueError, match="finite and of one size"):
        SimCLRTransformer(**FAST_2D).fit(X)
    model = SimCLRTransformer(**FAST_2D).fit(images[0])
    with pytest.raises(ValueError, match="finite"):
        model.transform(X)


def test_4d_images_of_different_sizes_are_a_clear_error():
    X = [np.ones((2, 8, 10))] * 3 + [np.ones((2, 8, 9))]
    with pytest.raises(ValueError, match="one size"):
        SimCLRTransformer(**FAST_2D).fit(X)


def test_transform_checks_kind_and_channels(images, series):
    X, _ = images
    model = SimCLRTransformer(**FAST_2D).fit(X)
    with pytest.raises(ValueError, match="holds time series.*fitted on 4-D spectrograms"):
        model.transform(series[0])
    with pytest.raises(ValueError, match="X has 1 channels, but SimCLRTransformer was fitted "):
        model.transform(X[:, :1])
    # global pooling: another size embeds too, the same as when alone
    other = np.random.RandomState(1).randn(3, 2, 12, 7)
    Z = model.transform(other)
    assert Z.shape == (3, 8 + 2 * 2) and np.isfinite(Z).all()
    # loose enough for TF32 convolutions on CUDA; batch-dependent output would be far off
    np.testing.assert_allclose(model.transform(other[:1]), Z[:1], rtol=1e-3, atol=1e-4)
    time_series_model = SimCLRTransformer(encoder="fcn", embedding_dim=8, max_epochs=1,
                                          batch_size=8, random_state=0).fit(series[0])
    with pytest.raises(ValueError, match="holds 4-D spectrograms or images.*fitted on time series"):
        time_series_model.transform(X)


def test_4d_input_not_modified_and_training_changes_encoder(images):
    X, _ = images
    X.setflags(write=False)
    before = X.copy()
    model = SimCLRTransformer(**FAST_2D).fit(X)
    np.testing.assert_array_equal(X, before)
    initial = FAST_2D["encoder"].state_dict()["blocks.0.conv1.weight"]
    trained = model.net_.module_.encoder.state_dict()["encoder.blocks.0.conv1.weight"].cpu()
    assert not torch.equal(initial, trained)  # trained a copy, not the given module
    assert len(model.history_) == 2 and all(np.isfinite(model.history_[:, "train_loss"]))


def test_4d_validation_split_partial_fit_and_pickle(images):
    X, _ = images
    model = SimCLRTransformer(**{**FAST_2D, "validation_fraction": 0.25}).fit(X)
    assert np.isfinite(model.history_[-1, "valid_loss"])
    model.partial_fit(X)
    assert len(model.history_) == 3
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_allclose(restored.transform(X), model.transform(X), rtol=1e-5, atol=1e-6)


def test_random_apply_on_images():
    images = np.random.RandomState(0).randn(400, 2, 8, 8).astype(np.float32)
    aug = RandomApply(FrequencyMasking(max_width=0.5), p=0.5, random_state=0)
    out = aug.fit_transform(images)
    changed = (out != images).any(axis=(1, 2, 3))
    assert 150 < changed.sum() < 250  # Binomial(400, 0.5): sd 10
    np.testing.assert_array_equal(out[~changed], images[~changed])

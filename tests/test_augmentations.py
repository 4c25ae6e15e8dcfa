"""Tests of the time-series augmentations (sklearn transformers and torch kernels)."""

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import parametrize_with_checks

from sslts.augmentations import (
    Compose,
    FrequencyMix,
    Jitter,
    MagnitudeWarp,
    Permutation,
    RandomApply,
    RandomChoice,
    ResizedCrop,
    ScaledNoise,
    Scaling,
    Shift,
    SineDistortion,
    TimeWarp,
    WindowWarp,
)
from sslts.utils.random import seeded_generator

LENGTHS = (50, 80, 100)


def make_augmentations():
    """One instance of each augmentation, each changing every sample."""
    return [
        Jitter(sigma=0.1),
        ScaledNoise(sigma=0.1),
        Scaling(sigma=0.1),
        TimeWarp(sigma=0.3),
        ResizedCrop(scale=(0.3, 0.9)),
        MagnitudeWarp(sigma=0.2),
        SineDistortion(amplitude=0.3),
        WindowWarp(window_size=0.3),
        Permutation(n_segments=4),
        Shift(max_shift=0.5),
        Compose([Jitter(sigma=0.1), TimeWarp(sigma=0.3)]),
        RandomApply(Jitter(sigma=0.1), p=1.0),
        RandomChoice([Jitter(sigma=0.1), Shift()]),
    ]


def compose_all():
    return Compose([Jitter(), ScaledNoise(), Scaling(), TimeWarp(), ResizedCrop(),
                    MagnitudeWarp(), SineDistortion(), WindowWarp(), Permutation(),
                    Shift(), RandomApply(Jitter(sigma=0.5)),
                    RandomChoice([Jitter(), MagnitudeWarp()])])


AUGMENTATIONS = make_augmentations()
AUG_IDS = [type(aug).__name__ for aug in AUGMENTATIONS]


class SignFlipLike(Scaling):
    """Multiply by -1: a deterministic augmentation that is easy to recognise."""

    def _augment(self, x, generator, lengths):
        return -x


def random_series(shape, seed=0):
    return np.random.RandomState(seed).randn(*shape).astype(np.float32)


def pad(X, lengths=LENGTHS):
    """Right-pad ``X[i]`` with NaN in every channel after ``lengths[i]``."""
    X = X.copy()
    for i, length in enumerate(lengths):
        X[i, :, length:] = np.nan
    return X


def ramp(n, c, t, lengths=None):
    X = np.broadcast_to(np.arange(t, dtype=np.float32), (n, c, t))
    return X.copy() if lengths is None else pad(X, lengths)


def padding_mask(lengths, t):
    return np.arange(t)[None, :] >= np.asarray(lengths)[:, None]


# ----------------------------------------------------------------- shapes


@pytest.mark.parametrize("aug", AUGMENTATIONS, ids=AUG_IDS)
def test_shape_and_dtype(aug):
    X = random_series((4, 3, 30)).astype(np.float64)
    Xt = clone(aug).set_params(random_state=0).fit_transform(X)
    assert Xt.shape == X.shape
    assert Xt.dtype == np.float32
    assert np.isfinite(Xt).all()


@pytest.mark.parametrize("aug", AUGMENTATIONS, ids=AUG_IDS)
def test_2d_input_returns_2d(aug):
    X = random_series((5, 40))
    aug = clone(aug).set_params(random_state=0).fit(X)
    Xt = aug.transform(X)
    assert Xt.shape == X.shape and Xt.dtype == np.float32
    assert not np.allclose(Xt, X)
    # a list of lists is 2-D too
    assert aug.transform(X.tolist()).shape == X.shape


@pytest.mark.parametrize("aug", AUGMENTATIONS, ids=AUG_IDS)
def test_ragged_list_returns_padded_3d(aug):
    rng = np.random.RandomState(0)
    X = [rng.randn(2, length) for length in (20, 35, 28)]
    Xt = clone(aug).set_params(random_state=0).fit_transform(X)
    assert Xt.shape == (3, 2, 35) and Xt.dtype == np.float32
    np.testing.assert_array_equal(np.isnan(Xt[:, 0]), padding_mask([20, 35, 28], 35))
    # univariate ragged series
    Xt = clone(aug).set_params(random_state=0).fit_transform([x[0] for x in X])
    assert Xt.shape == (3, 1, 35)


# --------------------------------------------------------------- identity


IDENTITIES = [
    Jitter(sigma=0),
    ScaledNoise(sigma=0),
    Scaling(sigma=0),
    TimeWarp(sigma=0),
    ResizedCrop(scale=(1, 1)),
    MagnitudeWarp(sigma=0),
    SineDistortion(amplitude=0),
    WindowWarp(window_size=0),
    WindowWarp(speed=(1, 1)),
    Permutation(n_segments=1),
    Shift(max_shift=0),
    RandomApply(Jitter(sigma=1.0), p=0),
    RandomChoice([Jitter(sigma=0), Shift(max_shift=0)]),
    Compose([Jitter(sigma=0), TimeWarp(sigma=0), ResizedCrop(scale=(1, 1))]),
]


@pytest.mark.parametrize("aug", IDENTITIES, ids=[type(a).__name__ for a in IDENTITIES])
@pytest.mark.parametrize("variable_length", [False, True])
def test_identity_at_zero_strength(aug, variable_length):
    X = random_series((3, 2, 100))
    if variable_length:
        X = pad(X)
    Xt = clone(aug).set_params(random_state=0).fit_transform(X)
    np.testing.assert_allclose(Xt, X, rtol=1e-5, atol=1e-5)  # NaN where X is NaN


@pytest.mark.parametrize("aug", IDENTITIES, ids=[type(a).__name__ for a in IDENTITIES])
def test_identity_long_series(aug):
    # positions along a long series stay exact (float32 rounding of the index)
    X = random_series((2, 1, 10_000))
    Xt = clone(aug).set_params(random_state=0).fit_transform(X)
    np.testing.assert_allclose(Xt, X, rtol=1e-5, atol=1e-5)


# -------------------------------------------------------- noise statistics


def test_jitter_statistics():
    X = np.zeros((200, 2, 500), dtype=np.float32)
    noise = Jitter(sigma=0.5, random_state=0).fit_transform(X)
    assert abs(noise.std() - 0.5) < 0.01
    assert abs(noise.mean()) < 0.005  # 5 standard errors
    # independent of the data
    X = random_series((200, 2, 500))
    np.testing.assert_allclose(Jitter(sigma=0.5, random_state=0).fit_transform(X) - X,
                               noise, atol=1e-5)


def test_scaled_noise_relative_to_channel_std():
    X = random_series((200, 2, 300))
    noise = ScaledNoise(sigma=0.2, random_state=0).fit_transform(X) - X
    ratio = noise.std(axis=-1) / X.std(axis=-1)
    assert abs(ratio.mean() - 0.2) < 0.005
    # the same draws on a channel scaled by 100 give 100 times the noise
    factor = np.array([1.0, 100.0], dtype=np.float32)[None, :, None]
    Xs = X * factor
    noise_s = ScaledNoise(sigma=0.2, random_state=0).fit_transform(Xs) - Xs
    np.testing.assert_allclose(noise_s, noise * factor, rtol=1e-3, atol=1e-4)
    # a constant channel gets no noise
    X[:, 1] = 7.0
    Xt = ScaledNoise(sigma=0.2, random_state=0).fit_transform(X)
    np.testing.assert_array_equal(Xt[:, 1], 7.0)


def test_scaled_noise_uses_std_of_valid_part():
    # the noise is the Jitter(sigma=1) draw times sigma * std of the valid part
    x = torch.from_numpy(pad(random_series((3, 2, 100)) * 10))
    noise = ScaledNoise(sigma=0.3).augment(x, seeded_generator(0)) - x
    draws = Jitter(sigma=1.0).augment(torch.zeros_like(x), seeded_generator(0))
    for i, length in enumerate(LENGTHS):
        std = x[i, :, :length].std(dim=-1, correction=0, keepdim=True)
        torch.testing.assert_close(noise[i, :, :length], 0.3 * std * draws[i, :, :length])


def test_scaling_constant_factor_per_sample_and_channel():
    X = np.abs(random_series((500, 3, 20))) + 1.0
    Xt = Scaling(sigma=0.2, random_state=0).fit_transform(X)
    factor = Xt / X
    np.testing.assert_allclose(factor, factor[:, :, :1].repeat(20, axis=2), rtol=1e-5)
    f = factor[:, :, 0]
    assert abs(f.std() - 0.2) < 0.02
    assert abs(f.mean() - 1.0) < 0.02
    # independent factors per channel and per sample
    assert abs(np.corrcoef(f[:, 0], f[:, 1])[0, 1]) < 0.2
    assert np.all(np.abs(np.diff(np.sort(f[:, 0]))) < 0.1)  # spread out, not repeated
    assert np.unique(f[:, 0].round(4)).size > 450


# ------------------------------------------------------------------ warps


@pytest.mark.parametrize("aug", [TimeWarp(sigma=1.0, n_knots=8), TimeWarp(sigma=0.2),
                                 ResizedCrop(), ResizedCrop(scale=(0.05, 0.1)),
                                 WindowWarp(), WindowWarp(window_size=0.5, speed=(0.1, 10))],
                         ids=["TimeWarp-strong", "TimeWarp", "ResizedCrop",
                              "ResizedCrop-small", "WindowWarp", "WindowWarp-strong"])
def test_warps_keep_ramps_monotone(aug):
    lengths = np.random.RandomState(0).randint(2, 201, 300)
    lengths[:30] = 200
    X = ramp(300, 2, 200, lengths)
    Xt = clone(aug).set_params(random_state=0).fit_transform(X)
    for i, length in enumerate(lengths):
        assert np.all(np.diff(Xt[i, :, :length], axis=-1) >= 0)
        assert np.isnan(Xt[i, :, length:]).all()
    assert not np.allclose(Xt[lengths == 200], X[lengths == 200])


@pytest.mark.parametrize("aug", [TimeWarp(sigma=1.0, n_knots=6),
                                 WindowWarp(window_size=0.4, speed=(0.2, 5))],
                         ids=["TimeWarp", "WindowWarp"])
@pytest.mark.parametrize("variable_length", [False, True])
def test_warps_keep_endpoints(aug, variable_length):
    X = random_series((3, 2, 100))
    lengths = LENGTHS if variable_length else (100,) * 3
    X = pad(X, lengths)
    Xt = clone(aug).set_params(random_state=0).fit_transform(X)
    assert not np.allclose(Xt[:, :, 1:49], X[:, :, 1:49])
    for i, length in enumerate(lengths):
        np.testing.assert_array_equal(Xt[i, :, 0], X[i, :, 0])
        np.testing.assert_allclose(Xt[i, :, length - 1], X[i, :, length - 1], atol=1e-5)


@pytest.mark.parametrize("aug", [TimeWarp(sigma=0.8), WindowWarp(window_size=0.5)],
                         ids=["TimeWarp", "WindowWarp"])
def test_warp_kernels_endpoints_many_lengths(aug):
    # every length from 1 to 64, including a single valid step
    lengths = torch.arange(1, 65)
    x = torch.randn(64, 2, 64, generator=torch.Generator().manual_seed(0))
    for i, length in enumerate(lengths):
        x[i, :, length:] = float("nan")
    out = aug.augment(x, torch.Generator().manual_seed(1))
    idx = (lengths - 1)[:, None, None].expand(-1, 2, 1)
    torch.testing.assert_close(out[:, :, 0], x[:, :, 0], rtol=0, atol=0)
    torch.testing.assert_close(out.gather(2, idx), x.gather(2, idx), rtol=1e-5, atol=1e-5)
    assert torch.equal(torch.isnan(out), torch.isnan(x))


def test_resized_crop_within_valid_range():
    X = pad(random_series((3, 4, 100)))
    Xt = ResizedCrop(scale=(0.1, 0.5), random_state=0).fit_transform(X)
    for i, length in enumerate(LENGTHS):
        valid, out = X[i, :, :length], Xt[i, :, :length]
        assert np.all(out.min(axis=-1) >= valid.min(axis=-1))
        assert np.all(out.max(axis=-1) <= valid.max(axis=-1))


@pytest.mark.parametrize("variable_length", [False, True])
def test_resized_crop_fixed_scale_on_ramp(variable_length):
    lengths = LENGTHS if variable_length else (100,) * 3
    X = ramp(3, 2, 100, lengths)
    Xt = ResizedCrop(scale=(0.5, 0.5), random_state=0).fit_transform(X)
    for i, length in enumerate(lengths):
        out = Xt[i, :, :length]
        span = out[:, -1] - out[:, 0]
        np.testing.assert_allclose(span, 0.5 * (length - 1), rtol=1e-5)
        # linear: constant slope 0.5, starting inside the series
        np.testing.assert_allclose(np.diff(out, axis=-1), 0.5, atol=1e-4)
        assert np.all(out[:, 0] >= 0) and np.all(out[:, -1] <= length - 1)
    # random starts differ between samples
    assert len(np.unique(Xt[:, 0, 0])) == 3


def test_window_warp_stretches_one_window():
    # on a ramp the output slope is the inverse of the local stretch: one
    # window has slope s / k, the rest s, with s the global resize factor
    X = ramp(200, 1, 300)
    Xt = WindowWarp(window_size=0.3, speed=(0.5, 2.0), random_state=0).fit_transform(X)
    slopes = np.diff(Xt[:, 0], axis=-1)
    assert np.all(slopes > 0)
    for row in slopes:
        low, high = row.min(), row.max()
        between = (row > low + 1e-3) & (row < high - 1e-3)
        assert between.sum() <= 2  # two slopes, plus the steps straddling a window edge
    ratios = slopes.max(axis=-1) / slopes.min(axis=-1)
    assert ratios.max() > 1.8 and ratios.min() < 1.2  # log-uniform speed in (0.5, 2)


# -------------------------------------------------------------- magnitude


def test_magnitude_warp_is_smooth_per_channel_curve():
    X = np.ones((50, 3, 200), dtype=np.float32)
    curve = MagnitudeWarp(sigma=0.3, n_knots=3, random_state=0).fit_transform(X)
    # piecewise linear between 5 knots: second differences vanish except near knots
    kinks = (np.abs(np.diff(curve, n=2, axis=-1)) > 1e-4).sum(axis=-1)
    assert kinks.max() <= 2 * 3 and kinks.mean() > 1
    assert abs(curve.std() - 0.3 * np.sqrt(2 / 3)) < 0.05  # lerp shrinks the variance
    assert not np.allclose(curve[:, 0], curve[:, 1])  # channels differ
    Xt = MagnitudeWarp(sigma=0.3, n_knots=0, random_state=0).fit_transform(X)
    np.testing.assert_allclose(np.diff(Xt, n=2, axis=-1), 0, atol=1e-5)  # linear


def test_sine_distortion_bounded_modulation():
    X = np.full((100, 2, 300), 2.0, dtype=np.float32)
    Xt = SineDistortion(amplitude=0.25, frequency=(1, 3), random_state=0).fit_transform(X)
    ratio = Xt / X - 1.0
    assert np.abs(ratio).max() <= 0.25 + 1e-5
    # at least one full period per series: the modulation reaches its peaks
    np.testing.assert_allclose(np.abs(ratio).max(axis=-1), 0.25, atol=0.01)
    assert not np.allclose(ratio[:, 0], ratio[:, 1])  # phase per channel
    # the number of zero crossings follows the drawn frequency
    crossings = (np.diff(np.sign(ratio), axis=-1) != 0).sum(axis=-1)
    assert crossings.min() >= 1 and crossings.max() <= 7


# ------------------------------------------------------ segments and shifts


@pytest.mark.parametrize("variable_length", [False, True])
def test_permutation_reorders_segments(variable_length):
    lengths = LENGTHS if variable_length else (100,) * 3
    X = np.repeat(ramp(3, 2, 100, lengths), 40, axis=0)
    lengths = np.repeat(lengths, 40)
    Xt = Permutation(n_segments=4, random_state=0).fit_transform(X)
    for i, length in enumerate(lengths):
        out = Xt[i, :, :length]
        np.testing.assert_array_equal(np.sort(out, axis=-1), X[i, :, :length])
        assert (np.diff(out[0]) != 1).sum() <= 3  # at most 3 jumps between 4 segments
        np.testing.assert_array_equal(out[0], out[1])  # channels move together
    assert len({tuple(row) for row in Xt[:40, 0]}) > 30


@pytest.mark.parametrize("variable_length", [False, True])
def test_shift_is_circular(variable_length):
    lengths = LENGTHS if variable_length else (100,) * 3
    X = np.repeat(ramp(3, 1, 100, lengths), 20, axis=0)
    lengths = np.repeat(lengths, 20)
    Xt = Shift(max_shift=0.5, random_state=0).fit_transform(X)
    shifts = []
    for i, length in enumerate(lengths):
        out = Xt[i, 0, :length]
        shift = int(out[0])  # the value now at step 0 came from step `shift`
        np.testing.assert_array_equal(out, np.roll(np.arange(length), -shift))
        shifts.append(min(shift, length - shift))
    assert max(shifts) <= 0.5 * max(lengths) + 1 and len(set(shifts)) > 10


# ----------------------------------------------------------- RandomChoice


def test_random_choice_probabilities():
    X = np.repeat(random_series((1, 1, 20)), 2000, axis=0)
    aug = RandomChoice([Scaling(sigma=0), SignFlipLike()], p=[0.3, 0.7], random_state=0)
    Xt = aug.fit_transform(X)
    flipped = np.all(Xt == -X, axis=(1, 2))
    kept = np.all(Xt == X, axis=(1, 2))
    assert np.all(flipped ^ kept)
    assert abs(flipped.sum() - 1400) < 103  # sd 20.5, bound at 5 of them
    Xt = RandomChoice([Scaling(sigma=0), SignFlipLike()], p=[1, 0]).fit_transform(X)
    np.testing.assert_array_equal(Xt, X)


def test_random_choice_nested_params():
    aug = RandomChoice([Jitter(0.1), Shift()])
    params = aug.get_params(deep=True)
    assert params["jitter__sigma"] == 0.1 and params["shift__max_shift"] == 0.5
    aug.set_params(jitter__sigma=0.4, shift=Shift(0.1))
    assert aug.augmentations[0].sigma == 0.4 and aug.augmentations[1].max_shift == 0.1
    assert clone(aug).get_params()["jitter__sigma"] == 0.4
    with pytest.raises(ValueError, match="no step named 'timewarp'"):
        aug.set_params(timewarp__sigma=1)


def test_grid_search_reaches_nested_parameters():
    policy = Compose([RandomChoice([Jitter(), MagnitudeWarp()]), Shift()])
    params = policy.get_params(deep=True)
    assert params["randomchoice__magnitudewarp__n_knots"] == 4
    policy.set_params(randomchoice__magnitudewarp__n_knots=7, shift__max_shift=0.2)
    assert policy.steps[0].augmentations[1].n_knots == 7
    assert policy.steps[1].max_shift == 0.2


# ---------------------------------------------------------------- padding


@pytest.mark.parametrize("aug", [*AUGMENTATIONS, compose_all()],
                         ids=[*AUG_IDS, "Compose-all"])
def test_padding_stays_padding(aug):
    X = pad(random_series((3, 2, 100)))
    Xt = clone(aug).set_params(random_state=0).fit_transform(X)
    mask = padding_mask(LENGTHS, 100)[:, None, :].repeat(2, axis=1)
    np.testing.assert_array_equal(np.isnan(Xt), mask)
    assert not np.allclose(Xt[~mask], X[~mask])


@pytest.mark.parametrize("aug", AUGMENTATIONS, ids=AUG_IDS)
def test_missing_values_inside_are_filled(aug):
    X = pad(random_series((3, 2, 100)))
    X[0, 1, 10:15] = np.nan  # missing values, not padding
    Xt = clone(aug).set_params(random_state=0).fit_transform(X)
    assert not np.isnan(Xt[0, :, :50]).any()
    assert np.isnan(Xt[0, :, 50:]).all()


# ------------------------------------------------------------- randomness


@pytest.mark.parametrize("aug", AUGMENTATIONS, ids=AUG_IDS)
def test_identical_samples_get_different_views(aug):
    X = np.repeat(random_series((1, 2, 60)), 2, axis=0)
    Xt = clone(aug).set_params(random_state=0).fit_transform(X)
    assert not np.allclose(Xt[0], Xt[1])


@pytest.mark.parametrize("aug", AUGMENTATIONS, ids=AUG_IDS)
def test_fresh_randomness_on_each_transform(aug):
    X = random_series((4, 2, 60))
    aug = clone(aug).set_params(random_state=0).fit(X)
    assert not np.allclose(aug.transform(X), aug.transform(X))


@pytest.mark.parametrize("aug", AUGMENTATIONS, ids=AUG_IDS)
def test_reproducible_for_fixed_seed(aug):
    X = pad(random_series((3, 2, 100)))
    first = clone(aug).set_params(random_state=0).fit(X).transform(X)
    again = clone(aug).set_params(random_state=0).fit(X).transform(X)
    np.testing.assert_array_equal(first, again)
    np.testing.assert_array_equal(
        clone(aug).set_params(random_state=0).fit_transform(X), first)
    # refitting restarts the stream
    fitted = clone(aug).set_params(random_state=0).fit(X)
    fitted.transform(X)
    np.testing.assert_array_equal(fitted.fit(X).transform(X), first)
    other = clone(aug).set_params(random_state=1).fit_transform(X)
    assert not np.allclose(other, first, equal_nan=True)


@pytest.mark.parametrize("aug", AUGMENTATIONS, ids=AUG_IDS)
def test_kernel_same_seed_same_output(aug):
    x = torch.from_numpy(pad(random_series((3, 2, 100))))
    a = aug.augment(x, seeded_generator(42))
    b = aug.augment(x, seeded_generator(42))
    torch.testing.assert_close(a, b, rtol=0, atol=0, equal_nan=True)
    c = aug.augment(x, seeded_generator(43))
    assert not torch.allclose(a, c, equal_nan=True)


@pytest.mark.parametrize("aug", AUGMENTATIONS, ids=AUG_IDS)
def test_kernel_explicit_lengths_and_float64(aug):
    x = torch.from_numpy(pad(random_series((3, 2, 100))))
    a = aug.augment(x, seeded_generator(0))
    b = aug.augment(x, seeded_generator(0), torch.tensor(LENGTHS))
    torch.testing.assert_close(a, b, rtol=0, atol=0, equal_nan=True)
    c = aug.augment(x.double(), seeded_generator(0))
    assert c.dtype == torch.float64
    assert torch.equal(torch.isnan(c), torch.isnan(x))


@pytest.mark.parametrize("aug", AUGMENTATIONS, ids=AUG_IDS)
def test_input_not_modified(aug):
    X = pad(random_series((3, 2, 100)))
    X[0, 0, 5] = np.nan  # a missing value that transform fills in its copy
    X_before = X.copy()
    clone(aug).set_params(random_state=0).fit_transform(X)
    np.testing.assert_array_equal(X, X_before)
    x = torch.from_numpy(pad(random_series((3, 2, 100))))
    x_before = x.clone()
    aug.augment(x, seeded_generator(0))
    torch.testing.assert_close(x, x_before, rtol=0, atol=0, equal_nan=True)


# ------------------------------------------------------------ RandomApply


def test_random_apply_probability():
    X = np.repeat(random_series((1, 1, 20)), 2000, axis=0)
    Xt = RandomApply(Jitter(sigma=1.0), p=0.5, random_state=0).fit_transform(X)
    changed = (Xt != X).any(axis=(1, 2))
    unchanged = (Xt == X).all(axis=(1, 2))
    np.testing.assert_array_equal(changed, ~unchanged)  # all or nothing per sample
    # Binomial(2000, 0.5): standard deviation 22.4, bound at 5 of them
    assert abs(changed.sum() - 1000) < 112
    Xt = RandomApply(Jitter(sigma=1.0), p=1.0, random_state=0).fit_transform(X)
    assert (Xt != X).any(axis=(1, 2)).all()
    Xt = RandomApply(Jitter(sigma=1.0), p=0.1, random_state=0).fit_transform(X)
    assert abs((Xt != X).any(axis=(1, 2)).sum() - 200) < 70  # sd 13.4


def test_random_apply_nested_params():
    aug = RandomApply(Jitter(), p=0.3)
    params = aug.get_params(deep=True)
    assert params["augmentation__sigma"] == 0.03 and params["p"] == 0.3
    aug.set_params(augmentation__sigma=0.7)
    assert aug.augmentation.sigma == 0.7
    assert clone(aug).get_params()["augmentation__sigma"] == 0.7


# ---------------------------------------------------------------- Compose


def test_compose_applies_steps_in_order():
    x = torch.from_numpy(pad(random_series((3, 2, 100))))
    steps = [ScaledNoise(0.5), Scaling(0.5), TimeWarp(0.5), ResizedCrop()]
    composed = Compose(steps).augment(x, seeded_generator(0))
    generator = seeded_generator(0)
    manual = x
    for step in steps:
        manual = step.augment(manual, generator)
    torch.testing.assert_close(composed, manual, rtol=0, atol=0, equal_nan=True)
    reverse = Compose(steps[::-1]).augment(x, seeded_generator(0))
    assert not torch.allclose(reverse, composed, equal_nan=True)


def test_compose_ignores_inner_random_state():
    X = random_series((4, 2, 50))
    a = Compose([Jitter(random_state=1), TimeWarp(random_state=1)], random_state=0)
    b = Compose([Jitter(random_state=2), TimeWarp(random_state=3)], random_state=0)
    np.testing.assert_array_equal(a.fit_transform(X), b.fit_transform(X))


def test_compose_step_names_and_nested_params():
    aug = Compose([Jitter(0.1), TimeWarp(), Jitter(0.2)])
    params = aug.get_params(deep=True)
    assert params["jitter-1__sigma"] == 0.1 and params["jitter-2__sigma"] == 0.2
    assert params["timewarp__n_knots"] == 4
    assert params["timewarp"] is aug.steps[1]
    assert "jitter__sigma" not in params
    assert set(aug.get_params(deep=False)) == {"steps", "random_state"}
    aug.set_params(**{"jitter-1__sigma": 0.0, "jitter-2__sigma": 0.0,
                      "timewarp__sigma": 0.0, "timewarp__n_knots": 7})
    assert [s.sigma for s in aug.steps] == [0.0, 0.0, 0.0]
    assert aug.steps[1].n_knots == 7
    # the new parameters are used: all zero strength is the identity
    X = random_series((3, 2, 40))
    np.testing.assert_allclose(aug.set_params(random_state=0).fit_transform(X), X,
                               rtol=1e-6, atol=1e-6)
    unique = Compose([Jitter(), TimeWarp()]).set_params(jitter__sigma=0.5)
    assert unique.steps[0].sigma == 0.5


def test_compose_set_params_replaces_steps():
    aug = Compose([Jitter(), TimeWarp(), Jitter()])
    original = aug.steps
    aug.set_params(timewarp=ResizedCrop())
    assert isinstance(aug.steps[1], ResizedCrop)
    assert isinstance(original[1], TimeWarp)  # the caller's list is untouched
    # names refer to the steps before the replacement (which renames them)
    aug.set_params(**{"jitter-1": Scaling(), "jitter-2__sigma": 0.7,
                      "jitter-1__sigma": 0.4})
    assert [type(s) for s in aug.steps] == [Scaling, ResizedCrop, Jitter]
    assert aug.steps[0].sigma == 0.4 and aug.steps[2].sigma == 0.7
    aug.set_params(steps=[Jitter()], jitter__sigma=0.9, random_state=3)
    assert aug.steps[0].sigma == 0.9 and aug.random_state == 3


def test_compose_clone_keeps_nested_params():
    aug = Compose([Jitter(), TimeWarp(), Jitter()], random_state=0)
    aug.set_params(**{"jitter-2__sigma": 0.3, "timewarp__n_knots": 2})
    cloned = clone(aug)
    assert cloned.steps is not aug.steps
    assert all(a is not b for a, b in zip(cloned.steps, aug.steps))
    assert cloned.get_params(deep=True)["jitter-2__sigma"] == 0.3
    assert cloned.get_params(deep=True)["timewarp__n_knots"] == 2
    X = random_series((3, 2, 50))
    np.testing.assert_array_equal(cloned.fit_transform(X), aug.fit_transform(X))


def test_compose_invalid_step_name():
    aug = Compose([Jitter(), Jitter()])
    with pytest.raises(ValueError, match="no step named 'jitter'"):
        aug.set_params(jitter__sigma=0.5)
    with pytest.raises(ValueError, match="no step named 'foo'.*jitter-1"):
        aug.set_params(foo=Jitter())
    with pytest.raises(ValueError, match="Invalid parameter"):
        aug.set_params(**{"jitter-1__bar": 0.5})


def test_compose_invalid_steps():
    X = random_series((2, 1, 10))
    with pytest.raises(TypeError, match=r"steps\[1\] must be an augmentation"):
        Compose([Jitter(), "jitter"]).fit(X)
    with pytest.raises(TypeError, match=r"steps\[0\] must be an augmentation"):
        Compose([torch.nn.Identity()]).fit(X)
    with pytest.raises(ValueError, match="at least one augmentation"):
        Compose([]).fit(X)
    with pytest.raises(ValueError, match="sigma"):
        Compose([Jitter(), Jitter(sigma=-1)]).fit(X)


# ------------------------------------------------------------ validation


@pytest.mark.parametrize("aug, match", [
    (Jitter(sigma=-0.1), "'sigma' parameter of Jitter"),
    (ScaledNoise(sigma=-1), "'sigma' parameter of ScaledNoise"),
    (Scaling(sigma=-1), "'sigma' parameter of Scaling"),
    (TimeWarp(sigma=-1), "'sigma' parameter of TimeWarp"),
    (TimeWarp(n_knots=-1), "'n_knots' parameter of TimeWarp"),
    (TimeWarp(n_knots=1.5), "'n_knots' parameter of TimeWarp"),
    (Jitter(sigma="big"), "'sigma' parameter of Jitter"),
    (ResizedCrop(scale=(0.8, 0.2)), r"scale must satisfy .*\(0.8, 0.2\)"),
    (ResizedCrop(scale=(0.5, 1.5)), r"scale must satisfy .*\(0.5, 1.5\)"),
    (ResizedCrop(scale=(-0.5, 1.0)), "scale must satisfy"),
    (ResizedCrop(scale=(0, 0)), "window longer than 0"),
    (ResizedCrop(scale=(0.1, 0.2, 0.3)), "scale must be a pair"),
    (ResizedCrop(scale=0.5), "'scale' parameter of ResizedCrop"),
    (RandomApply(Jitter(), p=1.5), "'p' parameter of RandomApply"),
    (RandomApply(Jitter(), p=-0.1), "'p' parameter of RandomApply"),
    (RandomApply(Jitter(sigma=-1)), "'sigma' parameter of Jitter"),
    (RandomApply("jitter"), "'augmentation' parameter of RandomApply"),
    (MagnitudeWarp(sigma=-1), "'sigma' parameter of MagnitudeWarp"),
    (MagnitudeWarp(n_knots=-1), "'n_knots' parameter of MagnitudeWarp"),
    (SineDistortion(amplitude=-1), "'amplitude' parameter of SineDistortion"),
    (SineDistortion(frequency=(3, 1)), "frequency must satisfy"),
    (WindowWarp(window_size=1.5), "'window_size' parameter of WindowWarp"),
    (WindowWarp(speed=(0, 2)), "speed must be positive"),
    (WindowWarp(speed=(2, 1)), "speed must satisfy"),
    (Permutation(n_segments=0), "'n_segments' parameter of Permutation"),
    (Shift(max_shift=2), "'max_shift' parameter of Shift"),
    (RandomChoice([]), "RandomChoice needs at least one augmentation in augmentations"),
    (RandomChoice([Jitter()], p=[0.5, 0.5]), "one probability per augmentation"),
    (RandomChoice([Jitter(), Shift()], p=[0.5, 0.6]), "summing to 1"),
    (RandomChoice([Jitter(), Shift()], p=[-0.5, 1.5]), "non-negative"),
    (RandomChoice([Jitter(sigma=-1)]), "'sigma' parameter of Jitter"),
])
def test_invalid_parameters(aug, match):
    with pytest.raises(ValueError, match=match):
        aug.fit(random_series((2, 1, 10)))


@pytest.mark.parametrize("aug", AUGMENTATIONS, ids=AUG_IDS)
def test_not_fitted_and_channel_mismatch(aug):
    X = random_series((3, 2, 30))
    aug = clone(aug)
    with pytest.raises(NotFittedError):
        aug.transform(X)
    aug.fit(X)
    assert aug.n_channels_in_ == 2
    with pytest.raises(ValueError, match="X has 3 channels.*fitted with 2 channels"):
        aug.transform(random_series((3, 3, 30)))
    # another length is fine
    assert aug.transform(random_series((3, 2, 45))).shape == (3, 2, 45)


# ------------------------------------------------------- sklearn checks


LENGTH_MAY_CHANGE = (
    "A 2-D input is a batch of univariate series, and series of another length "
    "are valid at transform time, so a different number of columns is not an "
    "error (the channel count is checked instead, see "
    "test_not_fitted_and_channel_mismatch)."
)
EXPECTED_FAILED_CHECKS = {
    "check_n_features_in_after_fitting": LENGTH_MAY_CHANGE,
}


#: The time-series augmentations run through scikit-learn's checks here.
CONTRACT_TESTED = [
    Jitter(random_state=0),
    ScaledNoise(random_state=0),
    Scaling(random_state=0),
    TimeWarp(random_state=0),
    ResizedCrop(random_state=0),
    MagnitudeWarp(random_state=0),
    SineDistortion(random_state=0),
    WindowWarp(random_state=0),
    Permutation(random_state=0),
    Shift(random_state=0),
    FrequencyMix(random_state=0),
    Compose([Jitter(), TimeWarp()], random_state=0),
    RandomApply(Jitter(), random_state=0),
    RandomChoice([Jitter(), Shift()], random_state=0),
]


@parametrize_with_checks(
    CONTRACT_TESTED, expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS,
)
def test_sklearn_compatible(estimator, check):
    check(estimator)

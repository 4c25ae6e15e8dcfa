"""Tests of the masking, orientation and filter augmentations."""

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.utils import get_tags
from sklearn.utils.estimator_checks import parametrize_with_checks

from sslts.augmentations.composition import Compose, RandomApply
from sslts.augmentations.filters import LowPassFilter, Smoothing
from sslts.augmentations.masking import Blockout, Masking
from sslts.augmentations.orientation import ChannelPermutation, SignFlip, TimeReversal
from sslts.utils.random import seeded_generator

from .test_augmentations import (
    EXPECTED_FAILED_CHECKS,
    LENGTHS,
    pad,
    padding_mask,
    random_series,
)

RANDOM = [
    Blockout(scale=(0.2, 0.5)),
    Blockout(scale=(0.2, 0.5), channel_fraction=0.5),
    Masking(p=0.5),
    ChannelPermutation(),
    LowPassFilter(strength=(0.2, 0.5)),
]
DETERMINISTIC = [
    TimeReversal(),
    ChannelPermutation(mode="reverse"),
    SignFlip(),
    Smoothing(window_size=5),
]
ALL = RANDOM + DETERMINISTIC


def name(aug):
    params = aug.get_params()
    extra = ("-half" if params.get("channel_fraction", 1.0) < 1
             else "-reverse" if params.get("mode") == "reverse" else "")
    return type(aug).__name__ + extra


def positive_series(shape, seed=0):
    """Random series without zeros, so that masked values are the zeros."""
    return np.abs(random_series(shape, seed)) + 1.0


def random_lengths(n, t, seed=0):
    lengths = np.random.RandomState(seed).randint(5, t + 1, n)
    lengths[0] = t
    return lengths


# ------------------------------------------------------------ common rules


@pytest.mark.parametrize("aug", ALL, ids=map(name, ALL))
def test_padding_stays_padding_and_valid_part_changes(aug):
    X = pad(random_series((3, 4, 100)))
    Xt = clone(aug).set_params(random_state=0).fit_transform(X)
    assert Xt.shape == X.shape and Xt.dtype == np.float32
    mask = padding_mask(LENGTHS, 100)[:, None, :].repeat(4, axis=1)
    np.testing.assert_array_equal(np.isnan(Xt), mask)
    assert not np.allclose(Xt[~mask], X[~mask])


@pytest.mark.parametrize("aug", ALL, ids=map(name, ALL))
def test_input_not_modified(aug):
    X = pad(random_series((3, 4, 100)))
    X[0, 1, 5] = np.nan  # a missing value that transform fills in its copy
    X_before = X.copy()
    clone(aug).set_params(random_state=0).fit_transform(X)
    np.testing.assert_array_equal(X, X_before)
    x = torch.from_numpy(pad(random_series((3, 4, 100))))
    x_before = x.clone()
    out = aug.augment(x, seeded_generator(0))
    assert out.data_ptr() != x.data_ptr()
    torch.testing.assert_close(x, x_before, rtol=0, atol=0, equal_nan=True)


@pytest.mark.parametrize("aug", ALL, ids=map(name, ALL))
def test_kernel_explicit_lengths_and_float64(aug):
    x = torch.from_numpy(pad(random_series((3, 4, 100))))
    a = aug.augment(x, seeded_generator(0))
    b = aug.augment(x, seeded_generator(0), torch.tensor(LENGTHS))
    torch.testing.assert_close(a, b, rtol=0, atol=0, equal_nan=True)
    c = aug.augment(x.double(), seeded_generator(0))
    assert c.dtype == torch.float64
    torch.testing.assert_close(c.float(), a, rtol=1e-5, atol=1e-5, equal_nan=True)


@pytest.mark.parametrize("aug", ALL, ids=map(name, ALL))
def test_2d_input_returns_2d(aug):
    X = random_series((5, 40))
    Xt = clone(aug).set_params(random_state=0).fit(X).transform(X)
    assert Xt.shape == X.shape and Xt.dtype == np.float32
    if not isinstance(aug, ChannelPermutation):  # one channel: nothing to permute
        assert not np.allclose(Xt, X)


@pytest.mark.parametrize("aug", RANDOM, ids=map(name, RANDOM))
def test_identical_samples_get_different_views(aug):
    X = np.repeat(positive_series((1, 4, 60)), 8, axis=0)
    Xt = clone(aug).set_params(random_state=0).fit_transform(X)
    assert len(np.unique(Xt.reshape(8, -1), axis=0)) >= 4


@pytest.mark.parametrize("aug", RANDOM, ids=map(name, RANDOM))
def test_fresh_randomness_on_each_transform(aug):
    X = random_series((4, 4, 60))
    aug = clone(aug).set_params(random_state=0).fit(X)
    assert not np.allclose(aug.transform(X), aug.transform(X))


@pytest.mark.parametrize("aug", RANDOM, ids=map(name, RANDOM))
def test_reproducible_for_fixed_seed(aug):
    X = pad(random_series((3, 4, 100)))
    first = clone(aug).set_params(random_state=0).fit(X).transform(X)
    again = clone(aug).set_params(random_state=0).fit_transform(X)
    np.testing.assert_array_equal(first, again)
    other = clone(aug).set_params(random_state=1).fit_transform(X)
    assert not np.allclose(other, first, equal_nan=True)
    x = torch.from_numpy(X)
    a = aug.augment(x, seeded_generator(42))
    torch.testing.assert_close(aug.augment(x, seeded_generator(42)), a,
                               rtol=0, atol=0, equal_nan=True)
    assert not torch.allclose(aug.augment(x, seeded_generator(43)), a, equal_nan=True)


@pytest.mark.parametrize("aug", DETERMINISTIC, ids=map(name, DETERMINISTIC))
def test_deterministic_ignore_the_generator(aug):
    x = torch.from_numpy(pad(random_series((3, 4, 100))))
    torch.testing.assert_close(aug.augment(x, seeded_generator(0)),
                               aug.augment(x, seeded_generator(1)),
                               rtol=0, atol=0, equal_nan=True)
    assert get_tags(aug).non_deterministic is False


def test_tags_of_random_augmentations():
    for aug in RANDOM:
        assert get_tags(aug).non_deterministic is True


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("aug", ALL, ids=map(name, ALL))
def test_kernel_on_cuda(aug):
    x = torch.from_numpy(pad(random_series((3, 4, 100))))
    out = aug.augment(x.cuda(), seeded_generator(0, "cuda"))
    assert out.device.type == "cuda" and out.dtype == x.dtype
    assert torch.equal(torch.isnan(out).cpu(), torch.isnan(x))
    again = aug.augment(x.cuda(), seeded_generator(0, "cuda"))
    torch.testing.assert_close(out, again, rtol=0, atol=0, equal_nan=True)
    if aug in DETERMINISTIC:
        torch.testing.assert_close(out.cpu(), aug.augment(x, seeded_generator(0)),
                                   rtol=1e-5, atol=1e-5, equal_nan=True)


# --------------------------------------------------------------- identity


IDENTITIES = [
    Blockout(scale=(0, 0)),
    Blockout(scale=(0, 0), channel_fraction=0.3),
    Masking(p=0),
    LowPassFilter(strength=(0, 0)),
    Smoothing(window_size=1),
    RandomApply(TimeReversal(), p=0),
]


@pytest.mark.parametrize("aug", IDENTITIES, ids=map(name, IDENTITIES))
@pytest.mark.parametrize("variable_length", [False, True])
def test_identity_at_zero_strength(aug, variable_length):
    X = random_series((3, 4, 100))
    if variable_length:
        X = pad(X)
    Xt = clone(aug).set_params(random_state=0).fit_transform(X)
    np.testing.assert_array_equal(Xt, X)  # NaN where X is NaN


@pytest.mark.parametrize("aug", [TimeReversal(), ChannelPermutation(mode="reverse"),
                                 SignFlip()],
                         ids=["TimeReversal", "ChannelPermutation-reverse", "SignFlip"])
def test_involutions(aug):
    lengths = random_lengths(20, 50)
    X = pad(random_series((20, 3, 50)), lengths)
    once = aug.fit_transform(X)
    assert not np.allclose(once, X, equal_nan=True)
    np.testing.assert_array_equal(aug.fit_transform(once), X)


# ------------------------------------------------------------ orientation


def test_time_reversal_reverses_the_valid_part():
    lengths = random_lengths(20, 50)
    X = pad(random_series((20, 3, 50)), lengths)
    Xt = TimeReversal().fit_transform(X)
    for i, length in enumerate(lengths):
        np.testing.assert_array_equal(Xt[i, :, :length], X[i, :, length - 1::-1])
        assert np.isnan(Xt[i, :, length:]).all()


def test_sign_flip_and_channel_reverse_values():
    X = pad(random_series((3, 4, 100)))
    np.testing.assert_array_equal(SignFlip().fit_transform(X), -X)
    np.testing.assert_array_equal(ChannelPermutation(mode="reverse").fit_transform(X),
                                  X[:, ::-1])


def test_random_apply_time_reversal_all_or_nothing():
    X = pad(random_series((400, 2, 30)), random_lengths(400, 30))
    Xt = RandomApply(TimeReversal(), p=0.5, random_state=0).fit_transform(X)
    reversed_ = TimeReversal().fit_transform(X)
    same = (Xt == X) | np.isnan(X)
    flipped = (Xt == reversed_) | np.isnan(X)
    untouched, applied = same.all(axis=(1, 2)), flipped.all(axis=(1, 2))
    assert (untouched | applied).all()
    # Binomial(400, 0.5): standard deviation 10, bound at 5 of them
    assert abs(applied.sum() - 200) < 50


def test_channel_permutation_is_a_uniform_permutation_per_sample():
    n, c, t = 2400, 3, 5
    # channel k holds values 100 * k + time step: each output channel names
    # the input channel it came from
    X = (100 * np.arange(c)[:, None] + np.arange(t)).astype(np.float32)
    X = np.broadcast_to(X, (n, c, t)).copy()
    Xt = ChannelPermutation(random_state=0).fit_transform(X)
    source = np.rint(Xt[:, :, 0] / 100).astype(int)
    np.testing.assert_array_equal(np.sort(source, axis=1), np.broadcast_to(np.arange(c),
                                                                          (n, c)))
    np.testing.assert_array_equal(Xt, X[np.arange(n)[:, None], source])
    # each of the 6 orders is drawn 400 times on average (sd 18.3; 5 sd bound)
    _, counts = np.unique(source, axis=0, return_counts=True)
    assert counts.size == 6
    assert np.all(np.abs(counts - 400) < 92)


def test_channel_permutation_preserves_values_per_time_step():
    X = pad(random_series((6, 5, 100)))
    Xt = ChannelPermutation(random_state=0).fit_transform(X)
    np.testing.assert_array_equal(np.sort(Xt, axis=1), np.sort(X, axis=1))


# ---------------------------------------------------------------- masking


def test_blockout_zeroes_one_block_of_the_expected_length():
    n, c, t = 300, 3, 80
    lengths = random_lengths(n, t)
    X = pad(positive_series((n, c, t)), lengths)
    scale = (0.1, 0.4)
    Xt = Blockout(scale=scale, random_state=0).fit_transform(X)
    zero = Xt == 0
    np.testing.assert_array_equal(zero, zero[:, :1].repeat(c, axis=1))  # all channels
    ends = []
    for i, length in enumerate(lengths):
        steps = np.flatnonzero(zero[i, 0])
        size = steps.size
        low, high = np.floor(np.multiply(scale, length) + 0.5)
        assert low <= size <= high
        if size:
            np.testing.assert_array_equal(steps, np.arange(steps[0], steps[0] + size))
            assert steps[-1] < length
            ends.append((steps[0], length - 1 - steps[-1]))
        np.testing.assert_array_equal(Xt[i][~zero[i]], X[i][~zero[i]])
    # blocks start anywhere, against either edge of the valid part included
    ends = np.array(ends)
    assert (ends[:, 0] == 0).any() and (ends[:, 1] == 0).any()
    assert np.median(ends[:, 0]) > 3 and np.median(ends[:, 1]) > 3


def test_blockout_channel_fraction_covers_adjacent_channels():
    n, c, t = 200, 6, 40
    X = positive_series((n, c, t))
    aug = Blockout(scale=(0.5, 0.5), channel_fraction=0.5, random_state=0)
    Xt = aug.fit_transform(X)
    zero = Xt == 0
    covered = zero.any(axis=2)
    assert (covered.sum(axis=1) == 3).all()
    first = covered.argmax(axis=1)
    np.testing.assert_array_equal(covered, (np.arange(c) >= first[:, None])
                                  & (np.arange(c) < first[:, None] + 3))
    assert set(first) == {0, 1, 2, 3}
    # the same time block in each covered channel, 20 steps long
    rows = zero[covered].reshape(n, 3, t)
    np.testing.assert_array_equal(rows, rows[:, :1].repeat(3, axis=1))
    assert (rows[:, 0].sum(axis=1) == 20).all()
    # round(fraction * channels), and a tiny fraction still covers one channel
    for fraction, expected in [(0.01, 1), (0.45, 3), (0.75, 5), (0.9, 5)]:
        aug = Blockout(scale=(0.5, 0.5), channel_fraction=fraction, random_state=0)
        Xt = aug.fit_transform(X)
        assert ((Xt == 0).any(axis=2).sum(axis=1) == expected).all()


def test_blockout_full_scale_zeroes_the_valid_part():
    X = pad(random_series((3, 2, 100)))
    Xt = Blockout(scale=(1, 1), random_state=0).fit_transform(X)
    np.testing.assert_array_equal(Xt, np.where(np.isnan(X), np.nan, 0.0))


def test_masking_probability_and_whole_timestamps():
    n, c, t = 200, 2, 500
    lengths = random_lengths(n, t)
    X = pad(positive_series((n, c, t)), lengths)
    Xt = Masking(p=0.3, random_state=0).fit_transform(X)
    zero = Xt == 0
    np.testing.assert_array_equal(zero[:, 0], zero[:, 1])  # all channels at once
    valid = ~padding_mask(lengths, t)
    # about 51000 valid steps: standard deviation 0.002, bound at 5 of them
    assert abs(zero[:, 0][valid].mean() - 0.3) < 0.01
    assert not zero[:, 0][~valid].any()
    np.testing.assert_array_equal(Xt[~zero], X[~zero])
    # every sample has its own mask, drawn independently per time step
    rate = zero[:, 0, :20].mean(axis=0)
    assert np.all(np.abs(rate - 0.3) < 0.17)  # Binomial(200, 0.3) per step: sd 0.032
    Xt = Masking(p=1.0, random_state=0).fit_transform(X)
    np.testing.assert_array_equal(Xt, np.where(np.isnan(X), np.nan, 0.0))


# ---------------------------------------------------------------- filters


def sine(cycles_per_step, n=4, c=2, t=400):
    steps = np.arange(t)
    X = np.sin(2 * np.pi * cycles_per_step * steps + np.arange(n * c).reshape(n, c, 1))
    return X.astype(np.float32)


def gain(aug, cycles_per_step):
    X = sine(cycles_per_step)
    Xt = aug.fit_transform(X)
    return Xt[:, :, 2:-2].std(axis=-1) / X[:, :, 2:-2].std(axis=-1)


def test_low_pass_filter_attenuates_high_frequencies():
    full = LowPassFilter(strength=(0.5, 0.5), random_state=0)
    assert np.all(gain(full, 0.45) < 0.05)   # 1 - 0.5 * (1 - cos(0.9 pi)) = 0.025
    assert np.all(gain(full, 0.01) > 0.995)  # 0.999
    half = LowPassFilter(strength=(0.25, 0.25), random_state=0)
    expected = 1 - 0.25 * (1 - np.cos(0.9 * np.pi))
    np.testing.assert_allclose(gain(half, 0.45), expected, rtol=0.02)


def test_low_pass_filter_formula_and_edges():
    lengths = (7, 4, 10)
    X = pad(random_series((3, 2, 10)), lengths)
    lam = 0.3
    Xt = LowPassFilter(strength=(lam, lam), random_state=0).fit_transform(X)
    for i, length in enumerate(lengths):
        x = X[i, :, :length]
        padded = np.concatenate([x[:, :1], x, x[:, -1:]], axis=1)
        expected = lam / 2 * padded[:, :-2] + (1 - lam) * x + lam / 2 * padded[:, 2:]
        np.testing.assert_allclose(Xt[i, :, :length], expected, rtol=1e-5, atol=1e-6)
        assert np.isnan(Xt[i, :, length:]).all()


def test_low_pass_filter_strength_drawn_per_sample_in_range():
    # on the alternating series (Nyquist) the output is (1 - 2 lam) times the input
    n, t = 500, 20
    X = np.broadcast_to((-1.0) ** np.arange(t), (n, 1, t)).astype(np.float32)
    Xt = LowPassFilter(strength=(0.1, 0.4), random_state=0).fit_transform(X)
    lam = (1 - Xt[:, 0, 1:-1] / X[:, 0, 1:-1]) / 2
    np.testing.assert_allclose(lam, lam[:, :1].repeat(t - 2, axis=1), atol=1e-5)
    lam = lam[:, 0]
    assert lam.min() >= 0.1 - 1e-6 and lam.max() <= 0.4 + 1e-6
    # uniform on [0.1, 0.4]: mean 0.25, sd 0.087 (sd of the mean 0.0039)
    assert abs(lam.mean() - 0.25) < 0.02 and abs(lam.std() - 0.0866) < 0.01


def test_smoothing_keeps_constants_and_reduces_noise():
    lengths = random_lengths(50, 60)
    X = pad(np.full((50, 2, 60), 3.7, dtype=np.float32), lengths)
    np.testing.assert_allclose(Smoothing(window_size=7).fit_transform(X), X, rtol=1e-6)
    noise = random_series((200, 1, 200))
    smooth = Smoothing(window_size=5).fit_transform(noise)
    # white noise averaged over 5 steps: variance 1/5 away from the edges
    ratio = smooth[:, :, 2:-2].var() / noise[:, :, 2:-2].var()
    assert abs(ratio - 0.2) < 0.01


def test_smoothing_averages_valid_neighbours_only():
    lengths = (9, 3, 12)
    X = pad(random_series((3, 2, 12)), lengths)
    Xt = Smoothing(window_size=5).fit_transform(X)
    for i, length in enumerate(lengths):
        for j in range(length):
            window = X[i, :, max(0, j - 2):min(length, j + 3)]
            np.testing.assert_allclose(Xt[i, :, j], window.mean(axis=1), rtol=1e-5,
                                       atol=1e-6)
        assert np.isnan(Xt[i, :, length:]).all()
    # a window longer than the series averages the whole valid part
    Xt = Smoothing(window_size=31).fit_transform(X)
    for i, length in enumerate(lengths):
        expected = X[i, :, :length].mean(axis=1, keepdims=True).repeat(length, axis=1)
        np.testing.assert_allclose(Xt[i, :, :length], expected, rtol=1e-5, atol=1e-6)


def test_compose_all_keeps_padding():
    aug = Compose([Blockout(), Masking(p=0.2), RandomApply(TimeReversal()),
                   ChannelPermutation(), RandomApply(SignFlip()), Smoothing(3),
                   LowPassFilter()], random_state=0)
    X = pad(random_series((3, 4, 100)))
    Xt = aug.fit_transform(X)
    np.testing.assert_array_equal(np.isnan(Xt), np.isnan(X))


# ------------------------------------------------------------ validation


@pytest.mark.parametrize("aug, error, match", [
    (Blockout(scale=(0.5, 0.2)), ValueError, r"scale must satisfy .*\(0.5, 0.2\)"),
    (Blockout(scale=(0.0, 1.5)), ValueError, "scale must satisfy"),
    (Blockout(scale=(0.1, 0.2, 0.3)), ValueError, "scale must be a pair"),
    (Blockout(scale=0.2), TypeError, "'scale' parameter of Blockout"),
    (Blockout(channel_fraction=0), ValueError,
     "'channel_fraction' parameter of Blockout"),
    (Blockout(channel_fraction=1.5), ValueError, "'channel_fraction' parameter"),
    (Masking(p=1.2), ValueError, "'p' parameter of Masking"),
    (Masking(p=-0.1), ValueError, "'p' parameter of Masking"),
    (Masking(p="half"), TypeError, "'p' parameter of Masking"),
    (ChannelPermutation(mode="shuffle"), ValueError,
     "'mode' parameter of ChannelPermutation.*'random'"),
    (Smoothing(window_size=4), ValueError,
     "window_size must be odd.*got 4; use 3 or 5"),
    (Smoothing(window_size=0), ValueError, "'window_size' parameter of Smoothing"),
    (Smoothing(window_size=3.0), TypeError, "'window_size' parameter of Smoothing"),
    (LowPassFilter(strength=(0.0, 0.6)), ValueError,
     r"strength must satisfy 0.0 <= low <= high <= 0.5"),
    (LowPassFilter(strength=(0.4, 0.1)), ValueError, "strength must satisfy"),
    (LowPassFilter(strength=(0.1,)), ValueError, "strength must be a pair"),
    (LowPassFilter(strength=0.3), TypeError, "'strength' parameter of LowPassFilter"),
    (TimeReversal(random_state="seed"), ValueError, "'random_state' parameter"),
])
def test_invalid_parameters(aug, error, match):
    with pytest.raises(error, match=match):
        aug.fit(random_series((2, 1, 10)))


# ------------------------------------------------------- sklearn checks


def expected_failed_checks(estimator):
    """Checks expected to fail, with their reasons (see test_augmentations.py)."""
    expected = dict(EXPECTED_FAILED_CHECKS)
    if not get_tags(estimator).non_deterministic:
        # the random ones skip this check before its last step
        expected["check_transformer_general"] = (
            "Its last step expects transform to reject X[:, :-1]; "
            + EXPECTED_FAILED_CHECKS["check_n_features_in_after_fitting"]
        )
    return expected


#: The catalogue's augmentations run through scikit-learn's checks here.
CONTRACT_TESTED = [
    Blockout(random_state=0),
    Masking(random_state=0),
    TimeReversal(),
    ChannelPermutation(random_state=0),
    ChannelPermutation(mode="reverse"),
    SignFlip(),
    Smoothing(),
    LowPassFilter(random_state=0),
]


@parametrize_with_checks(CONTRACT_TESTED, expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible(estimator, check):
    check(estimator)

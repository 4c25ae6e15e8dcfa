"""Tests of FrequencyMix, the augmentation that mixes spectra across a batch."""

import numpy as np
import pytest
import torch

from sslts import TS2VecTransformer
from sslts.augmentations import FrequencyMix
from sslts.utils.random import seeded_generator

from .test_augmentations import LENGTHS, pad, padding_mask, random_series


def mix(x, **params):
    """``FrequencyMix(**params)`` applied to a float64 tensor batch."""
    return FrequencyMix(**params).augment(torch.from_numpy(x), seeded_generator(0)).numpy()


def test_padding_stays_padding_and_valid_part_changes():
    X = pad(random_series((3, 4, 100)))
    Xt = FrequencyMix(random_state=0).fit_transform(X)
    assert Xt.shape == X.shape and Xt.dtype == np.float32
    mask = padding_mask(LENGTHS, 100)[:, None, :].repeat(4, axis=1)
    np.testing.assert_array_equal(np.isnan(Xt), mask)
    for i, length in enumerate(LENGTHS):  # every series changes
        assert not np.allclose(Xt[i, :, :length], X[i, :, :length])


def test_input_not_modified_and_kernel_agrees_with_explicit_lengths_and_float64():
    X = pad(random_series((3, 4, 100)))
    X_before = X.copy()
    FrequencyMix(random_state=0).fit_transform(X)
    np.testing.assert_array_equal(X, X_before)
    x = torch.from_numpy(X)
    aug = FrequencyMix()
    a = aug.augment(x, seeded_generator(0))
    torch.testing.assert_close(x, torch.from_numpy(X_before), rtol=0, atol=0, equal_nan=True)
    b = aug.augment(x, seeded_generator(0), torch.tensor(LENGTHS))
    torch.testing.assert_close(a, b, rtol=0, atol=0, equal_nan=True)
    c = aug.augment(x.double(), seeded_generator(0))
    assert c.dtype == torch.float64
    torch.testing.assert_close(c.float(), a, rtol=1e-4, atol=1e-4, equal_nan=True)


def test_reproducible_for_a_seed_and_fresh_on_each_transform():
    X = pad(random_series((6, 2, 100), seed=1), LENGTHS * 2)
    aug = FrequencyMix(random_state=0).fit(X)
    first, second = aug.transform(X), aug.transform(X)
    assert not np.allclose(first, second, equal_nan=True)
    np.testing.assert_array_equal(FrequencyMix(random_state=0).fit_transform(X), first)
    assert not np.allclose(FrequencyMix(random_state=1).fit_transform(X), first, equal_nan=True)


@pytest.mark.parametrize("variable_length", [False, True])
def test_rate_zero_and_a_batch_of_one_are_unchanged(variable_length):
    X = random_series((3, 2, 100))
    if variable_length:
        X = pad(X)
    np.testing.assert_array_equal(FrequencyMix(rate=0, random_state=0).fit_transform(X), X)
    np.testing.assert_array_equal(FrequencyMix(rate=1, random_state=0).fit_transform(X[:1]),
                                  X[:1])


def test_rate_one_takes_the_partner_spectrum_but_the_mean():
    # with two series each one's partner is the other
    x = random_series((2, 3, 64)).astype(np.float64) + np.array([[[1.0]], [[5.0]]])
    out = mix(x, rate=1.0, n_dominant=0)
    mean = x.mean(axis=-1, keepdims=True)
    np.testing.assert_allclose(out[0], x[1] - mean[1] + mean[0], atol=1e-10)
    np.testing.assert_allclose(out[1], x[0] - mean[0] + mean[1], atol=1e-10)


def test_dominant_components_are_kept():
    steps = np.arange(128)
    noise = 0.1 * random_series((2, 1, 128)).astype(np.float64)
    x = noise + np.stack([np.sin(2 * np.pi * 5 * steps / 128),
                          np.sin(2 * np.pi * 9 * steps / 128)])[:, None, :]
    spectrum, mixed = np.fft.rfft(x), np.fft.rfft(mix(x, rate=1.0, n_dominant=1))
    np.testing.assert_allclose(mixed[0, 0, 5], spectrum[0, 0, 5], atol=1e-9)  # own sine kept
    np.testing.assert_allclose(mixed[0, 0, 9], spectrum[1, 0, 9], atol=1e-9)  # partner's taken
    np.testing.assert_allclose(mixed[1, 0, 9], spectrum[1, 0, 9], atol=1e-9)
    others = np.setdiff1d(np.arange(1, 65), [5, 9])
    np.testing.assert_allclose(mixed[0, 0, others], spectrum[1, 0, others], atol=1e-9)


def test_a_partner_of_another_length_is_resampled_to_the_series_length():
    x = pad(random_series((2, 2, 100)).astype(np.float64), (50, 100))
    out = mix(x, rate=1.0, n_dominant=0)
    assert np.isnan(out[0, :, 50:]).all() and np.isfinite(out[1]).all()
    # series 0 (50 steps) gets series 1's 100 steps read at 50 evenly spaced times
    partner = np.stack([np.interp(np.arange(50) * 99 / 49, np.arange(100), x[1, c])
                        for c in range(2)])
    expected = partner - partner.mean(-1, keepdims=True) + x[0, :, :50].mean(-1, keepdims=True)
    np.testing.assert_allclose(out[0, :, :50], expected, atol=1e-10)


@pytest.mark.parametrize("params, match", [
    (dict(rate=1.5), "rate"),
    (dict(rate=-0.1), "rate"),
    (dict(n_dominant=-1), "n_dominant"),
    (dict(n_dominant=1.5), "n_dominant"),
])
def test_invalid_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        FrequencyMix(**params).fit(random_series((2, 1, 20)))


def test_trains_ts2vec_as_an_augmentation_of_the_crops():
    X = random_series((16, 2, 40))
    model = TS2VecTransformer(augmentations=FrequencyMix(), max_steps=3, batch_size=8,
                              random_state=0).fit(X)
    Z = model.transform(X)
    assert Z.shape == (16, model.embedding_dim_) and np.isfinite(Z).all()
    plain = TS2VecTransformer(max_steps=3, batch_size=8, random_state=0).fit(X)
    assert not np.allclose(plain.transform(X), Z)  # the augmentation took effect


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_kernel_on_cuda():
    x = torch.from_numpy(pad(random_series((3, 4, 100))))
    out = FrequencyMix().augment(x.cuda(), seeded_generator(0, "cuda"))
    assert out.device.type == "cuda" and out.dtype == x.dtype
    assert torch.equal(torch.isnan(out).cpu(), torch.isnan(x))

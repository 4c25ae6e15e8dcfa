"""The training engine: batch iterator, seeding helpers and device selection."""

import numpy as np
import pytest
import torch

from sslts.metrics import embedding_std
from sslts.training.data import BatchIterator, SeriesDataset, random_windows
from sslts.utils.device import resolve_device
from sslts.utils.random import seeded_generator


def dataset(n=10, t=6, lengths=None):
    X = np.arange(n * t, dtype=np.float32).reshape(n, 1, t)
    lengths = np.full(n, t) if lengths is None else np.asarray(lengths)
    for i, length in enumerate(lengths):
        X[i, :, length:] = np.nan
    return SeriesDataset(X, lengths)


def first_values(batches):
    return [int(v) // 6 for batch, _ in batches for v in batch["x"][:, 0, 0]]


def test_each_sample_once_per_epoch_and_shuffled_differently():
    data = dataset(10)
    iterator = BatchIterator(data, batch_size=4, shuffle=True, generator=seeded_generator(0))
    epoch1, epoch2 = first_values(iterator), first_values(iterator)
    assert sorted(epoch1) == list(range(10)) and sorted(epoch2) == list(range(10))
    assert epoch1 != epoch2


def test_unshuffled_order_and_batch_sizes():
    batches = list(BatchIterator(dataset(10), batch_size=4))
    assert [len(b["x"]) for b, _ in batches] == [4, 4, 2]
    assert first_values(batches) == list(range(10))
    assert all(y is None for _, y in batches)


def test_last_single_sample_is_merged():
    iterator = BatchIterator(dataset(9), batch_size=4)
    assert [len(b["x"]) for b, _ in iterator] == [4, 5]
    assert len(iterator) == 2


def test_variable_length_batches_are_cut_to_their_longest_series():
    data = dataset(4, t=6, lengths=[2, 3, 6, 4])
    batches = [b for b, _ in BatchIterator(data, batch_size=2)]
    assert [b["x"].shape[-1] for b in batches] == [3, 6]
    # the batches carry the lengths the data was validated with
    assert [b["lengths"].tolist() for b in batches] == [[2, 3], [6, 4]]


def test_max_steps_stops_within_an_epoch_across_iterations():
    iterator = BatchIterator(dataset(10), batch_size=4, shuffle=True,
                             generator=seeded_generator(0), max_steps=5)
    epochs = [list(iterator) for _ in range(3)]
    assert [len(epoch) for epoch in epochs] == [3, 2, 0]
    assert len(iterator) == 3  # batches per iteration, without the budget


def test_same_seed_same_permutation():
    orders = [first_values(BatchIterator(dataset(10), 3, shuffle=True,
                                         generator=seeded_generator(7))) for _ in range(2)]
    assert orders[0] == orders[1]


def test_random_windows_are_contiguous_parts_of_each_valid_series():
    lengths = torch.tensor([20, 5, 12, 8])
    x = torch.arange(4 * 2 * 20, dtype=torch.float32).reshape(4, 2, 20)
    for i, length in enumerate(lengths):
        x[i, :, length:] = float("nan")
    original = x.clone()
    windows, window_lengths = random_windows(x, lengths, 8, seeded_generator(0))
    assert torch.equal(x.nan_to_num(-1), original.nan_to_num(-1))  # input untouched
    assert windows.shape == (4, 2, 8)
    assert window_lengths.tolist() == [8, 5, 8, 8]
    for i, length in enumerate(lengths.tolist()):
        start = int(windows[i, 0, 0] - x[i, 0, 0])
        keep = min(length, 8)
        assert 0 <= start <= max(length - 8, 0)
        assert torch.equal(windows[i, :, :keep], x[i, :, start:start + keep])
        assert torch.isnan(windows[i, :, keep:]).all()  # the short series keeps its padding


def test_random_windows_vary_are_seeded_and_keep_short_batches():
    x = torch.arange(3 * 100, dtype=torch.float32).reshape(3, 1, 100)
    lengths = torch.full((3,), 100)
    draws = [random_windows(x, lengths, 10, seeded_generator(s))[0][:, 0, 0] for s in (0, 0, 1)]
    assert torch.equal(draws[0], draws[1]) and not torch.equal(draws[0], draws[2])
    assert random_windows(x, lengths, 100)[0] is x
    images = torch.randn(2, 1, 4, 30)  # time is the last axis of 4-D input too
    assert random_windows(images, torch.full((2,), 30), 7)[0].shape == (2, 1, 4, 7)


def test_iterator_windows_cut_variable_length_batches():
    data = dataset(4, t=30, lengths=[30, 6, 30, 9])
    iterator = BatchIterator(data, batch_size=2, window=10, generator=seeded_generator(0))
    batches = [b for b, _ in iterator]
    assert [b["x"].shape[-1] for b in batches] == [10, 10]
    assert [b["lengths"].tolist() for b in batches] == [[10, 6], [10, 9]]
    short = BatchIterator(dataset(4, t=30, lengths=[5, 6, 7, 30]), batch_size=2, window=10)
    assert [b["x"].shape[-1] for b, _ in short] == [6, 10]


def test_embedding_std_detects_collapse():
    spread = torch.randn(256, 16, generator=seeded_generator(0))
    assert embedding_std(spread) == pytest.approx(1 / 4, rel=0.15)
    assert embedding_std(torch.ones(256, 16)) == pytest.approx(0.0, abs=1e-6)


def test_resolve_device():
    assert resolve_device("cpu") == "cpu"
    assert resolve_device("auto") == ("cuda" if torch.cuda.is_available() else "cpu")
    with pytest.raises(ValueError, match="Unknown device"):
        resolve_device("gpu0")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="CUDA is not available"):
            resolve_device("cuda:1")

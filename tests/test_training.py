"""The training engine: batch iterator, seeding helpers and device selection."""

import numpy as np
import pytest
import torch

from sslts.training import BatchIterator, SeriesDataset, embedding_std
from sslts.utils.device import resolve_device
from sslts.utils.random import seeded_generator


def dataset(n=10, t=6, lengths=None):
    X = np.arange(n * t, dtype=np.float32).reshape(n, 1, t)
    lengths = np.full(n, t) if lengths is None else np.asarray(lengths)
    for i, length in enumerate(lengths):
        X[i, :, length:] = np.nan
    return SeriesDataset(X, lengths)


def first_values(batches):
    return [int(v) // 6 for batch, _ in batches for v in batch[:, 0, 0]]


def test_each_sample_once_per_epoch_and_shuffled_differently():
    data = dataset(10)
    iterator = BatchIterator(data, batch_size=4, shuffle=True, generator=seeded_generator(0))
    epoch1, epoch2 = first_values(iterator), first_values(iterator)
    assert sorted(epoch1) == list(range(10)) and sorted(epoch2) == list(range(10))
    assert epoch1 != epoch2


def test_unshuffled_order_and_batch_sizes():
    batches = list(BatchIterator(dataset(10), batch_size=4))
    assert [len(b) for b, _ in batches] == [4, 4, 2]
    assert first_values(batches) == list(range(10))
    assert all(y is None for _, y in batches)


def test_last_single_sample_is_merged():
    iterator = BatchIterator(dataset(9), batch_size=4)
    assert [len(b) for b, _ in iterator] == [4, 5]
    assert len(iterator) == 2


def test_variable_length_batches_are_cut_to_their_longest_series():
    data = dataset(4, t=6, lengths=[2, 3, 6, 4])
    batches = [b for b, _ in BatchIterator(data, batch_size=2)]
    assert [b.shape[-1] for b in batches] == [3, 6]


def test_same_seed_same_permutation():
    orders = [first_values(BatchIterator(dataset(10), 3, shuffle=True,
                                         generator=seeded_generator(7))) for _ in range(2)]
    assert orders[0] == orders[1]


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

"""Dataset and batch iterator that slice tensors instead of collating samples."""

import math
from numbers import Integral, Real

import numpy as np
import torch
from torch.utils.data import Dataset

from ..utils.lazy import LazySeries, chunk_rows
from .distributed import shard, shard_size


class SeriesDataset(Dataset):
    """Series held as one tensor, or read from disk a batch at a time.

    Parameters
    ----------
    X : numpy.ndarray of float32, shape (n, c, t) or (n, c, h, w), or LazySeries
        Series right-padded with NaN, or fixed-size spectrograms and images;
        or out-of-core series (:class:`~sslts.utils.lazy.LazySeries`), read
        by :meth:`rows` when a batch needs them.
    lengths : numpy.ndarray of int, shape (n,), default=None
        Valid length of each series; None means every sample is full (no
        padding), as for spectrograms and images.
    y : numpy.ndarray, shape (n,) or (n, k), default=None
        Targets of supervised training; None for self-supervised data.
    """

    def __init__(self, X, lengths=None, y=None):
        self.X = X if isinstance(X, LazySeries) else torch.as_tensor(X)
        if lengths is None:
            lengths = torch.full((self.X.shape[0],), self.X.shape[-1], dtype=torch.int64)
        self.lengths = torch.as_tensor(lengths)
        self.y = None if y is None else torch.as_tensor(y)
        self.variable_length = bool((self.lengths < self.X.shape[-1]).any())

    def __len__(self):
        return self.X.shape[0]

    def __getitem__(self, index):
        return self.rows(index), self.lengths[index]

    def rows(self, index):
        """The series at ``index`` (a tensor of int) as one float32 tensor."""
        if isinstance(self.X, LazySeries):
            return torch.from_numpy(self.X.read(torch.as_tensor(index).numpy()))
        return self.X[index]

    def channel_statistics(self):
        """Mean and standard deviation of each channel over every series and
        time step, NaN (padding) left out; read about
        :data:`~sslts.utils.lazy.CHUNK_BYTES` of float64 values at a time and
        merged exactly (Chan et al.'s pairwise update). Read once per
        dataset: later calls (the encoder's standardisation and an
        objective's ``prepare`` in one fit) reuse them without reading the
        data again.

        Returns
        -------
        mean, std : ndarray of float64, shape (c,)
        """
        if getattr(self, "_statistics", None) is None:
            self._statistics = self._read_channel_statistics()
        mean, std = self._statistics
        return mean.copy(), std.copy()

    def _read_channel_statistics(self):
        n_channels = self.X.shape[1]
        count = np.zeros(n_channels)
        mean = np.zeros(n_channels)
        m2 = np.zeros(n_channels)
        step = chunk_rows(self.X.shape, itemsize=8)
        for start in range(0, len(self), step):
            block = self.rows(torch.arange(start, min(start + step, len(self)))).double()
            values = block.transpose(0, 1).reshape(n_channels, -1).numpy()
            present = ~np.isnan(values)
            k = present.sum(axis=1)
            block_mean = np.nansum(values, axis=1) / np.maximum(k, 1)
            block_m2 = np.nansum((values - block_mean[:, None]) ** 2, axis=1)
            total = count + k
            delta = block_mean - mean
            mean = mean + delta * k / np.maximum(total, 1)
            m2 = m2 + block_m2 + delta ** 2 * count * k / np.maximum(total, 1)
            count = total
        return mean, np.sqrt(m2 / np.maximum(count, 1))

    def subset(self, index):
        """A dataset of the samples at ``index`` (array of int); out-of-core
        series stay out of core."""
        index = torch.as_tensor(index)
        X = self.X.subset(index.numpy()) if isinstance(self.X, LazySeries) else self.X[index]
        return SeriesDataset(X, self.lengths[index], None if self.y is None else self.y[index])


def random_windows(batch, lengths, window, generator=None):
    """Cut each series of ``batch`` to a random window of ``window`` steps.

    A series longer than ``window`` gets a window starting uniformly at random
    in its valid part; a shorter one is kept whole from its start (with its
    padding). The batch is then cut to its longest window.

    Parameters
    ----------
    batch : torch.Tensor of shape (n, ..., t)
        Series right-padded with NaN; time is the last axis.
    lengths : torch.Tensor of int, shape (n,)
        Valid length of each series.
    window : int
        Length of the windows.
    generator : torch.Generator, optional
        Source of the window starts.

    Returns
    -------
    windows : torch.Tensor of shape (n, ..., min(t, window))
    lengths : torch.Tensor of int, shape (n,)
        Valid lengths of the windows.
    """
    n, t = batch.shape[0], batch.shape[-1]
    if t <= window:
        return batch, lengths
    lengths = lengths.to(torch.int64)
    room = (lengths - window).clamp(min=0)
    start = (torch.rand(n, generator=generator) * (room + 1)).long()
    index = start[:, None] + torch.arange(window)
    index = index.view(n, *([1] * (batch.ndim - 2)), window).expand(*batch.shape[:-1], window)
    windows = torch.gather(batch, -1, index)
    lengths = lengths.clamp(max=window)
    return windows[..., : int(lengths.max())], lengths


def samples_per_epoch(n, max_samples=None):
    """Samples used per epoch out of ``n``.

    Parameters
    ----------
    n : int
        Size of the dataset.
    max_samples : int or float, default=None
        An int is a number of samples (at most ``n``), a float in ``(0, 1]``
        a fraction of ``n`` (rounded up, at least 2); None means all.

    Returns
    -------
    int
    """
    m = max_samples
    if m is None:
        return n
    if isinstance(m, Integral) and not isinstance(m, bool) and m >= 1:
        return min(int(m), n)
    if isinstance(m, Real) and not isinstance(m, (Integral, bool)) and 0 < m <= 1:
        return min(n, max(2, math.ceil(m * n)))
    raise ValueError(
        f"max_samples must be None, an int >= 1 or a float in (0, 1], got {m!r}."
    )


def batch_bounds(n, batch_size):
    """``(start, stop)`` of the batches over ``n`` samples; a last batch of one
    sample is merged into the previous one."""
    starts = list(range(0, n, batch_size))
    if n > 1 and n - starts[-1] == 1:
        starts.pop()
    return list(zip(starts, starts[1:] + [n]))


class BatchIterator:
    """Iterate over ``({"x": x, "lengths": lengths}, y)`` batches of one tensor.

    Each batch is a single gather, with no per-sample Python collation, and
    carries the valid lengths of its series, so that the training step never
    recomputes them from the padding. In variable-length data a batch is cut
    to its longest series. A last batch of one sample is merged into the
    previous one, since contrastive and batch-normalised losses need at least
    two samples. The dict is skorch's form of a multi-input batch: a module
    receives ``module(x=..., lengths=...)``.

    Parameters
    ----------
    dataset : SeriesDataset
        The data.
    batch_size : int
        Number of samples per batch.
    shuffle : bool, default=False
        Draw a new permutation at each iteration.
    generator : torch.Generator, optional
        Source of the permutations and subsets.
    max_samples : int or float, default=None
        Use a fresh random subset of the samples at each iteration: an int
        is a number of samples (at most the dataset size), a float in
        ``(0, 1]`` a fraction of the dataset (rounded up, at least 2). None
        uses every sample.
    window : int, default=None
        Cut the series of each batch to random windows of this many steps
        (see :func:`random_windows`); None keeps them whole.
    max_steps : int, default=None
        Yield at most this many batches over all iterations of this iterator
        (one per optimizer step), stopping within an epoch if need be; None
        yields every batch of every iteration.
    rank, world_size : int, default=0, 1
        In data-parallel training, iterate over the shard of rank ``rank``
        out of ``world_size`` of each iteration's order (see
        :func:`~sslts.training.distributed.shard`); ``generator`` must then
        be seeded alike on every rank.

    Notes
    -----
    ``y`` is None when the dataset has no targets.
    """

    def __init__(self, dataset, batch_size, shuffle=False, generator=None, max_samples=None,
                 window=None, max_steps=None, rank=0, world_size=1):
        self.dataset = dataset
        self.rank = rank
        self.world_size = world_size
        self.window = window
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.generator = generator
        self.max_samples = max_samples
        self.max_steps = max_steps
        self.steps = 0

    def n_samples(self):
        """Number of samples used per iteration (by this rank)."""
        return shard_size(samples_per_epoch(len(self.dataset), self.max_samples),
                          self.world_size)

    def _bounds(self):
        return batch_bounds(self.n_samples(), self.batch_size)

    def __len__(self):
        return len(self._bounds())

    def __iter__(self):
        n, m = len(self.dataset), samples_per_epoch(len(self.dataset), self.max_samples)
        if self.shuffle or m < n:
            order = torch.randperm(n, generator=self.generator)[:m]
            if not self.shuffle:
                order = order.sort().values
        else:
            order = torch.arange(n)
        if self.world_size > 1:
            order = shard(order, self.rank, self.world_size)
        for start, stop in self._bounds():
            if self.max_steps is not None and self.steps >= self.max_steps:
                return
            self.steps += 1
            index = order[start:stop]
            batch, lengths = self.dataset.rows(index), self.dataset.lengths[index]
            if self.dataset.variable_length:
                batch = batch[..., : int(lengths.max())]
            if self.window is not None:
                batch, lengths = random_windows(batch, lengths, self.window, self.generator)
            y = None if self.dataset.y is None else self.dataset.y[index]
            yield {"x": batch, "lengths": lengths}, y

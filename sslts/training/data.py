"""Dataset and batch iterator that slice tensors instead of collating samples."""

import math
from numbers import Integral, Real

import torch
from torch.utils.data import Dataset


class SeriesDataset(Dataset):
    """A padded batch of series held as one tensor.

    Parameters
    ----------
    X : numpy.ndarray of float32, shape (n, c, t) or (n, c, h, w)
        Series right-padded with NaN, or fixed-size spectrograms and images.
    lengths : numpy.ndarray of int, shape (n,), default=None
        Valid length of each series; None means every sample is full (no
        padding), as for spectrograms and images.
    y : numpy.ndarray, shape (n,) or (n, k), default=None
        Targets of supervised training; None for self-supervised data.
    """

    def __init__(self, X, lengths=None, y=None):
        self.X = torch.as_tensor(X)
        if lengths is None:
            lengths = torch.full((self.X.shape[0],), self.X.shape[-1], dtype=torch.int64)
        self.lengths = torch.as_tensor(lengths)
        self.y = None if y is None else torch.as_tensor(y)
        self.variable_length = bool((self.lengths < self.X.shape[-1]).any())

    def __len__(self):
        return self.X.shape[0]

    def __getitem__(self, index):
        return self.X[index], self.lengths[index]


class BatchIterator:
    """Iterate over ``(X_batch, y_batch)`` batches by indexing one tensor.

    Each batch is a single gather, with no per-sample Python collation. In
    variable-length data a batch is cut to its longest series. A last batch
    of one sample is merged into the previous one, since contrastive and
    batch-normalised losses need at least two samples.

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

    Notes
    -----
    ``y_batch`` is None when the dataset has no targets.
    """

    def __init__(self, dataset, batch_size, shuffle=False, generator=None, max_samples=None):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.generator = generator
        self.max_samples = max_samples

    def n_samples(self):
        """Number of samples used per iteration."""
        n, m = len(self.dataset), self.max_samples
        if m is None:
            return n
        if isinstance(m, Integral) and not isinstance(m, bool) and m >= 1:
            return min(int(m), n)
        if isinstance(m, Real) and not isinstance(m, (Integral, bool)) and 0 < m <= 1:
            return min(n, max(2, math.ceil(m * n)))
        raise ValueError(
            f"max_samples must be None, an int >= 1 or a float in (0, 1], got {m!r}."
        )

    def _bounds(self):
        n = self.n_samples()
        starts = list(range(0, n, self.batch_size))
        if n > 1 and n - starts[-1] == 1:
            starts.pop()
        return list(zip(starts, starts[1:] + [n]))

    def __len__(self):
        return len(self._bounds())

    def __iter__(self):
        n, m = len(self.dataset), self.n_samples()
        if self.shuffle or m < n:
            order = torch.randperm(n, generator=self.generator)[:m]
            if not self.shuffle:
                order = order.sort().values
        else:
            order = torch.arange(n)
        for start, stop in self._bounds():
            index = order[start:stop]
            batch = self.dataset.X[index]
            if self.dataset.variable_length:
                batch = batch[..., : int(self.dataset.lengths[index].max())]
            yield batch, None if self.dataset.y is None else self.dataset.y[index]

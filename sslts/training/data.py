"""Dataset and batch iterator that slice tensors instead of collating samples."""

import torch
from torch.utils.data import Dataset


class SeriesDataset(Dataset):
    """A padded batch of series held as one tensor.

    Parameters
    ----------
    X : numpy.ndarray of float32, shape (n, c, t)
        Series right-padded with NaN.
    lengths : numpy.ndarray of int, shape (n,)
        Valid length of each series.
    """

    def __init__(self, X, lengths):
        self.X = torch.as_tensor(X)
        self.lengths = torch.as_tensor(lengths)
        self.variable_length = bool((self.lengths < self.X.shape[-1]).any())

    def __len__(self):
        return self.X.shape[0]

    def __getitem__(self, index):
        return self.X[index], self.lengths[index]


class BatchIterator:
    """Iterate over ``(X_batch, None)`` batches by indexing one tensor.

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
        Source of the permutations.
    """

    def __init__(self, dataset, batch_size, shuffle=False, generator=None):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.generator = generator

    def _bounds(self):
        n = len(self.dataset)
        starts = list(range(0, n, self.batch_size))
        if n > 1 and n - starts[-1] == 1:
            starts.pop()
        return list(zip(starts, starts[1:] + [n]))

    def __len__(self):
        return len(self._bounds())

    def __iter__(self):
        n = len(self.dataset)
        if self.shuffle:
            order = torch.randperm(n, generator=self.generator)
        else:
            order = torch.arange(n)
        for start, stop in self._bounds():
            index = order[start:stop]
            batch = self.dataset.X[index]
            if self.dataset.variable_length:
                batch = batch[..., : int(self.dataset.lengths[index].max())]
            yield batch, None

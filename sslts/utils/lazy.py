"""Out-of-core time series: validated chunk by chunk, read a batch of rows at a time.

An ``np.memmap``, a zarr or HDF5 array, or any other array-like with
``shape``, ``dtype`` and slicing that is not a numpy array in memory is
never converted whole:
:func:`~sslts.utils.validation.check_lazy_series` reads it once in chunks of
about :data:`CHUNK_BYTES` to check it (dtype, infinity, empty series) and
find the length of each series, and :class:`LazySeries` reads the rows that
a batch needs, as float32 with their gaps filled, exactly as in-memory
validation would have made them.
"""

import mmap

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch

from .missing import fill_missing

__all__ = ["CHUNK_BYTES", "LazySeries", "chunk_rows", "is_lazy"]

#: Bytes of float32 values read per chunk when validating.
CHUNK_BYTES = 32 * 2**20


def is_lazy(X):
    """Whether ``X`` is time series to read out of core.

    True for a 2-D or 3-D ``np.memmap`` and for any other object with
    ``shape`` (2-D or 3-D), ``dtype`` and ``__getitem__`` that is not held in
    memory as a numpy array, list, DataFrame, sparse matrix or tensor (a
    zarr array, an HDF5 dataset ...).
    """
    if isinstance(X, np.memmap):
        return X.ndim in (2, 3)
    if isinstance(X, (np.ndarray, list, tuple, pd.DataFrame, torch.Tensor)) or sp.issparse(X):
        return False
    shape = getattr(X, "shape", None)
    return (hasattr(X, "dtype") and hasattr(X, "__getitem__") and isinstance(shape, tuple)
            and len(shape) in (2, 3))


def _whole_file(X):
    """``np.memmap`` arguments re-opening ``X`` if it maps a file from its start, else None."""
    if not (isinstance(X, np.memmap) and isinstance(X.base, mmap.mmap) and X.filename):
        return None
    if not (X.flags.c_contiguous or X.flags.f_contiguous):
        return None
    return dict(filename=X.filename, dtype=X.dtype, mode="r", offset=X.offset, shape=X.shape,
                order="C" if X.flags.c_contiguous else "F")


class LazySeries:
    """Time series ``(n, c, t)`` left where they are, read by rows.

    Use :func:`~sslts.utils.validation.check_lazy_series` to make one. A whole-file ``np.memmap`` is
    re-opened for each read and closed after it, so that the pages it
    touched do not stay in this process's memory; other arrays are indexed
    directly.

    Parameters
    ----------
    source : array-like of shape (n, t) or (n, c, t)
        The data; a 2-D array is read as univariate.
    fill_gaps : bool, default=True
        Fill missing values inside each series by linear interpolation, as
        :func:`~sslts.utils.validation.check_time_series` does.
    rows : ndarray of int, default=None
        The rows of ``source`` this object stands for, in order; None: all.
    """

    ndim = 3
    dtype = np.dtype(np.float32)

    def __init__(self, source, fill_gaps=True, rows=None):
        self.source = source
        self.fill_gaps = fill_gaps
        self.rows = None if rows is None else np.asarray(rows, dtype=np.int64)
        shape = tuple(int(s) for s in source.shape)
        n = shape[0] if self.rows is None else len(self.rows)
        self.shape = (n, 1, shape[1]) if len(shape) == 2 else (n, *shape[1:])
        self._file = _whole_file(source)

    def __len__(self):
        return self.shape[0]

    def subset(self, index):
        """The series ``index`` (int array) of this object, still out of core."""
        index = np.asarray(index, dtype=np.int64)
        return LazySeries(self.source, self.fill_gaps,
                          index if self.rows is None else self.rows[index])

    def read(self, index):
        """Read series as a new float32 array.

        Parameters
        ----------
        index : slice or array-like of int
            Positions in this object, in any order (repeats allowed).

        Returns
        -------
        ndarray of float32, shape (k, c, t)
            NaN right-padded; gaps filled if ``fill_gaps``.
        """
        if isinstance(index, slice):
            index = np.arange(len(self))[index]
        index = np.asarray(index, dtype=np.int64)
        if self.rows is not None:
            index = self.rows[index]
        unique, inverse = np.unique(index, return_inverse=True)
        source = self.source if self._file is None else np.memmap(**self._file)
        block = _take(source, unique)
        del source  # a re-opened memmap is unmapped here
        block = np.array(block, dtype=np.float32, order="C", copy=True)
        block = block.reshape(len(unique), *self.shape[1:])
        if self.fill_gaps:
            fill_missing(block)
        return block if np.array_equal(unique, index) else block[inverse]

    def chunks(self):
        """Yield ``(start, block)``: consecutive reads of about :data:`CHUNK_BYTES` each."""
        step = chunk_rows(self.shape)
        for start in range(0, len(self), step):
            yield start, self.read(slice(start, start + step))


def chunk_rows(shape, itemsize=4):
    """Rows of an array of ``shape`` that make about :data:`CHUNK_BYTES`
    at ``itemsize`` bytes per value (at least 1)."""
    per_row = max(1, int(np.prod(shape[1:])) * itemsize)
    return max(1, CHUNK_BYTES // per_row)


def _take(source, rows):
    """``source[rows]`` for sorted unique ``rows``, by whatever indexing ``source`` has."""
    if isinstance(source, np.ndarray):
        return source[rows]
    if len(rows) and rows[-1] - rows[0] + 1 == len(rows):  # one contiguous run
        return np.asarray(source[int(rows[0]):int(rows[-1]) + 1])
    if hasattr(source, "oindex"):  # zarr
        return np.asarray(source.oindex[rows])
    try:
        return np.asarray(source[rows])  # h5py (increasing lists), dask, xarray
    except (TypeError, IndexError, ValueError, KeyError):
        return np.stack([np.asarray(source[int(i)]) for i in rows])

"""Sliding windows over a long recording stored in a CSV file."""

import os
from numbers import Integral

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

__all__ = ["load_csv_windows"]


def load_csv_windows(path, columns, window_length, stride=None, label_column=None,
                     drop_mixed=False):
    """Cut a long multichannel recording from a CSV file into windows.

    Parameters
    ----------
    path : str, path-like or file-like
        CSV file with a header row, read by :func:`pandas.read_csv`; one row
        per time step.
    columns : str or list of str
        Column(s) that become the channels, e.g. ``"ACC X"`` or
        ``["ACC X", "ACC Y", "ACC Z"]``.
    window_length : int
        Number of rows (time steps) in each window.
    stride : int, default=None
        Rows between the starts of consecutive windows; None uses
        ``window_length`` (windows side by side, no overlap). Rows after the
        last full window are left out.
    label_column : str, default=None
        Column holding a label per row. Each window gets its most frequent
        label (ties go to the label seen first in the window).
    drop_mixed : bool, default=False
        If True, drop the windows spanning several labels (needs
        ``label_column``).

    Returns
    -------
    X : ndarray of shape (n_windows, n_columns, window_length), dtype float32
        The windows; missing values stay NaN (the estimators interpolate
        gaps inside a series, see :func:`sslts.utils.validation.check_time_series`).
    y : ndarray of shape (n_windows,) or None
        Label of each window; None without ``label_column``.

    Raises
    ------
    ValueError
        If a column is missing, a column holds non-numeric values, the
        window is longer than the recording, ``window_length`` or ``stride``
        is not a positive integer, labels are missing, or ``drop_mixed``
        leaves no window.
    TypeError
        If ``columns`` is neither a string nor a list of strings.

    Examples
    --------
    >>> from sslts.datasets import load_csv_windows
    >>> X, y = load_csv_windows("recording.csv", ["ACC X", "ACC Y"], 256,
    ...                         stride=128, label_column="activity")  # doctest: +SKIP
    """
    columns = _check_columns(columns)
    window_length = _check_positive_int(window_length, "window_length")
    stride = window_length if stride is None else _check_positive_int(stride, "stride")
    if drop_mixed and label_column is None:
        raise ValueError("drop_mixed=True needs label_column: the column holding the labels.")
    frame = pd.read_csv(path)
    wanted = columns + ([] if label_column is None else [label_column])
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        raise ValueError(
            f"Column(s) {missing} not found in {_describe(path)}; available columns: "
            f"{list(frame.columns)}."
        )
    n_rows = len(frame)
    if window_length > n_rows:
        raise ValueError(
            f"window_length={window_length} is longer than the recording "
            f"({n_rows} rows); use a window of at most {n_rows} rows."
        )
    values = np.column_stack([_numeric(frame[c], c) for c in columns])
    starts = np.arange(0, n_rows - window_length + 1, stride)
    X = sliding_window_view(values, window_length, axis=0)[starts]  # (n, c, w)
    X = np.ascontiguousarray(X, dtype=np.float32)
    if label_column is None:
        return X, None
    y, mixed = _window_labels(frame[label_column], label_column, starts, window_length)
    if drop_mixed:
        if mixed.all():
            raise ValueError(
                f"All {len(X)} windows span several labels, so drop_mixed=True "
                "leaves none; use a shorter window_length or drop_mixed=False."
            )
        X, y = X[~mixed], y[~mixed]
    return X, y


def _describe(path):
    return str(path) if isinstance(path, (str, os.PathLike)) else "the CSV data"


def _check_columns(columns):
    if isinstance(columns, str):
        return [columns]
    if (isinstance(columns, (list, tuple)) and columns
            and all(isinstance(c, str) for c in columns)):
        if len(set(columns)) != len(columns):
            raise ValueError(f"columns has duplicates: {list(columns)}.")
        return list(columns)
    raise TypeError(
        f"columns must be a column name or a non-empty list of column names, "
        f"got {columns!r}."
    )


def _check_positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)


def _numeric(column, name):
    """Values of ``column`` as float64, NaN kept; clear error for text."""
    if column.dtype.kind in "biuf":
        return column.to_numpy(dtype=np.float64)
    converted = pd.to_numeric(column, errors="coerce")
    bad = converted.isna() & column.notna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise ValueError(
            f"Column {name!r} is not numeric: row {row} holds {column.iloc[row]!r}. "
            "Pick numeric columns, or clean the file (empty cells are read as NaN)."
        )
    return converted.to_numpy(dtype=np.float64)


def _window_labels(labels, name, starts, window_length):
    """Most frequent label of each window and whether it holds several labels."""
    if labels.isna().any():
        row = int(np.flatnonzero(labels.isna().to_numpy())[0])
        raise ValueError(
            f"Label column {name!r} has missing values (first at row {row}); "
            "fill them or drop those rows."
        )
    codes, uniques = pd.factorize(labels)  # codes follow first appearance
    windows = sliding_window_view(codes, window_length)[starts]
    counts = np.zeros((len(starts), len(uniques)), dtype=np.int64)
    np.add.at(counts, (np.arange(len(starts))[:, None], windows), 1)
    # among the most frequent labels, the one whose first row comes first
    first_seen = np.where(counts == counts.max(axis=1, keepdims=True),
                          _first_position(windows, len(uniques)), window_length)
    y = np.asarray(uniques)[first_seen.argmin(axis=1)]
    mixed = (counts > 0).sum(axis=1) > 1
    return y, mixed


def _first_position(windows, n_labels):
    """Position of the first occurrence of each label in each window."""
    n, w = windows.shape
    first = np.full((n, n_labels), w, dtype=np.int64)
    rows = np.repeat(np.arange(n), w)
    np.minimum.at(first, (rows, windows.ravel()), np.tile(np.arange(w), n))
    return first

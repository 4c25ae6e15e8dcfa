"""Input validation: the one input layer of every sslts estimator.

Every estimator in :mod:`sslts` turns its input into one canonical form
through :func:`validate_input`, which dispatches on the kind of input: time
series go through :func:`check_time_series` (a new float32 C-contiguous
array of shape ``(n_samples, n_channels, n_timepoints)``, right-padded with
NaN, plus the length of each sample); spectrograms and images,
``(n_samples, n_channels, height, width)``, through :func:`check_images`
(one size, no padding). It also checks column names with scikit-learn's
:func:`~sklearn.utils.validation.validate_data` and records
``n_features_in_``, ``n_channels_in_`` and ``input_ndim_`` in ``fit``.
"""

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.utils.validation import validate_data

from .lazy import LazySeries, is_lazy
from .missing import fill_missing

__all__ = ["check_images", "check_input", "check_lazy_series", "check_time_series", "input_ndim",
           "n_features", "record_input_shape", "restore_input_shape", "validate_input"]

#: What the two kinds of input are called in error messages.
INPUT_KINDS = {3: "time series (2-D or 3-D)", 4: "4-D spectrograms or images"}


def validate_input(estimator, X, *, reset, ndim=None, min_samples=2, fill_gaps=True,
                   hint=None, lazy=False):
    """Validate the input of an sslts estimator; set or check what ``fit`` saw.

    Parameters
    ----------
    estimator : estimator instance
        The estimator being fitted (``reset=True``) or used.
    X : array-like, list of arrays or pandas.DataFrame
        Time series in any format of :func:`check_time_series`, or 4-D
        spectrograms or images (see :func:`check_images`).
    reset : bool
        True in ``fit``: record ``n_features_in_``, ``n_channels_in_``,
        ``input_ndim_`` and ``feature_names_in_``. False afterwards: check
        ``X`` against them (channels, kind of input, column names).
    ndim : {3, 4}, default=None
        The kind of input the estimator works on (3: time series, 4:
        spectrograms or images); None accepts either in ``fit``.
    min_samples : int, default=2
        Minimum number of samples.
    fill_gaps : bool, default=True
        Fill missing values inside time series (see :func:`check_time_series`).
    hint : str, default=None
        Appended to the error raised when ``X`` is not of kind ``ndim``.
    lazy : bool, default=False
        Leave out-of-core time series (see :func:`~sslts.utils.lazy.is_lazy`)
        where they are: validate them chunk by chunk and return a
        :class:`~sslts.utils.lazy.LazySeries`.

    Returns
    -------
    array : ndarray of float32, shape (n, c, t) or (n, c, h, w), or LazySeries
        A new array (or a reader of out-of-core series); the input is never
        modified.
    lengths : ndarray of int64, shape (n,)
        Valid length of each series (the width of spectrograms and images).
    """
    name = type(estimator).__name__
    if not reset:
        ndim = getattr(estimator, "input_ndim_", ndim)
    array, lengths, got = check_input(
        X, ndim=ndim, n_channels=None if reset else estimator.n_channels_in_,
        min_samples=min_samples, estimator_name=name, fill_gaps=fill_gaps,
        fitted=not reset, hint=hint, lazy=lazy,
    )
    # column names only: n_features_in_ follows the time-series rule of n_features
    validate_data(estimator, X, reset=reset, skip_check_array=True, ensure_2d=False)
    if reset:
        record_input_shape(estimator, X, array)
        estimator.input_ndim_ = got
    return array, lengths


def check_input(X, *, ndim=None, n_channels=None, min_samples=2, estimator_name=None,
                fill_gaps=True, fitted=False, hint=None, lazy=False):
    """Validate time series or spectrograms/images, whichever ``X`` holds.

    Parameters
    ----------
    X : array-like, list of arrays or pandas.DataFrame
        Time series (:func:`check_time_series`) or 4-D spectrograms or images
        (:func:`check_images`), told apart by :func:`input_ndim`.
    ndim : {3, 4}, default=None
        Required kind of input; None accepts either.
    n_channels, min_samples, estimator_name
        As in :func:`check_time_series`.
    fill_gaps : bool, default=True
        As in :func:`check_time_series`.
    fitted : bool, default=False
        Whether ``ndim`` is what the estimator was fitted on (it changes the
        wording of the error).
    hint : str, default=None
        Appended to the error raised when ``X`` is not of kind ``ndim``.
    lazy : bool, default=False
        As in :func:`validate_input`.

    Returns
    -------
    array : ndarray of float32 or LazySeries
        ``(n, c, t)`` for time series, ``(n, c, h, w)`` otherwise.
    lengths : ndarray of int64, shape (n,)
        Valid lengths (the width for spectrograms and images).
    ndim : int
        3 for time series, 4 for spectrograms and images.
    """
    _check_not_a_pair(X)
    got = 3 if lazy and is_lazy(X) else 4 if input_ndim(X) >= 4 else 3
    if ndim is not None and got != ndim:
        name = estimator_name or "The estimator"
        shape = getattr(X, "shape", None)
        what = INPUT_KINDS[got] + ("" if shape is None else f" of shape {tuple(shape)}")
        if fitted:
            message = (f"X holds {what} but {name} was fitted on {INPUT_KINDS[ndim]}; "
                       "transform the same kind of input (e.g. through the same Spectrogram).")
        else:
            message = f"{name} works on {INPUT_KINDS[ndim]}, got {what}."
        if hint is None and ndim == 4:
            hint = "turn time series into spectrograms first with sslts.Spectrogram."
        raise ValueError(message if hint is None else f"{message[:-1]}; {hint}")
    if got == 4:
        array = check_images(X, n_channels=n_channels, min_samples=min_samples,
                             estimator_name=estimator_name)
        return array, np.full(len(array), array.shape[-1], dtype=np.int64), got
    if lazy and is_lazy(X):
        array, lengths = check_lazy_series(X, n_channels=n_channels, min_samples=min_samples,
                                           estimator_name=estimator_name, fill_gaps=fill_gaps)
        return array, lengths, got
    array, lengths = check_time_series(X, n_channels=n_channels, min_samples=min_samples,
                                       estimator_name=estimator_name, fill_gaps=fill_gaps)
    return array, lengths, got


def check_time_series(X, *, n_channels=None, min_samples=2, estimator_name=None,
                      fill_gaps=True):
    """Validate time series data and convert it to a padded 3-D float32 array.

    Parameters
    ----------
    X : array-like, list of arrays or pandas.DataFrame
        Accepted formats:

        - array-like of shape ``(n_samples, n_channels, n_timepoints)``;
        - array-like of shape ``(n_samples, n_timepoints)``, read as univariate;
        - list or tuple of arrays of different lengths, each of shape
          ``(n_timepoints_i,)`` or ``(n_channels, n_timepoints_i)``;
        - sktime ``nested_univ`` DataFrame (rows are samples, columns are
          channels, each cell a ``pd.Series`` or 1-D array);
        - sktime ``pd-multiindex`` DataFrame (row index ``(instance, time)``,
          columns are channels; rows of an instance are taken in order);
        - any other numeric DataFrame, read as a 2-D array.

        Booleans, integers and other float dtypes are converted to float32.
    n_channels : int, default=None
        Number of channels seen during fit. If given, ``X`` must have it.
    min_samples : int, default=2
        Minimum number of samples. Self-supervised training contrasts samples
        in a batch, so fit needs 2; transform uses 1.
    estimator_name : str, default=None
        Name of the calling estimator, used in error messages.
    fill_gaps : bool, default=True
        Fill missing values inside the valid prefix as described in the
        Notes. If False they are kept as NaN (all other checks still apply),
        for estimators that handle missing values themselves.

    Returns
    -------
    X3 : ndarray of shape (n_samples, n_channels, max_length), dtype float32
        New C-contiguous array; the input is never modified.
    lengths : ndarray of shape (n_samples,), dtype int64
        Valid length of each sample: ``X3[i, :, lengths[i]:]`` is all NaN and
        ``X3[i, :, :lengths[i]]`` holds no NaN (unless ``fill_gaps=False``).

    Raises
    ------
    TypeError
        If ``X`` is None, sparse, or holds non-numeric values.
    ValueError
        If ``X`` is complex, has the wrong number of dimensions, too few
        samples, no channel or no time point, contains infinity, has a sample
        or a channel of a sample that is entirely NaN, or has a number of
        channels other than ``n_channels``.

    Notes
    -----
    NaN policy:

    - Trailing time steps where every channel is NaN are padding: the length
      of sample ``i`` is 1 + the last time index where any channel is finite.
    - NaN inside that valid prefix are missing values, filled per channel by
      linear interpolation between the nearest finite neighbours. NaN before
      the first finite value of a channel take that first value; NaN after
      its last finite value take that last value.
    """
    X3, shape = _to_3d(X)
    _check_shape(shape, min_samples)
    _check_channels(X3.shape[1], n_channels, estimator_name)
    lengths = fill_missing(X3, interpolate=fill_gaps)
    return X3, lengths


def check_lazy_series(X, *, n_channels=None, min_samples=2, estimator_name=None,
                      fill_gaps=True):
    """Validate out-of-core time series chunk by chunk.

    The same checks and NaN policy as :func:`check_time_series`, without
    holding more than one chunk of about
    :data:`~sslts.utils.lazy.CHUNK_BYTES` in memory.

    Parameters
    ----------
    X : array-like of shape (n, t) or (n, c, t)
        See :func:`~sslts.utils.lazy.is_lazy`; not modified.
    n_channels, min_samples, estimator_name, fill_gaps
        As in :func:`check_time_series`.

    Returns
    -------
    series : LazySeries
        Reads the series on demand, gaps filled if ``fill_gaps``.
    lengths : ndarray of int64, shape (n,)
    """
    dtype = np.dtype(X.dtype)
    if dtype.kind == "c":
        raise ValueError(f"Complex data not supported: X has dtype {dtype}; pass real values.")
    if dtype.kind not in "biuf":
        raise TypeError(
            f"X has dtype {dtype}; out-of-core time series (np.memmap, zarr, HDF5 ...) must "
            "be numeric (bool, int or float)."
        )
    _check_shape(tuple(int(s) for s in X.shape), min_samples)
    series = LazySeries(X, fill_gaps=fill_gaps)
    _check_channels(series.shape[1], n_channels, estimator_name)
    checker = LazySeries(X, fill_gaps=False)
    lengths = np.concatenate([fill_missing(block, interpolate=False, offset=start)
                              for start, block in checker.chunks()])
    return series, lengths


def input_ndim(X):
    """Number of dimensions of the input as the user sees it.

    Parameters
    ----------
    X : array-like, list of arrays or pandas.DataFrame
        Any input accepted by :func:`check_time_series`.

    Returns
    -------
    ndim : int
        2 for a 2-D array-like or a plain DataFrame (univariate, one row per
        sample); the array's own ndim for arrays of 4 or more dimensions
        (4 for spectrograms and images, see :func:`check_images`), also for a
        list of such arrays of different shapes; 3 for everything else (3-D
        arrays, ragged lists of series, ``nested_univ`` and ``pd-multiindex``
        frames).
    """
    if isinstance(X, pd.DataFrame):
        return 3 if _is_multiindex(X) or _is_nested(X) else 2
    try:
        ndim = np.asarray(X).ndim
    except ValueError:  # ragged list: series, or images of different sizes
        return np.ndim(X[0]) + 1 if np.ndim(X[0]) >= 3 else 3
    return ndim if ndim == 2 or ndim >= 4 else 3


def check_images(X, *, n_channels=None, min_samples=2, estimator_name=None):
    """Validate spectrograms or images and convert them to a 4-D float32 array.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_channels, height, width)
        For instance spectrograms ``(n_samples, n_channels, n_freqs,
        n_frames)`` from :class:`sslts.Spectrogram`, or images; a
        list of arrays of shape ``(n_channels, height, width)`` is stacked.
        Booleans, integers and other float dtypes are converted to float32.
    n_channels : int, default=None
        Number of channels seen during fit. If given, ``X`` must have it.
    min_samples : int, default=2
        Minimum number of samples.
    estimator_name : str, default=None
        Name of the calling estimator, used in error messages.

    Returns
    -------
    X4 : ndarray of shape (n_samples, n_channels, height, width), dtype float32
        New C-contiguous array; the input is never modified.

    Raises
    ------
    TypeError
        If ``X`` is None, sparse, or holds non-numeric values.
    ValueError
        If ``X`` is complex, is not 4-D, has items of different shapes, too
        few samples, an empty axis, NaN or infinity, or a number of channels
        other than ``n_channels``.

    Notes
    -----
    Unlike time series, 4-D input has no NaN padding and no missing values:
    every sample has the same size and every value is finite.
    """
    if X is None or sp.issparse(X) or isinstance(X, pd.DataFrame):
        raise TypeError(
            f"Expected a 4-D array (n_samples, n_channels, height, width) of "
            f"spectrograms or images, got {type(X).__name__}."
        )
    if isinstance(X, (list, tuple)) and len(X) > 0:
        shapes = [np.shape(x) for x in X]
        for i, shape in enumerate(shapes):
            if shape != shapes[0]:
                raise ValueError(
                    f"X[{i}] has shape {shape} but X[0] has shape {shapes[0]}; "
                    "spectrograms and images must all have one size: resize or "
                    "crop them, or compute spectrograms of windows of one length."
                )
    X4 = _as_float32(X, "X")
    if X4.ndim != 4:
        raise ValueError(
            f"Expected 4-D data (n_samples, n_channels, height, width) of "
            f"spectrograms or images, got {X4.ndim}-D shape {X4.shape}. Time "
            "series are 2-D (n_samples, n_timepoints) or 3-D (n_samples, "
            "n_channels, n_timepoints)."
        )
    if 0 in X4.shape:
        raise ValueError(
            f"Found array with an empty axis (shape={X4.shape}); each sample "
            "needs at least one channel, one row and one column."
        )
    if X4.shape[0] < min_samples:
        raise ValueError(
            f"Found {X4.shape[0]} sample(s) but a minimum of {min_samples} is "
            "required: self-supervised training contrasts samples in a batch."
        )
    _check_channels(X4.shape[1], n_channels, estimator_name)
    if not np.isfinite(X4.sum(dtype=np.float64)):  # cannot overflow: float32 values
        i = np.flatnonzero(~np.isfinite(X4).all(axis=(1, 2, 3)))[0]
        kind = "NaN" if np.isnan(X4[i]).any() else "infinity"
        raise ValueError(
            f"X contains {kind} in sample {i}; 4-D spectrograms and images must "
            "be finite and of one size (NaN padding is only for time series): "
            "fill or remove those values."
        )
    return X4


def n_features(X, X3):
    """``n_features_in_`` as scikit-learn defines it: ``X.shape[1]``.

    That is the channel count for 3-D input and the number of time points for
    2-D (univariate) input; for inputs without a shape (ragged lists), the
    channel count of the converted array ``X3``.
    """
    shape = getattr(X, "shape", None)
    return int(shape[1]) if shape is not None and len(shape) > 1 else X3.shape[1]


def record_input_shape(estimator, X, X3):
    """Set ``n_features_in_`` and ``n_channels_in_`` of a fitted ``estimator``.

    Parameters
    ----------
    estimator : object
        The estimator being fitted.
    X : array-like
        The input as given to ``fit``.
    X3 : ndarray of shape (n_samples, n_channels, ...)
        ``X`` after validation.
    """
    estimator.n_features_in_ = n_features(X, X3)
    estimator.n_channels_in_ = X3.shape[1]


def restore_input_shape(X3, like):
    """Give an array of shape (n, c, t) the layout of the original input.

    Parameters
    ----------
    X3 : ndarray of shape (n_samples, n_channels, n_timepoints)
        Output computed from ``like``.
    like : array-like, list of arrays or pandas.DataFrame
        The original input.

    Returns
    -------
    X_out : ndarray
        ``X3[:, 0, :]`` when ``like`` was 2-D (see :func:`input_ndim`),
        otherwise ``X3``.
    """
    if input_ndim(like) == 2:
        if X3.shape[1] != 1:
            raise ValueError(
                f"Cannot restore a 2-D shape from an array with {X3.shape[1]} "
                "channels; a 2-D input has a single channel."
            )
        return X3[:, 0, :]
    return X3


# --------------------------------------------------------------------------
# conversion


def _to_3d(X):
    """Return (X3, shape): a new float32 (n, c, t) array and the shape to check.

    ``shape`` is the shape of the input as an array (2-D or 3-D, or another
    ndim to be rejected); ``X3`` is None when that ndim is not 2 or 3.
    """
    if X is None:
        raise TypeError(
            "X is None; pass time series data as an array of shape "
            "(n_samples, n_channels, n_timepoints)."
        )
    _check_not_a_pair(X)
    if sp.issparse(X):
        raise TypeError(
            "Sparse data is not supported; convert X to a dense array "
            "first, e.g. X.toarray()."
        )
    if isinstance(X, pd.DataFrame):
        if _is_multiindex(X):
            return _from_multiindex(X)
        if _is_nested(X):
            rows = [[_as_float32(cell, f"X.iloc[{i}, {j}]", ndim=1)
                     for j, cell in enumerate(row)]
                    for i, row in enumerate(X.itertuples(index=False))]
            return _from_cells(rows)
        X = _frame_values(X)
    elif isinstance(X, (list, tuple)):
        if len(X) == 0:
            raise ValueError(
                "Found 0 sample(s); pass at least one time series."
            )
        items = [np.asarray(x) for x in X]
        if any(x.shape != items[0].shape for x in items):
            return _from_ragged(items)
        X = np.stack(items)
    X = _as_float32(X, "X")
    if X.ndim == 2:
        return X.reshape(X.shape[0], 1, X.shape[1]), X.shape
    return (X if X.ndim == 3 else None), X.shape


def _check_not_a_pair(X):
    """Refuse the ``(X, y)`` pair that the loaders return, with the fix."""
    if not (isinstance(X, tuple) and len(X) == 2):
        return
    first, second = X
    labels = second is None or (np.ndim(second) == 1 and np.ndim(first) >= 2
                                and len(second) == len(first))
    if labels:
        raise TypeError(
            "X is a tuple (X, y), as returned by sslts.datasets.load_csv_windows "
            "and load_ucr_uea; unpack it first: X, y = load_csv_windows(...), "
            "then pass X."
        )


def _as_float32(a, what, ndim=None):
    """Convert ``a`` to a new float32 C-contiguous array with clear errors."""
    a = np.asarray(a)
    kind = a.dtype.kind
    if kind == "c":
        raise ValueError(
            f"Complex data not supported: {what} has dtype {a.dtype}; complex "
            "data is not supported, pass real values (e.g. np.real or np.abs)."
        )
    if kind in "USa":
        raise TypeError(
            f"{what} contains strings (dtype {a.dtype}); time series must be "
            "numeric. Convert them to numbers first."
        )
    if kind == "O":
        try:
            a = np.asarray(a, dtype=np.float64)
        except TypeError as e:
            raise TypeError(
                f"{e}. {what} has dtype object with non-numeric values; "
                "convert it to a numeric array first."
            ) from e
        except ValueError as e:
            raise ValueError(
                f"{e}. {what} has dtype object with non-numeric values; "
                "convert it to a numeric array first."
            ) from e
    elif kind not in "biuf":
        raise TypeError(
            f"{what} has unsupported dtype {a.dtype}; time series must be "
            "numeric (bool, int or float)."
        )
    if ndim is not None and a.ndim != ndim:
        raise ValueError(f"{what} must be {ndim}-D, got shape {a.shape}.")
    return np.array(a, dtype=np.float32, order="C", copy=True)


def _frame_values(df):
    """Values of a DataFrame, with pandas missing values read as NaN."""
    values = df.to_numpy()
    if values.dtype == object:  # e.g. nullable dtypes holding pd.NA
        try:
            values = df.to_numpy(dtype=np.float64, na_value=np.nan)
        except (TypeError, ValueError):
            pass  # non-numeric: let _as_float32 raise a clear error
    return values


def _is_multiindex(df):
    return isinstance(df.index, pd.MultiIndex)


def _is_nested(df):
    return df.size > 0 and isinstance(df.iat[0, 0], (pd.Series, np.ndarray))


def _from_cells(rows):
    """Pad ``rows[i][j]`` (1-D float32 arrays) into a NaN-padded (n, c, t)."""
    n, c = len(rows), len(rows[0])
    t = max((len(cell) for row in rows for cell in row), default=0)
    out = np.full((n, c, t), np.nan, dtype=np.float32)
    for i, row in enumerate(rows):
        for j, cell in enumerate(row):
            out[i, j, : len(cell)] = cell
    return out, out.shape


def _from_ragged(items):
    """Pad a list of (t_i,) or (c, t_i) arrays of different lengths."""
    rows = []
    for i, item in enumerate(items):
        if item.ndim not in (1, 2):
            raise ValueError(
                f"X[{i}] has shape {item.shape}; each item of a list of time "
                "series must be 1-D (n_timepoints,) or 2-D (n_channels, "
                "n_timepoints)."
            )
        item = np.atleast_2d(_as_float32(item, f"X[{i}]"))
        if i > 0 and len(item) != len(rows[0]):
            raise ValueError(
                f"X[{i}] has {len(item)} channels but X[0] has {len(rows[0])}; "
                "all time series in a list must have the same number of "
                "channels."
            )
        rows.append(list(item))
    return _from_cells(rows)


def _from_multiindex(df):
    """Convert a (instance, time) row-MultiIndex DataFrame to (n, c, t)."""
    if df.index.nlevels != 2:
        raise ValueError(
            f"A MultiIndex DataFrame must have 2 row levels (instance, time "
            f"point), got {df.index.nlevels}; hierarchical data is not "
            "supported."
        )
    values = _as_float32(_frame_values(df), "X")
    codes, uniques = pd.factorize(df.index.get_level_values(0))
    counts = np.bincount(codes, minlength=len(uniques))
    order = np.argsort(codes, kind="stable")
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    pos = np.arange(len(codes)) - starts
    out = np.full((len(uniques), df.shape[1], counts.max(initial=0)), np.nan,
                  dtype=np.float32)
    out[codes[order], :, pos] = values[order]
    return out, out.shape


# --------------------------------------------------------------------------
# checks


def _check_channels(got, n_channels, estimator_name):
    """Refuse ``got`` channels when the estimator was fitted with ``n_channels``."""
    if n_channels is not None and got != n_channels:
        name = estimator_name or "the estimator"
        raise ValueError(
            f"X has {got} channels, but {name} was fitted with {n_channels} channels."
        )


def _check_shape(shape, min_samples):
    ndim = len(shape)
    if ndim == 1:
        raise ValueError(
            f"Expected 2-D (n_samples, n_timepoints) or 3-D (n_samples, "
            f"n_channels, n_timepoints) data, got a 1-D array of shape {shape}. "
            "Reshape your data: a single series needs a sample axis, e.g. X.reshape(1, -1), and "
            f"fitting needs at least {max(min_samples, 2)} samples."
        )
    if ndim not in (2, 3):
        raise ValueError(
            f"Expected 2-D (n_samples, n_timepoints) or 3-D (n_samples, "
            f"n_channels, n_timepoints) data, got {ndim}-D shape {shape}."
        )
    if shape[0] == 0:
        raise ValueError(
            f"Found array with 0 sample(s) (shape={shape}) while a minimum of "
            f"{min_samples} is required."
        )
    if ndim == 2 and shape[1] == 0:
        raise ValueError(
            f"Found array with 0 feature(s) (shape={shape}) while a minimum of "
            "1 is required. A 2-D X is read as (n_samples, n_timepoints): "
            "each sample needs at least one time point."
        )
    if ndim == 3 and 0 in shape[1:]:
        raise ValueError(
            f"Found array with 0 channel(s) or 0 time point(s) (shape={shape}); "
            "each sample needs at least one channel and one time point."
        )
    if shape[0] < min_samples:
        raise ValueError(
            f"Found {shape[0]} sample(s) but a minimum of {min_samples} is "
            "required: self-supervised training contrasts samples in a batch."
        )

"""Missing values of time series: NaN padding, gaps and infinity, checked once."""

import numpy as np
import torch

from .tensors import valid_lengths

__all__ = ["fill_missing"]


def fill_missing(X3, interpolate=True, offset=0):
    """Check the NaN and infinity of time series, fill their gaps; return their lengths.

    The NaN policy of :func:`sslts.utils.validation.check_time_series`:
    trailing steps where every channel is NaN are padding; NaN inside the
    valid part are gaps, filled in place per channel by linear
    interpolation (the nearest finite value at the ends).

    Parameters
    ----------
    X3 : ndarray of float32, shape (n, c, t)
        Series, modified in place when gaps are filled.
    interpolate : bool, default=True
        Fill the gaps; if False they are kept as NaN.
    offset : int, default=0
        Index of ``X3[0]`` in the user's data, for the error messages.

    Returns
    -------
    lengths : ndarray of int64, shape (n,)

    Raises
    ------
    ValueError
        If a value is infinite, or a sample or one of its channels is all NaN.
    """
    n, _, t = X3.shape
    # fast path: no NaN/inf (float64 accumulator cannot overflow here)
    if np.isfinite(X3.sum(dtype=np.float64)):
        return np.full(n, t, dtype=np.int64)
    finite = np.isfinite(X3)
    inf = np.isinf(X3).any(axis=(1, 2))
    if inf.any():
        raise ValueError(
            f"X contains infinity in sample {offset + np.flatnonzero(inf)[0]}; "
            "replace infinite values by finite values or NaN."
        )
    lengths = valid_lengths(torch.from_numpy(X3)).numpy()
    empty = lengths == 0
    if empty.any():
        raise ValueError(
            f"Sample {offset + np.flatnonzero(empty)[0]} is entirely NaN; remove it "
            "from X."
        )
    empty = ~finite.any(axis=2)  # (n, c)
    if empty.any():
        i, j = np.argwhere(empty)[0]
        raise ValueError(
            f"Channel {j} of sample {offset + i} is entirely NaN while other channels "
            "have data; fill it or remove the sample."
        )
    if not interpolate:
        return lengths
    valid = np.arange(t) < lengths[:, None]
    gaps = (~finite & valid[:, None, :]).any(axis=2)
    for i, j in np.argwhere(gaps):
        length = lengths[i]
        idx = np.flatnonzero(finite[i, j, :length])
        X3[i, j, :length] = np.interp(np.arange(length), idx, X3[i, j, idx])
    return lengths

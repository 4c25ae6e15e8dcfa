"""Missing-value filling and per-series scaling that keep NaN padding.

Scikit-learn transformers for time series of shape ``(n_samples, n_channels,
n_timepoints)`` (2-D input is a batch of univariate series, ragged lists are
right-padded with NaN). Each series is processed on its own, so ``fit`` only
learns the number of channels, as in tslearn's
``TimeSeriesScalerMeanVariance``. Statistics ignore NaN; trailing time steps
where every channel is NaN are padding and stay NaN in the output.
"""

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from .utils.params import store_params
from .utils.validation import restore_input_shape, validate_input

__all__ = ["ClipOutliers", "FillMissing", "TimeSeriesScaler"]


class BaseSeriesTransformer(TransformerMixin, BaseEstimator):
    """Transformer applied to each series independently.

    Subclasses implement :meth:`_transform` on the float32 ``(n, c, t)``
    array given by :func:`~sslts.utils.validation.check_time_series`, whose
    missing values are left as NaN unless ``_fill_gaps`` is True.
    """

    _parameter_constraints: dict = {}
    _fill_gaps = False

    def fit(self, X, y=None):
        """Validate the parameters and record the number of channels.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints)
            Time series (2-D input is univariate, ragged lists are padded).
        y : None
            Ignored.

        Returns
        -------
        self : BaseSeriesTransformer
        """
        self._validate_params()
        validate_input(self, X, reset=True, ndim=3, min_samples=1, fill_gaps=False)
        return self

    def transform(self, X):
        """Transform each series of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints)
            Time series with as many channels as in ``fit``; lengths may
            differ. The input is never modified.

        Returns
        -------
        X_out : ndarray of float32
            Same shape as the input (2-D in, 2-D out; ragged lists come back
            as a NaN-padded 3-D array).
        """
        check_is_fitted(self, "n_channels_in_")
        X3, lengths = validate_input(self, X, reset=False, min_samples=1,
                                     fill_gaps=self._fill_gaps)
        return restore_input_shape(self._transform(X3, lengths), X)

    def _transform(self, X3, lengths):
        """Return the transformed float32 ``(n, c, t)`` array (``X3`` may be reused)."""
        raise NotImplementedError

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.three_d_array = True
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags


class FillMissing(BaseSeriesTransformer):
    """Fill missing values inside each series, keeping the end padding.

    A NaN is missing when it lies before the end of its series, that is
    before the last time step where any channel is observed; after it, NaN
    in every channel is padding of a shorter series and stays NaN.

    Parameters
    ----------
    method : {"linear", "ffill", "bfill"}, default="linear"
        How each channel is filled:

        - ``"linear"``: linear interpolation along time between the nearest
          observed values; a leading or trailing gap takes the nearest
          observed value (the filling that every sslts estimator applies to
          its input, made explicit);
        - ``"ffill"``: the last observed value, then the first observed
          value for a leading gap;
        - ``"bfill"``: the next observed value, then the last observed value
          for a trailing gap.

    Attributes
    ----------
    n_features_in_ : int
        ``X.shape[1]`` in ``fit`` (channels for 3-D input).
    n_channels_in_ : int
        Number of channels seen in ``fit``.

    Notes
    -----
    A channel with no observed value in a series cannot be filled: ``fit``
    and ``transform`` raise ``ValueError``. Infinite values are rejected.

    Examples
    --------
    >>> import numpy as np
    >>> from sslts import FillMissing
    >>> X = np.array([[np.nan, 1.0, np.nan, 3.0],
    ...               [0.0, np.nan, 2.0, np.nan]])  # 2nd series: length 3
    >>> FillMissing().fit_transform(X)
    array([[ 1.,  1.,  2.,  3.],
           [ 0.,  1.,  2., nan]], dtype=float32)
    >>> FillMissing(method="ffill").fit_transform(X)
    array([[ 1.,  1.,  1.,  3.],
           [ 0.,  0.,  2., nan]], dtype=float32)
    """

    _parameter_constraints = {"method": [StrOptions({"linear", "ffill", "bfill"})]}

    def __init__(self, method="linear"):
        store_params(self, locals())

    @property
    def _fill_gaps(self):
        # check_time_series interpolates linearly: reuse it for "linear"
        return self.method == "linear"

    def _transform(self, X3, lengths):
        if self.method == "linear":
            return X3
        t = X3.shape[2]
        steps = np.arange(t)
        observed = ~np.isnan(X3)
        first = np.where(observed, steps, t).min(axis=2, keepdims=True)
        last = np.where(observed, steps, -1).max(axis=2, keepdims=True)
        previous = np.maximum.accumulate(np.where(observed, steps, -1), axis=2)
        following = np.minimum.accumulate(
            np.where(observed, steps, t)[..., ::-1], axis=2)[..., ::-1]
        if self.method == "ffill":
            source = np.where(previous < 0, first, previous)
        else:
            source = np.where(following >= t, last, following)
        out = np.take_along_axis(X3, source, axis=2)
        out[np.broadcast_to(steps >= lengths[:, None, None], out.shape)] = np.nan
        return out


class TimeSeriesScaler(BaseSeriesTransformer):
    """Scale each series by its own statistics, ignoring NaN.

    Parameters
    ----------
    method : {"zscore", "minmax"}, default="zscore"
        ``"zscore"``: subtract the mean, divide by the standard deviation
        (``ddof=0``); ``"minmax"``: map the minimum to 0 and the maximum to 1.
    per : {"series", "channel"}, default="series"
        ``"series"``: one set of statistics per series, over all its channels
        jointly (keeps the relative scale of the channels); ``"channel"``: one
        per series and channel.

    Attributes
    ----------
    n_features_in_ : int
        ``X.shape[1]`` in ``fit`` (channels for 3-D input).
    n_channels_in_ : int
        Number of channels seen in ``fit``.

    Notes
    -----
    Statistics are computed in float64 over the observed values only. A
    constant series (or channel, with ``per="channel"``) becomes all zeros
    with either method, never NaN. Missing values and padding stay NaN: put
    :class:`FillMissing` first to fill gaps.

    Examples
    --------
    >>> import numpy as np
    >>> from sslts import TimeSeriesScaler
    >>> X = np.array([[1.0, 2.0, 3.0, np.nan], [5.0, 5.0, 5.0, 5.0]])
    >>> TimeSeriesScaler(method="minmax").fit_transform(X)
    array([[0. , 0.5, 1. , nan],
           [0. , 0. , 0. , 0. ]], dtype=float32)
    """

    _parameter_constraints = {
        "method": [StrOptions({"zscore", "minmax"})],
        "per": [StrOptions({"series", "channel"})],
    }

    def __init__(self, method="zscore", per="series"):
        store_params(self, locals())

    def _transform(self, X3, lengths):
        axis = (1, 2) if self.per == "series" else 2
        X = X3.astype(np.float64)
        low = np.nanmin(X, axis=axis, keepdims=True)
        high = np.nanmax(X, axis=axis, keepdims=True)
        constant = high == low
        if self.method == "zscore":
            center = np.nanmean(X, axis=axis, keepdims=True)
            scale = np.nanstd(X, axis=axis, keepdims=True)
        else:
            center, scale = low, high - low
        center = np.where(constant, low, center)  # constant -> exact zeros
        scale = np.where(constant, 1.0, scale)
        return ((X - center) / scale).astype(np.float32)


class ClipOutliers(BaseSeriesTransformer):
    """Clip values further than ``z`` standard deviations from the mean.

    Each series and channel is clipped to ``mean +- z * std`` of its own
    observed values (``ddof=0``); NaN stay NaN.

    Parameters
    ----------
    z : float, default=3.0
        Half-width of the kept band in standard deviations (> 0).

    Attributes
    ----------
    n_features_in_ : int
        ``X.shape[1]`` in ``fit`` (channels for 3-D input).
    n_channels_in_ : int
        Number of channels seen in ``fit``.

    Notes
    -----
    The statistics include the outliers themselves, so a single extreme
    value in a short series may stay inside its own band: with ``n``
    observed values no value is further than ``sqrt(n - 1)`` standard
    deviations from the mean.

    Examples
    --------
    >>> import numpy as np
    >>> from sslts import ClipOutliers
    >>> X = np.zeros((1, 1, 20)); X[0, 0, 5] = 100.0
    >>> float(ClipOutliers(z=2.0).fit_transform(X).max()) < 100
    True
    """

    _parameter_constraints = {"z": [Interval(Real, 0, None, closed="neither")]}

    def __init__(self, z=3.0):
        store_params(self, locals())

    def _transform(self, X3, lengths):
        X = X3.astype(np.float64)
        mean = np.nanmean(X, axis=2, keepdims=True)
        half = self.z * np.nanstd(X, axis=2, keepdims=True)
        return np.clip(X, mean - half, mean + half).astype(np.float32)

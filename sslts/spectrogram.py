"""Short-time Fourier spectrograms of time series, as a scikit-learn transformer."""

from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from .utils.device import resolve_device
from .utils.params import store_params
from .utils.validation import validate_input

__all__ = ["Spectrogram"]

WINDOWS = {
    "hann": torch.hann_window,
    "hamming": torch.hamming_window,
    "blackman": torch.blackman_window,
    "bartlett": torch.bartlett_window,
    "boxcar": None,
}

# rows (sample, channel) per call of torch.stft: bounds memory on the device
_CHUNK = 4096


class Spectrogram(TransformerMixin, BaseEstimator):
    """Magnitude spectrogram of every channel, ``(n, c, t) -> (n, c, f, frames)``.

    The short-time Fourier transform (``torch.stft``, all series of a chunk
    at once, on ``device``) of each channel with a window of ``n_fft`` steps
    moved by ``hop_length``; the magnitude, or ``log(magnitude + eps)``, of
    its ``f = n_fft // 2 + 1`` frequency bins. The output is a 4-D array for
    the self-supervised transformers with a 2-D encoder (``"resnet2d"``), for
    instance in a :class:`~sklearn.pipeline.Pipeline` in front of
    :class:`~sslts.SimCLRTransformer`.

    Parameters
    ----------
    n_fft : int, default=64
        Window length in time steps; at most the length of the series.
    hop_length : int, default=None
        Steps between consecutive frames; None gives ``n_fft // 4``.
    window : {"hann", "hamming", "blackman", "bartlett", "boxcar"}, default="hann"
        Window function (periodic), of length ``n_fft``.
    log : bool, default=True
        Return ``log(magnitude + eps)`` instead of the magnitude.
    eps : float, default=1e-6
        Added to the magnitude before the logarithm, so silence stays finite.
    center : bool, default=True
        Pad the series by ``n_fft // 2`` on both sides (reflection) so frame
        ``k`` is centred on step ``k * hop_length``; then there are
        ``1 + t // hop_length`` frames, else ``1 + (t - n_fft) // hop_length``.
    device : str, default="cpu"
        Where the transform runs: ``"cpu"``, ``"cuda"``, ``"cuda:N"``,
        ``"mps"`` or ``"auto"``. The output is always a numpy array.

    Attributes
    ----------
    n_features_in_ : int
        ``X.shape[1]`` of the array seen in ``fit`` (channels for 3-D input).
    n_channels_in_ : int
        Number of channels seen in ``fit``.

    Notes
    -----
    All series must have one length: the frames of a series would otherwise
    run into its NaN padding. Cut recordings into windows of one length
    first (for instance with :func:`sslts.datasets.load_csv_windows`), or
    crop them. Missing values inside a series are filled by linear
    interpolation, as in :func:`~sslts.utils.validation.check_time_series`.
    2-D input is read as univariate: ``(n, t) -> (n, 1, f, frames)``.

    Examples
    --------
    >>> import numpy as np
    >>> from sslts import Spectrogram
    >>> X = np.random.RandomState(0).randn(4, 3, 128)
    >>> Spectrogram(n_fft=32, hop_length=8).fit_transform(X).shape
    (4, 3, 17, 17)
    """

    _parameter_constraints = {
        "n_fft": [Interval(Integral, 2, None, closed="left")],
        "hop_length": [None, Interval(Integral, 1, None, closed="left")],
        "window": [StrOptions(set(WINDOWS))],
        "log": ["boolean"],
        "eps": [Interval(Real, 0, None, closed="neither")],
        "center": ["boolean"],
        "device": [str],
    }

    def __init__(self, n_fft=64, hop_length=None, window="hann", log=True, eps=1e-6,
                 center=True, device="cpu"):
        store_params(self, locals())

    def fit(self, X, y=None):
        """Check the parameters and the input.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints)
            Time series of one length (2-D input is univariate).
        y : None
            Ignored.

        Returns
        -------
        self : Spectrogram
        """
        self._validate_params()
        resolve_device(self.device)
        self._check(X, reset=True)
        return self

    def transform(self, X):
        """Compute the spectrograms.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints)
            Time series of one length, with the channels seen in ``fit``; the
            length may differ from the one seen in ``fit``.

        Returns
        -------
        S : ndarray of float32, shape (n_samples, n_channels, n_fft // 2 + 1, n_frames)
        """
        check_is_fitted(self, "n_channels_in_")
        X3 = self._check(X, reset=False)
        n, c, t = X3.shape
        device = resolve_device(self.device)
        if WINDOWS[self.window] is None:
            window = torch.ones(self.n_fft, device=device)
        else:
            window = WINDOWS[self.window](self.n_fft, periodic=True, device=device)
        rows = torch.from_numpy(X3).reshape(n * c, t)
        chunks = []
        with torch.inference_mode():
            for start in range(0, n * c, _CHUNK):
                stft = torch.stft(
                    rows[start:start + _CHUNK].to(device), self.n_fft,
                    hop_length=self.hop_length or self.n_fft // 4, window=window,
                    center=self.center, pad_mode="reflect", return_complex=True,
                )
                magnitude = stft.abs()
                if self.log:
                    magnitude = torch.log(magnitude + self.eps)
                chunks.append(magnitude.cpu())
        S = torch.cat(chunks).numpy().astype(np.float32, copy=False)
        return S.reshape(n, c, *S.shape[1:])

    def _check(self, X, reset):
        """Validate ``X`` into a (n, c, t) float32 array of one length."""
        X3, lengths = validate_input(self, X, reset=reset, ndim=3, min_samples=1)
        t = X3.shape[-1]
        if (lengths < t).any():
            i = int(np.argmin(lengths))
            raise ValueError(
                f"Spectrogram needs series of one length, but sample {i} has "
                f"{lengths[i]} time points and others {t} (NaN right-padding). "
                "Cut the data into windows of one length first (e.g. "
                "sslts.datasets.load_csv_windows) or crop the series."
            )
        if self.n_fft > t:
            raise ValueError(
                f"n_fft={self.n_fft} is longer than the series ({t} time points); "
                f"use n_fft <= {t}, or longer series."
            )
        return X3

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.three_d_array = True
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags

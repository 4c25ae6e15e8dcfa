"""Base class shared by every augmentation.

An augmentation has two faces backed by one implementation: a batched torch
kernel, :meth:`BaseAugmentation.augment`, used inside self-supervised training
on the training device, and the scikit-learn :meth:`BaseAugmentation.transform`
on numpy arrays. Every sample gets its own random parameters in every call.
"""

import torch
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ..utils.random import draw_seed, seeded_generator
from ..utils.validation import check_time_series, n_features, restore_input_shape


def valid_lengths(x):
    """Length of the valid (non-padded) prefix of each series.

    Parameters
    ----------
    x : torch.Tensor of shape (n, c, t)
        Batch right-padded with NaN in every channel.

    Returns
    -------
    lengths : torch.Tensor of shape (n,), int64
    """
    return (~torch.isnan(x).all(dim=1)).sum(dim=1)


class BaseAugmentation(TransformerMixin, BaseEstimator):
    """Random transformation applied independently to each series.

    Subclasses implement :meth:`_augment`, a batched torch kernel drawing
    per-sample random parameters from the given generator. Inputs are
    ``(n, c, t)`` float tensors right-padded with NaN; padding stays padding.

    ``random_state`` seeds a stream of draws created by :meth:`fit`: each call
    to :meth:`transform` continues that stream, so repeated calls give fresh
    views while ``fit(X).transform(X)`` is reproducible for a fixed seed.
    """

    _parameter_constraints = {"random_state": ["random_state"]}

    def fit(self, X, y=None):
        """Validate the parameters and the input and start the random stream.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints)
            Time series (2-D input is univariate, ragged lists are padded).
        y : None
            Ignored.

        Returns
        -------
        self : BaseAugmentation
        """
        self.validate()
        X3, _ = check_time_series(X, min_samples=1)
        self.n_features_in_ = n_features(X, X3)
        self.n_channels_in_ = X3.shape[1]
        self.random_state_ = check_random_state(self.random_state)
        return self

    def transform(self, X):
        """Return a randomly augmented copy of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints)
            Time series; the input is never modified.

        Returns
        -------
        X_aug : ndarray of float32, same shape as the (padded) input
        """
        check_is_fitted(self, "random_state_")
        X3, lengths = check_time_series(
            X, n_channels=self.n_channels_in_, min_samples=1,
            estimator_name=type(self).__name__,
        )
        generator = seeded_generator(draw_seed(self.random_state_))
        with torch.no_grad():
            out = self.augment(torch.from_numpy(X3), generator, torch.from_numpy(lengths))
        return restore_input_shape(out.numpy(), X)

    def augment(self, x, generator, lengths=None):
        """Augment a batch with per-sample random parameters.

        Parameters
        ----------
        x : torch.Tensor of shape (n, c, t)
            Float batch, right-padded with NaN; not modified.
        generator : torch.Generator
            Source of randomness, on the same device as ``x``.
        lengths : torch.Tensor of shape (n,), optional
            Valid lengths; computed from the NaN padding when omitted.

        Returns
        -------
        torch.Tensor of shape (n, c, t)
        """
        if lengths is None:
            lengths = valid_lengths(x)
        return self._augment(x, generator, lengths.to(x.device))

    def _augment(self, x, generator, lengths):
        raise NotImplementedError

    def validate(self):
        """Raise ``ValueError``/``TypeError`` for invalid parameters.

        Called by :meth:`fit` and by the estimators that train with this
        augmentation, since :meth:`augment` itself does not validate.
        """
        self._validate_params()
        self._check_params()

    def _check_params(self):
        """Check constraints that ``_parameter_constraints`` cannot express."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.three_d_array = True
        tags.transformer_tags.preserves_dtype = ["float32"]
        tags.non_deterministic = True
        return tags


def check_range(name, value, low=0.0, high=1.0):
    """Raise ``ValueError`` unless ``value`` is a pair ``low <= a <= b <= high``."""
    try:
        a, b = value
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a pair (low, high), got {value!r}.") from None
    if not low <= a <= b <= high:
        raise ValueError(
            f"{name} must satisfy {low} <= low <= high <= {high}, got {value!r}."
        )


def uniform(n, generator, device, low=0.0, high=1.0):
    """Draw ``n`` independent uniform values in ``[low, high)``."""
    u = torch.rand(n, generator=generator, device=device)
    return low + (high - low) * u


def normal(shape, generator, device, dtype=torch.float32):
    """Draw standard normal values of ``shape``."""
    return torch.randn(shape, generator=generator, device=device, dtype=dtype)


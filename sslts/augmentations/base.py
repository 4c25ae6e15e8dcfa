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
from ..utils.tensors import valid_lengths
from ..utils.validation import restore_input_shape, validate_input

#: Appended to the error for 4-D input to an augmentation of time series.
_SPECTRAL_HINT = ("for spectrograms and images use the augmentations of "
                  "sslts.augmentations.spectral.")


class BaseAugmentation(TransformerMixin, BaseEstimator):
    """Random transformation applied independently to each series.

    Subclasses implement :meth:`_augment`, a batched torch kernel drawing
    per-sample random parameters from the given generator. Inputs are
    ``(n, c, t)`` float tensors right-padded with NaN; padding stays padding.

    ``random_state`` seeds a stream of draws created by :meth:`fit`: each call
    to :meth:`transform` continues that stream, so repeated calls give fresh
    views while ``fit(X).transform(X)`` is reproducible for a fixed seed.

    The class attribute ``_input_ndim`` declares the batches a kernel works
    on: 3 for time series ``(n, c, t)``, 4 for spectrograms and images
    ``(n, c, h, w)`` (see :mod:`sslts.augmentations.spectral`), which have no
    padding. :meth:`fit` and :meth:`transform` check the input against it.
    """

    _parameter_constraints = {"random_state": ["random_state"]}
    _input_ndim = 3

    def fit(self, X, y=None):
        """Validate the parameters and the input and start the random stream.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints)
            Time series (2-D input is univariate, ragged lists are padded);
            4-D ``(n_samples, n_channels, height, width)`` for the
            augmentations of spectrograms and images.
        y : None
            Ignored.

        Returns
        -------
        self : BaseAugmentation
        """
        self.validate()
        ndim = self.expected_ndim()
        validate_input(self, X, reset=True, ndim=ndim, min_samples=1,
                       hint=_SPECTRAL_HINT if ndim == 3 else None)
        self.random_state_ = check_random_state(self.random_state)
        return self

    def transform(self, X):
        """Return a randomly augmented copy of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints)
            Time series, or 4-D spectrograms and images as in :meth:`fit`;
            the input is never modified.

        Returns
        -------
        X_aug : ndarray of float32, same shape as the (padded) input
        """
        check_is_fitted(self, "random_state_")
        X3, lengths = validate_input(self, X, reset=False, min_samples=1)
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
        self.expected_ndim()

    def _check_params(self):
        """Check constraints that ``_parameter_constraints`` cannot express."""

    def expected_ndim(self):
        """Dimensionality of the batches this augmentation works on.

        Returns
        -------
        ndim : int
            3 for time series ``(n, c, t)``, 4 for spectrograms and images
            ``(n, c, h, w)``. An augmentation holding others (such as
            :class:`~sslts.augmentations.Compose` or
            :class:`~sslts.augmentations.RandomApply`) takes theirs.

        Raises
        ------
        ValueError
            If the augmentations it holds expect different dimensionalities.
        """
        inner = []
        for value in self.get_params(deep=False).values():
            values = value if isinstance(value, (list, tuple)) else [value]
            inner += [v for v in values if isinstance(v, BaseAugmentation)]
        if not inner:
            return self._input_ndim
        ndims = {type(a).__name__: a.expected_ndim() for a in inner}
        if len(set(ndims.values())) > 1:
            raise ValueError(
                f"{type(self).__name__} mixes augmentations for time series (3-D) "
                f"and for spectrograms or images (4-D): {ndims}; use one kind."
            )
        return next(iter(ndims.values()))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.three_d_array = True
        tags.transformer_tags.preserves_dtype = ["float32"]
        tags.non_deterministic = True
        return tags


class DeterministicAugmentation(BaseAugmentation):
    """Augmentation without random draws: the same input gives the same output.

    Apply it to a random subset of samples with
    :class:`~sslts.augmentations.composition.RandomApply`. ``random_state`` is
    accepted, like on every augmentation, and not used.
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
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


"""Augmentations that filter a series along time."""

from numbers import Integral

import torch
import torch.nn.functional as F
from sklearn.utils._param_validation import Interval

from ..utils.params import store_params
from .base import BaseAugmentation, DeterministicAugmentation, check_range, uniform


class Smoothing(DeterministicAugmentation):
    """Centred moving average along time.

    Each valid time step becomes the mean of the ``window_size`` steps centred
    on it; near the edges of the valid part the mean is taken over the valid
    neighbours only, so a constant series stays constant and padding is never
    read. Deterministic: use it on a random subset of samples through
    ``RandomApply(Smoothing(), p)``.

    Parameters
    ----------
    window_size : int, default=5
        Odd number of time steps averaged; 1 leaves the series unchanged.
    random_state : None, int or RandomState instance, default=None
        Unused, accepted for a uniform interface with the other augmentations.
    """

    _parameter_constraints = {
        **BaseAugmentation._parameter_constraints,
        "window_size": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, window_size=5, *, random_state=None):
        store_params(self, locals())

    def _check_params(self):
        if self.window_size % 2 == 0:
            raise ValueError(
                f"window_size must be odd so that the window is centred, got "
                f"{self.window_size}; use {self.window_size - 1} or "
                f"{self.window_size + 1}."
            )

    def _augment(self, x, generator, lengths):
        valid = torch.arange(x.shape[-1], device=x.device) < lengths[:, None, None]
        # mean over the window with padding read as 0, divided by the valid
        # fraction of the window; pooling keeps full precision where a
        # convolution may run in TF32 on a GPU
        size = self.window_size
        sums = F.avg_pool1d(torch.where(valid, x, 0.0), size, 1, size // 2)
        counts = F.avg_pool1d(valid.to(x.dtype), size, 1, size // 2)
        return (sums / counts).masked_fill(~valid, float("nan"))


class LowPassFilter(BaseAugmentation):
    """Three-tap low-pass filter of random strength.

    ``y[t] = lam/2 x[t-1] + (1 - lam) x[t] + lam/2 x[t+1]``, with ``lam``
    drawn uniformly from ``strength`` for each sample. The gain at frequency
    ``w`` (radians per step) is ``1 - lam + lam cos(w)``: 1 for a constant,
    ``1 - 2 lam`` at the Nyquist frequency, which ``lam = 0.5`` removes. The
    edges of the valid part repeat the edge value. For time-series
    augmentations in general, see Iwana & Uchida 2021, "An empirical survey of
    data augmentation for time series classification with neural networks",
    PLOS ONE.

    Parameters
    ----------
    strength : tuple of (float, float), default=(0.0, 0.5)
        Range of ``lam``, within ``[0, 0.5]``; ``(0, 0)`` leaves the series
        unchanged.
    random_state : int, RandomState instance or None, default=None
        Seed of the stream of random draws (see :class:`BaseAugmentation`).
    """

    _parameter_constraints = {
        **BaseAugmentation._parameter_constraints,
        "strength": [tuple, list],
    }

    def __init__(self, strength=(0.0, 0.5), *, random_state=None):
        store_params(self, locals())

    def _check_params(self):
        check_range("strength", self.strength, 0.0, 0.5)

    def _augment(self, x, generator, lengths):
        n, c, t = x.shape
        lam = uniform(n, generator, x.device, *self.strength).to(x.dtype)[:, None, None]
        steps = torch.arange(t, device=x.device)
        last = (lengths.long() - 1)[:, None]
        before = (steps - 1).clamp(min=0).expand(n, t)
        after = torch.minimum(steps + 1, last)
        x_before = x.gather(2, before[:, None, :].expand(n, c, t))
        x_after = x.gather(2, after[:, None, :].expand(n, c, t))
        # padding stays NaN through the centre term
        return lam / 2 * (x_before + x_after) + (1 - lam) * x

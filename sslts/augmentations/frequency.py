"""Augmentations in the frequency domain of a series."""

from numbers import Integral, Real

import torch
from sklearn.utils._param_validation import Interval

from ..utils.params import store_params
from ..utils.tensors import resample
from .base import BaseAugmentation


class FrequencyMix(BaseAugmentation):
    """Replace random frequency components of each series by another series'.

    Each series is paired with another, random series of the same batch
    (whose valid part is resampled to the series' length when the lengths
    differ). In the real Fourier transform of each channel, every component
    except the mean and the ``n_dominant`` largest in amplitude is replaced,
    with probability ``rate``, by the partner's component at the same
    frequency. The view keeps the series' mean and main periodicities and
    takes part of its finer spectral content from another series: the
    frequency mixing of FrAug (Chen et al. 2023, "FrAug: Frequency Domain
    Augmentation for Time Series Forecasting", arXiv:2302.09292), used for
    contrastive learning by TimesURL (Liu & Chen 2024, AAAI). The time axis
    is kept, so it suits TS2Vec's aligned crops. A batch of one series is
    returned unchanged, as is every series with ``rate=0``; identical series
    give identical views.

    Parameters
    ----------
    rate : float, default=0.2
        Probability, for each other component, of taking the partner's.
    n_dominant : int, default=2
        Number of largest-amplitude components (besides the mean) of each
        series and channel that are always kept.
    random_state : int, RandomState instance or None, default=None
        Seed of the stream of random draws (see :class:`BaseAugmentation`).
    """

    _parameter_constraints = {
        **BaseAugmentation._parameter_constraints,
        "rate": [Interval(Real, 0, 1, closed="both")],
        "n_dominant": [Interval(Integral, 0, None, closed="left")],
    }

    def __init__(self, rate=0.2, n_dominant=2, *, random_state=None):
        store_params(self, locals())

    def _augment(self, x, generator, lengths):
        n, _, t = x.shape
        if n < 2 or self.rate == 0:
            return x.clone()
        # a shift of 1 .. n-1 places: never the series itself
        shift = torch.randint(1, n, (n,), generator=generator, device=x.device)
        partner = (torch.arange(n, device=x.device) + shift) % n
        lengths = lengths.long()
        ratio = (lengths[partner] - 1).to(x.dtype) / (lengths - 1).clamp(min=1).to(x.dtype)
        positions = torch.arange(t, device=x.device, dtype=x.dtype) * ratio[:, None]
        other = resample(x[partner], positions, lengths[partner])
        out = x.clone()
        for length in lengths.unique().tolist():  # one Fourier transform per length
            rows = (lengths == length).nonzero().squeeze(1)
            out[rows, :, :length] = self._mix(x[rows, :, :length], other[rows, :, :length],
                                              generator)
        return out

    def _mix(self, a, b, generator):
        """``a`` with random components of its spectrum taken from ``b``'s."""
        dtype = torch.promote_types(a.dtype, torch.float32)  # no half-precision FFT
        fa = torch.fft.rfft(a.to(dtype), dim=-1)
        fb = torch.fft.rfft(b.to(dtype), dim=-1)
        take = torch.rand(fa.shape, generator=generator, device=a.device) < self.rate
        take[..., 0] = False  # the mean
        keep = min(self.n_dominant, fa.shape[-1] - 1)
        if keep > 0:
            dominant = fa[..., 1:].abs().topk(keep, dim=-1).indices + 1
            take.scatter_(-1, dominant, False)
        mixed = torch.where(take, fb, fa)
        return torch.fft.irfft(mixed, n=a.shape[-1], dim=-1).to(a.dtype)

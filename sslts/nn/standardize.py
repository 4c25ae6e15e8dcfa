"""Input standardisation kept inside the encoder.

:class:`StandardizedEncoder` subtracts a per-channel mean and divides by a
per-channel scale before its encoder, so that a model does not depend on the
units of the data. The statistics are buffers of the module: they travel
with the weights into ``transform``, pickles, encoder files and fine-tuning.
:class:`SeriesStandardizedEncoder` then also standardises each series on its
own and hands its level and spread to the embedding.
"""

import numpy as np
import torch
from torch import nn

__all__ = ["SeriesStandardizedEncoder", "StandardizedEncoder", "channel_scale", "standardized"]

#: Smallest standard deviation of a series (in dataset units) that
#: :class:`SeriesStandardizedEncoder` divides by and reports the log of.
MIN_SERIES_STD = 1e-4


def channel_scale(std):
    """Standard deviations usable as divisors: zero (a constant channel) becomes 1.

    Parameters
    ----------
    std : array-like of shape (c,)

    Returns
    -------
    ndarray of float32, shape (c,)
    """
    std = np.asarray(std, dtype=np.float64)
    return np.where(std > 0, std, 1.0).astype(np.float32)


class StandardizedEncoder(nn.Module):
    """An encoder fed ``(x - mean) / scale``, per channel.

    NaN (padding) stays NaN, so the encoder masks it as usual.

    Parameters
    ----------
    encoder : nn.Module
        The encoder taking the standardised batches.
    mean : array-like of shape (c,)
        Mean of each input channel.
    scale : array-like of shape (c,)
        Positive divisor of each input channel (see :func:`channel_scale`).

    Attributes
    ----------
    in_channels : int
        Channels of the input, ``c``.
    out_features : int
        ``encoder.out_features``, when the encoder has it.
    """

    def __init__(self, encoder, mean, scale):
        super().__init__()
        mean = torch.as_tensor(np.asarray(mean, dtype=np.float32))
        scale = torch.as_tensor(np.asarray(scale, dtype=np.float32))
        if mean.dim() != 1 or scale.shape != mean.shape:
            raise ValueError(f"mean and scale must be 1-D of one length, got shapes "
                             f"{tuple(mean.shape)} and {tuple(scale.shape)}")
        if not bool(torch.isfinite(mean).all()) or not bool((scale > 0).all()):
            raise ValueError("mean must be finite and scale positive and finite")
        self.encoder = encoder
        self.register_buffer("mean", mean)
        self.register_buffer("scale", scale)
        self.in_channels = int(mean.shape[0])
        if hasattr(encoder, "out_features"):
            self.out_features = int(encoder.out_features)

    def _standardize(self, x):
        if not torch.is_tensor(x) or x.dim() < 2 or x.shape[1] != self.in_channels:
            shape = tuple(x.shape) if torch.is_tensor(x) else type(x).__name__
            raise ValueError(f"expected a batch with {self.in_channels} channels on axis 1, "
                             f"got shape {shape}")
        shape = (1, self.in_channels) + (1,) * (x.dim() - 2)
        return (x - self.mean.view(shape).to(x.dtype)) / self.scale.view(shape).to(x.dtype)

    def forward(self, x):
        """Embed ``x`` of shape ``(n, in_channels, ...)``."""
        return self.encoder(self._standardize(x))

    def forward_features(self, x, **kwargs):
        """Per-time-step features of ``x``, for an encoder that gives them."""
        return self.encoder.forward_features(self._standardize(x), **kwargs)


class SeriesStandardizedEncoder(StandardizedEncoder):
    """An encoder fed each series standardised on its own, its level and spread kept.

    Each channel is first standardised with the dataset's ``mean`` and
    ``scale`` (as :class:`StandardizedEncoder`), then each series by its own
    mean ``m`` and standard deviation ``s`` per channel over its values (NaN
    left out; ``s`` at least :data:`MIN_SERIES_STD`), so that the encoder
    sees every series' shape at one scale, however small or large its
    amplitude. The embedding is the encoder's followed by ``m`` and
    ``log(s)`` of each channel (``2 c`` more features), so that the level and
    the spread of a series are not lost. Per-timestamp features
    (``forward_features``) are those of the standardised series alone.

    Parameters
    ----------
    encoder : nn.Module
        The encoder taking the standardised batches.
    mean : array-like of shape (c,)
        Mean of each input channel over the dataset.
    scale : array-like of shape (c,)
        Positive divisor of each input channel (see :func:`channel_scale`).

    Attributes
    ----------
    in_channels : int
        Channels of the input, ``c``.
    out_features : int
        ``encoder.out_features + 2 c``, when the encoder has ``out_features``.
    """

    def __init__(self, encoder, mean, scale):
        super().__init__(encoder, mean, scale)
        if hasattr(encoder, "out_features"):
            self.out_features = int(encoder.out_features) + 2 * self.in_channels

    def _series_standardize(self, x):
        """The standardised batch and each series' ``(mean, log std)`` per channel."""
        x = self._standardize(x)
        values = x.flatten(2)
        level = values.nanmean(-1, keepdim=True)
        spread = (values - level).pow(2).nanmean(-1, keepdim=True).sqrt()
        spread = spread.nan_to_num(1.0).clamp(min=MIN_SERIES_STD)
        level = level.nan_to_num(0.0)
        shape = x.shape[:2] + (1,) * (x.dim() - 2)
        standardized = (x - level.view(shape)) / spread.view(shape)
        return standardized, torch.cat([level[..., 0], spread[..., 0].log()], dim=1)

    def forward(self, x):
        """Embed ``x`` of shape ``(n, in_channels, ...)``: the encoder's
        embedding, then the mean and log standard deviation of each channel."""
        standardized, statistics = self._series_standardize(x)
        embedding = self.encoder(standardized)
        return torch.cat([embedding, statistics.to(embedding.dtype)], dim=1)

    def forward_features(self, x, **kwargs):
        """Per-time-step features of each series standardised on its own."""
        return self.encoder.forward_features(self._series_standardize(x)[0], **kwargs)


def standardized(encoder, standardize, mean, std):
    """``encoder`` fed its input standardised as ``standardize`` says.

    Parameters
    ----------
    encoder : nn.Module
        The encoder to wrap.
    standardize : bool or "series"
        False: ``encoder`` itself; True: a :class:`StandardizedEncoder`;
        ``"series"``: a :class:`SeriesStandardizedEncoder`.
    mean, std : array-like of shape (c,)
        Mean and standard deviation of each input channel over the dataset.

    Returns
    -------
    nn.Module
    """
    if isinstance(standardize, (bool, np.bool_)):
        return StandardizedEncoder(encoder, mean, channel_scale(std)) if standardize else encoder
    if isinstance(standardize, str) and standardize == "series":
        return SeriesStandardizedEncoder(encoder, mean, channel_scale(std))
    raise ValueError(f"standardize must be True, False or 'series', got {standardize!r}")

"""Augmentations of spectrograms and images, batches of shape (n, c, f, frames).

Image-style views for the 2-D encoders: Gaussian blur and random resized crop
as in SimCLR (Chen et al. 2020, "A Simple Framework for Contrastive Learning
of Visual Representations", ICML), and the frequency and time masks of
SpecAugment (Park et al. 2019, "SpecAugment: A Simple Data Augmentation Method
for Automatic Speech Recognition", Interspeech). Every sample draws its own
parameters in every call; the channels of a sample share them. The axes are
``(n, channels, frequency, time)``, so images ``(n, c, height, width)`` work
too, with height as "frequency" and width as "time".
"""

import math
from numbers import Integral, Real

import torch
import torch.nn.functional as F
from sklearn.utils._param_validation import Interval, RealNotInt, StrOptions

from ..utils.params import store_params
from .base import BaseAugmentation, check_range, uniform

__all__ = ["FrequencyMasking", "GaussianBlur", "RandomResizedCrop2D", "TimeMasking"]


class GaussianBlur(BaseAugmentation):
    """Blur each sample with a Gaussian kernel of random width.

    The standard deviation is drawn per sample, uniformly in ``sigma`` (in
    bins or pixels), and used along both axes. Edges are padded by
    replicating the border, so a constant image stays constant. Chen et al.
    2020 (SimCLR), appendix A.

    Parameters
    ----------
    sigma : tuple of (float, float), default=(0.1, 2.0)
        Range of the standard deviation; ``(0, 0)`` leaves samples unchanged.
    kernel_size : int, default=None
        Odd kernel size; None gives ``2 * ceil(3 * sigma[1]) + 1``.
    random_state : int, RandomState instance or None, default=None
        Seed of the stream of random draws (see :class:`BaseAugmentation`).
    """

    _parameter_constraints = {
        **BaseAugmentation._parameter_constraints,
        "sigma": [tuple, list],
        "kernel_size": [None, Interval(Integral, 1, None, closed="left")],
    }
    _input_ndim = 4

    def __init__(self, sigma=(0.1, 2.0), kernel_size=None, *, random_state=None):
        store_params(self, locals())

    def _check_params(self):
        check_range("sigma", self.sigma, high=math.inf)
        if self.kernel_size is not None and self.kernel_size % 2 == 0:
            raise ValueError(
                f"kernel_size must be odd so the blur is centred, got {self.kernel_size}."
            )

    def _augment(self, x, generator, lengths):
        n, c, h, w = x.shape
        size = self.kernel_size or 2 * math.ceil(3 * self.sigma[1]) + 1
        radius = size // 2
        sigma = uniform(n, generator, x.device, *self.sigma).clamp(min=1e-6).to(x.dtype)
        offsets = torch.arange(-radius, radius + 1, device=x.device, dtype=x.dtype)
        kernel = torch.exp(-(offsets[None, :] ** 2) / (2 * sigma[:, None] ** 2))
        kernel = (kernel / kernel.sum(dim=1, keepdim=True)).repeat_interleave(c, dim=0)
        # one group per (sample, channel): separable blur, vertical then horizontal
        out = F.pad(x.reshape(1, n * c, h, w), (radius,) * 4, mode="replicate")
        out = F.conv2d(out, kernel[:, None, :, None], groups=n * c)
        out = F.conv2d(out, kernel[:, None, None, :], groups=n * c)
        return out.reshape(n, c, h, w)


class RandomResizedCrop2D(BaseAugmentation):
    """Crop a random rectangle and resize it back to the full size.

    The rectangle covers a fraction of the area drawn uniformly from
    ``scale``, with an aspect ratio (relative to the sample's own) drawn
    log-uniformly from ``ratio``; its sides are clipped to the sample and its
    position is uniform. It is resampled bilinearly, all samples at once,
    with one affine grid per sample (Chen et al. 2020, SimCLR).

    Parameters
    ----------
    scale : tuple of (float, float), default=(0.5, 1.0)
        Range of the crop area as a fraction of the sample's area.
    ratio : tuple of (float, float), default=(3/4, 4/3)
        Range of the crop's width fraction over its height fraction.
    random_state : int, RandomState instance or None, default=None
        Seed of the stream of random draws (see :class:`BaseAugmentation`).
    """

    _parameter_constraints = {
        **BaseAugmentation._parameter_constraints,
        "scale": [tuple, list],
        "ratio": [tuple, list],
    }
    _input_ndim = 4

    def __init__(self, scale=(0.5, 1.0), ratio=(3 / 4, 4 / 3), *, random_state=None):
        store_params(self, locals())

    def _check_params(self):
        check_range("scale", self.scale)
        if self.scale[1] <= 0:
            raise ValueError(f"scale must allow a crop larger than 0, got {self.scale!r}.")
        check_range("ratio", self.ratio, low=0.0, high=math.inf)
        if self.ratio[0] <= 0:
            raise ValueError(f"ratio must be positive, got {self.ratio!r}.")

    def _augment(self, x, generator, lengths):
        n = x.shape[0]
        area = uniform(n, generator, x.device, *self.scale)
        log_ratio = uniform(n, generator, x.device, *(math.log(r) for r in self.ratio))
        width = (area * log_ratio.exp()).sqrt().clamp(max=1.0)
        height = (area / log_ratio.exp()).sqrt().clamp(max=1.0)
        # centre of the crop in [-1, 1] grid units, keeping it inside the sample
        shift_x = (2 * uniform(n, generator, x.device) - 1) * (1 - width)
        shift_y = (2 * uniform(n, generator, x.device) - 1) * (1 - height)
        theta = torch.zeros(n, 2, 3, device=x.device, dtype=x.dtype)
        theta[:, 0, 0], theta[:, 0, 2] = width, shift_x
        theta[:, 1, 1], theta[:, 1, 2] = height, shift_y
        grid = F.affine_grid(theta, list(x.shape), align_corners=True)
        return F.grid_sample(x, grid, mode="bilinear", padding_mode="border",
                             align_corners=True)


class _AxisMasking(BaseAugmentation):
    """Mask ``n_masks`` random bands of consecutive bins along one axis."""

    _parameter_constraints = {
        **BaseAugmentation._parameter_constraints,
        "max_width": [Interval(Integral, 0, None, closed="left"),
                      Interval(RealNotInt, 0, 1, closed="both")],
        "n_masks": [Interval(Integral, 0, None, closed="left")],
        "fill": [StrOptions({"mean"}), Interval(Real, None, None, closed="neither")],
    }
    _input_ndim = 4
    _axis = None

    def __init__(self, max_width=0.2, n_masks=1, fill="mean", *, random_state=None):
        store_params(self, locals())

    def _augment(self, x, generator, lengths):
        n, size = x.shape[0], x.shape[self._axis]
        limit = self.max_width
        if not isinstance(limit, Integral):
            limit = int(limit * size)
        limit = min(limit, size)
        steps = torch.arange(size, device=x.device)
        masked = torch.zeros(n, size, dtype=torch.bool, device=x.device)
        for _ in range(self.n_masks):  # a few bands; all samples at once
            width = (uniform(n, generator, x.device) * (limit + 1)).floor().clamp(max=limit)
            start = (uniform(n, generator, x.device) * (size - width + 1)).floor()
            masked |= (steps >= start[:, None]) & (steps < (start + width)[:, None])
        shape = [n, 1, 1, 1]
        shape[self._axis] = size
        masked = masked.reshape(shape)
        if self.fill == "mean":
            fill = x.mean(dim=(2, 3), keepdim=True)
        else:
            fill = torch.tensor(float(self.fill), dtype=x.dtype, device=x.device)
        return torch.where(masked, fill, x)


class FrequencyMasking(_AxisMasking):
    """Mask random bands of consecutive frequency bins (rows), as in SpecAugment.

    For each sample and each of ``n_masks`` bands, a width ``w`` is drawn
    uniformly in ``{0, ..., max_width}`` and a start ``f0`` uniformly in
    ``{0, ..., n_freqs - w}``; bins ``f0 <= f < f0 + w`` of every channel and
    frame are set to ``fill``. Park et al. 2019, "SpecAugment", Interspeech.

    Parameters
    ----------
    max_width : int or float, default=0.2
        Largest band: a number of bins (int), or a fraction of the number of
        frequency bins (float in [0, 1]). 0 leaves samples unchanged.
    n_masks : int, default=1
        Number of bands per sample (they may overlap).
    fill : "mean" or float, default="mean"
        Value of the masked bins: the mean of the sample's channel (Park et
        al. mask with the mean; the zero of normalised features), or a
        constant.
    random_state : int, RandomState instance or None, default=None
        Seed of the stream of random draws (see :class:`BaseAugmentation`).
    """

    _axis = 2


class TimeMasking(_AxisMasking):
    """Mask random bands of consecutive frames (columns), as in SpecAugment.

    For each sample and each of ``n_masks`` bands, a width ``w`` is drawn
    uniformly in ``{0, ..., max_width}`` and a start ``t0`` uniformly in
    ``{0, ..., n_frames - w}``; frames ``t0 <= t < t0 + w`` of every channel
    and frequency are set to ``fill``. Park et al. 2019, "SpecAugment",
    Interspeech.

    Parameters
    ----------
    max_width : int or float, default=0.2
        Largest band: a number of frames (int), or a fraction of the number
        of frames (float in [0, 1]). 0 leaves samples unchanged.
    n_masks : int, default=1
        Number of bands per sample (they may overlap).
    fill : "mean" or float, default="mean"
        Value of the masked frames: the mean of the sample's channel, or a
        constant.
    random_state : int, RandomState instance or None, default=None
        Seed of the stream of random draws (see :class:`BaseAugmentation`).
    """

    _axis = 3

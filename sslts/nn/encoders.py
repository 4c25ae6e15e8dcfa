"""Convolutional time-series encoders that handle NaN right-padding.

Every encoder maps a batch ``(n, c, t)`` to per-timestamp features
``(n, timestamp_features, t)`` and pools them over time into embeddings
``(n, out_features)``.
NaN-padded steps (all channels NaN) are set to zero in the input and the
activations are multiplied by the padding mask before every convolution, so
the padded tail acts exactly like the convolution's own zero padding: in eval
mode the embedding of a series does not depend on how much padding follows it.
In training mode, batch-norm statistics do include the padded steps.
"""

import torch
import torch.nn.functional as F
from torch import nn

from ..utils.params import check_int, check_ints
from ..utils.tensors import padding_mask
from .pooling import POOLINGS, pooled_parts

__all__ = ["DilatedCNN", "FCN", "MaskedConv1d", "ResNet1D", "TS2VecEncoder"]


class MaskedConv1d(nn.Conv1d):
    """Stride-1 1-D convolution with 'same' output length and input masking.

    Parameters
    ----------
    in_channels, out_channels, kernel_size : int
        As in :class:`torch.nn.Conv1d`; any kernel size (even included).
    dilation : int, default=1
        Dilation of the kernel.
    causal : bool, default=False
        If True, pad only on the left so output step t sees inputs <= t;
        otherwise pad symmetrically (one more step on the right for even
        receptive fields, as PyTorch's ``padding="same"``).
    bias : bool, default=True
        Whether to learn an additive bias.

    Notes
    -----
    ``forward(x, mask)`` multiplies ``x`` by ``mask`` (shape ``(n, 1, t)``)
    before zero-padding and convolving; ``mask=None`` (a batch without
    padding) skips the multiplication.
    """

    def __init__(self, in_channels, out_channels, kernel_size, dilation=1, causal=False, bias=True):
        super().__init__(in_channels, out_channels, kernel_size, dilation=dilation, bias=bias)
        total = dilation * (kernel_size - 1)
        self.causal = causal
        self._pad = (total, 0) if causal else (total // 2, total - total // 2)

    def forward(self, x, mask=None):
        if mask is not None:
            x = x * mask
        first, last = self._taps_in_reach(x.shape[-1])
        if (first, last) == (0, self.kernel_size[0] - 1):
            left, right = self._pad
            if left == right:  # the convolution pads, without a padded copy of x
                return F.conv1d(x, self.weight, self.bias, padding=left, dilation=self.dilation)
            return super().forward(F.pad(x, self._pad))
        # the other taps only ever read the zero padding: leave them out (same
        # result; a large dilation on a short series then costs a 1x1 conv)
        if first > last:  # no tap reaches the input
            out = x.new_zeros(x.shape[0], self.out_channels, x.shape[-1])
            return out if self.bias is None else out + self.bias.view(1, -1, 1)
        dilation = self.dilation[0]
        left = self._pad[0] - first * dilation
        right = (last - first) * dilation - left
        return F.conv1d(F.pad(x, (left, right)), self.weight[:, :, first:last + 1], self.bias,
                        dilation=dilation)

    def _taps_in_reach(self, t):
        """First and last kernel taps that read an input step (not padding) for length ``t``."""
        dilation, left = self.dilation[0], self._pad[0]
        first = max(0, -((t - 1 - left) // dilation))  # ceil((left - t + 1) / dilation)
        last = min(self.kernel_size[0] - 1, (left + t - 1) // dilation)
        return first, last


class _Encoder(nn.Module):
    """Base class: argument/input checks, masking and pooling.

    Subclasses implement ``_encode(x, mask, latent_mask) -> (n, d, t)``
    where ``x`` has NaN replaced by zero, ``mask`` is a float tensor
    ``(n, 1, t)``, or None when the batch has no padding, and
    ``latent_mask`` (None, or a float tensor ``(n, 1, t)``) is
    multiplied into the output of the first layer; and they add their own
    checked arguments to ``init_kwargs``, so that
    ``type(m)(**m.init_kwargs)`` rebuilds the architecture.
    """

    def __init__(self, in_channels, out_features, pooling):
        super().__init__()
        self.in_channels = check_int("in_channels", in_channels)
        self.timestamp_features = check_int("out_features", out_features)
        if pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {sorted(POOLINGS)}, got {pooling!r}")
        self.pooling = pooling
        self.out_features = self.timestamp_features * pooled_parts(pooling)
        self.init_kwargs = {"in_channels": self.in_channels,
                            "out_features": self.timestamp_features, "pooling": pooling}

    def _features(self, x, latent_mask=None):
        if not torch.is_tensor(x) or x.dim() != 3:
            shape = tuple(x.shape) if hasattr(x, "shape") else type(x).__name__
            raise ValueError(f"expected a 3-D input of shape (n, c, t), got {shape}")
        if x.shape[1] != self.in_channels:
            raise ValueError(f"expected {self.in_channels} channels, got {x.shape[1]}")
        if x.shape[2] < 1:
            raise ValueError("expected at least one time step, got t=0")
        valid = padding_mask(x)
        if latent_mask is not None:
            if tuple(latent_mask.shape) != tuple(valid.shape):
                raise ValueError(f"latent_mask must have shape (n, t) = {tuple(valid.shape)}, "
                                 f"got {tuple(latent_mask.shape)}")
            latent_mask = latent_mask.unsqueeze(1).to(x.dtype)
        missing = torch.isnan(x)
        if not bool(missing.any()):  # no padding: nothing to mask (fewer operations)
            return self._encode(x, None, latent_mask), valid
        mask = valid.unsqueeze(1).to(x.dtype)
        h = self._encode(x.masked_fill(missing, 0.0), mask, latent_mask)
        return h * mask, valid

    def forward_features(self, x, latent_mask=None):
        """Per-time-step features.

        Parameters
        ----------
        x : Tensor of shape (n, in_channels, t)
            NaN right-padded batch.
        latent_mask : BoolTensor of shape (n, t), default=None
            Time steps to keep after the first layer (the input projection of
            :class:`DilatedCNN`); the others are set to zero there, as
            TS2Vec's timestamp masking does. None keeps all.

        Returns
        -------
        Tensor of shape (n, timestamp_features, t)
            Features, zero at padded steps.
        """
        return self._features(x, latent_mask)[0]

    def forward(self, x):
        """Embed a batch.

        Parameters
        ----------
        x : Tensor of shape (n, in_channels, t)
            NaN right-padded batch.

        Returns
        -------
        Tensor of shape (n, out_features)
            Masked pooling of :meth:`forward_features` over time.
        """
        h, valid = self._features(x)
        return POOLINGS[self.pooling](h, valid)


class _ConvBN(nn.Module):
    """Masked 'same' convolution (no bias) followed by batch norm."""

    def __init__(self, in_channels, out_channels, kernel_size):
        super().__init__()
        self.conv = MaskedConv1d(in_channels, out_channels, kernel_size, bias=False)
        self.bn = nn.BatchNorm1d(out_channels)

    def forward(self, x, mask):
        return self.bn(self.conv(x, mask))


class _ResidualBlock(nn.Module):
    """Conv-BN-ReLU layers, last ReLU after adding the (1x1 conv +) BN shortcut."""

    def __init__(self, in_channels, out_channels, kernel_sizes):
        super().__init__()
        self.layers = nn.ModuleList(
            _ConvBN(in_channels if i == 0 else out_channels, out_channels, k)
            for i, k in enumerate(kernel_sizes)
        )
        self.shortcut = (
            _ConvBN(in_channels, out_channels, 1)
            if in_channels != out_channels
            else nn.BatchNorm1d(out_channels)
        )

    def forward(self, x, mask):
        h = x
        for i, layer in enumerate(self.layers):
            h = layer(h, mask)
            if i < len(self.layers) - 1:
                h = F.relu(h)
        s = self.shortcut(x, mask) if isinstance(self.shortcut, _ConvBN) else self.shortcut(x)
        return F.relu(h + s)


class ResNet1D(_Encoder):
    """Residual network of Wang, Yan & Oates (2017).

    Parameters
    ----------
    in_channels : int
        Number of input channels.
    out_features : int, default=128
        Width of the last block (the per-timestamp features); the embedding
        size, times 7 with ``pooling="pyramid"``.
    widths : sequence of int, default=(64, 128)
        Widths of the blocks before the last one.
    kernel_sizes : sequence of int, default=(8, 5, 3)
        Kernel sizes of the conv-BN-ReLU layers inside each block.
    pooling : {"mean", "max", "pyramid"}, default="mean"
        Masked pooling over time (:data:`~sslts.nn.POOLINGS`): global mean or
        max, or max over the series, its halves and quarters ("pyramid",
        :func:`~sslts.nn.masked_pyramid_max_pool`).

    Attributes
    ----------
    out_features : int
        Size of the embeddings that ``forward`` returns.
    timestamp_features : int
        Size of the per-timestamp features of ``forward_features``.
    init_kwargs : dict
        The checked constructor arguments.

    References
    ----------
    Wang, Yan & Oates, "Time Series Classification from Scratch with Deep
    Neural Networks: A Strong Baseline", IJCNN 2017.
    """

    def __init__(self, in_channels, out_features=128, widths=(64, 128), kernel_sizes=(8, 5, 3),
                 pooling="mean"):
        super().__init__(in_channels, out_features, pooling)
        widths = check_ints("widths", widths) + (self.timestamp_features,)
        kernel_sizes = check_ints("kernel_sizes", kernel_sizes)
        self.init_kwargs.update(widths=widths[:-1], kernel_sizes=kernel_sizes)
        ins = (self.in_channels,) + widths[:-1]
        self.blocks = nn.ModuleList(_ResidualBlock(i, o, kernel_sizes) for i, o in zip(ins, widths))

    def _encode(self, x, mask, latent_mask=None):
        for i, block in enumerate(self.blocks):
            x = block(x, mask)
            if i == 0 and latent_mask is not None:
                x = x * latent_mask
        return x


class FCN(_Encoder):
    """Fully convolutional network of Wang, Yan & Oates (2017).

    Parameters
    ----------
    in_channels : int
        Number of input channels.
    out_features : int, default=128
        Width of the last layer, i.e. the embedding size.
    widths : sequence of int, default=(128, 256)
        Widths of the layers before the last one.
    kernel_sizes : sequence of int, default=(8, 5, 3)
        One kernel size per layer (``len(widths) + 1`` values).
    pooling : {"mean", "max", "pyramid"}, default="mean"
        Masked pooling over time (:data:`~sslts.nn.POOLINGS`): global mean or
        max, or max over the series, its halves and quarters ("pyramid",
        :func:`~sslts.nn.masked_pyramid_max_pool`).

    Attributes
    ----------
    out_features : int
        Size of the embeddings that ``forward`` returns.
    timestamp_features : int
        Size of the per-timestamp features of ``forward_features``.
    init_kwargs : dict
        The checked constructor arguments.

    References
    ----------
    Wang, Yan & Oates, "Time Series Classification from Scratch with Deep
    Neural Networks: A Strong Baseline", IJCNN 2017.
    """

    def __init__(self, in_channels, out_features=128, widths=(128, 256), kernel_sizes=(8, 5, 3),
                 pooling="mean"):
        super().__init__(in_channels, out_features, pooling)
        widths = check_ints("widths", widths) + (self.timestamp_features,)
        kernel_sizes = check_ints("kernel_sizes", kernel_sizes)
        if len(kernel_sizes) != len(widths):
            raise ValueError(
                f"kernel_sizes needs one value per layer (len(widths) + 1 = {len(widths)}), "
                f"got {len(kernel_sizes)}"
            )
        self.init_kwargs.update(widths=widths[:-1], kernel_sizes=kernel_sizes)
        ins = (self.in_channels,) + widths[:-1]
        self.layers = nn.ModuleList(_ConvBN(i, o, k) for i, o, k in zip(ins, widths, kernel_sizes))

    def _encode(self, x, mask, latent_mask=None):
        for i, layer in enumerate(self.layers):
            x = F.relu(layer(x, mask))
            if i == 0 and latent_mask is not None:
                x = x * latent_mask
        return x


class _DilatedBlock(nn.Module):
    """TS2Vec ConvBlock: GELU-conv-GELU-conv plus (1x1-projected) residual."""

    def __init__(self, in_channels, out_channels, kernel_size, dilation, causal):
        super().__init__()
        self.conv1 = MaskedConv1d(in_channels, out_channels, kernel_size, dilation, causal)
        self.conv2 = MaskedConv1d(out_channels, out_channels, kernel_size, dilation, causal)
        self.projector = (nn.Conv1d(in_channels, out_channels, 1)
                          if in_channels != out_channels else None)

    def forward(self, x, mask):
        residual = x if self.projector is None else self.projector(x)
        h = self.conv1(F.gelu(x), mask)
        h = self.conv2(F.gelu(h), mask)
        return h + residual


class DilatedCNN(_Encoder):
    """Dilated residual CNN of the T-Loss / TS2Vec family.

    A 1x1 input projection to ``hidden_channels``, ``depth`` residual blocks
    of width ``hidden_channels`` and a last block of width ``out_features``;
    block k has dilation ``2**k``.

    Parameters
    ----------
    in_channels : int
        Number of input channels.
    out_features : int, default=320
        Width of the last block (the per-timestamp features); the embedding
        size, times 7 with ``pooling="pyramid"``.
    hidden_channels : int, default=64
        Width of the projection and of the hidden blocks.
    depth : int, default=10
        Number of hidden blocks (>= 0).
    kernel_size : int, default=3
        Kernel size of every dilated convolution.
    causal : bool, default=True
        Left padding only (T-Loss): step t sees inputs <= t. If False,
        symmetric padding (TS2Vec).
    pooling : {"max", "mean", "pyramid"}, default="max"
        Masked pooling over time (:data:`~sslts.nn.POOLINGS`): global mean or
        max, or max over the series, its halves and quarters ("pyramid",
        :func:`~sslts.nn.masked_pyramid_max_pool`).

    Attributes
    ----------
    out_features : int
        Size of the embeddings that ``forward`` returns.
    timestamp_features : int
        Size of the per-timestamp features of ``forward_features``.
    init_kwargs : dict
        The checked constructor arguments.

    References
    ----------
    Franceschi, Dieuleveut & Jaggi, "Unsupervised Scalable Representation
    Learning for Multivariate Time Series", NeurIPS 2019.
    Yue et al., "TS2Vec: Towards Universal Representation of Time Series",
    AAAI 2022.
    """

    def __init__(self, in_channels, out_features=320, hidden_channels=64, depth=10, kernel_size=3,
                 causal=True, pooling="max"):
        super().__init__(in_channels, out_features, pooling)
        hidden_channels = check_int("hidden_channels", hidden_channels)
        depth = check_int("depth", depth, minimum=0)
        kernel_size = check_int("kernel_size", kernel_size)
        self.causal = bool(causal)
        self.init_kwargs.update(hidden_channels=hidden_channels, depth=depth,
                                kernel_size=kernel_size, causal=self.causal)
        self.input_projection = nn.Conv1d(self.in_channels, hidden_channels, 1)
        widths = (hidden_channels,) * depth + (self.timestamp_features,)
        self.blocks = nn.ModuleList(
            _DilatedBlock(hidden_channels, w, kernel_size, 2**k, self.causal)
            for k, w in enumerate(widths)
        )

    def _encode(self, x, mask, latent_mask=None):
        x = self.input_projection(x)
        if latent_mask is not None:
            x = x * latent_mask
        for block in self.blocks:
            x = block(x, mask)
        return x


class TS2VecEncoder(DilatedCNN):
    """The encoder of TS2Vec: a :class:`DilatedCNN` with symmetric padding.

    Each step sees its past and its future, as in TS2Vec; the other
    settings are those of :class:`DilatedCNN`.

    Parameters
    ----------
    in_channels : int
        Number of input channels.
    out_features : int, default=320
        Width of the last block (the per-timestamp features); the embedding
        size, times 7 with ``pooling="pyramid"``.
    hidden_channels : int, default=64
        Width of the projection and of the hidden blocks.
    depth : int, default=10
        Number of hidden blocks (>= 0).
    kernel_size : int, default=3
        Kernel size of every dilated convolution.
    pooling : {"max", "mean", "pyramid"}, default="max"
        Masked pooling over time (:data:`~sslts.nn.POOLINGS`): global mean or
        max, or max over the series, its halves and quarters ("pyramid",
        :func:`~sslts.nn.masked_pyramid_max_pool`).

    Attributes
    ----------
    out_features : int
        Size of the embeddings that ``forward`` returns.
    timestamp_features : int
        Size of the per-timestamp features of ``forward_features``.
    init_kwargs : dict
        The checked constructor arguments.

    References
    ----------
    Yue et al., "TS2Vec: Towards Universal Representation of Time Series",
    AAAI 2022.
    """

    def __init__(self, in_channels, out_features=320, hidden_channels=64, depth=10, kernel_size=3,
                 pooling="max"):
        super().__init__(in_channels, out_features, hidden_channels, depth, kernel_size,
                         causal=False, pooling=pooling)
        del self.init_kwargs["causal"]

"""Convolutional encoder for spectrograms and images.

Maps a batch ``(n, c, h, w)`` (for instance spectrograms ``(n, c, n_freqs,
n_frames)`` from :class:`sslts.Spectrogram`) to embeddings
``(n, out_features)``. Input has one size and no padding: every value must be
finite.
"""

import torch.nn.functional as F
from torch import nn

from ..utils.params import check_int, check_ints

__all__ = ["ResNet2D"]


class _BasicBlock2d(nn.Module):
    """Two conv-BN layers with a ReLU between, plus a (1x1 conv +) BN shortcut."""

    def __init__(self, in_channels, out_channels, kernel_size, stride):
        super().__init__()
        pad = kernel_size // 2
        self.conv1 = nn.Conv2d(in_channels, out_channels, kernel_size, stride, pad, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, kernel_size, 1, pad, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        if stride != 1 or in_channels != out_channels:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, stride, bias=False),
                nn.BatchNorm2d(out_channels),
            )
        else:
            self.shortcut = nn.Identity()

    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(h)) + self.shortcut(x))


class ResNet2D(nn.Module):
    """Small residual CNN: basic blocks, batch norm, ReLU, global average pooling.

    Each block is the basic block of He et al. (two ``kernel_size`` conv-BN
    layers and a shortcut); block ``i`` has width ``widths[i]`` (the last one
    ``out_features``) and downsamples by ``strides[i]``.

    Parameters
    ----------
    in_channels : int
        Number of input channels.
    out_features : int, default=128
        Width of the last block, i.e. the embedding size.
    widths : sequence of int, default=(32, 64)
        Widths of the blocks before the last one.
    kernel_size : int, default=3
        Odd kernel size of the convolutions.
    strides : sequence of int, default=(1, 2, 2)
        Stride of each block (``len(widths) + 1`` values).

    Attributes
    ----------
    input_ndim : int
        4: the encoder takes batches ``(n, c, h, w)``.
    init_kwargs : dict
        The checked constructor arguments.

    References
    ----------
    He, Zhang, Ren & Sun, "Deep Residual Learning for Image Recognition",
    CVPR 2016.
    """

    input_ndim = 4

    def __init__(self, in_channels, out_features=128, widths=(32, 64), kernel_size=3,
                 strides=(1, 2, 2)):
        super().__init__()
        self.in_channels = check_int("in_channels", in_channels)
        self.out_features = check_int("out_features", out_features)
        widths = check_ints("widths", widths) + (self.out_features,)
        kernel_size = check_int("kernel_size", kernel_size)
        if kernel_size % 2 == 0:
            raise ValueError(f"kernel_size must be odd to keep sizes aligned, got {kernel_size}")
        strides = check_ints("strides", strides)
        if len(strides) != len(widths):
            raise ValueError(
                f"strides needs one value per block (len(widths) + 1 = {len(widths)}), "
                f"got {len(strides)}"
            )
        self.init_kwargs = {"in_channels": self.in_channels, "out_features": self.out_features,
                            "widths": widths[:-1], "kernel_size": kernel_size,
                            "strides": strides}
        ins = (self.in_channels,) + widths[:-1]
        self.blocks = nn.Sequential(*(
            _BasicBlock2d(i, o, kernel_size, s) for i, o, s in zip(ins, widths, strides)
        ))

    def forward_features(self, x):
        """Feature maps of the last block.

        Parameters
        ----------
        x : Tensor of shape (n, in_channels, h, w)
            Finite batch.

        Returns
        -------
        Tensor of shape (n, out_features, h', w')
            ``h'`` and ``w'`` are ``h`` and ``w`` divided by the product of the
            strides, rounded up.
        """
        if x.dim() != 4:
            raise ValueError(
                f"ResNet2D expected a 4-D input of shape (n, c, h, w), got "
                f"{tuple(x.shape)}; for time series (n, c, t) use a 1-D encoder "
                "or compute spectrograms first (sslts.Spectrogram)."
            )
        if x.shape[1] != self.in_channels:
            raise ValueError(f"expected {self.in_channels} channels, got {x.shape[1]}")
        return self.blocks(x)

    def forward(self, x):
        """Embed a batch.

        Parameters
        ----------
        x : Tensor of shape (n, in_channels, h, w)
            Finite batch.

        Returns
        -------
        Tensor of shape (n, out_features)
            Global average of :meth:`forward_features`.
        """
        return self.forward_features(x).mean(dim=(2, 3))

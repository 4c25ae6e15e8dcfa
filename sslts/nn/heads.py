"""Projection heads."""

from torch import nn

from ..utils.params import check_int

__all__ = ["ProjectionHead"]


class ProjectionHead(nn.Module):
    """MLP projection head as in SimCLR.

    Each hidden dim is Linear -> BatchNorm1d (optional) -> ReLU; the last dim
    is a plain Linear.

    Parameters
    ----------
    in_features : int
        Input size.
    dims : sequence of int, default=(256, 128)
        Output sizes of the linear layers; ``()`` gives an identity.
    batch_norm : bool, default=True
        Whether to add BatchNorm1d after the hidden linear layers.

    Attributes
    ----------
    in_features : int
        ``in_features``.
    out_features : int
        ``dims[-1]``, or ``in_features`` if ``dims`` is empty.
    layers : nn.Module
        The MLP (``nn.Identity`` if ``dims`` is empty).
    """

    def __init__(self, in_features, dims=(256, 128), batch_norm=True):
        super().__init__()
        size = self.in_features = check_int("in_features", in_features)
        dims = tuple(check_int(f"dims[{i}]", d) for i, d in enumerate(dims))
        layers = []
        for i, d in enumerate(dims):
            layers.append(nn.Linear(size, d))
            if i < len(dims) - 1:
                if batch_norm:
                    layers.append(nn.BatchNorm1d(d))
                layers.append(nn.ReLU())
            size = d
        self.layers = nn.Sequential(*layers) if layers else nn.Identity()
        self.out_features = size

    def forward(self, x):
        """Project ``x`` of shape (n, in_features) to (n, out_features)."""
        return self.layers(x)

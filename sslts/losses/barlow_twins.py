"""Barlow Twins redundancy-reduction loss.

References
----------
.. [1] Zbontar, J., Jing, L., Misra, I., LeCun, Y. and Deny, S. (2021).
   "Barlow Twins: Self-Supervised Learning via Redundancy Reduction". ICML.
"""

import torch
from torch import nn

from ._checks import check_non_negative, check_pair

__all__ = ["barlow_twins_loss", "BarlowTwinsLoss"]

#: Variance guard of the per-dimension standardisation (BatchNorm1d default).
STD_EPS = 1e-5


def _standardize(z):
    var, mean = torch.var_mean(z, dim=0, correction=0)
    return (z - mean) / torch.sqrt(var + STD_EPS)


def barlow_twins_loss(z1, z2, lambda_=5e-3):
    """Barlow Twins loss [1]_.

    Each embedding dimension is standardised over the batch as
    ``zn = (z - mean) / sqrt(var + 1e-5)``, where ``mean`` and ``var`` are the
    per-dimension batch mean and *biased* variance (divided by ``N``); this is
    exactly ``torch.nn.BatchNorm1d(d, affine=False)`` in training mode, as in
    the authors' implementation, and the ``1e-5`` guard makes a constant
    dimension standardise to 0 instead of NaN. With the cross-correlation
    ``C = z1n.T @ z2n / N`` the loss is::

        sum_i (1 - C_ii)**2 + lambda_ * sum_{i != j} C_ij**2

    Parameters
    ----------
    z1, z2 : torch.Tensor of shape (N, d)
        Floating point embeddings of the two views, ``N >= 2``.
    lambda_ : float, default=5e-3
        Weight of the redundancy-reduction (off-diagonal) term, ``>= 0``.

    Returns
    -------
    torch.Tensor
        Scalar loss.

    References
    ----------
    .. [1] Zbontar et al. (2021). "Barlow Twins: Self-Supervised Learning via
       Redundancy Reduction". ICML.
    """
    check_pair(z1, z2)
    check_non_negative("lambda_", lambda_)
    c = _standardize(z1).T @ _standardize(z2) / z1.shape[0]
    diag = torch.diagonal(c)
    on_diag = (1 - diag).pow(2).sum()
    off_diag = c.pow(2).sum() - diag.pow(2).sum()
    return on_diag + lambda_ * off_diag


class BarlowTwinsLoss(nn.Module):
    """Module form of :func:`barlow_twins_loss` (Zbontar et al. 2021, ICML).

    Parameters
    ----------
    lambda_ : float, default=5e-3
        Weight of the redundancy-reduction (off-diagonal) term, ``>= 0``.
    """

    def __init__(self, lambda_=5e-3):
        super().__init__()
        check_non_negative("lambda_", lambda_)
        self.lambda_ = lambda_

    def forward(self, z1, z2):
        """Compute the loss; see :func:`barlow_twins_loss`."""
        return barlow_twins_loss(z1, z2, self.lambda_)

    def extra_repr(self):
        return f"lambda_={self.lambda_}"

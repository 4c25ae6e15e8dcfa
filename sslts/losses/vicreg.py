"""VICReg: variance-invariance-covariance regularisation loss.

References
----------
.. [1] Bardes, A., Ponce, J. and LeCun, Y. (2022). "VICReg:
   Variance-Invariance-Covariance Regularization for Self-Supervised
   Learning". ICLR.
"""

import torch
import torch.nn.functional as F
from torch import nn

from ._checks import check_embedding, check_non_negative, check_pair, check_positive

__all__ = [
    "invariance_loss",
    "variance_loss",
    "covariance_loss",
    "vicreg_loss",
    "VICRegLoss",
]


def invariance_loss(z1, z2):
    """Invariance term of VICReg [1]_: mean squared error between the views.

    Parameters
    ----------
    z1, z2 : torch.Tensor of shape (N, d)
        Floating point embeddings of the two views, ``N >= 2``.

    Returns
    -------
    torch.Tensor
        Scalar ``mean((z1 - z2)**2)`` over all ``N * d`` entries.

    References
    ----------
    .. [1] Bardes et al. (2022). "VICReg". ICLR.
    """
    check_pair(z1, z2)
    return F.mse_loss(z1, z2)


def variance_loss(z, eps=1e-4):
    """Variance term of VICReg [1]_: hinge on the per-dimension std.

    Computes ``mean_j relu(1 - sqrt(var_j + eps))`` with ``var_j`` the
    unbiased batch variance (divided by ``N - 1``) of dimension ``j``.

    Parameters
    ----------
    z : torch.Tensor of shape (N, d)
        Floating point embeddings, ``N >= 2``.
    eps : float, default=1e-4
        Numerical guard inside the square root, ``> 0``.

    Returns
    -------
    torch.Tensor
        Scalar in ``[0, 1)``; 0 when every std is at least 1.

    References
    ----------
    .. [1] Bardes et al. (2022). "VICReg". ICLR.
    """
    check_embedding(z)
    check_positive("eps", eps)
    std = torch.sqrt(z.var(dim=0) + eps)
    return F.relu(1 - std).mean()


def covariance_loss(z):
    """Covariance term of VICReg [1]_: squared off-diagonal covariances.

    With ``C = (z - mean).T @ (z - mean) / (N - 1)`` the term is
    ``sum_{i != j} C_ij**2 / d``.

    Parameters
    ----------
    z : torch.Tensor of shape (N, d)
        Floating point embeddings, ``N >= 2``.

    Returns
    -------
    torch.Tensor
        Scalar loss.

    References
    ----------
    .. [1] Bardes et al. (2022). "VICReg". ICLR.
    """
    check_embedding(z)
    n, d = z.shape
    zc = z - z.mean(dim=0)
    cov = zc.T @ zc / (n - 1)
    return (cov.pow(2).sum() - torch.diagonal(cov).pow(2).sum()) / d


def vicreg_loss(z1, z2, sim_weight=25.0, var_weight=25.0, cov_weight=1.0, eps=1e-4):
    """VICReg loss [1]_.

    ``sim_weight * invariance_loss(z1, z2)
    + var_weight * (variance_loss(z1) + variance_loss(z2))
    + cov_weight * (covariance_loss(z1) + covariance_loss(z2))``.

    Parameters
    ----------
    z1, z2 : torch.Tensor of shape (N, d)
        Floating point embeddings of the two views, ``N >= 2``.
    sim_weight, var_weight, cov_weight : float, default=25.0, 25.0, 1.0
        Weights of the invariance, variance and covariance terms, ``>= 0``.
    eps : float, default=1e-4
        Guard of the square root in :func:`variance_loss`, ``> 0``.

    Returns
    -------
    torch.Tensor
        Scalar loss.

    References
    ----------
    .. [1] Bardes et al. (2022). "VICReg: Variance-Invariance-Covariance
       Regularization for Self-Supervised Learning". ICLR.
    """
    _check_weights(sim_weight, var_weight, cov_weight, eps)
    return (
        sim_weight * invariance_loss(z1, z2)
        + var_weight * (variance_loss(z1, eps) + variance_loss(z2, eps))
        + cov_weight * (covariance_loss(z1) + covariance_loss(z2))
    )


def _check_weights(sim_weight, var_weight, cov_weight, eps):
    check_non_negative("sim_weight", sim_weight)
    check_non_negative("var_weight", var_weight)
    check_non_negative("cov_weight", cov_weight)
    check_positive("eps", eps)


class VICRegLoss(nn.Module):
    """Module form of :func:`vicreg_loss` (Bardes et al. 2022, ICLR).

    Parameters
    ----------
    sim_weight, var_weight, cov_weight : float, default=25.0, 25.0, 1.0
        Weights of the invariance, variance and covariance terms, ``>= 0``.
    eps : float, default=1e-4
        Guard of the square root in the variance term, ``> 0``.
    """

    def __init__(self, sim_weight=25.0, var_weight=25.0, cov_weight=1.0, eps=1e-4):
        super().__init__()
        _check_weights(sim_weight, var_weight, cov_weight, eps)
        self.sim_weight = sim_weight
        self.var_weight = var_weight
        self.cov_weight = cov_weight
        self.eps = eps

    def forward(self, z1, z2):
        """Compute the loss; see :func:`vicreg_loss`."""
        return vicreg_loss(
            z1, z2, self.sim_weight, self.var_weight, self.cov_weight, self.eps
        )

    def extra_repr(self):
        return (
            f"sim_weight={self.sim_weight}, var_weight={self.var_weight}, "
            f"cov_weight={self.cov_weight}, eps={self.eps}"
        )

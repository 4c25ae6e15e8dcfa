"""NT-Xent (normalised temperature-scaled cross entropy) loss of SimCLR.

References
----------
.. [1] Chen, T., Kornblith, S., Norouzi, M. and Hinton, G. (2020). "A Simple
   Framework for Contrastive Learning of Visual Representations". ICML.
"""

import torch
import torch.nn.functional as F
from torch import nn

from ._checks import check_pair, check_positive

__all__ = ["nt_xent_loss", "NTXentLoss"]


def nt_xent_loss(z1, z2, temperature=0.5):
    """NT-Xent contrastive loss of SimCLR [1]_.

    The ``2N`` embeddings of both views are L2-normalised and compared with
    cosine similarity. Each of the ``2N`` anchors has its other view as
    positive and the remaining ``2N - 2`` samples as negatives; the loss is
    the cross entropy of the softmax over ``sim / temperature`` (self
    similarity excluded), averaged over the ``2N`` anchors.

    Parameters
    ----------
    z1, z2 : torch.Tensor of shape (N, d)
        Floating point embeddings of the two views; row ``i`` of ``z1`` and
        row ``i`` of ``z2`` are a positive pair. ``N >= 2``.
    temperature : float, default=0.5
        Softmax temperature, finite and ``> 0``.

    Returns
    -------
    torch.Tensor
        Scalar loss.

    References
    ----------
    .. [1] Chen et al. (2020). "A Simple Framework for Contrastive Learning
       of Visual Representations". ICML.
    """
    check_pair(z1, z2)
    check_positive("temperature", temperature)
    n = z1.shape[0]
    z = F.normalize(torch.cat([z1, z2]), dim=1)
    logits = z @ z.T / temperature
    self_mask = torch.eye(2 * n, dtype=torch.bool, device=z.device)
    logits = logits.masked_fill(self_mask, float("-inf"))
    targets = torch.arange(2 * n, device=z.device).roll(n)
    return F.cross_entropy(logits, targets)


class NTXentLoss(nn.Module):
    """Module form of :func:`nt_xent_loss` (SimCLR, Chen et al. 2020, ICML).

    Parameters
    ----------
    temperature : float, default=0.5
        Softmax temperature, finite and ``> 0``.
    """

    def __init__(self, temperature=0.5):
        super().__init__()
        check_positive("temperature", temperature)
        self.temperature = temperature

    def forward(self, z1, z2):
        """Compute the loss; see :func:`nt_xent_loss`."""
        return nt_xent_loss(z1, z2, self.temperature)

    def extra_repr(self):
        return f"temperature={self.temperature}"

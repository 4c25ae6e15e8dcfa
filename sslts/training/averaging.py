"""Averaged weights: the mean of a module's parameters over the optimizer steps of a fit."""

import torch

__all__ = ["WeightAverage"]


class WeightAverage:
    """Running mean of the parameters of ``module`` after each optimizer step.

    The equal-weight average of stochastic weight averaging (Izmailov et
    al. 2018), which TS2Vec uses for inference: :meth:`update` after each
    step, :meth:`apply` at the end of training writes the average into the
    module's parameters. Buffers (batch-norm statistics) are left as the
    last step made them.

    Parameters
    ----------
    module : torch.nn.Module
        The trained module.
    """

    def __init__(self, module):
        self.parameters = [p for p in module.parameters() if p.requires_grad]
        self.average = None
        self.count = 0

    @torch.no_grad()
    def update(self):
        """Add the current parameters to the average."""
        self.count += 1
        if self.average is None:
            self.average = [p.detach().clone() for p in self.parameters]
            return
        for mean, p in zip(self.average, self.parameters):
            mean.add_(p.detach() - mean, alpha=1 / self.count)

    @torch.no_grad()
    def apply(self):
        """Write the average into the module's parameters (nothing before any update)."""
        if self.average is None:
            return
        for mean, p in zip(self.average, self.parameters):
            p.copy_(mean)

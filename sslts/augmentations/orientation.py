"""Augmentations that change the orientation of a series: time, channels, sign."""

import torch
from sklearn.utils._param_validation import StrOptions

from ..utils.params import store_params
from .base import BaseAugmentation, DeterministicAugmentation, uniform


class TimeReversal(DeterministicAugmentation):
    """Reverse the valid part of each series along time.

    Padding stays at the end. Deterministic: use it on a random subset of
    samples through ``RandomApply(TimeReversal(), p)``.

    Parameters
    ----------
    random_state : None, int or RandomState instance, default=None
        Unused, accepted for a uniform interface with the other augmentations.
    """

    def __init__(self, *, random_state=None):
        store_params(self, locals())

    def _augment(self, x, generator, lengths):
        n, c, t = x.shape
        steps = torch.arange(t, device=x.device)
        last = (lengths.long() - 1)[:, None]
        index = torch.where(steps <= last, last - steps, steps)
        return x.gather(2, index[:, None, :].expand(n, c, t))


class ChannelPermutation(BaseAugmentation):
    """Shuffle or reverse the order of the channels.

    With ``mode="random"`` each sample gets its own uniformly random
    permutation of its channels; with ``mode="reverse"`` the channel order of
    every sample is reversed, a deterministic transformation to combine with
    :class:`~sslts.augmentations.composition.RandomApply`. A univariate series
    is left unchanged.

    Parameters
    ----------
    mode : {"random", "reverse"}, default="random"
        How the channels are reordered.
    random_state : int, RandomState instance or None, default=None
        Seed of the stream of random draws (see :class:`BaseAugmentation`);
        unused when ``mode="reverse"``.
    """

    _parameter_constraints = {
        **BaseAugmentation._parameter_constraints,
        "mode": [StrOptions({"random", "reverse"})],
    }

    def __init__(self, mode="random", *, random_state=None):
        store_params(self, locals())

    def _augment(self, x, generator, lengths):
        if self.mode == "reverse":
            return x.flip(1)
        n, c, t = x.shape
        order = uniform((n, c), generator, x.device).argsort(dim=1)
        return x.gather(1, order[:, :, None].expand(n, c, t))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = self.mode != "reverse"
        return tags


class SignFlip(DeterministicAugmentation):
    """Multiply the series by -1.

    Deterministic: use it on a random subset of samples through
    ``RandomApply(SignFlip(), p)``.

    Parameters
    ----------
    random_state : None, int or RandomState instance, default=None
        Unused, accepted for a uniform interface with the other augmentations.
    """

    def __init__(self, *, random_state=None):
        store_params(self, locals())

    def _augment(self, x, generator, lengths):
        return -x

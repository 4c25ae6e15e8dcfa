"""Composition of augmentations: sequences and random application."""

from numbers import Real

import torch
from sklearn.utils._param_validation import Interval

from .base import BaseAugmentation, uniform


def step_names(steps):
    """Names of ``steps`` as :func:`sklearn.pipeline.make_pipeline` derives them.

    Lowercase class names, with ``-1``, ``-2``... appended to repeated names.
    """
    names = [type(step).__name__.lower() for step in steps]
    counts = {name: names.count(name) for name in names}
    seen = {}
    unique = []
    for name in names:
        if counts[name] > 1:
            seen[name] = seen.get(name, 0) + 1
            name = f"{name}-{seen[name]}"
        unique.append(name)
    return unique


def check_augmentation(value, name):
    """Raise ``TypeError`` unless ``value`` is an augmentation."""
    if not isinstance(value, BaseAugmentation):
        raise TypeError(
            f"{name} must be an augmentation from sslts.augmentations (a "
            f"BaseAugmentation), got {type(value).__name__}."
        )


class NestedSteps:
    """Nested ``get_params``/``set_params`` over a list of augmentations.

    The list lives in the parameter named by ``_steps_param``; inner
    parameters are reachable as ``<step name>__<param>``, with step names
    derived as in :func:`sklearn.pipeline.make_pipeline`.
    """

    _steps_param = "steps"

    def _steps(self):
        return getattr(self, self._steps_param)

    def _check_steps(self):
        steps = self._steps()
        if len(steps) == 0:
            raise ValueError(
                f"{type(self).__name__} needs at least one augmentation in "
                f"{self._steps_param}."
            )
        for i, step in enumerate(steps):
            check_augmentation(step, f"{self._steps_param}[{i}]")
            step.validate()

    def named_steps(self):
        """Return a dict of the steps keyed by their derived names."""
        return dict(zip(step_names(self._steps()), self._steps()))

    def get_params(self, deep=True):
        """Parameters of the object and, if ``deep``, of its steps."""
        params = super().get_params(deep=False)
        if deep:
            for name, step in self.named_steps().items():
                params[name] = step
                for key, value in step.get_params(deep=True).items():
                    params[f"{name}__{key}"] = value
        return params

    def set_params(self, **params):
        """Set parameters, including ``<step name>`` and ``<step name>__<param>``."""
        own = {k: params.pop(k) for k in list(params) if k in self._get_param_names()}
        for key, value in own.items():  # set as given: steps are checked in fit
            setattr(self, key, value)
        if not params:
            return self
        # names are resolved before any replacement, which may rename steps
        steps = self._steps()
        index = {name: i for i, name in enumerate(step_names(steps))}
        replaced, nested = {}, {}
        for key, value in params.items():
            name, _, inner = key.partition("__")
            if name not in index:
                raise ValueError(
                    f"Invalid parameter {key!r} for {self!r}: no step named "
                    f"{name!r}; valid step names are {sorted(index)}."
                )
            if inner:
                nested.setdefault(index[name], {})[inner] = value
            else:
                replaced[index[name]] = value
        if replaced:
            steps = [replaced.get(i, step) for i, step in enumerate(steps)]
            setattr(self, self._steps_param, steps)
        for i, inner in nested.items():
            steps[i].set_params(**inner)
        return self


class Compose(NestedSteps, BaseAugmentation):
    """Apply augmentations one after the other.

    Inner parameters are reachable as ``<step name>__<param>``, with step
    names derived as in :func:`sklearn.pipeline.make_pipeline`, for instance
    ``Compose([Jitter(), TimeWarp()]).set_params(jitter__sigma=0.1)``. The
    ``random_state`` of the inner steps is not used: the composition draws
    for all of them.

    Parameters
    ----------
    steps : list of BaseAugmentation
        Augmentations applied in order.
    random_state : int, RandomState instance or None, default=None
        Seed of the stream of random draws (see :class:`BaseAugmentation`).
    """

    _parameter_constraints = {
        **BaseAugmentation._parameter_constraints,
        "steps": [list, tuple],
    }

    def __init__(self, steps, *, random_state=None):
        self.steps = steps
        self.random_state = random_state

    def _check_params(self):
        self._check_steps()

    def _augment(self, x, generator, lengths):
        for step in self.steps:
            x = step.augment(x, generator, lengths)
        return x


class RandomApply(BaseAugmentation):
    """Apply an augmentation to each sample with probability ``p``.

    The decision is drawn per sample, so one batch mixes augmented and
    untouched series.

    Parameters
    ----------
    augmentation : BaseAugmentation
        The augmentation to apply; its parameters are reachable as
        ``augmentation__<param>``.
    p : float, default=0.5
        Probability of applying it to a sample.
    random_state : int, RandomState instance or None, default=None
        Seed of the stream of random draws (see :class:`BaseAugmentation`).
    """

    _parameter_constraints = {
        **BaseAugmentation._parameter_constraints,
        "augmentation": [BaseAugmentation],
        "p": [Interval(Real, 0, 1, closed="both")],
    }

    def __init__(self, augmentation, p=0.5, *, random_state=None):
        self.augmentation = augmentation
        self.p = p
        self.random_state = random_state

    def _check_params(self):
        self.augmentation.validate()

    def _augment(self, x, generator, lengths):
        apply = uniform(x.shape[0], generator, x.device) < self.p
        augmented = self.augmentation.augment(x, generator, lengths)
        return torch.where(apply.view(-1, *[1] * (x.dim() - 1)), augmented, x)


class RandomChoice(NestedSteps, BaseAugmentation):
    """Apply one augmentation per sample, chosen at random from a list.

    The choice is drawn per sample (with probabilities ``p``), so one batch
    mixes the augmentations. Inner parameters are reachable as ``<step
    name>__<param>``, as in :class:`Compose`.

    Parameters
    ----------
    augmentations : list of BaseAugmentation
        The candidates.
    p : list of float, default=None
        Probability of each candidate (summing to 1); None is uniform.
    random_state : int, RandomState instance or None, default=None
        Seed of the stream of random draws (see :class:`BaseAugmentation`).
    """

    _steps_param = "augmentations"
    _parameter_constraints = {
        **BaseAugmentation._parameter_constraints,
        "augmentations": [list, tuple],
        "p": [None, list, tuple],
    }

    def __init__(self, augmentations, p=None, *, random_state=None):
        self.augmentations = augmentations
        self.p = p
        self.random_state = random_state

    def _check_params(self):
        self._check_steps()
        if self.p is None:
            return
        p = list(self.p)
        if len(p) != len(self.augmentations):
            raise ValueError(
                f"p must give one probability per augmentation: got {len(p)} "
                f"for {len(self.augmentations)} augmentations."
            )
        if not all(isinstance(v, Real) and v >= 0 for v in p) or abs(sum(p) - 1) > 1e-6:
            raise ValueError(f"p must hold non-negative numbers summing to 1, got {self.p!r}.")

    def _augment(self, x, generator, lengths):
        n = x.shape[0]
        k = len(self.augmentations)
        p = torch.full((k,), 1.0 / k) if self.p is None else torch.tensor(self.p)
        edges = p.to(x.device, torch.float32).cumsum(0)[:-1]
        choice = torch.bucketize(uniform(n, generator, x.device), edges, right=True)
        out = x.clone()
        for i, augmentation in enumerate(self.augmentations):
            rows = (choice == i).nonzero().squeeze(1)
            if rows.numel():
                out[rows] = augmentation.augment(x[rows], generator, lengths[rows])
        return out

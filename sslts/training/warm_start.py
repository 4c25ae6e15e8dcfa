"""What a warm start may change: the record of the parameters of the last fit.

Continuing training (``warm_start=True`` or ``partial_fit``) keeps the
network, so the parameters that built it (:data:`ARCHITECTURE`) and the
device that holds it cannot change; every other parameter takes effect. The
estimator records its parameters at each fit (:func:`record_params`) and
compares them at the next one (:func:`changed_params`).
"""

import numbers

__all__ = ["ARCHITECTURE", "changed_params", "check_unchanged", "record_params"]

#: Parameters fixed once the network is built.
ARCHITECTURE = ("encoder", "embedding_dim", "encoder_params", "adapt_channels", "standardize",
                "head_dims")


def record_params(params):
    """A record of ``params`` for :func:`changed_params` (lists and dicts are copied)."""
    return {name: tuple(value) if isinstance(value, list) else
            dict(value) if isinstance(value, dict) else value
            for name, value in params.items()}


def _same(a, b):
    """Equal plain values (numbers, strings, classes, sequences of them), or one object."""
    if a is b:
        return True
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[key], b[key]) for key in a)
    plain = (numbers.Number, str, type)
    if isinstance(a, plain) and isinstance(b, plain):
        numbers_both = isinstance(a, numbers.Number) and isinstance(b, numbers.Number)
        return (type(a) is type(b) or numbers_both) and a == b
    return False


def changed_params(recorded, params):
    """Names of the parameters whose value differs from the record.

    Plain values (numbers, strings, classes, and tuples, lists and dicts of
    them) are compared by value; other objects (modules, estimators, random
    states, callbacks) by identity.
    """
    return [name for name, value in params.items()
            if name not in recorded or not _same(recorded[name], value)]


def check_unchanged(changed, fixed, estimator_name):
    """Raise ValueError if a parameter of ``fixed`` is among ``changed``."""
    refused = [name for name in fixed if name in changed]
    if refused:
        raise ValueError(
            f"{', '.join(refused)} changed since {estimator_name} was fitted, but a warm "
            "start continues training the same network, on the same device. Fit a new "
            "model instead (warm_start=False, or a clone), or pass the fitted "
            "estimator as encoder= to a new one to start from its encoder."
        )

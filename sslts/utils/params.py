"""Helpers for scikit-learn style parameters and integer arguments."""

import numbers

__all__ = ["check_int", "check_ints", "store_params"]


def store_params(estimator, params):
    """Store the ``__init__`` arguments ``params`` (its ``locals()``) unchanged.

    scikit-learn's rule: ``__init__`` only stores its arguments as attributes.
    """
    for name, value in params.items():
        if name not in ("self", "__class__"):
            setattr(estimator, name, value)


def check_int(name, value, minimum=1):
    """Return ``value`` as an int, raising ValueError if it is not an int >= ``minimum``.

    Parameters
    ----------
    name : str
        Name of the argument, for the error message.
    value : object
        Candidate value; booleans are refused.
    minimum : int, default=1
        Smallest accepted value.

    Returns
    -------
    int
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_ints(name, values):
    """Return ``values`` as a non-empty tuple of positive ints, else raise ValueError.

    Errors name the entry, e.g. ``widths[1]``.
    """
    try:
        values = tuple(values)
    except TypeError:
        raise ValueError(
            f"{name} must be a sequence of positive integers, got {values!r}") from None
    if not values:
        raise ValueError(f"{name} must not be empty")
    return tuple(check_int(f"{name}[{i}]", v) for i, v in enumerate(values))

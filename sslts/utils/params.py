"""Helpers for scikit-learn style parameters."""


def store_params(estimator, params):
    """Store the ``__init__`` arguments ``params`` (its ``locals()``) unchanged.

    scikit-learn's rule: ``__init__`` only stores its arguments as attributes.
    """
    for name, value in params.items():
        if name not in ("self", "__class__"):
            setattr(estimator, name, value)

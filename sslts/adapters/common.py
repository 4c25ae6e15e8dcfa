"""What the sktime and aeon adapters share."""

from sklearn.base import clone

__all__ = ["fit_clone"]


def fit_clone(estimator, X):
    """A clone of ``estimator`` (``SimCLRTransformer()`` when None) fitted on ``X``.

    Parameters
    ----------
    estimator : sslts self-supervised transformer or None
        The adapter's ``estimator`` parameter; not modified.
    X : array-like or list of arrays
        Series in a format the sslts transformers accept.

    Returns
    -------
    The fitted clone.
    """
    from .. import SimCLRTransformer

    return clone(SimCLRTransformer() if estimator is None else estimator).fit(X)

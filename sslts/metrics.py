"""Label-free quality of embeddings, for choosing hyper-parameters without labels.

Every self-supervised transformer's ``score(X)`` returns one of these
criteria on the embeddings of ``X`` (higher is better), so that
``GridSearchCV(SimCLRTransformer(), grid).fit(X_unlabeled)`` runs without
``y``:

- ``"rankme"`` (default): the effective rank of the embeddings
  (:func:`rankme`, Garrido et al., ICML 2023), which tracks downstream
  accuracy across hyper-parameters of joint-embedding methods;
- ``"alignment_uniformity"``: minus the sum of the alignment of two
  augmented views and the uniformity of the embeddings (:func:`alignment`,
  :func:`uniformity`, Wang and Isola, 2020);
- ``"embedding_std"``: the spread of the normalised embeddings
  (:func:`embedding_std`), the collapse indicator of ``history_``.

:func:`label_free_scorer` makes a scikit-learn scorer of any of them (for
``GridSearchCV(scoring=...)`` and ``cross_val_score``).
"""

import numbers

import numpy as np
import torch
from scipy.spatial.distance import pdist
from scipy.special import logsumexp

__all__ = ["LABEL_FREE_CRITERIA", "alignment", "embedding_std", "label_free_scorer", "rankme",
           "uniformity"]

#: The criteria of ``score(X, criterion=...)``.
LABEL_FREE_CRITERIA = ("rankme", "alignment_uniformity", "embedding_std")


def check_embeddings(Z, name="Z", min_samples=2):
    """``Z`` as a finite float64 array of shape (n, d) with at least ``min_samples`` rows."""
    if isinstance(Z, torch.Tensor):
        Z = Z.detach().cpu().numpy()
    Z = np.asarray(Z)
    if Z.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array of embeddings (n_samples, n_features); "
                         f"got shape {Z.shape}.")
    if not np.issubdtype(Z.dtype, np.number) or np.iscomplexobj(Z):
        raise TypeError(f"{name} must hold real numbers; got dtype {Z.dtype}.")
    if Z.shape[0] < min_samples:
        raise ValueError(
            f"{name} has {Z.shape[0]} samples; a label-free score needs at least "
            f"{min_samples} (the rank of n embeddings is at most n, so score on as "
            "many series as you can).")
    Z = Z.astype(np.float64)
    if not np.isfinite(Z).all():
        raise ValueError(f"{name} holds NaN or infinite values: the embeddings are not "
                         "usable; check the input scaling or lower the learning rate.")
    return Z


def check_criterion(criterion):
    """Raise ``ValueError`` unless ``criterion`` is one of :data:`LABEL_FREE_CRITERIA`."""
    if not isinstance(criterion, str) or criterion not in LABEL_FREE_CRITERIA:
        raise ValueError(f"criterion must be one of {', '.join(map(repr, LABEL_FREE_CRITERIA))}; "
                         f"got {criterion!r}.")
    return criterion


def rankme(Z, *, eps=1e-7):
    """RankMe: the effective rank of a set of embeddings.

    ``exp(-sum(p_k log p_k))`` with ``p_k = s_k / sum(s) + eps`` over the
    singular values ``s`` of ``Z`` (Garrido et al., 2023), computed in
    float64. It lies between about 1 (every embedding on one line: collapse)
    and ``min(n_samples, n_features)`` (all directions used equally); 0 if
    every embedding is zero. It does not depend on the scale of ``Z``.

    Parameters
    ----------
    Z : array-like of shape (n_samples, n_features)
        Embeddings; at least 2 samples. The rank of ``n`` samples is at most
        ``n``: compare configurations on the same, preferably larger than
        ``n_features``, number of samples.
    eps : float, default=1e-7
        Added to each ``p_k``, as in the paper.

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> from sslts.metrics import rankme
    >>> round(rankme(np.eye(4)), 3)
    4.0
    >>> round(rankme(np.ones((4, 3))), 3)
    1.0
    """
    Z = check_embeddings(Z)
    if not isinstance(eps, numbers.Real) or not 0 <= eps < 1:
        raise ValueError(f"eps must be a number in [0, 1); got {eps!r}.")
    scale = np.abs(Z).max()
    if scale == 0:
        return 0.0
    s = torch.linalg.svdvals(torch.from_numpy(Z / scale)).numpy()
    p = s / s.sum() + eps
    return float(np.exp(-np.sum(p * np.log(p))))


def _normalise(Z):
    norms = np.linalg.norm(Z, axis=1, keepdims=True)
    return Z / np.maximum(norms, 1e-12)


def alignment(Z1, Z2, *, alpha=2):
    """Alignment: mean distance between the normalised embeddings of positive pairs.

    ``mean_i ||z1_i - z2_i||^alpha`` after L2-normalising each row (Wang and
    Isola, 2020); lower is better, 0 when each pair coincides.

    Parameters
    ----------
    Z1, Z2 : array-like of shape (n_samples, n_features)
        Embeddings of two views; row ``i`` of each is a positive pair.
    alpha : float, default=2
        Exponent of the distance.

    Returns
    -------
    float
    """
    Z1, Z2 = check_embeddings(Z1, "Z1", 1), check_embeddings(Z2, "Z2", 1)
    if Z1.shape != Z2.shape:
        raise ValueError(f"Z1 and Z2 must have the same shape; got {Z1.shape} and {Z2.shape}.")
    distances = np.linalg.norm(_normalise(Z1) - _normalise(Z2), axis=1)
    return float(np.mean(distances ** alpha))


def uniformity(Z, *, t=2.0):
    """Uniformity: log of the mean Gaussian potential between normalised embeddings.

    ``log mean_{i<j} exp(-t ||z_i - z_j||^2)`` after L2-normalising each row
    (Wang and Isola, 2020), computed with a log-sum-exp; lower is better
    (embeddings spread over the sphere), 0 when all coincide.

    Parameters
    ----------
    Z : array-like of shape (n_samples, n_features)
        Embeddings; at least 2 samples.
    t : float, default=2.0
        Scale of the potential.

    Returns
    -------
    float
    """
    Z = check_embeddings(Z)
    squared = pdist(_normalise(Z), "sqeuclidean")
    return float(logsumexp(-t * squared) - np.log(squared.size))


def embedding_std(Z):
    """Mean over features of the standard deviation of the L2-normalised embeddings.

    Falls to 0 when every embedding points the same way and is about
    ``1 / sqrt(n_features)`` for well spread embeddings; the per-batch
    collapse indicator recorded in ``history_``.

    Parameters
    ----------
    Z : array-like or torch.Tensor of shape (n_samples, n_features)
        Embeddings; at least 2 samples. A tensor (a training batch) is used
        as it is, on its device.

    Returns
    -------
    float
    """
    if isinstance(Z, torch.Tensor):
        h = Z.detach().float()
    else:
        h = torch.from_numpy(check_embeddings(Z))
    return torch.nn.functional.normalize(h, dim=1).std(dim=0).mean().item()


def label_free_scorer(criterion="rankme"):
    """A scikit-learn scorer giving the label-free ``criterion`` of an estimator.

    For ``GridSearchCV(..., scoring=label_free_scorer(...))``,
    ``cross_val_score`` or several criteria at once
    (``scoring={"rankme": label_free_scorer(), ...}``). It accepts a
    self-supervised transformer or a ``Pipeline`` ending in one (``X`` goes
    through the earlier steps first); labels, when given, are ignored.

    Parameters
    ----------
    criterion : {"rankme", "alignment_uniformity", "embedding_std"}, default="rankme"
        See :mod:`sslts.metrics`.

    Returns
    -------
    callable
        ``scorer(estimator, X, y=None) -> float``, higher is better.

    Examples
    --------
    >>> from sslts.metrics import label_free_scorer
    >>> scorer = label_free_scorer("alignment_uniformity")
    """
    check_criterion(criterion)
    return _LabelFreeScorer(criterion)


class _LabelFreeScorer:
    """Callable ``(estimator, X, y=None)`` returning ``estimator.score(X, criterion=...)``."""

    def __init__(self, criterion):
        self.criterion = criterion

    def __call__(self, estimator, X, y=None, **kwargs):
        if hasattr(estimator, "steps"):  # a Pipeline: embed with its last step
            X = estimator[:-1].transform(X)
            estimator = estimator[-1]
        from .base import BaseSSLTransformer

        if not isinstance(estimator, BaseSSLTransformer):
            raise TypeError(
                f"label_free_scorer needs an sslts self-supervised transformer (or a "
                f"Pipeline ending in one); got {type(estimator).__name__}.")
        return estimator.score(X, criterion=self.criterion)

    def __repr__(self):
        return f"label_free_scorer({self.criterion!r})"

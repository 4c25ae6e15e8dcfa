"""Shared input validation for the self-supervised losses in :mod:`sslts.losses`."""

import math
from numbers import Real

import torch

__all__ = [
    "check_embedding",
    "check_pair",
    "check_positive",
    "check_non_negative",
]


def check_embedding(z, name="z"):
    """Validate one batch of embeddings of shape ``(batch, dim)``.

    Parameters
    ----------
    z : object
        Candidate embedding batch.
    name : str, default="z"
        Name used in error messages.

    Raises
    ------
    TypeError
        If ``z`` is not a :class:`torch.Tensor`.
    ValueError
        If ``z`` is not 2-D, not floating point, or has fewer than 2 rows.
    """
    if not isinstance(z, torch.Tensor):
        raise TypeError(
            f"{name} must be a torch.Tensor of shape (batch, dim), "
            f"got {type(z).__name__}."
        )
    if z.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D with shape (batch, dim), got {z.ndim}-D tensor "
            f"of shape {tuple(z.shape)}."
        )
    if not z.is_floating_point():
        raise ValueError(f"{name} must have a floating point dtype, got {z.dtype}.")
    if z.shape[0] < 2:
        raise ValueError(
            f"{name} needs at least 2 samples per batch, got {z.shape[0]}."
        )


def check_pair(z1, z2):
    """Validate two views of embeddings: each valid and of identical shape.

    Parameters
    ----------
    z1, z2 : object
        Candidate embedding batches of the two views.

    Raises
    ------
    TypeError, ValueError
        See :func:`check_embedding`; ``ValueError`` also if the shapes differ.
    """
    check_embedding(z1, "z1")
    check_embedding(z2, "z2")
    if z1.shape != z2.shape:
        raise ValueError(
            f"z1 and z2 must have the same shape, got {tuple(z1.shape)} "
            f"and {tuple(z2.shape)}."
        )


def _check_real(name, value):
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}.")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}.")


def check_positive(name, value):
    """Raise unless ``value`` is a finite real number ``> 0``.

    Raises
    ------
    TypeError
        If ``value`` is not a real number.
    ValueError
        If ``value`` is not finite or ``<= 0``.
    """
    _check_real(name, value)
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value}.")


def check_non_negative(name, value):
    """Raise unless ``value`` is a finite real number ``>= 0``.

    Raises
    ------
    TypeError
        If ``value`` is not a real number.
    ValueError
        If ``value`` is not finite or ``< 0``.
    """
    _check_real(name, value)
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}.")

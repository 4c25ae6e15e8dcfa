"""Loader of the UCR/UEA time series classification archives through sktime."""

import difflib

import numpy as np

from ..utils.validation import check_time_series

__all__ = ["BUNDLED_DATASETS", "archive_names", "dataset_name", "load_ucr_uea"]

#: Datasets shipped inside sktime's wheel, readable without a network.
BUNDLED_DATASETS = (
    "ACSF1",
    "ArrowHead",
    "GunPoint",
    "ItalyPowerDemand",
    "OSULeaf",
    "PLAID",
    "BasicMotions",
    "JapaneseVowels",
)

_SPLITS = ("train", "test")


def archive_names():
    """Names of the UCR (univariate) and UEA (multivariate) datasets.

    Returns
    -------
    names : list of str
        Every name sktime knows in its ``tsc_dataset_names`` lists, bundled
        datasets included.
    """
    from sktime.datasets import tsc_dataset_names

    names = [*tsc_dataset_names.univariate, *tsc_dataset_names.multivariate]
    return list(dict.fromkeys([*BUNDLED_DATASETS, *names]))


def dataset_name(name):
    """The archive's spelling of a UCR/UEA dataset name, whatever its case.

    Parameters
    ----------
    name : str
        A dataset name, e.g. ``"gunpoint"``.

    Returns
    -------
    str
        The name as the archive writes it, e.g. ``"GunPoint"``.

    Raises
    ------
    ValueError
        If no archive dataset has that name; the message suggests close ones.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a dataset name (str), got {type(name).__name__}.")
    by_lower = {known.lower(): known for known in archive_names()}
    if name.lower() in by_lower:
        return by_lower[name.lower()]
    close = [by_lower[match] for match in difflib.get_close_matches(name.lower(), by_lower, n=3)]
    hint = f" Did you mean {' or '.join(map(repr, close))}?" if close else ""
    raise ValueError(
        f"Unknown UCR/UEA dataset {name!r}.{hint} Names are listed in "
        "sktime.datasets.tsc_dataset_names; bundled (offline): "
        f"{', '.join(BUNDLED_DATASETS)}."
    )


def load_ucr_uea(name, split="train", *, extract_path=None):
    """Load a UCR/UEA classification dataset as arrays the estimators accept.

    Parameters
    ----------
    name : str
        Dataset name as in the archives, in any case, e.g. ``"GunPoint"`` or
        ``"gunpoint"`` (see :func:`dataset_name`). The names in
        :data:`BUNDLED_DATASETS` ship with sktime and load offline; any other
        archive name is downloaded by sktime (a network is needed) into
        ``extract_path``.
    split : {"train", "test"} or None, default="train"
        Which split to load; None loads train then test, concatenated.
    extract_path : str or path-like, default=None
        Folder holding (or receiving) the ``<name>_TRAIN.ts`` and
        ``<name>_TEST.ts`` files; None uses sktime's own data folder.

    Returns
    -------
    X : ndarray of shape (n_samples, n_channels, n_timepoints) or list of ndarray
        float32 values. A 3-D array when all series have one length,
        otherwise (PLAID, JapaneseVowels) a list of ``(n_channels,
        n_timepoints_i)`` arrays, a form every estimator of :mod:`sslts`
        accepts.
    y : ndarray of shape (n_samples,)
        Class labels as the archive stores them (strings).

    Raises
    ------
    ValueError
        If ``split`` is not one of the above, or ``name`` is not an archive
        dataset (and no ``extract_path`` is given).
    RuntimeError
        If the dataset is not available locally and cannot be downloaded.

    Examples
    --------
    >>> from sslts.datasets import load_ucr_uea
    >>> X, y = load_ucr_uea("GunPoint", split="train")
    >>> X.shape, X.dtype
    ((50, 1, 150), dtype('float32'))
    """
    split = _check_split(split)
    if extract_path is None:  # a local archive may hold any dataset
        name = dataset_name(name)
    elif not isinstance(name, str):
        raise TypeError(f"name must be a dataset name (str), got {type(name).__name__}.")
    from sktime.datasets import load_UCR_UEA_dataset

    try:
        X, y = load_UCR_UEA_dataset(
            name, split=split, return_X_y=True, extract_path=extract_path
        )
    except (RuntimeError, OSError) as e:
        raise RuntimeError(
            f"Could not load the dataset {name!r}: it is not bundled with sktime "
            f"(offline: {', '.join(BUNDLED_DATASETS)}) and downloading it failed. "
            "A network connection to the UCR/UEA archive is needed, or pass "
            f"extract_path= a folder holding {name}_TRAIN.ts and {name}_TEST.ts. "
            f"Cause: {e}"
        ) from e
    return _ragged_or_padded(X), np.asarray(y)


def _check_split(split):
    if split is None:
        return None
    if isinstance(split, str) and split.lower() in _SPLITS:
        return split.lower()
    raise ValueError(
        f"split={split!r} is not valid; use 'train', 'test', or None for both "
        "splits concatenated."
    )


def _ragged_or_padded(X):
    """A 3-D array for equal lengths, else a list of each series' valid part.

    The frame is parsed by :func:`~sslts.utils.validation.check_time_series`
    with missing values left as they are.
    """
    X3, lengths = check_time_series(X, min_samples=1, fill_gaps=False)
    if (lengths == X3.shape[2]).all():
        return X3
    return [X3[i, :, :length] for i, length in enumerate(lengths)]

"""Loader of the UCR/UEA time series classification archives: through sktime,
or from a local copy of the archives."""

import difflib
import os
from pathlib import Path

import numpy as np

from ..utils.validation import check_time_series

__all__ = ["BUNDLED_DATASETS", "archive_datasets", "archive_names", "dataset_name",
           "load_ucr_uea"]

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

#: File suffixes of a local archive, in order of preference: sktime's .ts
#: (UEA, and the UCR archive as the UEA site publishes it), then the UCR 2018
#: archive's .tsv.
_LAYOUTS = (".ts", ".tsv")


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


def dataset_name(name, *, data_dir=None):
    """The archive's spelling of a UCR/UEA dataset name, whatever its case.

    Parameters
    ----------
    name : str
        A dataset name, e.g. ``"gunpoint"``.
    data_dir : str or path-like, default=None
        A local copy of the archives (see :func:`load_ucr_uea`): the name is
        then matched against its folders, the exact name first, else
        whatever the case. None matches it against sktime's name lists.

    Returns
    -------
    str
        The name as the archive (or the folder of ``data_dir``) writes it,
        e.g. ``"GunPoint"``.

    Raises
    ------
    ValueError
        If no archive dataset (no folder of ``data_dir``) has that name; the
        message suggests close ones.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a dataset name (str), got {type(name).__name__}.")
    if data_dir is not None:
        return _local_folder(data_dir, name).name
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


def archive_datasets(data_dir):
    """Names of the datasets in a local copy of the UCR/UEA archives.

    Parameters
    ----------
    data_dir : str or path-like
        Folder holding one folder per dataset, as the archives are
        published (see :func:`load_ucr_uea`).

    Returns
    -------
    names : list of str
        The folders holding both a train and a test file (``.ts`` or
        ``.tsv``), sorted whatever their case.

    Raises
    ------
    ValueError
        If ``data_dir`` is not a folder.
    """
    names = [folder.name for folder in _subfolders(data_dir)
             if all(_split_file(folder, split) is not None for split in _SPLITS)]
    return sorted(names, key=lambda name: (name.lower(), name))


def load_ucr_uea(name, split="train", *, extract_path=None, data_dir=None):
    """Load a UCR/UEA classification dataset as arrays the estimators accept.

    Parameters
    ----------
    name : str
        Dataset name as in the archives, in any case, e.g. ``"GunPoint"`` or
        ``"gunpoint"`` (see :func:`dataset_name`). The names in
        :data:`BUNDLED_DATASETS` ship with sktime and load offline; any other
        archive name is downloaded by sktime (a network is needed) into
        ``extract_path``. With ``data_dir``, the name of a folder there.
    split : {"train", "test"} or None, default="train"
        Which split to load; None loads train then test, concatenated.
    extract_path : str or path-like, default=None
        Folder holding (or receiving) the ``<name>_TRAIN.ts`` and
        ``<name>_TEST.ts`` files; None uses sktime's own data folder.
    data_dir : str or path-like, default=None
        A local copy of the archives, read without sktime's downloader and
        without a network: one folder per dataset, holding
        ``<name>_TRAIN.ts`` and ``<name>_TEST.ts`` (sktime's .ts format, the
        UEA layout) or ``<name>_TRAIN.tsv`` and ``<name>_TEST.tsv`` (the UCR
        2018 layout: tab-separated, no header, the class label then the
        values, variable lengths padded with NaN at the end). For each split
        the ``.ts`` file is read if there is one, else the ``.tsv`` file.
        The folder is matched by its exact name first, else whatever the
        case. Not together with ``extract_path``.

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
        dataset (and no ``extract_path`` is given), or has no folder in
        ``data_dir``, or a file of ``data_dir`` cannot be parsed (the message
        names the file, and for a .tsv file the line), or both
        ``extract_path`` and ``data_dir`` are given.
    FileNotFoundError
        If the dataset's folder in ``data_dir`` lacks the file of a split.
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
    if data_dir is not None:
        if extract_path is not None:
            raise ValueError(
                "Pass either data_dir (a local copy of the archives, read as it is) or "
                "extract_path (sktime's download folder), not both.")
        return _load_local(data_dir, name, split)
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


def _subfolders(data_dir):
    """The folders of ``data_dir``, after checking that it is a folder."""
    root = Path(os.fspath(data_dir)).expanduser()
    if not root.is_dir():
        raise ValueError(f"data_dir={os.fspath(data_dir)!r} is not a folder.")
    return sorted(path for path in root.iterdir() if path.is_dir())


def _local_folder(data_dir, name):
    """The folder of dataset ``name`` in ``data_dir``: exact name, else any case."""
    if not isinstance(name, str):
        raise TypeError(f"name must be a dataset name (str), got {type(name).__name__}.")
    folders = _subfolders(data_dir)
    by_name = {folder.name: folder for folder in folders}
    if name in by_name:
        return by_name[name]
    matches = [folder for folder in folders if folder.name.lower() == name.lower()]
    if len(matches) == 1:
        return matches[0]
    root = Path(os.fspath(data_dir)).expanduser()
    if matches:
        raise ValueError(
            f"{name!r} matches several folders of {str(root)!r} whatever the case: "
            f"{', '.join(repr(folder.name) for folder in matches)}; give the exact name.")
    by_lower = {folder.name.lower(): folder.name for folder in folders}
    close = [by_lower[match] for match in difflib.get_close_matches(name.lower(), by_lower, n=3)]
    hint = f" Did you mean {' or '.join(map(repr, close))}?" if close else ""
    raise ValueError(f"No dataset folder {name!r} in {str(root)!r}.{hint}")


def _split_file(folder, split):
    """The file of one split in a dataset folder (.ts first, else .tsv), or None.

    File names are matched whatever their case.
    """
    files = {path.name.lower(): path for path in folder.iterdir() if path.is_file()}
    for suffix in _LAYOUTS:
        path = files.get(f"{folder.name}_{split}{suffix}".lower())
        if path is not None:
            return path
    return None


def _load_local(data_dir, name, split):
    """:func:`load_ucr_uea` from a local copy of the archives."""
    folder = _local_folder(data_dir, name)
    if split is None:
        X_train, y_train = _load_local(data_dir, folder.name, "train")
        X_test, y_test = _load_local(data_dir, folder.name, "test")
        if isinstance(X_train, np.ndarray) and isinstance(X_test, np.ndarray) \
                and X_train.shape[1:] == X_test.shape[1:]:
            X = np.concatenate([X_train, X_test])
        else:
            X = _ragged_or_padded([*X_train, *X_test])
        return X, np.concatenate([y_train, y_test])
    path = _split_file(folder, split)
    if path is None:
        stem = f"{folder / folder.name}_{split.upper()}"
        raise FileNotFoundError(
            f"The {split} split of {folder.name!r} is missing: neither {stem}.ts nor "
            f"{stem}.tsv exists.")
    if path.suffix.lower() == ".tsv":
        X, y = _read_tsv(path)
    else:
        X, y = _read_ts(path)
    try:
        X = _ragged_or_padded(X)
    except (TypeError, ValueError) as e:
        raise ValueError(f"{path}: {e}") from e
    return X, np.asarray(y)


def _read_ts(path):
    """Series (nested DataFrame) and labels of a file in sktime's .ts format."""
    from sktime.datasets import load_from_tsfile

    try:
        return load_from_tsfile(str(path), return_data_type="nested_univ")
    except (OSError, ValueError, TypeError) as e:
        raise ValueError(f"Could not parse {path} as a .ts file: {e}") from e


def _read_tsv(path):
    """Series ``(n, 1, length)`` padded with NaN and labels of a UCR .tsv file."""
    rows, labels = [], []
    with open(path, encoding="utf-8") as file:
        for number, line in enumerate(file, start=1):
            if not line.strip():
                continue
            label, *fields = (field.strip() for field in line.rstrip("\r\n").split("\t"))
            if not fields:
                raise ValueError(f"{path}, line {number}: a label but no values.")
            try:
                rows.append([float(field) for field in fields])
            except ValueError:
                bad = next(field for field in fields if not _is_number(field))
                raise ValueError(
                    f"{path}, line {number}: {bad!r} is not a number (expected the "
                    "class label then tab-separated values, NaN for padding).") from None
            labels.append(label)
    if not rows:
        raise ValueError(f"{path} holds no series.")
    X = np.full((len(rows), 1, max(map(len, rows))), np.nan, dtype=np.float32)
    for i, row in enumerate(rows):  # rows may also be cut short instead of padded
        X[i, 0, :len(row)] = row
    return X, labels


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True

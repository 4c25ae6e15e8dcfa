"""Dataset loaders: the UCR/UEA archives and windows cut from CSV recordings."""

from .csv import load_csv_windows
from .ucr import BUNDLED_DATASETS, archive_datasets, archive_names, dataset_name, load_ucr_uea

__all__ = ["BUNDLED_DATASETS", "archive_datasets", "archive_names", "dataset_name",
           "load_csv_windows", "load_ucr_uea"]

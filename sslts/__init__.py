"""sslts: self-supervised representation learning for time series.

Scikit-learn transformers whose ``fit`` trains an encoder without labels
(SimCLR, Barlow Twins, VICReg, TS2Vec) and whose ``transform`` returns embeddings for
any scikit-learn estimator; fine-tuning, semi-supervised classification,
preprocessing and spectrograms around them.

Every public name has one import path: the estimators below from ``sslts``;
augmentations from :mod:`sslts.augmentations`, network blocks from
:mod:`sslts.nn`, losses from :mod:`sslts.losses`, loaders from
:mod:`sslts.datasets`, probes and benchmarks from :mod:`sslts.evaluation`,
label-free scores from :mod:`sslts.metrics`,
the method registry from :mod:`sslts.methods`.

The estimators are imported on first use (``import sslts`` alone does not
load torch), so that the ``sslts`` command starts quickly.
"""

import importlib

__version__ = "0.9.0"

#: Public name -> module defining it, imported on first access.
_LAZY = {
    "BarlowTwinsTransformer": "sslts.methods",
    "ClipOutliers": "sslts.preprocessing",
    "FillMissing": "sslts.preprocessing",
    "SSLClassifier": "sslts.finetuning.estimators",
    "SSLRegressor": "sslts.finetuning.estimators",
    "SemiSupervisedClassifier": "sslts.semi_supervised",
    "SimCLRTransformer": "sslts.methods",
    "Spectrogram": "sslts.spectrogram",
    "TS2VecTransformer": "sslts.methods",
    "TimeSeriesScaler": "sslts.preprocessing",
    "VICRegTransformer": "sslts.methods",
}

__all__ = [*sorted(_LAZY), "__version__"]


def __getattr__(name):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'sslts' has no attribute {name!r}")


def __dir__():
    return sorted({*globals(), *_LAZY})

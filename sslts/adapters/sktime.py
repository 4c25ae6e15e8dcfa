"""An sslts self-supervised transformer as an sktime transformer.

sktime's transformers follow their own interface (``skbase``): tags that say
what data they take and give, and conversion of the input to the inner data
type they declare. :class:`SktimeSSLTransformer` wraps any sslts
self-supervised transformer in that interface, as a panel-to-tabular
transformer (one row of embeddings per series), so that it composes with
sktime's pipelines, such as ``ClassifierPipeline``, and passes sktime's own
estimator checks (``sktime.utils.estimator_checks.check_estimator``).
"""

import numpy as np
import pandas as pd
from sktime.transformations.base import BaseTransformer

from .common import fit_clone

__all__ = ["SktimeSSLTransformer"]


class SktimeSSLTransformer(BaseTransformer):
    """Embed a panel of series with an sslts transformer, the sktime way.

    ``fit`` fits a clone of ``estimator`` on the series (labels unused);
    ``transform`` returns one row of embeddings per series, a
    ``pandas.DataFrame`` with the estimator's feature names. Multivariate
    and unequal-length panels are accepted, in any of sktime's panel formats.

    Self-supervised training contrasts series with each other, so it needs
    at least two. Given a single series (sktime's ``Series`` input), ``fit``
    trains on its overlapping windows (half its length, every quarter) and
    ``transform`` embeds whole series.

    Parameters
    ----------
    estimator : sslts self-supervised transformer, default=None
        E.g. ``SimCLRTransformer(max_epochs=50)``; cloned in ``fit``. None
        uses ``SimCLRTransformer()``.

    Attributes
    ----------
    estimator_ : sslts self-supervised transformer
        The fitted clone.

    Examples
    --------
    >>> from sktime.classification.compose import ClassifierPipeline
    >>> from sktime.classification.distance_based import KNeighborsTimeSeriesClassifier
    >>> from sktime.datasets import load_unit_test
    >>> from sslts import SimCLRTransformer
    >>> from sslts.adapters.sktime import SktimeSSLTransformer
    >>> X, y = load_unit_test(split="train")  # sktime's nested_univ frame
    >>> ssl = SktimeSSLTransformer(SimCLRTransformer(encoder="fcn", max_epochs=2,
    ...                                              random_state=0))
    >>> ssl.fit_transform(X).shape
    (20, 130)
    """

    _tags = {
        "authors": ["sslts developers"],
        "scitype:transform-input": "Series",
        "scitype:transform-output": "Primitives",
        "scitype:instancewise": False,
        "X_inner_mtype": ["numpy3D", "df-list"],
        "y_inner_mtype": "None",
        "fit_is_empty": False,
        "requires_y": False,
        "capability:multivariate": True,
        "capability:unequal_length": True,
        "capability:missing_values": True,
        "python_dependencies": "torch",
    }

    def __init__(self, estimator=None):
        self.estimator = estimator
        super().__init__()

    def _fit(self, X, y=None):
        series = _series(X)
        if len(series) < 2:  # sktime's single-series case: learn from its windows
            series = _windows(series[0])
        self.estimator_ = fit_clone(self.estimator, series)
        return self

    def _transform(self, X, y=None):
        Z = self.estimator_.transform(_series(X))
        return pd.DataFrame(Z, columns=self.estimator_.get_feature_names_out())

    @classmethod
    def get_test_params(cls, parameter_set="default"):
        """Small, fast parameter sets for sktime's estimator checks.

        Parameters
        ----------
        parameter_set : str, default="default"
            Name of the set (sktime's interface; only one kind here).

        Returns
        -------
        params : list of dict
        """
        from .. import SimCLRTransformer, VICRegTransformer

        small = dict(encoder="fcn", embedding_dim=4, max_epochs=1, batch_size=8,
                     random_state=0)
        return [{"estimator": SimCLRTransformer(**small)},
                {"estimator": VICRegTransformer(**small)}]


def _windows(x):
    """Overlapping windows of one series ``(c, t)``: half its length, every quarter.

    A series too short for two windows is used twice.
    """
    t = x.shape[-1]
    width = max(2, t // 2)
    stride = max(1, width // 2)
    windows = [x[:, start:start + width] for start in range(0, t - width + 1, stride)]
    return windows if len(windows) >= 2 else [x, x]


def _series(X):
    """sktime's inner panel (numpy3D, or df-list of (t_i, c) frames) for sslts."""
    if isinstance(X, np.ndarray):
        return X
    return [np.asarray(frame, dtype=np.float64).T for frame in X]

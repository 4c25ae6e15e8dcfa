"""An sslts self-supervised transformer as an aeon collection transformer.

aeon's collection transformers take a collection of series (a 3-D array, or
a list of 2-D arrays of different lengths) and declare what they handle in
tags. :class:`AeonSSLTransformer` wraps any sslts self-supervised transformer
as a collection-to-tabular transformer, so that it composes with aeon's
pipelines and passes aeon's own estimator checks
(``aeon.testing.estimator_checking.check_estimator``). Needs aeon:
``pip install "sslts[aeon]"``.
"""

import numpy as np
from aeon.transformations.collection import BaseCollectionTransformer

from .common import fit_clone

__all__ = ["AeonSSLTransformer"]


class AeonSSLTransformer(BaseCollectionTransformer):
    """Embed a collection of series with an sslts transformer, the aeon way.

    ``fit`` fits a clone of ``estimator`` on the series (labels unused);
    ``transform`` returns a 2-D array, one row of embeddings per series.
    Multivariate and unequal-length collections are accepted.

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
    >>> import numpy as np
    >>> from sslts import SimCLRTransformer
    >>> from sslts.adapters.aeon import AeonSSLTransformer  # doctest: +SKIP
    >>> X = np.random.RandomState(0).randn(10, 2, 30)  # doctest: +SKIP
    >>> AeonSSLTransformer(SimCLRTransformer(encoder="fcn", max_epochs=1)).fit_transform(
    ...     X).shape  # doctest: +SKIP
    (10, 132)
    """

    _tags = {
        "output_data_type": "Tabular",
        "capability:multivariate": True,
        "capability:unequal_length": True,
        "capability:missing_values": True,
        "X_inner_type": ["numpy3D", "np-list"],
        "fit_is_empty": False,
        "requires_y": False,
        "algorithm_type": "deeplearning",
        "non_deterministic": False,
        "python_dependencies": "torch",
    }

    def __init__(self, estimator=None):
        self.estimator = estimator
        super().__init__()

    def _fit(self, X, y=None):
        self.estimator_ = fit_clone(self.estimator, X)
        return self

    def _transform(self, X, y=None):
        return np.asarray(self.estimator_.transform(X), dtype=np.float64)

    @classmethod
    def _get_test_params(cls, parameter_set="default"):
        """Small, fast parameters for aeon's estimator checks."""
        from .. import SimCLRTransformer

        return {"estimator": SimCLRTransformer(encoder="fcn", embedding_dim=4, max_epochs=1,
                                               batch_size=8, random_state=0)}

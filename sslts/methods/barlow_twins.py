"""Barlow Twins for time series.

Zbontar, Jing, Misra, LeCun & Deny 2021, "Barlow Twins: Self-Supervised
Learning via Redundancy Reduction", ICML.
"""

from numbers import Real

from sklearn.utils._param_validation import Interval

from ..base import TwoViewSSLTransformer, fill_ssl_doc
from ..losses import BarlowTwinsLoss
from ..utils.params import store_params


@fill_ssl_doc
class BarlowTwinsTransformer(TwoViewSSLTransformer):
    """Embed time series with an encoder trained by Barlow Twins.

    The cross-correlation matrix of the projections of two views is driven to
    the identity: invariance on the diagonal, redundancy reduction off it
    (Zbontar et al. 2021, ICML).

    Parameters
    ----------
    lambda_ : float, default=5e-3
        Weight of the off-diagonal (redundancy reduction) term.
%(level)s
%(shared_parameters)s

    Attributes
    ----------
%(shared_attributes)s

    Examples
    --------
    >>> import numpy as np
    >>> from sslts import BarlowTwinsTransformer
    >>> X = np.random.RandomState(0).randn(32, 3, 50)  # 32 series, 3 channels
    >>> model = BarlowTwinsTransformer(encoder="fcn", embedding_dim=16, max_epochs=2,
    ...                                random_state=0).fit(X)
    >>> model.transform(X[:4]).shape  # 16 features, then each channel's level and log spread
    (4, 22)
    >>> list(model.history_[:, "epoch"])
    [1, 2]
    """

    _parameter_constraints = {
        **TwoViewSSLTransformer._parameter_constraints,
        "lambda_": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, lambda_=5e-3, level="series", *, encoder="resnet", embedding_dim=128,
                 encoder_params=None, adapt_channels=True, standardize="series", head_dims=None,
                 augmentations=None,
                 max_epochs=100, max_steps=200, max_train_length=256, batch_size=64,
                 max_samples_per_epoch=None, lr=1e-3, weight_decay=1e-4, validation_fraction=None,
                 device="auto", precision="32", n_jobs=None, callbacks=None, warm_start=False,
                 verbose=0, random_state=None):
        store_params(self, locals())

    def _series_loss(self):
        return BarlowTwinsLoss(lambda_=self.lambda_)

    def _default_head_dims(self, in_features):
        return (4 * in_features, 4 * in_features)

"""VICReg for time series.

Bardes, Ponce & LeCun 2022, "VICReg: Variance-Invariance-Covariance
Regularization for Self-Supervised Learning", ICLR.
"""

from numbers import Real

from sklearn.utils._param_validation import Interval

from ..base import TwoViewSSLTransformer, fill_ssl_doc
from ..losses import VICRegLoss
from ..utils.params import store_params


@fill_ssl_doc
class VICRegTransformer(TwoViewSSLTransformer):
    """Embed time series with an encoder trained by VICReg.

    Views are pulled together (invariance) while each projection dimension
    keeps a standard deviation of at least 1 (variance) and dimensions are
    decorrelated (covariance) (Bardes et al. 2022, ICLR).

    Parameters
    ----------
    sim_weight : float, default=25.0
        Weight of the invariance (mean squared error) term.
    var_weight : float, default=25.0
        Weight of the variance term.
    cov_weight : float, default=1.0
        Weight of the covariance term.
%(level)s
%(shared_parameters)s

    Attributes
    ----------
%(shared_attributes)s

    Examples
    --------
    >>> import numpy as np
    >>> from sslts import VICRegTransformer
    >>> X = [np.sin(np.linspace(0, f, n)) for f, n in [(3, 40), (9, 55)] * 8]  # ragged
    >>> model = VICRegTransformer(encoder="fcn", embedding_dim=16, max_epochs=2,
    ...                           random_state=0).fit(X)
    >>> model.transform(X).shape  # 16 features, the level and log spread
    (16, 18)
    """

    _parameter_constraints = {
        **TwoViewSSLTransformer._parameter_constraints,
        "sim_weight": [Interval(Real, 0, None, closed="left")],
        "var_weight": [Interval(Real, 0, None, closed="left")],
        "cov_weight": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, sim_weight=25.0, var_weight=25.0, cov_weight=1.0, level="series", *,
                 encoder="resnet", embedding_dim=128, encoder_params=None, adapt_channels=True,
                 standardize="series",
                 head_dims=None, augmentations=None, max_epochs=100, max_steps=200,
                 max_train_length=256, batch_size=64, max_samples_per_epoch=None, lr=1e-3,
                 weight_decay=1e-4, validation_fraction=None, device="auto", precision="32",
                 n_jobs=None, callbacks=None, warm_start=False, verbose=0, random_state=None):
        store_params(self, locals())

    def _series_loss(self):
        return VICRegLoss(sim_weight=self.sim_weight, var_weight=self.var_weight,
                          cov_weight=self.cov_weight)

    def _default_head_dims(self, in_features):
        return (4 * in_features, 4 * in_features)

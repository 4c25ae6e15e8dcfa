"""SimCLR for time series.

Chen, Kornblith, Norouzi & Hinton 2020, "A Simple Framework for Contrastive
Learning of Visual Representations", ICML.
"""

from numbers import Real

from sklearn.utils._param_validation import Interval

from ..base import TwoViewSSLTransformer, fill_ssl_doc
from ..losses import HierarchicalContrastiveLoss, NTXentLoss
from ..utils.params import store_params


@fill_ssl_doc
class SimCLRTransformer(TwoViewSSLTransformer):
    """Embed time series with an encoder trained by SimCLR (NT-Xent loss).

    Two augmented views of each series are pulled together and pushed away
    from the views of the other series in the batch (Chen et al. 2020, ICML).

    Parameters
    ----------
    temperature : float, default=0.5
        Softmax temperature of the NT-Xent loss.
%(level)s
%(shared_parameters)s

    Attributes
    ----------
%(shared_attributes)s

    Examples
    --------
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> from sklearn.pipeline import make_pipeline
    >>> from sslts import SimCLRTransformer
    >>> from sslts.datasets import load_ucr_uea
    >>> X, y = load_ucr_uea("GunPoint", "train")
    >>> X_test, y_test = load_ucr_uea("GunPoint", "test")
    >>> ssl = SimCLRTransformer(encoder="fcn", max_epochs=5, random_state=0)
    >>> ssl.fit(X).transform(X_test).shape
    (150, 130)
    >>> model = make_pipeline(ssl, KNeighborsClassifier(1)).fit(X, y)
    >>> model.score(X_test, y_test) > 0.7
    True
    """

    _parameter_constraints = {
        **TwoViewSSLTransformer._parameter_constraints,
        "temperature": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(self, temperature=0.5, level="series", *, encoder="resnet", embedding_dim=128,
                 encoder_params=None, adapt_channels=True, standardize="series", head_dims=None,
                 augmentations=None,
                 max_epochs=100, max_steps=200, max_train_length=256, batch_size=64,
                 max_samples_per_epoch=None, lr=1e-3, weight_decay=1e-4, validation_fraction=None,
                 device="auto", precision="32", n_jobs=None, callbacks=None, warm_start=False,
                 verbose=0, random_state=None):
        store_params(self, locals())

    def _series_loss(self):
        return NTXentLoss(temperature=self.temperature)

    def _hierarchical_loss(self):
        return HierarchicalContrastiveLoss(temperature=self.temperature)

    def _default_head_dims(self, in_features):
        return (in_features, in_features)

"""TS2Vec: hierarchical contrast of per-timestamp features of overlapping crops.

Yue, Wang, Duan, Yang, Huang, Tong & Xu 2022, "TS2Vec: Towards Universal
Representation of Time Series", AAAI.
"""

import math
from numbers import Integral, Real

from sklearn.utils._param_validation import Interval, StrOptions

from ..base import BaseSSLTransformer, ssl_doc
from ..losses import HierarchicalContrastiveLoss
from ..training.objectives import OverlappingCrops
from ..utils.params import store_params

#: Hidden channels of the default encoder (the reference implementation has 64).
DEFAULT_HIDDEN_CHANNELS = 128

__all__ = ["TS2VecTransformer", "ts2vec_steps"]


def ts2vec_steps(n_values):
    """TS2Vec's training length: 200 optimizer steps for training data of at
    most 100,000 values (series x channels x length), 600 above; the steps of
    ``max_steps="auto"``."""
    return 200 if n_values <= 100_000 else 600


_OVERRIDES = {
    "encoder": """\
    encoder : {"ts2vec", "dilated_cnn", "fcn", "resnet"}, torch.nn.Module class or instance, \
or fitted estimator, default="ts2vec"
        The encoder, as for the other methods (see
        :class:`~sslts.SimCLRTransformer`); it must give per-timestamp
        features (``forward_features``), and take ``latent_mask`` there when
        ``timestamp_mask > 0``, as the built-in 1-D encoders do. The default
        is TS2Vec's dilated CNN (:class:`sslts.nn.TS2VecEncoder`), whose
        embedding is the maximum of the features over time, with 128 hidden
        channels instead of the reference's 64 (see ``encoder_params``).""",
    "embedding_dim": """\
    embedding_dim : int, default=320
        Output size of encoders built from a name or a class (with
        ``encoder_params={"pooling": "pyramid"}``, the width of the
        per-timestamp features; the embedding is 7 times wider). With
        ``standardize="series"`` (the default), the embedding has ``2 c``
        more features: each channel's mean and log standard deviation.""",
    "encoder_params": """\
    encoder_params : dict, default=None
        Further constructor arguments of an encoder built from a name or a
        class (see :class:`~sslts.SimCLRTransformer`). With
        ``encoder="ts2vec"`` they update ``{"hidden_channels": 128}``,
        twice the reference's width (see the "How the defaults were chosen"
        page): ``{"hidden_channels": 64}`` gives the reference's encoder.""",
    "head_dims": """\
    head_dims : None or (), default=None
        TS2Vec has no projection head: the loss sees the encoder's features.
        Other values are refused.""",
    "augmentations": """\
    augmentations : BaseAugmentation, default=None
        Applied to the series before cropping, with own draws per crop.
        None (TS2Vec): none; the crops and the timestamp masking make the
        views. Use augmentations that keep timestamps aligned (magnitude,
        noise): both crops must describe the same timestamps.""",
    "max_steps": """\
    max_steps : int, "auto" or None, default="auto"
        Optimizer step budget of ``fit`` (see
        :class:`~sslts.SimCLRTransformer`). "auto" follows the reference
        implementation's rule: 200 steps when the training data holds at
        most 100,000 values (series x channels x longest length), 600 above
        (see :func:`sslts.methods.ts2vec.ts2vec_steps`).""",
    "max_train_length": """\
    max_train_length : int, default=3000
        Series longer than this are trained on random windows of this many
        steps; ``transform`` always embeds whole series.""",
    "batch_size": """\
    batch_size : int, default=8
        Series per batch (at least 2).""",
    "weight_decay": """\
    weight_decay : float, default=0.01
        AdamW weight decay (torch's default, as in TS2Vec).""",
}


@ssl_doc(**_OVERRIDES)
class TS2VecTransformer(BaseSSLTransformer):
    """Embed time series with an encoder trained by TS2Vec.

    Two overlapping random crops of each series are encoded timestamp by
    timestamp; the features of each timestamp of the overlap in the two
    crops are pulled together, against the other series at that timestamp
    (instance contrast) and the other timestamps of the series (temporal
    contrast), at every scale of a max-pooling hierarchy (Yue et al. 2022,
    AAAI). Half the timestamps are masked after the encoder's input
    projection during training, and the weights used by ``transform`` are
    the average over the training steps.

    Parameters
    ----------
    alpha : float, default=0.5
        Weight of the instance contrast; ``1 - alpha`` weighs the temporal
        contrast.
    temporal_unit : int, default=0
        First scale of the hierarchy with a temporal contrast.
    timestamp_mask : float, default=0.5
        Fraction of timestamps set to zero after the encoder's first layer
        in training (latent masking), in ``[0, 1)``.
    dropout : float, default=0.1
        Dropout rate of the per-timestamp features in training, in ``[0, 1)``.
    average_weights : bool, default=True
        At the end of each fit, set the weights to their average over its
        optimizer steps (stochastic weight averaging, as TS2Vec's inference
        model); False keeps the last step's weights.
    soft_temporal : float, default=None
        None: the temporal contrast has hard targets (the same timestamp of
        the other crop). A float ``tau > 0``: SoftCLT's soft temporal
        targets (Lee et al. 2024, ICLR), where the other timestamps are
        partial positives of weight ``2 / (1 + exp(tau * lag))`` for a lag
        in input steps (:func:`sslts.losses.soft_temporal_targets`); larger
        ``tau`` is closer to the hard targets.
    mixup_negatives : float, default=None
        None: TS2Vec's negatives. A weight in ``(0, 1)``: TimesURL's mixed
        negatives too (Liu & Chen 2024, AAAI): each crop's features, mixed
        with another series' (instance contrast) or another timestamp's
        (temporal contrast) with this weight, are further negatives of
        every anchor (:func:`sslts.losses.mixed_negatives`; TimesURL uses
        0.2).
    soft_instance : float, default=None
        None: the instance contrast has hard targets (the same series in
        the other crop). A float ``tau > 0``: SoftCLT's soft instance
        targets (Lee et al. 2024, ICLR), where the other series of the batch
        are partial positives of weight ``1 / (1 + exp(tau * d))``, ``d``
        their distance to the anchor's series in the input space, scaled to
        ``[0, 1]`` over the training set (root mean squared difference of
        the standardised series;
        :func:`sslts.losses.soft_instance_targets`); larger ``tau`` is
        closer to the hard targets.
%(shared_parameters)s

    Attributes
    ----------
%(shared_attributes)s

    Examples
    --------
    >>> from sslts import TS2VecTransformer
    >>> from sslts.datasets import load_ucr_uea
    >>> X, y = load_ucr_uea("ItalyPowerDemand", "train")
    >>> model = TS2VecTransformer(embedding_dim=32, max_steps=20, random_state=0).fit(X)
    >>> model.transform(X).shape  # 32 features, then the series' mean and log std
    (67, 34)
    """

    _parameter_constraints = {
        **BaseSSLTransformer._parameter_constraints,
        "alpha": [Interval(Real, 0, 1, closed="both")],
        "temporal_unit": [Interval(Integral, 0, None, closed="left")],
        "timestamp_mask": [Interval(Real, 0, 1, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "average_weights": ["boolean"],
        "soft_temporal": [None, Interval(Real, 0, None, closed="neither")],
        "mixup_negatives": [None, Interval(Real, 0, 1, closed="neither")],
        "soft_instance": [None, Interval(Real, 0, None, closed="neither")],
        "max_steps": [StrOptions({"auto"}),
                      *BaseSSLTransformer._parameter_constraints["max_steps"]],
    }

    def __init__(self, alpha=0.5, temporal_unit=0, timestamp_mask=0.5, dropout=0.1,
                 average_weights=True, soft_temporal=None, mixup_negatives=None,
                 soft_instance=None, *,
                 encoder="ts2vec", embedding_dim=320,
                 encoder_params=None, adapt_channels=True, standardize="series", head_dims=None,
                 augmentations=None, max_epochs=100, max_steps="auto", max_train_length=3000,
                 batch_size=8, max_samples_per_epoch=None, lr=1e-3, weight_decay=0.01,
                 validation_fraction=None, device="auto", precision="32", n_jobs=None,
                 callbacks=None, warm_start=False, verbose=0, random_state=None):
        store_params(self, locals())

    def _step_budget(self, train):
        if self.max_steps != "auto":
            return self.max_steps
        return ts2vec_steps(math.prod(train.X.shape))  # in memory or out of core

    def _encoder_params(self):
        if isinstance(self.encoder, str) and self.encoder == "ts2vec":
            return {"hidden_channels": DEFAULT_HIDDEN_CHANNELS, **(self.encoder_params or {})}
        return self.encoder_params

    def _build_loss(self):
        return HierarchicalContrastiveLoss(alpha=self.alpha, temporal_unit=self.temporal_unit,
                                           soft_temporal=self.soft_temporal,
                                           mixup_negatives=self.mixup_negatives,
                                           soft_instance=self.soft_instance)

    def _build_objective(self, augmentations):
        return OverlappingCrops(augmentations, timestamp_mask=self.timestamp_mask,
                                dropout=self.dropout, min_overlap=2 ** (self.temporal_unit + 1),
                                series_distances=self.soft_instance is not None)

    def _default_head_dims(self, in_features):
        return ()

    def _build_head(self, in_features):
        if self.head_dims is not None and tuple(self.head_dims) != ():
            raise ValueError(
                f"head_dims={self.head_dims!r}: TS2Vec has no projection head (its loss "
                "compares the encoder's per-timestamp features); leave head_dims=None.")
        return super()._build_head(in_features)

    def _default_augmentations(self):
        return None

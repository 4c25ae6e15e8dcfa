"""The engine seam: objectives, and a new method added without touching the engine.

The method below (a per-timestamp contrast on the overlap of two random
crops, in the spirit of TS2Vec's contextual consistency) is written the way a
new method is added to the package: a loss, an objective, an estimator
subclassing ``BaseSSLTransformer`` and an entry in ``METHODS``. Nothing in
``sslts/base.py`` or ``sslts/training/net.py`` knows about it.
"""

import pickle

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.utils.estimator_checks import parametrize_with_checks

from sslts import BarlowTwinsTransformer, SimCLRTransformer
from sslts.augmentations import Jitter
from sslts.base import BaseSSLTransformer
from sslts.evaluation.benchmark import run_benchmark
from sslts.methods import METHODS
from sslts.nn import masked_max_pool, padding_mask
from sslts.training.net import SSLModule
from sslts.training.objectives import Objective, ObjectiveOutput, TwoViews
from sslts.utils.params import store_params
from sslts.utils.random import seeded_generator

from .conftest import FAST
from .test_estimator_checks import EXPECTED_FAILED_CHECKS


class OverlapLoss(torch.nn.Module):
    """Instance contrast at each timestamp of the overlap (other series are negatives)."""

    def __init__(self, temperature=0.5):
        super().__init__()
        self.temperature = temperature

    def forward(self, f1, f2, mask):
        n = f1.shape[0]
        z = F.normalize(torch.cat([f1, f2]).permute(2, 0, 1), dim=-1)  # (t, 2n, d)
        logits = z @ z.transpose(1, 2) / self.temperature
        eye = torch.eye(2 * n, dtype=torch.bool, device=z.device)
        logits = logits.masked_fill(eye, float("-inf"))
        positives = torch.arange(2 * n, device=z.device).roll(n)
        losses = -logits.log_softmax(-1)[:, torch.arange(2 * n), positives]  # (t, 2n)
        valid = torch.cat([mask, mask]).T  # (t, 2n)
        return losses[valid].mean()


class OverlapCrops(Objective):
    """Two random crops of the batch that overlap; per-timestamp features of the overlap."""

    def __init__(self, augmentation, min_overlap):
        self.augmentation = augmentation
        self.min_overlap = min_overlap

    def __call__(self, module, x, lengths, generator):
        x = self.augmentation.augment(x, generator, lengths)
        t = int(lengths.min())
        draw = lambda low, high: int(torch.randint(low, high, (1,), generator=generator,  # noqa: E731
                                                   device=x.device))
        size = draw(min(self.min_overlap, t), t + 1)
        left = draw(0, t - size + 1)
        right = left + size
        start1, end2 = draw(0, left + 1), draw(right, t + 1)
        f1 = module.encoder.forward_features(x[..., start1:right])[..., left - start1:]
        f2 = module.encoder.forward_features(x[..., left:end2])[..., :size]
        mask = padding_mask(x[..., left:right])
        pooled = masked_max_pool(torch.cat([f1, f2]), torch.cat([mask, mask]))
        return ObjectiveOutput((f1, f2, mask), pooled)

    def check(self, module, input_ndim):
        if input_ndim != 3 or not hasattr(module.encoder, "forward_features"):
            raise ValueError("OverlapCrops needs time series and an encoder with "
                             "forward_features (per-timestamp features).")


class OverlapTransformer(BaseSSLTransformer):
    """A per-timestamp method written against the engine seam (test only)."""

    _parameter_constraints = {**BaseSSLTransformer._parameter_constraints,
                              "min_overlap": [int]}

    def __init__(self, min_overlap=4, *, encoder="fcn", embedding_dim=16, adapt_channels=True,
                 head_dims=None, augmentations=None, max_epochs=100, max_steps=200,
                 max_train_length=256, batch_size=64, max_samples_per_epoch=None, lr=1e-3,
                 weight_decay=1e-4, validation_fraction=None, device="auto", callbacks=None,
                 warm_start=False, verbose=0, random_state=None):
        store_params(self, locals())

    def _build_loss(self):
        return OverlapLoss()

    def _build_objective(self, augmentations):
        return OverlapCrops(augmentations, self.min_overlap)

    def _default_head_dims(self, in_features):
        return ()  # no head: the loss sees the encoder's features


SMALL = dict(encoder="fcn", embedding_dim=8, max_epochs=2, batch_size=16, random_state=0)


@pytest.fixture
def registered(monkeypatch):
    monkeypatch.setitem(METHODS, "overlap", ("Overlap", OverlapTransformer))


def test_a_new_objective_trains_through_the_engine(series):
    X, _ = series
    model = OverlapTransformer(**FAST).fit(X)
    losses = model.history_[:, "train_loss"]
    assert len(losses) == 2 and np.isfinite(losses).all()
    assert np.isfinite(model.history_[:, "embedding_std"]).all()
    Z = model.transform(X)
    assert Z.shape == (24, 16) and np.isfinite(Z).all()
    clone = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(clone.transform(X), Z)
    # the objective got the data's lengths and made crops of them
    assert isinstance(model.net_.objective, OverlapCrops)


def test_objective_check_refuses_unfit_encoders(series):
    class Pooled(torch.nn.Module):  # no forward_features
        def __init__(self, in_channels, out_features):
            super().__init__()
            self.proj = torch.nn.Linear(in_channels, out_features)

        def forward(self, x):
            return self.proj(torch.nan_to_num(x).mean(-1))

    with pytest.raises(ValueError, match="forward_features"):
        OverlapTransformer(**{**FAST, "encoder": Pooled}).fit(series[0])


def test_a_registered_method_runs_in_the_benchmark(registered, series):
    X, y = series
    runs = run_benchmark({"sines": (X[:16], y[:16], X[16:], y[16:])}, methods=("overlap",),
                         probes=("knn",), baselines=(), params={"max_epochs": 1},
                         progress=False)
    assert list(runs["method"]) == ["Overlap"]
    assert 0 <= runs["accuracy"].iloc[0] <= 1


@parametrize_with_checks([OverlapTransformer(**SMALL)],
                         expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS)
def test_a_new_method_meets_the_estimator_contract(estimator, check):
    check(estimator)


# ------------------------------------------------------------------ TwoViews


def module_with_batchnorm():
    encoder = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.LazyLinear(4),
                                  torch.nn.BatchNorm1d(4))
    return SSLModule(encoder, torch.nn.Identity())


@pytest.mark.parametrize("joint", [True, False])
def test_two_views_gives_paired_projections(joint):
    x = torch.randn(6, 1, 10)
    lengths = torch.full((6,), 10)
    out = TwoViews(Jitter(sigma=0.1), joint=joint)(module_with_batchnorm(), x, lengths,
                                                    seeded_generator(0))
    z1, z2 = out.loss_inputs
    assert z1.shape == z2.shape == (6, 4) and out.embeddings.shape == (12, 4)
    assert not torch.allclose(z1, z2)  # own draws per view


def test_separate_views_normalise_each_view_on_its_own():
    """Batch norm in training mode: per view when separate, over both when joint."""
    x = torch.randn(8, 1, 10)
    lengths = torch.full((8,), 10)
    module = module_with_batchnorm().train()
    separate = TwoViews(Jitter(sigma=2.0), joint=False)(module, x, lengths, seeded_generator(0))
    for z in separate.loss_inputs:  # each view is normalised alone: mean 0 per feature
        assert torch.allclose(z.mean(0), torch.zeros(4), atol=1e-5)
    joint = TwoViews(Jitter(sigma=2.0), joint=True)(module, x, lengths, seeded_generator(0))
    means = [z.mean(0) for z in joint.loss_inputs]
    assert torch.allclose(means[0] + means[1], torch.zeros(4), atol=1e-5)
    assert not torch.allclose(means[0], torch.zeros(4), atol=1e-3)


@pytest.mark.parametrize("cls", [SimCLRTransformer, BarlowTwinsTransformer])
def test_the_methods_build_two_views(series, cls):
    model = cls(**FAST).fit(series[0])
    assert isinstance(model.net_.objective, TwoViews) and model.net_.objective.joint

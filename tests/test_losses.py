"""Tests for sslts.losses against straightforward loop-based references."""

import math

import numpy as np
import pytest
import torch

from sslts.losses import (
    BarlowTwinsLoss,
    NTXentLoss,
    VICRegLoss,
    barlow_twins_loss,
    covariance_loss,
    invariance_loss,
    nt_xent_loss,
    variance_loss,
    vicreg_loss,
)
from sslts.losses.barlow_twins import STD_EPS

SHAPES = [(2, 3), (5, 7), (16, 12), (6, 32), (9, 4)]


# --------------------------------------------------------------------------
# Loop-based references, following the papers' formulas (float64).
# --------------------------------------------------------------------------
def _dot(a, b):
    return sum(a[k] * b[k] for k in range(len(a)))


def ref_nt_xent(z1, z2, temperature):
    n = z1.shape[0]
    z = [z1[i] for i in range(n)] + [z2[i] for i in range(n)]
    z = [v / torch.sqrt(_dot(v, v)) for v in z]
    total = 0.0
    for k in range(2 * n):
        pos = (k + n) % (2 * n)
        denom = sum(
            torch.exp(_dot(z[k], z[m]) / temperature) for m in range(2 * n) if m != k
        )
        total = total - torch.log(torch.exp(_dot(z[k], z[pos]) / temperature) / denom)
    return total / (2 * n)


def _ref_columns_standardized(z):
    n, d = z.shape
    cols = []
    for j in range(d):
        mean = sum(z[b, j] for b in range(n)) / n
        var = sum((z[b, j] - mean) ** 2 for b in range(n)) / n
        cols.append([(z[b, j] - mean) / torch.sqrt(var + STD_EPS) for b in range(n)])
    return cols


def ref_barlow_twins(z1, z2, lambda_):
    n, d = z1.shape
    a, b = _ref_columns_standardized(z1), _ref_columns_standardized(z2)
    loss = 0.0
    for i in range(d):
        for j in range(d):
            c_ij = _dot(a[i], b[j]) / n
            loss = loss + ((1 - c_ij) ** 2 if i == j else lambda_ * c_ij**2)
    return loss


def ref_invariance(z1, z2):
    n, d = z1.shape
    return sum((z1[b, j] - z2[b, j]) ** 2 for b in range(n) for j in range(d)) / (n * d)


def _ref_centred_columns(z):
    n, d = z.shape
    means = [sum(z[b, j] for b in range(n)) / n for j in range(d)]
    return [[z[b, j] - means[j] for b in range(n)] for j in range(d)]


def ref_variance(z, eps):
    n, d = z.shape
    total = 0.0
    for col in _ref_centred_columns(z):
        std = torch.sqrt(_dot(col, col) / (n - 1) + eps)
        total = total + torch.clamp(1 - std, min=0)
    return total / d


def ref_covariance(z):
    n, d = z.shape
    cols = _ref_centred_columns(z)
    total = 0.0
    for i in range(d):
        for j in range(d):
            if i != j:
                total = total + (_dot(cols[i], cols[j]) / (n - 1)) ** 2
    return total / d


def ref_vicreg(z1, z2, sim_weight, var_weight, cov_weight, eps):
    return (
        sim_weight * ref_invariance(z1, z2)
        + var_weight * (ref_variance(z1, eps) + ref_variance(z2, eps))
        + cov_weight * (ref_covariance(z1) + ref_covariance(z2))
    )


CASES = {
    "nt_xent": (
        lambda a, b: nt_xent_loss(a, b, temperature=0.3),
        lambda a, b: ref_nt_xent(a, b, 0.3),
    ),
    "barlow_twins": (
        lambda a, b: barlow_twins_loss(a, b, lambda_=0.05),
        lambda a, b: ref_barlow_twins(a, b, 0.05),
    ),
    "vicreg": (
        lambda a, b: vicreg_loss(a, b, 2.0, 3.0, 0.5, eps=1e-4),
        lambda a, b: ref_vicreg(a, b, 2.0, 3.0, 0.5, 1e-4),
    ),
}
DEFAULT_FNS = {
    "nt_xent": nt_xent_loss,
    "barlow_twins": barlow_twins_loss,
    "vicreg": vicreg_loss,
}


def _pair(n, d, seed=0, dtype=torch.float64):
    g = torch.Generator().manual_seed(seed)
    z1 = torch.randn(n, d, generator=g, dtype=dtype)
    z2 = 0.5 * z1 + torch.randn(n, d, generator=g, dtype=dtype)
    # Scale dims differently so the VICReg variance hinge is active on some.
    scale = torch.linspace(0.3, 2.0, d, dtype=dtype)
    return (z1 * scale).requires_grad_(), (z2 * scale).requires_grad_()


def _value_and_grads(fn, z1, z2):
    loss = fn(z1, z2)
    return (loss.detach(), *torch.autograd.grad(loss, (z1, z2)))


# --------------------------------------------------------------------------
# Reference comparison: values and gradients.
# --------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("shape", SHAPES)
def test_matches_reference_value_and_grads(name, shape):
    fn, ref = CASES[name]
    z1, z2 = _pair(*shape, seed=shape[0] * 100 + shape[1])
    got = _value_and_grads(fn, z1, z2)
    want = _value_and_grads(ref, z1, z2)
    assert got[0].dtype == torch.float64
    for g, w in zip(got, want):
        torch.testing.assert_close(g, w, rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("name", sorted(CASES))
def test_float32_close_to_float64_reference(name):
    fn, ref = CASES[name]
    z1, z2 = _pair(6, 5, seed=3)
    got = fn(z1.detach().float(), z2.detach().float())
    assert got.dtype == torch.float32
    torch.testing.assert_close(got.double(), ref(z1, z2).detach(), rtol=1e-5, atol=1e-5)


def test_vicreg_terms_match_reference():
    z1, z2 = _pair(7, 6, seed=11)
    torch.testing.assert_close(invariance_loss(z1, z2), ref_invariance(z1, z2))
    torch.testing.assert_close(variance_loss(z1, eps=1e-3), ref_variance(z1, 1e-3))
    torch.testing.assert_close(covariance_loss(z2), ref_covariance(z2))


def test_barlow_standardization_is_batchnorm():
    """The documented standardisation equals BatchNorm1d(affine=False) in training."""
    z1, z2 = _pair(10, 4, seed=5)
    bn = torch.nn.BatchNorm1d(4, affine=False, eps=STD_EPS).double().train()
    c = bn(z1).T @ bn(z2) / 10
    off = c - torch.diag(torch.diagonal(c))
    want = (1 - torch.diagonal(c)).pow(2).sum() + 5e-3 * off.pow(2).sum()
    torch.testing.assert_close(barlow_twins_loss(z1, z2), want)


# --------------------------------------------------------------------------
# Symmetry and module/functional agreement.
# --------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(DEFAULT_FNS))
def test_symmetric(name):
    fn = DEFAULT_FNS[name]
    z1, z2 = _pair(8, 5, seed=1)
    torch.testing.assert_close(fn(z1, z2), fn(z2, z1))


@pytest.mark.parametrize(
    "module, fn",
    [
        (NTXentLoss(temperature=0.2), lambda a, b: nt_xent_loss(a, b, 0.2)),
        (NTXentLoss(), nt_xent_loss),
        (BarlowTwinsLoss(lambda_=0.1), lambda a, b: barlow_twins_loss(a, b, 0.1)),
        (BarlowTwinsLoss(), barlow_twins_loss),
        (
            VICRegLoss(sim_weight=1.0, var_weight=2.0, cov_weight=3.0, eps=1e-3),
            lambda a, b: vicreg_loss(a, b, 1.0, 2.0, 3.0, 1e-3),
        ),
        (VICRegLoss(), vicreg_loss),
    ],
)
def test_module_matches_functional(module, fn):
    z1, z2 = _pair(6, 4, seed=2)
    torch.testing.assert_close(module(z1, z2), fn(z1, z2))


# --------------------------------------------------------------------------
# Sanity properties.
# --------------------------------------------------------------------------
def _hadamard(n):
    h = torch.ones(1, 1, dtype=torch.float64)
    while h.shape[0] < n:
        h = torch.cat([torch.cat([h, h], 1), torch.cat([h, -h], 1)])
    return h


def test_nt_xent_aligned_lower_than_shuffled():
    g = torch.Generator().manual_seed(0)
    z1 = torch.randn(32, 16, generator=g)
    z2 = z1 + 0.1 * torch.randn(32, 16, generator=g)
    shuffled = z2.roll(1, dims=0)  # every row paired with a different sample
    aligned_loss = nt_xent_loss(z1, z2)
    assert aligned_loss < nt_xent_loss(z1, shuffled)
    # Lower bound of the loss for perfectly aligned views is not reached ...
    assert aligned_loss > 0
    # ... and a collapsed batch gives exactly log(2N - 1).
    z = torch.ones(32, 16)
    torch.testing.assert_close(nt_xent_loss(z, z), torch.tensor(math.log(63.0)))


def test_barlow_twins_identical_decorrelated_views_is_zero():
    # Columns 1..7 of an 8x8 Hadamard matrix: mean 0, variance 1, orthogonal.
    z = _hadamard(8)[:, 1:]
    assert barlow_twins_loss(z, z, lambda_=1.0).item() < 1e-8
    # Any perturbation of a view makes it strictly positive.
    assert barlow_twins_loss(z, z.flip(0) * torch.tensor([1.0] * 6 + [-1.0])) > 0.1


def test_vicreg_invariance_zero_for_identical_and_variance_zero_above_one():
    g = torch.Generator().manual_seed(0)
    z = torch.randn(20, 6, generator=g, dtype=torch.float64)
    assert invariance_loss(z, z).item() == 0.0
    z_big = 2.0 * (z - z.mean(0)) / z.std(0)  # every std == 2
    assert variance_loss(z_big).item() == 0.0
    assert variance_loss(z_big / 4).item() > 0.4  # every std == 0.5


def test_collapsed_batch_values():
    z = torch.full((10, 5), 3.0, dtype=torch.float64)
    # Standardised constant dims are 0, so C = 0 and the loss is d exactly.
    assert barlow_twins_loss(z, z).item() == pytest.approx(5.0)
    assert variance_loss(z).item() == pytest.approx(1 - math.sqrt(1e-4))
    assert covariance_loss(z).item() == 0.0


@pytest.mark.parametrize("name", sorted(DEFAULT_FNS))
@pytest.mark.parametrize("value", [0.0, 1.5])
def test_collapsed_batch_gradients_finite(name, value):
    z1 = torch.full((8, 4), value, requires_grad=True)
    z2 = torch.full((8, 4), value, requires_grad=True)
    loss = DEFAULT_FNS[name](z1, z2)
    grads = torch.autograd.grad(loss, (z1, z2))
    assert torch.isfinite(loss)
    assert all(torch.isfinite(g).all() for g in grads)


# --------------------------------------------------------------------------
# Input validation.
# --------------------------------------------------------------------------
ALL_PAIR_FNS = [nt_xent_loss, barlow_twins_loss, vicreg_loss, invariance_loss]
MODULES = [NTXentLoss(), BarlowTwinsLoss(), VICRegLoss()]
GOOD = torch.zeros(4, 3)


@pytest.mark.parametrize("fn", ALL_PAIR_FNS + MODULES)
@pytest.mark.parametrize(
    "z1, z2, exc, match",
    [
        (np.zeros((4, 3)), GOOD, TypeError, r"z1 must be a torch\.Tensor.*got ndarray"),
        (GOOD, [[0.0] * 3] * 4, TypeError, r"z2 must be a torch\.Tensor.*got list"),
        (torch.zeros(4), GOOD, ValueError, r"z1 must be 2-D.*got 1-D"),
        (GOOD, torch.zeros(4, 3, 2), ValueError, r"z2 must be 2-D.*got 3-D"),
        (GOOD, torch.zeros(5, 3), ValueError, r"same shape, got \(4, 3\) and \(5, 3\)"),
        (torch.zeros(1, 3), torch.zeros(1, 3), ValueError,
         "needs at least 2 samples per batch, got 1"),
        (torch.zeros(4, 3, dtype=torch.int64), GOOD, ValueError, "floating point"),
    ],
)
def test_invalid_inputs(fn, z1, z2, exc, match):
    with pytest.raises(exc, match=match):
        fn(z1, z2)


@pytest.mark.parametrize("fn", [variance_loss, covariance_loss])
def test_invalid_single_input(fn):
    with pytest.raises(TypeError, match="must be a torch.Tensor"):
        fn(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="got 1"):
        fn(torch.zeros(1, 3))


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: nt_xent_loss(GOOD, GOOD, temperature=0.0), "temperature must be > 0"),
        (lambda: nt_xent_loss(GOOD, GOOD, temperature=-1), "temperature must be > 0"),
        (lambda: nt_xent_loss(GOOD, GOOD, temperature=math.inf), "temperature must be finite"),
        (lambda: nt_xent_loss(GOOD, GOOD, temperature=math.nan), "temperature must be finite"),
        (lambda: NTXentLoss(temperature=0), "temperature must be > 0"),
        (lambda: NTXentLoss(temperature=math.inf), "temperature must be finite"),
        (lambda: barlow_twins_loss(GOOD, GOOD, lambda_=-1e-3), "lambda_ must be >= 0"),
        (lambda: BarlowTwinsLoss(lambda_=-1), "lambda_ must be >= 0"),
        (lambda: vicreg_loss(GOOD, GOOD, sim_weight=-1), "sim_weight must be >= 0"),
        (lambda: vicreg_loss(GOOD, GOOD, var_weight=-1), "var_weight must be >= 0"),
        (lambda: vicreg_loss(GOOD, GOOD, cov_weight=-1), "cov_weight must be >= 0"),
        (lambda: vicreg_loss(GOOD, GOOD, eps=0.0), "eps must be > 0"),
        (lambda: VICRegLoss(sim_weight=-1), "sim_weight must be >= 0"),
        (lambda: VICRegLoss(var_weight=-1), "var_weight must be >= 0"),
        (lambda: VICRegLoss(cov_weight=-1), "cov_weight must be >= 0"),
        (lambda: VICRegLoss(eps=-1e-4), "eps must be > 0"),
        (lambda: variance_loss(GOOD, eps=0), "eps must be > 0"),
    ],
)
def test_invalid_parameters(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_non_numeric_parameter_is_type_error():
    with pytest.raises(TypeError, match="temperature must be a real number"):
        NTXentLoss(temperature="0.5")

"""The hierarchical contrastive loss against a straightforward reference implementation.

The reference below follows TS2Vec's published ``losses.py`` (features laid
out ``(n, t, d)``, no padding); the package's loss takes ``(n, d, t)`` and a
mask of the timestamps that exist.
"""

import pytest
import torch
import torch.nn.functional as F

from sslts.losses import (
    BarlowTwinsLoss,
    HierarchicalContrastiveLoss,
    MultiscaleLoss,
    barlow_twins_loss,
    hierarchical_contrastive_loss,
    instance_contrastive_loss,
    mixed_negatives,
    multiscale_loss,
    nt_xent_loss,
    soft_instance_targets,
    soft_temporal_targets,
    temporal_contrastive_loss,
)
from sslts.losses.hierarchical import max_pool_pair


def ref_instance(z1, z2):
    B = z1.size(0)
    if B == 1:
        return z1.new_tensor(0.0)
    z = torch.cat([z1, z2], dim=0).transpose(0, 1)
    sim = torch.matmul(z, z.transpose(1, 2))
    logits = torch.tril(sim, diagonal=-1)[:, :, :-1]
    logits += torch.triu(sim, diagonal=1)[:, :, 1:]
    logits = -F.log_softmax(logits, dim=-1)
    i = torch.arange(B)
    return (logits[:, i, B + i - 1].mean() + logits[:, B + i, i].mean()) / 2


def ref_temporal(z1, z2):
    T = z1.size(1)
    if T == 1:
        return z1.new_tensor(0.0)
    z = torch.cat([z1, z2], dim=1)
    sim = torch.matmul(z, z.transpose(1, 2))
    logits = torch.tril(sim, diagonal=-1)[:, :, :-1]
    logits += torch.triu(sim, diagonal=1)[:, :, 1:]
    logits = -F.log_softmax(logits, dim=-1)
    t = torch.arange(T)
    return (logits[:, t, T + t - 1].mean() + logits[:, T + t, t].mean()) / 2


def ref_hierarchical(z1, z2, alpha=0.5, temporal_unit=0):
    loss = torch.tensor(0.0, dtype=z1.dtype)
    d = 0
    while z1.size(1) > 1:
        if alpha != 0:
            loss += alpha * ref_instance(z1, z2)
        if d >= temporal_unit and 1 - alpha != 0:
            loss += (1 - alpha) * ref_temporal(z1, z2)
        d += 1
        z1 = F.max_pool1d(z1.transpose(1, 2), kernel_size=2).transpose(1, 2)
        z2 = F.max_pool1d(z2.transpose(1, 2), kernel_size=2).transpose(1, 2)
    if z1.size(1) == 1:
        if alpha != 0:
            loss += alpha * ref_instance(z1, z2)
        d += 1
    return loss / d


def ref_soft_temporal(z1, z2, soft):
    """SoftCLT's soft temporal contrast (``temp_CL_soft`` with ``timelag_sigmoid``),
    without its rounding of weights below 1e-6 to zero."""
    T = z1.size(1)
    if T == 1:
        return z1.new_tensor(0.0)
    lag = torch.arange(T, dtype=z1.dtype)
    lag = (lag - lag[:, None]).abs()
    matrix = 2 / (1 + torch.exp(lag * soft))
    off_diagonal = torch.tril(matrix, diagonal=-1)[:, :-1] + torch.triu(matrix, diagonal=1)[:, 1:]
    left, right = torch.cat([off_diagonal, matrix], dim=1), torch.cat([matrix, off_diagonal], dim=1)
    z = torch.cat([z1, z2], dim=1)
    sim = torch.matmul(z, z.transpose(1, 2))
    logits = torch.tril(sim, diagonal=-1)[:, :, :-1]
    logits += torch.triu(sim, diagonal=1)[:, :, 1:]
    logits = -F.log_softmax(logits, dim=-1)
    t = torch.arange(T)
    loss = torch.sum(logits[:, t] * left) + torch.sum(logits[:, T + t] * right)
    return loss / (2 * z1.size(0) * T)


def ref_hierarchical_soft(z1, z2, soft_temporal, alpha=0.5):
    loss = torch.tensor(0.0, dtype=z1.dtype)
    d = 0
    while z1.size(1) > 1:
        loss += alpha * ref_instance(z1, z2)
        loss += (1 - alpha) * ref_soft_temporal(z1, z2, soft_temporal * 2 ** d)
        d += 1
        z1 = F.max_pool1d(z1.transpose(1, 2), kernel_size=2).transpose(1, 2)
        z2 = F.max_pool1d(z2.transpose(1, 2), kernel_size=2).transpose(1, 2)
    if z1.size(1) == 1:
        loss += alpha * ref_instance(z1, z2)
        d += 1
    return loss / d


def features(n, d, t, seed=0):
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(n, d, t, generator=g, dtype=torch.float64) for _ in range(2)]


def ours_and_ref(ours, ref, z1, z2, **kwargs):
    a1, a2 = (z.clone().float().requires_grad_() for z in (z1, z2))
    b1, b2 = (z.clone().transpose(1, 2).contiguous().requires_grad_() for z in (z1, z2))
    value, expected = ours(a1, a2, **kwargs), ref(b1, b2, **kwargs)
    value.backward()
    if expected.requires_grad:  # the reference returns a constant when nothing contrasts
        expected.backward()
    grads = [torch.zeros_like(b) if b.grad is None else b.grad for b in (b1, b2)]
    return (value, a1.grad, a2.grad), (expected, *(g.transpose(1, 2) for g in grads))


@pytest.mark.parametrize("ours, ref", [(instance_contrastive_loss, ref_instance),
                                       (temporal_contrastive_loss, ref_temporal),
                                       (hierarchical_contrastive_loss, ref_hierarchical)])
@pytest.mark.parametrize("shape", [(4, 3, 8), (5, 2, 13), (2, 4, 1), (1, 3, 6)])
def test_matches_reference_value_and_gradients(ours, ref, shape):
    z1, z2 = features(*shape)
    got, expected = ours_and_ref(ours, ref, z1, z2)
    for g, e in zip(got, expected):
        torch.testing.assert_close(g.double(), e, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("alpha, temporal_unit", [(0.0, 0), (1.0, 0), (0.3, 2)])
def test_weights_match_reference(alpha, temporal_unit):
    z1, z2 = features(3, 4, 16, seed=1)
    got, expected = ours_and_ref(hierarchical_contrastive_loss, ref_hierarchical, z1, z2,
                                 alpha=alpha, temporal_unit=temporal_unit)
    torch.testing.assert_close(got[0].double(), expected[0], rtol=1e-4, atol=1e-5)


def test_padded_timestamps_do_not_count():
    """Padding changes nothing: features past a series' end may hold anything."""
    z1, z2 = (z.float() for z in features(3, 4, 10, seed=2))
    lengths = torch.tensor([10, 6, 3])
    mask = torch.arange(10) < lengths[:, None]
    base = hierarchical_contrastive_loss(z1, z2, mask)
    garbage = ~mask[:, None, :]
    noisy = [z.masked_fill(garbage, 1e3) for z in (z1, z2)]
    torch.testing.assert_close(hierarchical_contrastive_loss(*noisy, mask), base)
    # the temporal contrast of one series alone equals the reference on its valid part
    for i, length in enumerate(lengths.tolist()):
        one = [z[i:i + 1, :, :length] for z in (z1, z2)]
        masked = temporal_contrastive_loss(z1[i:i + 1], z2[i:i + 1], mask[i:i + 1])
        torch.testing.assert_close(masked, ref_temporal(*(z.transpose(1, 2) for z in one)))


def test_padding_gives_finite_gradients_and_none_to_padding():
    z1, z2 = (z.float().requires_grad_() for z in features(4, 3, 9, seed=3))
    mask = torch.arange(9) < torch.tensor([9, 5, 1, 2])[:, None]
    hierarchical_contrastive_loss(z1, z2, mask).backward()
    for z in (z1, z2):
        assert torch.isfinite(z.grad).all()
        assert (z.grad.masked_select(~mask[:, None, :].expand_as(z)) == 0).all()


def test_instance_at_a_timestamp_sees_only_the_series_that_exist_there():
    z1, z2 = (z.float() for z in features(4, 3, 1, seed=4))
    mask = torch.tensor([[True], [True], [False], [True]])
    keep = torch.tensor([0, 1, 3])
    torch.testing.assert_close(instance_contrastive_loss(z1, z2, mask),
                               ref_instance(z1[keep].transpose(1, 2), z2[keep].transpose(1, 2)))


def test_aligned_views_score_lower_than_shuffled():
    z1, _ = (z.float() for z in features(8, 16, 12, seed=5))
    z2 = z1 + 0.05 * torch.randn_like(z1)
    shuffled = z2[torch.randperm(8, generator=torch.Generator().manual_seed(0))]
    assert hierarchical_contrastive_loss(z1, z2) < hierarchical_contrastive_loss(z1, shuffled)


def test_nothing_to_contrast_is_zero_not_nan():
    z1, z2 = (z.float() for z in features(3, 2, 4, seed=6))
    assert hierarchical_contrastive_loss(z1, z2, torch.zeros(3, 4, dtype=torch.bool)) == 0


def test_module_matches_function():
    z1, z2 = (z.float() for z in features(3, 2, 7, seed=7))
    module = HierarchicalContrastiveLoss(alpha=0.2, temporal_unit=1)
    torch.testing.assert_close(module(z1, z2), hierarchical_contrastive_loss(z1, z2, None, 0.2, 1))
    assert "alpha=0.2" in repr(module) and "temperature=None" in repr(module)
    soft = HierarchicalContrastiveLoss(soft_temporal=1.5)
    torch.testing.assert_close(soft(z1, z2),
                               hierarchical_contrastive_loss(z1, z2, soft_temporal=1.5))
    assert "soft_temporal=1.5" in repr(soft)
    mixed = HierarchicalContrastiveLoss(mixup_negatives=0.3)
    torch.testing.assert_close(seeded(mixed)(z1, z2), seeded(hierarchical_contrastive_loss)(
        z1, z2, mixup_negatives=0.3))
    assert "mixup_negatives=0.3" in repr(mixed)


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"alpha": 1.5}, ValueError, "alpha must be in"),
    ({"alpha": -0.1}, ValueError, "alpha must be >= 0"),
    ({"temporal_unit": -1}, ValueError, "temporal_unit"),
    ({"temporal_unit": 1.0}, ValueError, "temporal_unit"),
    ({"temperature": 0.0}, ValueError, "temperature"),
    ({"soft_temporal": 0.0}, ValueError, "soft_temporal"),
    ({"soft_temporal": -1.0}, ValueError, "soft_temporal"),
])
def test_invalid_parameters(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        HierarchicalContrastiveLoss(**kwargs)


@pytest.mark.parametrize("z1, z2, mask, match", [
    (torch.zeros(2, 3), torch.zeros(2, 3), None, r"\(n, d, t\)"),
    (torch.zeros(2, 3, 4), torch.zeros(2, 3, 5), None, r"\(n, d, t\)"),
    (torch.zeros(2, 3, 4, dtype=torch.long), torch.zeros(2, 3, 4, dtype=torch.long), None,
     "floating point"),
    (torch.zeros(2, 3, 4), torch.zeros(2, 3, 4), torch.ones(2, 5, dtype=torch.bool),
     r"mask must have shape"),
])
def test_invalid_inputs(z1, z2, mask, match):
    with pytest.raises(ValueError, match=match):
        hierarchical_contrastive_loss(z1, z2, mask)


# ------------------------------------------------------------------ soft temporal targets


@pytest.mark.parametrize("ours, ref, name", [
    (temporal_contrastive_loss, ref_soft_temporal, "soft"),
    (hierarchical_contrastive_loss, ref_hierarchical_soft, "soft_temporal")])
@pytest.mark.parametrize("shape", [(4, 3, 8), (2, 2, 13), (3, 4, 1)])
@pytest.mark.parametrize("tau", [0.3, 2.0])
def test_soft_temporal_matches_softclt_value_and_gradients(ours, ref, name, shape, tau):
    z1, z2 = features(*shape, seed=8)
    got, expected = ours_and_ref(ours, ref, z1, z2, **{name: tau})
    for g, e in zip(got, expected):
        torch.testing.assert_close(g.double(), e, rtol=1e-4, atol=1e-5)


def test_soft_temporal_targets():
    targets = soft_temporal_targets(5, 0.5)
    assert targets.shape == (10, 10) and torch.equal(targets, targets.T)
    assert (targets.diagonal() == 0).all()
    steps = torch.arange(5)
    assert (targets[steps, steps + 5] == 1).all()  # the positive: same step, other view
    torch.testing.assert_close(targets[0, 3], torch.tensor(2 / (1 + torch.e ** 1.5)))
    assert (targets[0, 1:5].diff() < 0).all()  # the further in time, the less weight


def test_sharp_soft_temporal_targets_are_the_hard_ones():
    z1, z2 = (z.float() for z in features(3, 4, 12, seed=9))
    mask = torch.arange(12) < torch.tensor([12, 7, 2])[:, None]
    torch.testing.assert_close(hierarchical_contrastive_loss(z1, z2, mask, soft_temporal=60.0),
                               hierarchical_contrastive_loss(z1, z2, mask))
    soft = hierarchical_contrastive_loss(z1, z2, mask, soft_temporal=0.5)
    assert torch.isfinite(soft) and not torch.isclose(soft, hierarchical_contrastive_loss(
        z1, z2, mask))


def test_soft_temporal_padding_does_not_count():
    z1, z2 = (z.float().requires_grad_() for z in features(3, 4, 10, seed=10))
    lengths = torch.tensor([10, 6, 3])
    mask = torch.arange(10) < lengths[:, None]
    base = hierarchical_contrastive_loss(z1, z2, mask, soft_temporal=0.5)
    noisy = [z.masked_fill(~mask[:, None, :], 1e3) for z in (z1, z2)]
    torch.testing.assert_close(hierarchical_contrastive_loss(*noisy, mask, soft_temporal=0.5),
                               base)
    for i, length in enumerate(lengths.tolist()):
        one = [z[i:i + 1, :, :length].transpose(1, 2) for z in (z1, z2)]
        masked = temporal_contrastive_loss(z1[i:i + 1], z2[i:i + 1], mask[i:i + 1], soft=0.5)
        torch.testing.assert_close(masked, ref_soft_temporal(*one, 0.5))
    base.backward()
    for z in (z1, z2):
        assert torch.isfinite(z.grad).all()
        assert (z.grad.masked_select(~mask[:, None, :].expand_as(z)) == 0).all()


# ------------------------------------------------------------ mixed negatives (TimesURL)


def ref_mixup(z, shift, weight):
    """Mixed contrast of ``z`` ``(groups, 2 shift, d)``: anchor ``k`` has positive
    ``k +- shift``; negatives are the other members and every member mixed with
    its partner unit (same draw as the package: one offset per unit)."""
    if shift == 1:
        return z.new_tensor(0.0)
    partner = (torch.arange(shift) + torch.randint(1, shift, (shift,))) % shift
    partner = torch.cat([partner, partner + shift])
    keys = torch.cat([z, weight * z + (1 - weight) * z[:, partner]], dim=1)
    m = 2 * shift
    losses = []
    for k in range(m):
        others = [j for j in range(keys.shape[1]) if j != k]
        logits = z[:, k:k + 1] @ keys[:, others].transpose(1, 2)  # (groups, 1, 2m - 1)
        positive = others.index((k + shift) % m)
        losses.append(-F.log_softmax(logits[:, 0], dim=-1)[:, positive])
    return torch.stack(losses).mean()


def ref_instance_mixup(z1, z2, mixup_negatives):
    return ref_mixup(torch.cat([z1, z2]).transpose(0, 1), z1.size(0), mixup_negatives)


def ref_temporal_mixup(z1, z2, mixup_negatives):
    return ref_mixup(torch.cat([z1, z2], dim=1), z1.size(1), mixup_negatives)


def ref_hierarchical_mixup(z1, z2, mixup_negatives, alpha=0.5):
    loss = torch.tensor(0.0, dtype=z1.dtype)
    d = 0
    while z1.size(1) > 1:
        loss += alpha * ref_instance_mixup(z1, z2, mixup_negatives)
        loss += (1 - alpha) * ref_temporal_mixup(z1, z2, mixup_negatives)
        d += 1
        z1 = F.max_pool1d(z1.transpose(1, 2), kernel_size=2).transpose(1, 2)
        z2 = F.max_pool1d(z2.transpose(1, 2), kernel_size=2).transpose(1, 2)
    if z1.size(1) == 1:
        loss += alpha * ref_instance_mixup(z1, z2, mixup_negatives)
        d += 1
    return loss / d


def seeded(fn):
    def call(*args, **kwargs):
        torch.manual_seed(11)
        return fn(*args, **kwargs)
    return call


@pytest.mark.parametrize("ours, ref", [
    (instance_contrastive_loss, ref_instance_mixup),
    (temporal_contrastive_loss, ref_temporal_mixup),
    (hierarchical_contrastive_loss, ref_hierarchical_mixup)])
@pytest.mark.parametrize("shape", [(4, 3, 8), (2, 2, 13), (1, 3, 6), (3, 4, 1)])
def test_mixup_negatives_match_a_reference_value_and_gradients(ours, ref, shape):
    z1, z2 = features(*shape, seed=12)
    got, expected = ours_and_ref(seeded(ours), seeded(ref), z1, z2, mixup_negatives=0.2)
    for g, e in zip(got, expected):
        torch.testing.assert_close(g.double(), e, rtol=1e-4, atol=1e-5)


def test_mixed_negatives_pair_each_unit_with_another_in_both_views():
    z = torch.arange(2 * 5, dtype=torch.float32).reshape(1, 10, 1).expand(3, 10, 2)
    valid = torch.ones(3, 10, dtype=torch.bool)
    valid[1, 2] = False
    torch.manual_seed(0)
    mixed, mixed_valid = mixed_negatives(z, valid, 5, 0.25)
    partner = ((mixed[0, :, 0] - 0.25 * z[0, :, 0]) / 0.75).round().long()
    assert (partner != torch.arange(10)).all()  # never the member itself
    assert (partner[:5] < 5).all() and torch.equal(partner[5:], partner[:5] + 5)  # same view
    assert not mixed_valid[1, 2] and mixed_valid[0].all()  # a missing member mixes nothing
    assert mixed_valid[1, (partner == 2).nonzero()[:, 0]].logical_not().all()
    one, none = mixed_negatives(z[:, :2], valid[:, :2], 1, 0.25)
    assert not none.any()  # one unit per view: no other unit to mix with


def test_mixup_negatives_make_the_loss_harder_and_ignore_padding():
    z1, z2 = (z.float().requires_grad_() for z in features(4, 3, 9, seed=13))
    mask = torch.arange(9) < torch.tensor([9, 5, 2, 9])[:, None]
    plain = hierarchical_contrastive_loss(z1, z2, mask)
    mixed = seeded(hierarchical_contrastive_loss)(z1, z2, mask, mixup_negatives=0.2)
    assert mixed > plain  # more negatives: a larger cross entropy
    noisy = [z.masked_fill(~mask[:, None, :], 1e3) for z in (z1, z2)]
    torch.testing.assert_close(
        seeded(hierarchical_contrastive_loss)(*noisy, mask, mixup_negatives=0.2), mixed)
    mixed.backward()
    for z in (z1, z2):
        assert torch.isfinite(z.grad).all()
        assert (z.grad.masked_select(~mask[:, None, :].expand_as(z)) == 0).all()


@pytest.mark.parametrize("value", [0.0, 1.0, -0.2, 1.5])
def test_mixup_negatives_outside_the_unit_interval_are_refused(value):
    with pytest.raises(ValueError, match="mixup_negatives"):
        HierarchicalContrastiveLoss(mixup_negatives=value)


# ------------------------------------------------------- cosine similarities and other losses


def test_one_timestamp_with_a_temperature_is_nt_xent():
    z1, z2 = (z.float() for z in features(6, 5, 1, seed=8))
    torch.testing.assert_close(instance_contrastive_loss(z1, z2, temperature=0.3),
                               nt_xent_loss(z1[..., 0], z2[..., 0], temperature=0.3))


@pytest.mark.parametrize("fn, ref", [(instance_contrastive_loss, ref_instance),
                                     (temporal_contrastive_loss, ref_temporal)])
def test_temperature_compares_cosine_similarities(fn, ref):
    z1, z2 = (z.float() for z in features(4, 3, 7, seed=9))
    scaled = [F.normalize(z, dim=1) / 0.2 ** 0.5 for z in (z1, z2)]
    torch.testing.assert_close(fn(z1, z2, temperature=0.2),
                               ref(*(z.transpose(1, 2) for z in scaled)))


def test_multiscale_loss_averages_the_scales_with_timestamps_as_samples():
    z1, z2 = (z.float() for z in features(3, 4, 4, seed=10))
    expected = []
    a, b, mask = z1, z2, torch.ones(3, 4, dtype=torch.bool)
    for _ in range(3):  # t = 4, 2, 1
        expected.append(barlow_twins_loss(a.transpose(1, 2).reshape(-1, 4),
                                          b.transpose(1, 2).reshape(-1, 4)))
        if a.shape[2] > 1:
            a, b, mask = max_pool_pair(a, b, mask)
    got = multiscale_loss(barlow_twins_loss, z1, z2)
    torch.testing.assert_close(got, torch.stack(expected).mean())
    torch.testing.assert_close(MultiscaleLoss(BarlowTwinsLoss())(z1, z2), got)


def test_multiscale_loss_leaves_padding_out():
    z1, z2 = (z.float() for z in features(2, 3, 2, seed=11))
    mask = torch.tensor([[True, True], [True, False]])
    calls = []

    def loss(a, b):
        calls.append(a.shape[0])
        return (a - b).pow(2).mean()

    multiscale_loss(loss, z1, z2, mask)
    assert calls == [3, 2]  # 3 timestamps exist at the first scale, 2 series at the last


# ------------------------------------------------------------ soft instance targets (SoftCLT)


def ref_soft_instance(z1, z2, distances, tau):
    """SoftCLT's soft instance contrast (``inst_CL_soft``, soft labels of
    ``densify(-distances, tau, alpha=0.5)`` expanded by ``dup_matrix``)."""
    B, T = z1.size(0), z1.size(1)
    if B == 1:
        return z1.new_tensor(0.0)
    labels = 1 / (1 + torch.exp(tau * distances.to(z1.dtype))) + 0.5 * torch.eye(B, dtype=z1.dtype)
    off_diagonal = torch.tril(labels, diagonal=-1)[:, :-1] + torch.triu(labels, diagonal=1)[:, 1:]
    left, right = torch.cat([off_diagonal, labels], dim=1), torch.cat([labels, off_diagonal], dim=1)
    z = torch.cat([z1, z2], dim=0).transpose(0, 1)
    sim = torch.matmul(z, z.transpose(1, 2))
    logits = torch.tril(sim, diagonal=-1)[:, :, :-1]
    logits += torch.triu(sim, diagonal=1)[:, :, 1:]
    logits = -F.log_softmax(logits, dim=-1)
    i = torch.arange(B)
    loss = torch.sum(logits[:, i] * left) + torch.sum(logits[:, B + i] * right)
    return loss / (2 * B * T)


def ref_hierarchical_soft_instance(z1, z2, distances, tau, alpha=0.5):
    loss = torch.tensor(0.0, dtype=z1.dtype)
    d = 0
    while z1.size(1) > 1:
        loss += alpha * ref_soft_instance(z1, z2, distances, tau)
        loss += (1 - alpha) * ref_temporal(z1, z2)
        d += 1
        z1 = F.max_pool1d(z1.transpose(1, 2), kernel_size=2).transpose(1, 2)
        z2 = F.max_pool1d(z2.transpose(1, 2), kernel_size=2).transpose(1, 2)
    if z1.size(1) == 1:
        loss += alpha * ref_soft_instance(z1, z2, distances, tau)
        d += 1
    return loss / d


def scaled_distances(n, seed=0):
    g = torch.Generator().manual_seed(seed)
    a = torch.rand(n, n, generator=g, dtype=torch.float64)
    return ((a + a.T) / 2).fill_diagonal_(0.0)


@pytest.mark.parametrize("ours, ref, name", [
    (instance_contrastive_loss, ref_soft_instance, "soft"),
    (hierarchical_contrastive_loss, ref_hierarchical_soft_instance, "soft_instance")])
@pytest.mark.parametrize("shape", [(4, 3, 8), (5, 2, 13), (3, 4, 1), (1, 3, 6)])
@pytest.mark.parametrize("tau", [0.5, 5.0])
def test_soft_instance_matches_softclt_value_and_gradients(ours, ref, name, shape, tau):
    z1, z2 = features(*shape, seed=12)
    distances = scaled_distances(shape[0], seed=shape[2])

    def call(fn):
        def run(a, b, **kwargs):
            if fn is ours:
                return fn(a, b, **{name: tau}, distances=distances.float())
            return fn(a, b, distances, tau)
        return run

    got, expected = ours_and_ref(call(ours), call(ref), z1, z2)
    for g, e in zip(got, expected):
        torch.testing.assert_close(g.double(), e, rtol=1e-4, atol=1e-5)


def test_soft_instance_targets():
    distances = torch.tensor([[0.0, 0.2, 1.0], [0.2, 0.0, 0.6], [1.0, 0.6, 0.0]])
    targets = soft_instance_targets(distances, 3.0)
    assert targets.shape == (6, 6) and torch.equal(targets, targets.T)
    assert (targets.diagonal() == 0).all()
    series = torch.arange(3)
    assert (targets[series, series + 3] == 1).all()  # the positive: same series, other view
    expected = 1 / (1 + torch.exp(torch.tensor(3.0 * 0.2)))
    for row, col in [(0, 1), (0, 4), (3, 1), (3, 4)]:  # both views of series 0 and 1
        torch.testing.assert_close(targets[row, col], expected)
    assert targets[0, 2] < targets[0, 1] < 0.5  # the further apart, the less weight


def test_sharp_soft_instance_targets_are_the_hard_ones():
    z1, z2 = (z.float() for z in features(4, 3, 9, seed=13))
    mask = torch.arange(9) < torch.tensor([9, 6, 3, 9])[:, None]
    distances = (0.5 + 0.5 * scaled_distances(4, seed=1)).fill_diagonal_(0.0).float()
    hard = hierarchical_contrastive_loss(z1, z2, mask)
    torch.testing.assert_close(hierarchical_contrastive_loss(
        z1, z2, mask, soft_instance=200.0, distances=distances), hard)
    soft = hierarchical_contrastive_loss(z1, z2, mask, soft_instance=1.0, distances=distances)
    assert torch.isfinite(soft) and soft > hard  # the other series add positive terms


def test_soft_instance_padding_does_not_count():
    z1, z2 = (z.float().requires_grad_() for z in features(3, 4, 10, seed=14))
    mask = torch.arange(10) < torch.tensor([10, 6, 3])[:, None]
    distances = scaled_distances(3, seed=2).float()
    base = hierarchical_contrastive_loss(z1, z2, mask, soft_instance=2.0, distances=distances)
    noisy = [z.masked_fill(~mask[:, None, :], 1e3) for z in (z1, z2)]
    torch.testing.assert_close(hierarchical_contrastive_loss(
        *noisy, mask, soft_instance=2.0, distances=distances), base)
    base.backward()
    for z in (z1, z2):
        assert torch.isfinite(z.grad).all()
        assert (z.grad.masked_select(~mask[:, None, :].expand_as(z)) == 0).all()


def test_soft_instance_module_passes_the_distances():
    z1, z2 = (z.float() for z in features(3, 2, 7, seed=15))
    distances = scaled_distances(3).float()
    module = HierarchicalContrastiveLoss(soft_instance=2.0)
    torch.testing.assert_close(module(z1, z2, None, distances), hierarchical_contrastive_loss(
        z1, z2, soft_instance=2.0, distances=distances))
    assert "soft_instance=2.0" in repr(module)


@pytest.mark.parametrize("kwargs, match", [
    ({"soft_instance": 0.0, "distances": torch.zeros(3, 3)}, "soft_instance"),
    ({"soft_instance": 1.0}, "needs the distances"),
    ({"soft_instance": 1.0, "distances": torch.zeros(2, 2)}, r"shape \(n, n\)"),
    ({"soft_instance": 1.0, "distances": torch.full((3, 3), float("nan"))}, "finite"),
    ({"distances": torch.zeros(3, 3)}, "only used with soft_instance"),
])
def test_soft_instance_bad_input_is_refused(kwargs, match):
    z1, z2 = (z.float() for z in features(3, 2, 5, seed=16))
    with pytest.raises(ValueError, match=match):
        hierarchical_contrastive_loss(z1, z2, **kwargs)

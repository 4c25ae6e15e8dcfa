"""Data-parallel training on torch.distributed: 2 processes with the gloo backend on CPU."""

import os
import pickle
import subprocess
import sys

import numpy as np
import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from sslts import (
    BarlowTwinsTransformer,
    SimCLRTransformer,
    SSLClassifier,
    TS2VecTransformer,
    VICRegTransformer,
)
from sslts.augmentations import BaseAugmentation
from sslts.training.distributed import SyncedBatchNorm, shard

WORLD_SIZE = 2
METHODS = {"simclr": SimCLRTransformer, "barlow_twins": BarlowTwinsTransformer,
           "vicreg": VICRegTransformer}


class Identity(BaseAugmentation):
    """Deterministic views (the series themselves), so that gradients can be compared."""

    def _augment(self, x, generator, lengths):
        return x.clone()


def data():
    rng = np.random.RandomState(0)
    return np.cumsum(rng.randn(16, 2, 24), axis=-1).astype(np.float32)


def params(method, batch_size):
    common = dict(encoder="resnet", embedding_dim=16, augmentations=Identity(), max_steps=1,
                  batch_size=batch_size, random_state=0, n_jobs=1)
    if method != "simclr":
        common["head_dims"] = (32, 32)
    return common


def classifier(batch_size):
    return SSLClassifier(encoder="resnet", embedding_dim=16, hidden_dims=(16,), max_epochs=1,
                         batch_size=batch_size, random_state=0, n_jobs=1)


def gradients(model):
    return {name: p.grad.clone() for name, p in model.net_.module_.named_parameters()}


def worker(rank, store, out):
    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"file://{store}", rank=rank,
                            world_size=WORLD_SIZE)
    try:
        X = data()
        results = {}
        for method, cls in METHODS.items():
            # global batch 16 = 2 ranks x 8 series
            model = cls(**params(method, 16 // WORLD_SIZE)).fit(X)
            results[method] = gradients(model)
        results["classifier"] = gradients(classifier(16 // WORLD_SIZE).fit(X, np.arange(16) % 2))
        fitted = SimCLRTransformer(encoder="fcn", embedding_dim=8, max_steps=4, batch_size=4,
                                   random_state=None, n_jobs=1).fit(X)
        results["Z"] = fitted.transform(X)
        results["pickle"] = pickle.dumps(fitted)
        results["ts2vec"] = TS2VecTransformer(embedding_dim=8, max_steps=2, batch_size=4,
                                              random_state=0, n_jobs=1).fit(X).transform(X)
        torch.save(results, f"{out}/rank{rank}.pt")
    finally:
        dist.destroy_process_group()


@pytest.fixture(scope="module")
def two_ranks(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ddp")
    mp.spawn(worker, args=(str(tmp / "store"), str(tmp)), nprocs=WORLD_SIZE, join=True)
    return [torch.load(tmp / f"rank{r}.pt", weights_only=False) for r in range(WORLD_SIZE)]


@pytest.mark.parametrize("method", [*METHODS, "classifier"])
def test_gradients_equal_one_process_on_the_global_batch(two_ranks, method):
    """NT-Xent negatives, Barlow Twins and VICReg statistics and batch norm over all
    ranks: one step's gradients are those of one process on the 16 series (also for
    fine-tuning, whose loss is a mean over the batch)."""
    if method == "classifier":
        single = gradients(classifier(16).fit(data(), np.arange(16) % 2))
    else:
        single = gradients(METHODS[method](**params(method, 16)).fit(data()))
    # float32 sums in another order: absolute tolerance relative to the gradients' scale
    # (the bias of a linear layer before batch norm has a zero gradient, up to rounding)
    scale = max(float(grad.abs().max()) for grad in single.values())
    for rank in range(WORLD_SIZE):
        got = two_ranks[rank][method]
        assert got.keys() == single.keys()
        for name, grad in single.items():
            torch.testing.assert_close(got[name], grad, rtol=1e-4, atol=1e-5 * scale, msg=name)


def test_every_rank_ends_with_the_same_model_which_pickles(two_ranks):
    np.testing.assert_array_equal(two_ranks[0]["Z"], two_ranks[1]["Z"])
    model = pickle.loads(two_ranks[0]["pickle"])
    Z = model.transform(data())
    np.testing.assert_allclose(Z, two_ranks[0]["Z"], rtol=1e-5, atol=1e-6)
    # the trained module holds plain batch-norm layers again
    assert not any(isinstance(m, SyncedBatchNorm) for m in model.net_.module_.modules())
    assert np.isfinite(two_ranks[0]["ts2vec"]).all()
    np.testing.assert_array_equal(two_ranks[0]["ts2vec"], two_ranks[1]["ts2vec"])


@pytest.mark.parametrize("n", [7, 8, 1])
def test_shards_are_equal_sized_and_cover_the_epoch(n):
    order = torch.randperm(n, generator=torch.Generator().manual_seed(0))
    shards = [shard(order, r, 3) for r in range(3)]
    assert len({len(s) for s in shards}) == 1
    together = torch.cat(shards)
    assert set(together.tolist()) == set(order.tolist())
    assert len(together) - n < 3  # at most world_size - 1 repeats


def test_synced_batch_norm_without_group_is_batch_norm():
    bn = torch.nn.BatchNorm1d(3)
    x = torch.randn(5, 3, 7)
    torch.testing.assert_close(SyncedBatchNorm(bn)(x), torch.nn.BatchNorm1d(3)(x))


TORCHRUN_SCRIPT = """
import sys
import numpy as np
import torch.distributed as dist
from sslts import SimCLRTransformer
X = np.random.RandomState(0).randn(12, 1, 20).astype(np.float32)
model = SimCLRTransformer(encoder="fcn", embedding_dim=8, max_steps=3, batch_size=3,
                          device="cpu", n_jobs=1, random_state=0).fit(X)
assert dist.is_initialized() and dist.get_backend() == "gloo"
np.save(f"{sys.argv[1]}/Z{dist.get_rank()}.npy", model.transform(X))
"""


def test_torchrun_launch_initialises_the_group(tmp_path):
    """Under torchrun the estimator sets up the process group from the environment."""
    script = tmp_path / "train.py"
    script.write_text(TORCHRUN_SCRIPT)
    subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone",
                    "--nproc_per_node=2", str(script), str(tmp_path)],
                   check=True, capture_output=True, timeout=300,
                   env={**os.environ, "OMP_NUM_THREADS": "1"})
    Z0, Z1 = np.load(tmp_path / "Z0.npy"), np.load(tmp_path / "Z1.npy")
    np.testing.assert_array_equal(Z0, Z1)
    assert np.isfinite(Z0).all()

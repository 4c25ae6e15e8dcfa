"""Fit time of TS2VecTransformer against the reference TS2Vec code, same data, same machine.

Both fit the TRAIN split of each dataset with their defaults (200
iterations, batch 8, 320-d output); the fits alternate (reference, ours
with both crops in one forward pass, ours with one pass per crop) so that
a change in machine load hits all of them. Each is preceded by an untimed
warm-up fit (imports, first-call initialisation). Prints the median fit
seconds of each and the ratio of medians to the reference.

Needs the reference package (``pip install ts2vec``). Run alone on a quiet
machine (about 10 minutes on 2 CPU cores)::

    python benchmarks/ts2vec_speed.py --datasets ItalyPowerDemand,GunPoint --repeats 3
"""

import argparse
import statistics
import time

import numpy as np


def reference_fit(X, seed):
    """Fit the reference TS2Vec on ``X`` (n, c, t) with its defaults."""
    import torch
    from ts2vec import TS2Vec

    from sslts.evaluation.baselines import TS2VEC_PARAMS

    torch.manual_seed(seed)
    np.random.seed(seed)
    data = np.ascontiguousarray(X.transpose(0, 2, 1))
    TS2Vec(input_dims=data.shape[2], device="cpu", **TS2VEC_PARAMS).fit(data)


def ours_fit(X, seed, joint):
    """Fit TS2VecTransformer on ``X`` with its defaults; ``joint`` chooses the crop passes."""
    from sslts import TS2VecTransformer
    from sslts.training.objectives import OverlappingCrops

    model = TS2VecTransformer(random_state=seed, device="cpu")
    build = model._build_objective

    def objective(augmentations):
        crops = build(augmentations)
        assert isinstance(crops, OverlappingCrops)
        crops.joint = joint
        return crops

    model._build_objective = objective
    model.fit(X)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="ItalyPowerDemand,GunPoint")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    from sslts.datasets import load_ucr_uea

    runs = {"reference": lambda X, s: reference_fit(X, s),
            "ours joint": lambda X, s: ours_fit(X, s, True),
            "ours separate": lambda X, s: ours_fit(X, s, False)}
    warm = np.random.default_rng(0).standard_normal((16, 1, 32)).astype(np.float32)
    for fit in runs.values():
        fit(warm, 0)
    for dataset in args.datasets.split(","):
        X, _ = load_ucr_uea(dataset, "train")
        X = np.asarray(X, dtype=np.float32)
        times = {name: [] for name in runs}
        for repeat in range(args.repeats):
            for name, fit in runs.items():
                start = time.perf_counter()
                fit(X, repeat)
                times[name].append(time.perf_counter() - start)
        medians = {name: statistics.median(values) for name, values in times.items()}
        for name, values in times.items():
            print(f"{dataset:18s} {name:14s} median {medians[name]:7.2f} s  "
                  f"ratio to reference {medians[name] / medians['reference']:.3f}  "
                  f"runs {[round(v, 1) for v in values]}", flush=True)


if __name__ == "__main__":
    main()

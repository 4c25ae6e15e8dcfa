"""sslts inside sktime and aeon pipelines, next to their own transformers.

Fits, on each dataset's TRAIN split, a sktime ``SklearnClassifierPipeline``
whose transformer is ``SktimeSSLTransformer(SimCLRTransformer())`` (library
defaults) and whose classifier is ``RidgeClassifierCV``, and the same
pipeline with sktime's ``MiniRocketMultivariate``; then, when aeon and
TensorFlow are installed, aeon's self-supervised ``TRILITE`` transformer with
the same ridge classifier. Prints test accuracy and fit seconds per dataset
and seed as a Markdown table.

Usage::

    python benchmarks/ecosystem.py [--datasets ArrowHead,BasicMotions] [--seeds 3]
"""

import argparse
import importlib.util
import time

import numpy as np
from sklearn.linear_model import RidgeClassifierCV
from sktime.classification.compose import SklearnClassifierPipeline
from sktime.transformations.panel.rocket import MiniRocketMultivariate

from sslts import SimCLRTransformer
from sslts.adapters.sktime import SktimeSSLTransformer
from sslts.datasets import load_ucr_uea

ALPHAS = np.logspace(-3, 3, 10)


def sktime_pipelines(seed):
    """Name -> unfitted sktime pipeline."""
    return {
        "sslts SimCLR (sktime pipeline)": SklearnClassifierPipeline(
            RidgeClassifierCV(alphas=ALPHAS),
            [SktimeSSLTransformer(SimCLRTransformer(random_state=seed))]),
        "MiniRocket (sktime pipeline)": SklearnClassifierPipeline(
            RidgeClassifierCV(alphas=ALPHAS), [MiniRocketMultivariate(random_state=seed)]),
    }


def aeon_trilite(seed):
    """aeon's TRILITE with a ridge classifier, or None without aeon and TensorFlow."""
    if importlib.util.find_spec("tensorflow") is None or importlib.util.find_spec("aeon") is None:
        return None
    from aeon.transformations.collection.self_supervised import TRILITE
    from sklearn.pipeline import make_pipeline

    return make_pipeline(TRILITE(random_state=seed), RidgeClassifierCV(alphas=ALPHAS))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="ArrowHead,BasicMotions")
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    rows = []
    for name in args.datasets.split(","):
        X_train, y_train = load_ucr_uea(name, "train")
        X_test, y_test = load_ucr_uea(name, "test")
        MiniRocketMultivariate().fit(X_train[:2])  # numba compiles once, untimed
        for seed in range(args.seeds):
            models = sktime_pipelines(seed)
            trilite = aeon_trilite(seed)
            if trilite is not None:
                models["aeon TRILITE (aeon, TensorFlow)"] = trilite
            for label, model in models.items():
                start = time.perf_counter()
                model.fit(X_train, y_train)
                seconds = time.perf_counter() - start
                rows.append((name, label, seed, model.score(X_test, y_test), seconds))
                print(rows[-1], flush=True)
    print("\n| dataset | model | accuracy (mean ± std) | fit (s) |\n|---|---|---|---|")
    keys = list(dict.fromkeys((r[0], r[1]) for r in rows))
    for dataset, label in keys:
        accuracy = [r[3] for r in rows if r[:2] == (dataset, label)]
        seconds = [r[4] for r in rows if r[:2] == (dataset, label)]
        print(f"| {dataset} | {label} | {np.mean(accuracy):.3f} ± {np.std(accuracy):.3f} "
              f"| {np.mean(seconds):.1f} |")


if __name__ == "__main__":
    main()

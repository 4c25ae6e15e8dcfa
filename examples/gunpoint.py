"""Self-supervised embeddings of the bundled GunPoint data, scored by an SVM probe.

Fits SimCLR, Barlow Twins and VICReg with their default parameters on the
GunPoint training split (labels unused), embeds both splits, and reports the
test accuracy of the RBF SVM probe of the TS2Vec protocol next to a 1-NN
Euclidean baseline on the raw series.

Run: ``python examples/gunpoint.py [--seeds 0 1 2]``
"""

import argparse
import time

import numpy as np
from sklearn.neighbors import KNeighborsClassifier
from sktime.datasets import load_UCR_UEA_dataset

from sslts import BarlowTwinsTransformer, SimCLRTransformer, VICRegTransformer
from sslts.evaluation import svm_probe

METHODS = {
    "SimCLR": SimCLRTransformer,
    "BarlowTwins": BarlowTwinsTransformer,
    "VICReg": VICRegTransformer,
}


def load(split):
    X, y = load_UCR_UEA_dataset("GunPoint", split=split, return_X_y=True,
                                return_type="numpy3D")
    return X, y


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=list(METHODS))
    args = parser.parse_args()

    X_train, y_train = load("train")
    X_test, y_test = load("test")
    print(f"GunPoint: train {X_train.shape}, test {X_test.shape}")
    knn = KNeighborsClassifier(n_neighbors=1).fit(X_train[:, 0], y_train)
    print(f"{'1-NN Euclidean (raw)':<22} accuracy {knn.score(X_test[:, 0], y_test):.3f}")

    for name in args.methods:
        scores, seconds = [], []
        for seed in args.seeds:
            start = time.perf_counter()
            model = METHODS[name](random_state=seed).fit(X_train)
            seconds.append(time.perf_counter() - start)
            probe = svm_probe(model.transform(X_train), y_train)
            scores.append(probe.score(model.transform(X_test), y_test))
        print(f"{name + ' + SVM':<22} accuracy {np.mean(scores):.3f} "
              f"(std {np.std(scores):.3f}, {len(scores)} seed(s)), "
              f"fit {np.mean(seconds):.1f} s")


if __name__ == "__main__":
    main()

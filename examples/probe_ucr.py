"""Self-supervised embeddings of a UCR/UEA dataset, scored by an SVM probe.

Fits SimCLR, Barlow Twins and VICReg with their default parameters on the
training split (labels unused), embeds both splits, and reports the test
accuracy of the RBF SVM probe of the TS2Vec protocol, next to a 1-NN
Euclidean baseline on the raw series when they all have one length.

Run: ``python examples/probe_ucr.py [--dataset GunPoint] [--seeds 0 1 2]``.
The datasets bundled with sktime work offline: ACSF1, ArrowHead, GunPoint,
ItalyPowerDemand, OSULeaf, PLAID (variable length), BasicMotions and
JapaneseVowels (multivariate, variable length). Series of different lengths
are passed as sktime ``nested_univ`` frames, which the transformers accept.
"""

import argparse
import time

import numpy as np
from sklearn.neighbors import KNeighborsClassifier
from sktime.datasets import load_UCR_UEA_dataset

from sslts import BarlowTwinsTransformer, SimCLRTransformer, VICRegTransformer
from sslts.evaluation import svm_probe
from sslts.utils.validation import check_time_series

METHODS = {
    "SimCLR": SimCLRTransformer,
    "BarlowTwins": BarlowTwinsTransformer,
    "VICReg": VICRegTransformer,
}


def raw_1nn_accuracy(X_train, y_train, X_test, y_test):
    """1-NN Euclidean accuracy on the raw series, or None for variable lengths."""
    A, lengths_a = check_time_series(X_train)
    B, lengths_b = check_time_series(X_test, min_samples=1)
    if len(set(lengths_a) | set(lengths_b)) > 1:
        return None
    knn = KNeighborsClassifier(n_neighbors=1).fit(A.reshape(len(A), -1), y_train)
    return knn.score(B.reshape(len(B), -1), y_test)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="GunPoint")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=list(METHODS))
    args = parser.parse_args()

    X_train, y_train = load_UCR_UEA_dataset(args.dataset, split="train", return_X_y=True)
    X_test, y_test = load_UCR_UEA_dataset(args.dataset, split="test", return_X_y=True)
    print(f"{args.dataset}: {len(X_train)} train and {len(X_test)} test series")
    baseline = raw_1nn_accuracy(X_train, y_train, X_test, y_test)
    if baseline is not None:
        print(f"{'1-NN Euclidean (raw)':<22} accuracy {baseline:.3f}")

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

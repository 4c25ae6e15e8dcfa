"""Semi-supervised classification of GunPoint with 10 % of the labels.

Hides all but 10 % of the training labels (stratified, ``y = -1`` for the
others), then compares on the test split:

- ``SemiSupervisedClassifier(SimCLRTransformer(), LogisticRegression())``:
  SimCLR learns from all 50 training series, the logistic regression from
  the labeled ones only;
- the same logistic regression on the raw series of the labeled rows only;
- for reference, the same SimCLR embeddings with all training labels.

Run: ``python examples/semi_supervised.py [--seeds 0 1 2] [--max-epochs 40]``.
Each seed draws another labeled subset and another SimCLR initialisation.
GunPoint ships with sktime, so this works offline.
"""

import argparse
import time

import numpy as np
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sktime.datasets import load_UCR_UEA_dataset

from sslts import SemiSupervisedClassifier, SimCLRTransformer


def load(split):
    X, y = load_UCR_UEA_dataset("GunPoint", split=split, return_type="numpy3D",
                                return_X_y=True)
    return X, y.astype(int)


def hide_labels(y, fraction, seed):
    """Copy of ``y`` where all but a stratified ``fraction`` of rows are -1."""
    keep, _ = train_test_split(np.arange(len(y)), train_size=fraction, stratify=y,
                               random_state=seed)
    y_semi = np.full_like(y, -1)
    y_semi[keep] = y[keep]
    return y_semi


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--max-epochs", type=int, default=40)
    parser.add_argument("--labeled-fraction", type=float, default=0.1)
    args = parser.parse_args()

    X_train, y_train = load("train")
    X_test, y_test = load("test")
    classifier = LogisticRegression(max_iter=1000)
    results = {"SimCLR + LogReg, few labels": [], "LogReg on raw series, few labels": [],
               "SimCLR + LogReg, all labels": []}
    seconds = []
    for seed in args.seeds:
        y_semi = hide_labels(y_train, args.labeled_fraction, seed)
        labeled = y_semi != -1

        start = time.perf_counter()
        model = SemiSupervisedClassifier(
            SimCLRTransformer(max_epochs=args.max_epochs, random_state=seed),
            clone(classifier),
        ).fit(X_train, y_semi)
        seconds.append(time.perf_counter() - start)
        results["SimCLR + LogReg, few labels"].append(model.score(X_test, y_test))

        raw = clone(classifier).fit(X_train[labeled].reshape(labeled.sum(), -1),
                                    y_train[labeled])
        results["LogReg on raw series, few labels"].append(
            raw.score(X_test.reshape(len(X_test), -1), y_test))

        full = clone(classifier).fit(model.ssl_.transform(X_train), y_train)
        results["SimCLR + LogReg, all labels"].append(
            full.score(model.ssl_.transform(X_test), y_test))

    print(f"GunPoint: {len(X_train)} train series, {labeled.sum()} labeled "
          f"({args.labeled_fraction:.0%}), {len(X_test)} test series; "
          f"SimCLR max_epochs={args.max_epochs}, seeds {args.seeds}")
    for name, scores in results.items():
        print(f"{name:<34} test accuracy {np.mean(scores):.3f} "
              f"(std {np.std(scores):.3f}; per seed {np.round(scores, 3).tolist()})")
    print(f"SemiSupervisedClassifier fit: {np.mean(seconds):.0f} s per seed")


if __name__ == "__main__":
    main()

"""Few labels: linear probe versus fine-tuning versus training from scratch.

A SimCLR encoder is pretrained on all training series of a UCR dataset
without their labels. Then, for a fraction of the training labels (a
stratified subset drawn with a fixed seed, the same for every method and
training seed), these classifiers are compared on the test split:

- linear probe: logistic regression on the standardised SimCLR embeddings;
- fine-tuning: ``SSLClassifier(encoder=simclr)``, the pretrained encoder and
  a new linear head trained together on the labelled subset;
- probe then fine-tune: the same, with the encoder frozen for the first half
  of the epochs (``freeze_encoder=True, unfreeze_after=epochs // 2``);
- from scratch: ``SSLClassifier(encoder="resnet")``, the same network and
  training budget starting from random weights (the supervised baseline).

Each training seed pretrains once and reuses the encoder for every fraction;
the table gives the mean and standard deviation of the test accuracy over
the seeds, and the mean fit time.

Run: ``python examples/fine_tuning.py [--dataset GunPoint]
[--fractions 0.1 0.25 1.0] [--seeds 0 1 2] [--subset-seed 0]
[--ssl-epochs 100] [--epochs 50] [--batch-size 16]``.
The datasets bundled with sktime work offline (GunPoint, ArrowHead, ...).
"""

import argparse
import time
from collections import defaultdict

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sktime.datasets import load_UCR_UEA_dataset

from sslts import SimCLRTransformer, SSLClassifier


def labelled_subset(y, fraction, seed):
    """Indices of a stratified ``fraction`` of ``y`` (all of them for 1.0)."""
    index = np.arange(len(y))
    if fraction >= 1:
        return index
    subset, _ = train_test_split(index, train_size=fraction, stratify=y, random_state=seed)
    return np.sort(subset)


def timed(fn, *args):
    """``fn(*args)`` and the seconds it took."""
    start = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - start


def classifiers(ssl, args, seed):
    """The fine-tuned and from-scratch classifiers, by name."""
    tuning = dict(max_epochs=args.epochs, batch_size=args.batch_size, random_state=seed)
    return {
        "fine-tuning": SSLClassifier(encoder=ssl, **tuning),
        "probe then fine-tune": SSLClassifier(encoder=ssl, freeze_encoder=True,
                                              unfreeze_after=args.epochs // 2, **tuning),
        "from scratch": SSLClassifier(encoder="resnet", **tuning),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="GunPoint")
    parser.add_argument("--fractions", type=float, nargs="+", default=[0.1, 0.25, 1.0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--subset-seed", type=int, default=0)
    parser.add_argument("--ssl-epochs", type=int, default=100)
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--batch-size", type=int, default=16)
    args = parser.parse_args()

    load = dict(return_X_y=True, return_type="numpy3D")
    X_train, y_train = load_UCR_UEA_dataset(args.dataset, split="train", **load)
    X_test, y_test = load_UCR_UEA_dataset(args.dataset, split="test", **load)
    print(f"{args.dataset}: {len(X_train)} train and {len(X_test)} test series, "
          f"{len(np.unique(y_train))} classes")
    subsets = {f: labelled_subset(y_train, f, args.subset_seed) for f in args.fractions}

    scores, seconds = defaultdict(list), defaultdict(list)  # keyed by (fraction, method)
    for seed in args.seeds:
        simclr = SimCLRTransformer(max_epochs=args.ssl_epochs, random_state=seed)
        ssl, pretrain_s = timed(simclr.fit, X_train)
        print(f"seed {seed}: SimCLR pretraining on {len(X_train)} unlabelled series "
              f"{pretrain_s:.0f} s")
        Z_train, Z_test = ssl.transform(X_train), ssl.transform(X_test)
        for fraction, index in subsets.items():
            X, y = X_train[index], y_train[index]
            probe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000))
            fitted, probe_s = timed(probe.fit, Z_train[index], y)
            scores[fraction, "linear probe"].append(fitted.score(Z_test, y_test))
            seconds[fraction, "linear probe"].append(probe_s)
            for name, model in classifiers(ssl, args, seed).items():
                _, fit_s = timed(model.fit, X, y)
                scores[fraction, name].append(model.score(X_test, y_test))
                seconds[fraction, name].append(fit_s)

    methods = ["linear probe", *classifiers(None, args, 0)]
    print(f"\nTest accuracy, mean ± std over seeds {args.seeds} (mean fit seconds):\n")
    print("| labels | series | " + " | ".join(methods) + " |")
    print("|---" * (len(methods) + 2) + "|")
    for fraction, index in subsets.items():
        cells = [f"{np.mean(scores[fraction, m]):.3f} ± {np.std(scores[fraction, m]):.3f} "
                 f"({np.mean(seconds[fraction, m]):.1f} s)" for m in methods]
        print(f"| {fraction:.0%} | {len(index)} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()

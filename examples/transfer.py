"""Transfer: pretrain an encoder on one dataset, reuse it on another.

A SimCLR encoder is pretrained without labels on the training series of a
source dataset (each epoch on a fresh random subset of them,
``max_samples_per_epoch``, to bound the cost) and saved to a file with
``save_encoder``; the file is read back with ``sslts.nn.load_encoder``
(``torch.load(weights_only=True)``: no pickled code). On the target dataset,
three encoders are scored with the SVM probe of the TS2Vec protocol
(``sslts.evaluation.svm_probe``, fitted on the target's training embeddings,
accuracy on its test split):

- transfer, frozen: the source encoder embeds the target as it is;
- transfer + SSL: SimCLR continues from the source encoder on the target's
  training series (``encoder=loaded_module``) for ``--epochs`` epochs;
- from scratch: SimCLR from random weights on the target's training
  series, for the same ``--epochs`` epochs.

The source is pretrained once (seed 0); the target fits are repeated for
each of ``--seeds`` and reported as mean and standard deviation.

When the target has another number of channels than the source, the frozen
row is skipped and a trainable 1x1 convolution adapts the channels (with a
warning), e.g. ``--source GunPoint --target BasicMotions``.

Run: ``python examples/transfer.py [--source OSULeaf] [--target ArrowHead]
[--source-epochs 100] [--samples-per-epoch 64] [--epochs 100] [--seeds 0 1 2]``.
"""

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from sktime.datasets import load_UCR_UEA_dataset

from sslts import SimCLRTransformer
from sslts.evaluation import svm_probe
from sslts.nn import load_encoder


def load(name, split):
    return load_UCR_UEA_dataset(name, split=split, return_X_y=True, return_type="numpy3D")


def probe_accuracy(model, target):
    X_train, y_train, X_test, y_test = target
    return svm_probe(model.transform(X_train), y_train).score(model.transform(X_test), y_test)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", default="OSULeaf")
    parser.add_argument("--target", default="ArrowHead")
    parser.add_argument("--source-epochs", type=int, default=100)
    parser.add_argument("--samples-per-epoch", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args()

    X_source, _ = load(args.source, "train")
    target = (*load(args.target, "train"), *load(args.target, "test"))
    print(f"source {args.source}: {X_source.shape[0]} series of {X_source.shape[1]} channel(s); "
          f"target {args.target}: {len(target[0])} train and {len(target[2])} test series "
          f"of {target[0].shape[1]} channel(s)")

    start = time.perf_counter()
    source = SimCLRTransformer(max_epochs=args.source_epochs, random_state=0,
                               max_samples_per_epoch=args.samples_per_epoch)
    source.fit(X_source)
    print(f"pretraining on {args.source}: {time.perf_counter() - start:.0f} s")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "encoder.pt"
        source.save_encoder(path)
        pretrained = load_encoder(path)

    rows = []
    if target[0].shape[1] == source.n_channels_in_:
        rows.append(("transfer, frozen", [probe_accuracy(source, target)], [0.0]))
    for name, encoder in [("transfer + SSL on target", pretrained),
                          ("from scratch on target", "resnet")]:
        scores, seconds = [], []
        for seed in args.seeds:
            start = time.perf_counter()
            model = SimCLRTransformer(encoder=encoder, max_epochs=args.epochs,
                                      random_state=seed).fit(target[0])
            seconds.append(time.perf_counter() - start)
            scores.append(probe_accuracy(model, target))
        rows.append((name, scores, seconds))

    print(f"\n| encoder | {args.target} test accuracy (SVM probe) | target fit s |")
    print("|---|---|---|")
    for name, scores, seconds in rows:
        print(f"| {name} | {np.mean(scores):.3f} ± {np.std(scores):.3f} "
              f"({len(scores)} run(s)) | {np.mean(seconds):.0f} |")


if __name__ == "__main__":
    main()

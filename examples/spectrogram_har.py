"""Activity recognition from spectrograms of an accelerometer recording.

Builds two accelerometer "recordings" as CSV files from the BasicMotions data
bundled with sktime (a person standing, walking, running and playing
badminton; 10 s series at 10 Hz, accelerometer in the first three channels):
the UEA train series one after the other in a random order, and a later,
held-out recording of the UEA test series. Each file has the columns
"ACC X", "ACC Y", "ACC Z" and "activity".

Both recordings are cut into labelled windows with
:func:`sslts.datasets.load_csv_windows` (windows spanning two activities are
dropped), turned into log-magnitude spectrograms with
:class:`sslts.spectrogram.Spectrogram`, and SimCLR learns a 2-D ResNet
encoder on the windows of the first recording without their labels. A
k-nearest-neighbour classifier fitted on the embeddings of the first
recording is scored on the held-out one, next to the same classifier on the
raw windows and on the flattened spectrograms.

Run: ``python examples/spectrogram_har.py [--epochs 10] [--seeds 0 1 2]
[--device auto]`` (a few minutes on 2 CPU cores).
"""

import argparse
import os
import tempfile
import time

import numpy as np
import pandas as pd
from sklearn.neighbors import KNeighborsClassifier
from sktime.datasets import load_UCR_UEA_dataset

from sslts import SimCLRTransformer, Spectrogram
from sslts.datasets import load_csv_windows

COLUMNS = ["ACC X", "ACC Y", "ACC Z"]


def write_recording(split, path, seed):
    """Write the accelerometer series of ``split`` one after the other to a CSV file."""
    X, y = load_UCR_UEA_dataset("BasicMotions", split=split, return_type="numpy3D")
    order = np.random.RandomState(seed).permutation(len(X))
    values = np.concatenate([X[i, :3].T for i in order])  # (n * 100, 3)
    frame = pd.DataFrame(values, columns=COLUMNS)
    frame["activity"] = np.repeat(y[order], X.shape[-1])
    frame.to_csv(path, index=False)
    return len(frame)


def knn_accuracy(A, y_a, B, y_b, k):
    """Accuracy of a k-NN (Euclidean) classifier fitted on ``A`` and scored on ``B``."""
    knn = KNeighborsClassifier(n_neighbors=k).fit(A.reshape(len(A), -1), y_a)
    return knn.score(B.reshape(len(B), -1), y_b)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--window", type=int, default=50, help="window length (rows, 10 Hz)")
    parser.add_argument("--stride", type=int, default=10, help="rows between windows")
    parser.add_argument("--n-fft", type=int, default=16)
    parser.add_argument("--hop", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--device", default="auto")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        paths = {part: os.path.join(folder, f"recording_{part}.csv") for part in ("train", "test")}
        rows = {part: write_recording(part, path, seed=seed)
                for (part, path), seed in zip(paths.items(), (0, 1))}
        windows = {
            part: load_csv_windows(path, COLUMNS, args.window, stride=args.stride,
                                   label_column="activity", drop_mixed=True)
            for part, path in paths.items()
        }
    (X_train, y_train), (X_test, y_test) = windows["train"], windows["test"]
    for part, (X, y) in windows.items():
        counts = ", ".join(f"{a} {n}" for a, n in zip(*np.unique(y, return_counts=True)))
        print(f"{part}: {rows[part]} rows -> {len(X)} windows of {args.window} ({counts})")

    spectrogram = Spectrogram(n_fft=args.n_fft, hop_length=args.hop).fit(X_train)
    S_train, S_test = spectrogram.transform(X_train), spectrogram.transform(X_test)
    print(f"spectrograms: {S_train.shape[1:]} (channels, frequencies, frames)")

    print(f"{'features':<32} {'1-NN':>6} {'5-NN':>6}")
    for name, (A, B) in {"raw windows": (X_train, X_test),
                         "spectrograms (flattened)": (S_train, S_test)}.items():
        print(f"{name:<32} {knn_accuracy(A, y_train, B, y_test, 1):6.3f} "
              f"{knn_accuracy(A, y_train, B, y_test, 5):6.3f}")

    scores, seconds = {1: [], 5: []}, []
    for seed in args.seeds:
        model = SimCLRTransformer(encoder="resnet2d", max_epochs=args.epochs,
                                  device=args.device, random_state=seed)
        start = time.perf_counter()
        model.fit(S_train)
        seconds.append(time.perf_counter() - start)
        Z_train, Z_test = model.transform(S_train), model.transform(S_test)
        for k, values in scores.items():
            values.append(knn_accuracy(Z_train, y_train, Z_test, y_test, k))
        print(f"  seed {seed}: 1-NN {scores[1][-1]:.3f}, 5-NN {scores[5][-1]:.3f}, "
              f"fit {seconds[-1]:.0f} s")
    print(f"{'SimCLR resnet2d on spectrograms':<32} {np.mean(scores[1]):6.3f} "
          f"{np.mean(scores[5]):6.3f}  (mean of {len(args.seeds)} seeds; std "
          f"{np.std(scores[1]):.3f} / {np.std(scores[5]):.3f}; fit {np.mean(seconds):.0f} s "
          f"on {model.net_.device})")


if __name__ == "__main__":
    main()

"""Compare readouts of the per-timestamp features into one series embedding.

Each method is fitted once per dataset and seed (library defaults, labels
unused); its per-timestamp features (``transform_timestamps``) are then
read out in several ways and each readout is scored with the SVM probe of
the benchmark protocol (test accuracy). One fit serves every readout, so
the differences come from the readout alone:

- ``default``: the method's own ``transform`` (max pooling for TS2Vec,
  mean pooling for the ResNet of SimCLR, Barlow Twins and VICReg);
- ``max``, ``mean``: global max / mean over the valid time steps;
- ``max_mean``: both, concatenated (2 d features);
- ``pyramid``: max over the whole series, its 2 halves and its 4 quarters,
  concatenated (7 d features; temporal pyramid pooling, which keeps where
  in the series a feature fired);
- ``multiscale``: after TS2Vec's multi-scale encoding, the features
  max-pooled over sliding windows of 2**(k+1)+1 steps for k = 0 .. K-1
  (K = floor(log2(length)) - 1), each averaged over the valid steps: one
  d-vector per scale, concatenated (K d features);
- ``blocks`` (ResNet encoders only): the mean over the valid time steps of
  every residual block's output, not only the last one's, concatenated,
  with the series statistics that ``transform`` appends under
  ``standardize="series"`` (64 + 128 + 128 + 2 c features for the default
  ResNet): earlier blocks keep more of the input, as an untrained encoder
  does.

Run (about 10 minutes on 2 CPU cores; nothing else should run)::

    python benchmarks/readout_search.py --output docs/tuning/readouts.csv
    python benchmarks/readout_search.py --methods simclr,barlowtwins,vicreg \
        --output docs/tuning/readouts_blocks.csv
"""

import argparse
import itertools
import time

import numpy as np


def segment_max(H, n_segments):
    """Max over ``n_segments`` equal parts of each series' valid steps.

    Parameters
    ----------
    H : ndarray of shape (n, t, d)
        Per-timestamp features, NaN where a series is padding.
    n_segments : int
        Number of parts.

    Returns
    -------
    ndarray of shape (n, n_segments * d)
    """
    lengths = (~np.isnan(H[:, :, 0])).sum(axis=1)
    out = np.empty((H.shape[0], n_segments, H.shape[2]), dtype=H.dtype)
    for i, length in enumerate(lengths):
        edges = np.linspace(0, length, n_segments + 1).round().astype(int)
        for s in range(n_segments):
            stop = max(edges[s + 1], edges[s] + 1)  # at least one step per part
            out[i, s] = H[i, edges[s]:stop].max(axis=0)
    return out.reshape(H.shape[0], -1)


def windowed_max_means(H):
    """Mean over time of the features max-pooled over windows of 2**(k+1)+1 steps.

    Parameters
    ----------
    H : ndarray of shape (n, t, d)
        Per-timestamp features, NaN where a series is padding.

    Returns
    -------
    ndarray of shape (n, K * d)
        One d-vector per scale k = 0 .. K-1, K = floor(log2(t)) - 1.
    """
    import torch
    import torch.nn.functional as F

    valid = torch.from_numpy(~np.isnan(H[:, :, :1])).transpose(1, 2)  # (n, 1, t)
    h = torch.from_numpy(np.nan_to_num(H, nan=-np.inf)).transpose(1, 2)  # (n, d, t)
    t = H.shape[1]
    scales = []
    for k in range(max(int(np.log2(t)) - 1, 1)):
        width = 2 ** (k + 1) + 1
        pooled = F.max_pool1d(h, width, stride=1, padding=width // 2)
        pooled = pooled.masked_fill(~valid, 0.0)
        scales.append(pooled.sum(-1) / valid.sum(-1))
    return torch.cat(scales, dim=1).numpy()


def block_means(estimator, X):
    """Mean over time of every residual block's output, with the series statistics.

    Parameters
    ----------
    estimator : fitted transformer whose encoder contains a ResNet1D
    X : array-like of shape (n, c, t)

    Returns
    -------
    ndarray of shape (n, sum of block widths + the appended statistics)
        None when the encoder has no ResNet1D.
    """
    import torch

    from sslts.nn import ResNet1D

    resnets = [m for m in estimator.encoder_.modules() if isinstance(m, ResNet1D)]
    if not resnets:
        return None
    captured = [[] for _ in resnets[0].blocks]

    def hook(index):
        def record(module, args, output):
            mask = args[1]  # (n, 1, t) float, or None without padding
            if mask is None:
                captured[index].append(output.mean(-1))
            else:
                captured[index].append((output * mask).sum(-1) / mask.sum(-1))
        return record

    handles = [block.register_forward_hook(hook(i)) for i, block in enumerate(resnets[0].blocks)]
    try:
        Z = estimator.transform(X)  # runs the encoder batch by batch
    finally:
        for handle in handles:
            handle.remove()
    blocks = [torch.cat(parts).float().numpy() for parts in captured]
    statistics = Z[:, resnets[0].out_features:]  # what transform appends after the pooling
    return np.concatenate(blocks + [statistics], axis=1)


READOUTS = {
    "max": lambda H: np.nanmax(H, axis=1),
    "mean": lambda H: np.nanmean(H, axis=1),
    "max_mean": lambda H: np.concatenate([np.nanmax(H, axis=1), np.nanmean(H, axis=1)], axis=1),
    "pyramid": lambda H: np.concatenate([segment_max(H, k) for k in (1, 2, 4)], axis=1),
    "multiscale": windowed_max_means,
}


def run_one(dataset, method, seed, threads):
    """Fit one method and return one record per readout."""
    import torch

    from sslts.datasets import load_ucr_uea
    from sslts.evaluation import svm_probe
    from sslts.methods import METHODS

    torch.set_num_threads(threads)
    X_train, y_train = load_ucr_uea(dataset, split="train")
    X_test, y_test = load_ucr_uea(dataset, split="test")
    estimator = METHODS[method][1](random_state=seed)
    start = time.perf_counter()
    estimator.fit(X_train)
    fit_seconds = time.perf_counter() - start
    features = {"default": (estimator.transform(X_train), estimator.transform(X_test))}
    H_train = estimator.transform_timestamps(X_train)
    H_test = estimator.transform_timestamps(X_test)
    for name, readout in READOUTS.items():
        features[name] = (readout(H_train), readout(H_test))
    blocks_train = block_means(estimator, X_train)
    if blocks_train is not None:
        features["blocks"] = (blocks_train, block_means(estimator, X_test))
    records = []
    for name, (Z_train, Z_test) in features.items():
        accuracy = svm_probe(Z_train, y_train).score(Z_test, y_test)
        records.append(dict(dataset=dataset, method=method, readout=name, seed=seed,
                            n_features=Z_train.shape[1], accuracy=accuracy,
                            fit_seconds=fit_seconds))
    return records


def main(argv=None):
    import pandas as pd

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="GunPoint,ArrowHead,ItalyPowerDemand")
    parser.add_argument("--methods", default="ts2vec,simclr")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2, help="torch threads")
    parser.add_argument("--output", default=None, help="CSV file for the raw records")
    args = parser.parse_args(argv)
    records = []
    for dataset, method, seed in itertools.product(
            args.datasets.split(","), args.methods.split(","), range(args.seeds)):
        records += run_one(dataset, method, seed, args.threads)
        frame = pd.DataFrame(records)
        if args.output:  # written as it goes, so an interrupted run keeps its results
            frame.to_csv(args.output, index=False)
        print(f"{dataset} {method} seed {seed}: fit {records[-1]['fit_seconds']:.1f} s", flush=True)
    wide = frame.groupby(["method", "readout", "dataset"]).accuracy.mean().unstack("dataset")
    wide["average"] = wide.mean(axis=1)
    print(wide.round(3).to_string())


if __name__ == "__main__":
    main()

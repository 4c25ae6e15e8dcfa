"""Compare augmentation policies (and other settings) of the SSL methods.

Each candidate is fitted on the TRAIN split of the tuning datasets without
labels, embedded, and scored with the SVM probe of the benchmark protocol
(test accuracy, mean and std over seeds), and with the same probe on
standardised embeddings (``accuracy_scaled``). Fits run in parallel worker
processes, which suits a GPU with small batches.

Run (about 3 minutes on one H100, much longer on 2 CPU cores)::

    python benchmarks/policy_search.py --device cuda --workers 6
    python benchmarks/policy_search.py --policies current,choice --set max_epochs=300
    python benchmarks/policy_search.py --methods ts2vec --policies none \
        --encoder-params hidden_channels=128

The tuning datasets are at most 3 of the bundled ones (GunPoint, ArrowHead,
ItalyPowerDemand by default); the library defaults are then reported on all
of them by ``sslts benchmark``.
"""

import argparse
import itertools
import multiprocessing
import time

import numpy as np


def make_policy(name):
    """Build the candidate augmentation policy called ``name``."""
    from sslts.augmentations import (
        Blockout,
        Compose,
        FrequencyMix,
        LowPassFilter,
        MagnitudeWarp,
        Masking,
        Permutation,
        RandomApply,
        RandomChoice,
        ResizedCrop,
        ScaledNoise,
        Scaling,
        TimeWarp,
        WindowWarp,
    )

    def base(*extra, crop=(0.5, 1.0)):
        return Compose([ResizedCrop(crop), TimeWarp(0.2), *extra, Scaling(0.1),
                        ScaledNoise(0.1)])

    def warp(*extra, sigma=0.2):
        return Compose([TimeWarp(sigma), *extra, Scaling(0.1), ScaledNoise(0.1)])

    policies = {
        "none": lambda: None,  # the method's default (TS2Vec: no augmentation)
        "magnitude": lambda: Compose([Scaling(0.1), ScaledNoise(0.1)]),  # keeps timestamps
        "current": lambda: base(),
        "crop_noise": lambda: Compose([ResizedCrop((0.5, 1.0)), ScaledNoise(0.1)]),
        "no_crop": lambda: warp(),
        "mild_crop": lambda: base(crop=(0.8, 1.0)),
        "no_crop_strong_warp": lambda: warp(sigma=0.4),
        "no_crop_magwarp": lambda: warp(MagnitudeWarp(0.2)),
        "no_crop_lowpass": lambda: warp(LowPassFilter()),
        "no_crop_blockout": lambda: warp(RandomApply(Blockout((0.0, 0.2)), p=0.5)),
        "no_crop_windowwarp": lambda: warp(WindowWarp()),
        "crop_wide": lambda: base(crop=(0.2, 1.0)),
        "magwarp": lambda: base(MagnitudeWarp(0.2)),
        "blockout": lambda: base(RandomApply(Blockout((0.0, 0.2)), p=0.5)),
        "lowpass": lambda: base(LowPassFilter()),
        "masking": lambda: Compose([ResizedCrop((0.5, 1.0)), Masking(0.5)]),
        "freqmix": lambda: FrequencyMix(),  # keeps timestamps
        "freqmix_current": lambda: base(FrequencyMix()),
        "choice": lambda: base(RandomChoice([
            MagnitudeWarp(0.2), WindowWarp(), Permutation(), Blockout((0.0, 0.2)),
            LowPassFilter(),
        ])),
    }
    if name not in policies:
        raise SystemExit(f"unknown policy {name!r}; choose from {sorted(policies)}")
    return policies[name]()


def load(name, split, npz):
    """Return ``(X, y)`` of a bundled dataset, from ``npz`` when given."""
    if npz is not None:
        data = np.load(npz)
        return data[f"{name}_{split}_X"], data[f"{name}_{split}_y"]
    from sslts.datasets import load_ucr_uea

    return load_ucr_uea(name, split=split)


def run_one(job):
    """Fit one candidate and return its record."""
    import torch
    from sklearn.preprocessing import StandardScaler

    from sslts.evaluation import svm_probe
    from sslts.methods import METHODS

    dataset, method, policy, seed, settings, npz, threads = job
    torch.set_num_threads(threads)
    X_train, y_train = load(dataset, "train", npz)
    X_test, y_test = load(dataset, "test", npz)
    # encoder_params go to the estimator, which builds the encoder with initial
    # weights drawn from its random_state, as the defaults' are
    estimator = METHODS[method][1](
        augmentations=make_policy(policy), random_state=seed, **settings
    )
    start = time.perf_counter()
    estimator.fit(X_train)
    fit_seconds = time.perf_counter() - start
    Z_train, Z_test = estimator.transform(X_train), estimator.transform(X_test)
    accuracy = svm_probe(Z_train, y_train).score(Z_test, y_test)
    # the same probe on standardised features (scaler fitted on the training embeddings)
    scaler = StandardScaler().fit(Z_train)
    accuracy_scaled = svm_probe(scaler.transform(Z_train), y_train).score(
        scaler.transform(Z_test), y_test)
    return dict(dataset=dataset, method=method, policy=policy, seed=seed,
                accuracy=accuracy, accuracy_scaled=accuracy_scaled, fit_seconds=fit_seconds)


def parse_settings(pairs):
    """Turn ``["max_epochs=300", "lr=0.003"]`` into estimator keyword arguments."""
    settings = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        if value in ("True", "False", "None"):
            settings[key] = {"True": True, "False": False, "None": None}[value]
            continue
        for cast in (int, float):
            try:
                value = cast(value)
                break
            except ValueError:
                continue
        settings[key] = value
    return settings


def summarise(records):
    """Print mean and std of accuracy per candidate, and the mean over datasets."""
    import pandas as pd

    frame = pd.DataFrame(records)
    for column in ("accuracy", "accuracy_scaled"):
        table = frame.groupby(["method", "policy", "dataset"])[column].agg(["mean", "std"])
        wide = table["mean"].unstack("dataset")
        wide["average"] = wide.mean(axis=1)
        wide["worst_std"] = table["std"].unstack("dataset").max(axis=1)
        wide["fit_s"] = frame.groupby(["method", "policy"]).fit_seconds.mean()
        print(f"{column}:\n{wide.round(3).to_string()}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="GunPoint,ArrowHead,ItalyPowerDemand")
    parser.add_argument("--methods", default="simclr,barlowtwins,vicreg")
    parser.add_argument("--policies", default="current,crop_noise,no_crop,crop_wide,"
                        "magwarp,blockout,lowpass,masking,choice")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--first-seed", type=int, default=0,
                        help="seeds are first-seed .. first-seed + seeds - 1")
    parser.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE",
                        help="estimator parameters applied to every candidate")
    parser.add_argument("--encoder-params", nargs="*", default=[], metavar="KEY=VALUE",
                        help="constructor arguments of the method's encoder, its "
                             "encoder_params (e.g. depth=6)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2, help="torch threads per worker")
    parser.add_argument("--npz", default=None, help="datasets exported to one .npz file")
    parser.add_argument("--output", default=None, help="CSV file for the raw records")
    args = parser.parse_args(argv)
    settings = {"device": args.device, **parse_settings(args.set)}
    if args.encoder_params:
        settings["encoder_params"] = parse_settings(args.encoder_params)
    jobs = [
        (dataset, method, policy, seed, settings, args.npz, args.threads)
        for dataset, method, policy, seed in itertools.product(
            args.datasets.split(","), args.methods.split(","),
            args.policies.split(","), range(args.first_seed, args.first_seed + args.seeds))
    ]
    start = time.perf_counter()
    records = []
    with multiprocessing.get_context("spawn").Pool(args.workers) as pool:
        for record in pool.imap_unordered(run_one, jobs):
            records.append(record)
            if args.output:  # written as it goes, so an interrupted run keeps its results
                write_header = len(records) == 1
                with open(args.output, "a" if not write_header else "w") as f:
                    if write_header:
                        f.write(",".join(record) + "\n")
                    f.write(",".join(str(v) for v in record.values()) + "\n")
    print(f"{len(jobs)} fits in {time.perf_counter() - start:.0f} s, settings {settings}")
    summarise(records)


if __name__ == "__main__":
    main()

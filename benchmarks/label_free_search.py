"""How well do the label-free scores track accuracy? A grid per method and dataset.

For each method (SimCLR, Barlow Twins, VICReg) and dataset, a grid of 12
configurations (the loss parameter at three values times three augmentation
policies, plus two other encoders and a narrower embedding, all else at the
library defaults) is fitted on the TRAIN split without labels. Each fitted
model gets the label-free scores of ``score(X_train, criterion=...)`` and the
SVM-probe test accuracy of the benchmark protocol. The summary gives, per
dataset and method, the Spearman correlation of each score with accuracy and
the accuracy of the configuration each score picks, against the best in the
grid and the library defaults.

Run (about 45 minutes on 2 CPU cores)::

    python benchmarks/label_free_search.py --output docs/label_free/runs.csv \\
        --figure docs/images/label_free.png
    python benchmarks/label_free_search.py --summarise docs/label_free/runs.csv
"""

import argparse
import os
import time
import warnings

import numpy as np

DATASETS = "GunPoint,ArrowHead,ItalyPowerDemand,BasicMotions,JapaneseVowels"
METHODS = {"simclr": ("SimCLRTransformer", "temperature", (0.05, 0.5, 2.0)),
           "barlowtwins": ("BarlowTwinsTransformer", "lambda_", (5e-4, 5e-3, 5e-2)),
           "vicreg": ("VICRegTransformer", "var_weight", (5.0, 25.0, 50.0))}
CRITERIA = ("rankme", "alignment_uniformity", "embedding_std")


def policies():
    """The augmentation policies of the grid: the default, a weak one and a strong one."""
    from sslts.augmentations import Compose, Masking, ResizedCrop, ScaledNoise, Scaling, TimeWarp

    return {"default": None,
            "weak": Compose([ScaledNoise(0.01)]),
            "strong": Compose([ResizedCrop((0.2, 1.0)), TimeWarp(0.4), Scaling(0.3),
                               Masking(0.3), ScaledNoise(0.3)])}


def grid(method):
    """``(name, parameters)`` of the 12 configurations of ``method``."""
    _, param, values = METHODS[method]
    configs = [(f"{param}={value} {policy}", {param: value, "augmentations": augmentations})
               for value in values for policy, augmentations in policies().items()]
    configs += [("encoder=fcn", {"encoder": "fcn"}),
                ("encoder=dilated_cnn", {"encoder": "dilated_cnn"}),
                ("embedding_dim=32", {"embedding_dim": 32})]
    return configs


def is_default(method, config):
    """Whether ``config`` is the library's default configuration of ``method``."""
    _, param, values = METHODS[method]
    return config == f"{param}={values[1]} default"


def run(datasets, methods, seed, device, output, max_steps):
    """Fit every configuration and append its record to ``output``."""
    import pandas as pd

    import sslts
    from sslts.datasets import load_ucr_uea
    from sslts.evaluation import svm_probe

    done = set()
    if os.path.exists(output):
        done = set(map(tuple, pd.read_csv(output)[["dataset", "method", "config"]].values))
    for dataset in datasets:
        X_train, y_train = load_ucr_uea(dataset, "train")
        X_test, y_test = load_ucr_uea(dataset, "test")
        for method in methods:
            for config, params in grid(method):
                if (dataset, method, config) in done:
                    continue
                if max_steps is not None:
                    params = {**params, "max_steps": max_steps}
                estimator = getattr(sslts, METHODS[method][0])(
                    random_state=seed, device=device, **params)
                start = time.perf_counter()
                estimator.fit(X_train)
                record = dict(dataset=dataset, method=method, config=config,
                              default=is_default(method, config),
                              fit_seconds=round(time.perf_counter() - start, 2))
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", UserWarning)  # rank ceiling
                    for criterion in CRITERIA:
                        record[criterion] = estimator.score(X_train, criterion=criterion)
                probe = svm_probe(estimator.transform(X_train), y_train)
                record["accuracy"] = probe.score(estimator.transform(X_test), y_test)
                print(record, flush=True)
                pd.DataFrame([record]).to_csv(output, mode="a", index=False,
                                              header=not os.path.exists(output))


def read_records(path):
    """The records of ``path`` whose configuration is in the current grid."""
    import pandas as pd

    frame = pd.read_csv(path)
    configs = {(method, config) for method in METHODS for config, _ in grid(method)}
    keep = [pair in configs for pair in zip(frame.method, frame.config)]
    return frame[keep].reset_index(drop=True)


def summarise(path):
    """Print, for all configurations and for those with the default augmentations,
    the correlation table and the picked-versus-best accuracies of ``path``."""
    frame = read_records(path)
    same_augmentations = ~frame.config.str.endswith((" weak", " strong"))
    tables = {}
    for name, subset in (("all configurations", frame),
                         ("default augmentations only", frame[same_augmentations])):
        tables[name] = table = correlation_table(subset)
        print(f"{name}:\n{table.round(3).to_string(index=False)}\n\n{markdown(table)}\n")
    return tables


def correlation_table(frame):
    """Per dataset and method: Spearman rho of each criterion with accuracy, the best,
    default and picked accuracies; and their mean."""
    import pandas as pd
    from scipy.stats import spearmanr

    rows = []
    for (dataset, method), group in frame.groupby(["dataset", "method"], sort=False):
        row = dict(dataset=dataset, method=method, n=len(group),
                   best=group.accuracy.max(), default=group.accuracy[group.default].mean())
        for criterion in CRITERIA:
            row[f"rho_{criterion}"] = spearmanr(group[criterion], group.accuracy).statistic
            row[f"picked_{criterion}"] = group.accuracy[group[criterion].idxmax()]
        rows.append(row)
    table = pd.DataFrame(rows)
    mean = table.drop(columns=["dataset", "method"]).mean().to_frame("mean").T
    mean.insert(0, "method", "all")
    mean.insert(0, "dataset", "mean")
    return pd.concat([table, mean], ignore_index=True)


def markdown(table):
    """The summary as a Markdown table (Spearman rho, then picked accuracies)."""
    columns = ["dataset", "method", *(f"rho_{c}" for c in CRITERIA), "best", "default",
               *(f"picked_{c}" for c in CRITERIA)]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in table[columns].itertuples(index=False):
        lines.append("| " + " | ".join(v if isinstance(v, str) else f"{v:.3f}"
                                       for v in row) + " |")
    return "\n".join(lines)


def figure(path, out):
    """Scatter RankMe against accuracy, one panel per dataset, one colour per method."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    frame = read_records(path)
    datasets = list(dict.fromkeys(frame.dataset))
    fig, axes = plt.subplots(1, len(datasets), figsize=(3.2 * len(datasets), 4.2))
    markers = {"weak": "v", "strong": "^", "": "o"}  # by augmentation policy
    for ax, dataset in zip(np.atleast_1d(axes), datasets):
        for i, (method, group) in enumerate(frame[frame.dataset == dataset].groupby("method")):
            for policy, marker in markers.items():
                rows = group[group.config.str.endswith(f" {policy}")] if policy else \
                    group[~group.config.str.endswith((" weak", " strong"))]
                ax.scatter(rows.rankme, rows.accuracy, marker=marker, s=22, color=f"C{i}",
                           label=f"{method}, {policy or 'default'} augmentations")
            default = group[group.default]
            ax.scatter(default.rankme, default.accuracy, marker="*", s=140,
                       edgecolor="black", facecolor="none")
        ax.set_title(dataset)
        ax.set_xlabel("RankMe (train split, no labels)")
    np.atleast_1d(axes)[0].set_ylabel("SVM-probe test accuracy")
    handles, labels = np.atleast_1d(axes)[-1].get_legend_handles_labels()
    fig.legend(handles, labels, fontsize=8, loc="lower center", ncol=3)
    fig.tight_layout(rect=(0, 0.2, 1, 1))
    fig.savefig(out, dpi=110)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default=DATASETS)
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--max-steps", type=int, default=None,
                        help="override max_steps (smoke runs only)")
    parser.add_argument("--output", default="label_free_runs.csv",
                        help="CSV of the records, appended to (an interrupted run resumes)")
    parser.add_argument("--figure", default=None, help="PNG of RankMe against accuracy")
    parser.add_argument("--summarise", metavar="CSV", default=None,
                        help="only summarise an existing CSV")
    args = parser.parse_args(argv)
    path = args.summarise
    if path is None:
        run(args.datasets.split(","), args.methods.split(","), args.seed, args.device,
            args.output, args.max_steps)
        path = args.output
    summarise(path)
    if args.figure:
        figure(path, args.figure)


if __name__ == "__main__":
    main()

"""Benchmark runs: methods x datasets x seeds, with baselines, in one table."""

from numbers import Integral

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from ..datasets import load_ucr_uea
from ..methods import METHODS
from ..methods.ts2vec import ts2vec_steps
from ..training.net import step_plan
from .baselines import BASELINES, run_baseline
from .harness import _check_probes, evaluate_transformer

__all__ = ["RUN_COLUMNS", "load_datasets", "run_benchmark"]

#: Columns of the per-run table returned by :func:`run_benchmark`.
RUN_COLUMNS = ["dataset", "method", "kind", "probe", "seed", "accuracy", "fit_seconds",
               "peak_memory_mb", "peak_gpu_memory_mb"]


def load_datasets(names, data_dir=None):
    """Load the train and test splits of UCR/UEA datasets.

    Parameters
    ----------
    names : sequence of str
        Dataset names, see :func:`sslts.datasets.load_ucr_uea`.
    data_dir : str or path-like, default=None
        A local copy of the archives, passed to
        :func:`~sslts.datasets.load_ucr_uea`; None loads through sktime.

    Returns
    -------
    data : dict
        ``{name: (X_train, y_train, X_test, y_test)}`` in the order given.
    """
    data = {}
    for name in names:
        data[name] = (*load_ucr_uea(name, "train", data_dir=data_dir),
                      *load_ucr_uea(name, "test", data_dir=data_dir))
    return data


def run_benchmark(datasets, methods=tuple(METHODS), seeds=1, probes=("svm",),
                  baselines=("1nn",), *, max_epochs=None, device="auto", params=None,
                  progress=True, done=None, on_run=None):
    """Fit each method on each dataset for each seed, plus the baselines.

    Each self-supervised run follows :func:`~sslts.evaluation.evaluate_transformer`
    (fit on the training split without labels, probes on the embeddings,
    accuracy on the test split). Baselines taking a seed run once per seed;
    the deterministic 1-NN baseline runs once per dataset. A short untimed
    warm-up fit comes first, so that one-off costs of the process (lazy
    imports, first allocations) are not charged to the first method.

    Parameters
    ----------
    datasets : sequence of str or dict
        UCR/UEA names (loaded with :func:`load_datasets`), or a dict
        ``{name: (X_train, y_train, X_test, y_test)}``.
    methods : sequence of str, default=all
        Keys of :data:`METHODS`.
    seeds : int, default=1
        Number of seeds; seed ``s`` is passed as ``random_state=s`` for
        ``s = 0 ... seeds - 1``.
    probes : sequence of str, default=("svm",)
        Probes scoring the embeddings, keys of
        :data:`~sslts.evaluation.probes.PROBES`.
    baselines : sequence of str, default=("1nn",)
        Keys of :data:`~sslts.evaluation.baselines.BASELINES`.
    max_epochs : int, default=None
        Overrides the methods' (and TS2Vec's) training length; None keeps
        the library defaults. Meant for quick smoke runs and tests.
    device : str, default="auto"
        Torch device of the methods and of TS2Vec.
    params : dict, default=None
        Extra constructor arguments for every method (e.g. ``{"encoder":
        "fcn"}``); None keeps the library defaults. ``device``,
        ``max_epochs`` (when given) and ``random_state`` (the seed) are set
        by this function.
    progress : bool, default=True
        Show a progress bar over dataset x method x seed.
    done : pandas.DataFrame, default=None
        Runs of an earlier, interrupted call with the same settings (its
        ``runs.csv``): runs found there are not repeated, their rows are
        kept.
    on_run : callable, default=None
        Called after every run with the runs so far (a DataFrame like the
        result), for instance to save partial results; the rows of ``done``
        for the runs still ahead are included, so that saving them after an
        interruption loses nothing.

    Returns
    -------
    runs : pandas.DataFrame
        One row per run and probe, columns :data:`RUN_COLUMNS`; ``kind`` is
        ``"ssl"`` or ``"baseline"``, ``seed`` (nullable integer) is missing
        for deterministic baselines; ``probe`` is the classifier a baseline
        ends with (``"knn"``, ``"ridge"``, ``"svm"``).
    """
    if isinstance(seeds, bool) or not isinstance(seeds, Integral) or seeds < 1:
        raise ValueError(f"seeds must be a positive integer (a count), got {seeds!r}.")
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise ValueError(f"Unknown method(s) {unknown}; choose among {sorted(METHODS)}.")
    unknown = [b for b in baselines if b not in BASELINES]
    if unknown:
        raise ValueError(f"Unknown baseline(s) {unknown}; choose among {sorted(BASELINES)}.")
    probes = _check_probes(probes)
    data = datasets if isinstance(datasets, dict) else load_datasets(datasets)
    if not data:
        raise ValueError("datasets is empty; name at least one dataset.")
    params = {**(params or {}), "device": device}
    if max_epochs is not None:
        params["max_epochs"] = max_epochs
    jobs = _jobs(data, methods, seeds, baselines)
    if methods:
        _warm_up(METHODS[methods[0]][1], params, next(iter(data.values()))[0])
    previous = _rows_by_run(done)
    keys = [(dataset, _label(kind, name), kind, seed) for dataset, kind, name, seed in jobs]
    rows = []
    costs = [_cost(data[dataset][0], kind, name, params) for dataset, kind, name, _ in jobs]
    # the bar advances by each run's expected cost, so that its remaining
    # time is not taken from the fast baselines that run first
    with tqdm(total=sum(costs), desc="benchmark", disable=not progress,
              bar_format="{desc}: {percentage:3.0f}%|{bar}| {elapsed}<{remaining}{postfix}") as bar:
        for index, ((dataset, kind, name, seed), cost) in enumerate(zip(jobs, costs)):
            bar.set_postfix_str(f"{dataset} {name}" + ("" if seed is None else f" seed {seed}"))
            found = _finished_rows(previous.get(keys[index], []), kind, probes)
            if found:
                rows.extend(found)
                bar.update(cost)
                continue
            splits = data[dataset]
            if kind == "ssl":
                label, cls = METHODS[name]
                record = evaluate_transformer(cls(**{**params, "random_state": seed}),
                                              *splits, probes=probes)
                for probe, accuracy in record["accuracy"].items():
                    rows.append(_row(dataset, label, kind, probe, seed, accuracy, record))
            else:
                record = run_baseline(name, *splits, random_state=seed, device=device,
                                      max_epochs=max_epochs)
                spec = BASELINES[name]
                rows.append(_row(dataset, spec.label, kind, spec.classifier, seed,
                                 record["accuracy"], record))
            bar.update(cost)
            if on_run is not None:
                ahead = [row for key in keys[index + 1:] for row in previous.get(key, [])]
                on_run(_runs_frame(rows + ahead))
    return _runs_frame(rows)


def _label(kind, name):
    """The ``method`` column of a run: the method's or the baseline's label."""
    return METHODS[name][0] if kind == "ssl" else BASELINES[name].label


def _runs_frame(rows):
    runs = pd.DataFrame(rows, columns=RUN_COLUMNS)
    runs["seed"] = runs["seed"].astype("Int64")  # integers, missing for 1-NN
    return runs


def _finished_rows(rows, kind, probes):
    """The earlier ``rows`` of one run to keep, or [] if the run must be done."""
    if kind == "baseline":
        return rows
    if not {row["probe"] for row in rows} >= set(probes):
        return []  # a probe is missing: fit again, with every probe
    return [row for row in rows if row["probe"] in probes]


def _rows_by_run(done):
    """Rows of earlier runs keyed by (dataset, method label, kind, seed)."""
    if done is None:
        return {}
    missing = set(RUN_COLUMNS) - set(done.columns)
    if missing:
        raise ValueError(f"done lacks the columns {sorted(missing)} of a runs table.")
    runs = {}
    for row in done[RUN_COLUMNS].to_dict("records"):
        row["seed"] = None if pd.isna(row["seed"]) else int(row["seed"])
        key = (row["dataset"], row["method"], row["kind"], row["seed"])
        runs.setdefault(key, []).append(row)
    return runs


def _warm_up(cls, params, X):
    """A short untimed fit, so that one-off costs of the process (torch's lazy
    imports on the first optimizer, first allocations) are not charged to
    the first timed run."""
    cls(**{**params, "max_epochs": 1}).fit(X[:4])


def _cost(X, kind, name, params):
    """Expected cost of a run, in series-steps through the encoder.

    A self-supervised fit costs its optimizer steps times the series per
    batch times their training length; TS2Vec likewise with its own
    settings; the other baselines one pass over the data (the random
    encoder) or about nothing.
    """
    n = len(X)
    length = max(np.shape(x)[-1] for x in X)
    n_values = n * np.shape(X[0])[0] * length if np.ndim(X[0]) == 2 else n * length
    if kind == "ssl":
        settings = {**METHODS[name][1]().get_params(), **params}
        max_steps = settings["max_steps"]
        if max_steps == "auto":
            max_steps = ts2vec_steps(n_values)
        _, steps = step_plan(n, settings["batch_size"], settings["max_epochs"],
                             max_steps, settings["max_samples_per_epoch"])
        window = settings["max_train_length"] or length
        return steps * min(settings["batch_size"], n) * min(length, window)
    if name == "ts2vec":
        return ts2vec_steps(n_values) * 8 * min(length, 3000)
    if name.startswith("random_"):
        return n * length
    return 0.01 * n * length


def _jobs(data, methods, seeds, baselines):
    """(dataset, kind, name, seed) for every run, in execution order."""
    jobs = []
    for dataset in data:
        for name in baselines:
            seeded = "random_state" in BASELINES[name].options
            jobs += [(dataset, "baseline", name, s) for s in (range(seeds) if seeded else [None])]
        for name in methods:
            jobs += [(dataset, "ssl", name, s) for s in range(seeds)]
    return jobs


def _row(dataset, method, kind, probe, seed, accuracy, record):
    return {
        "dataset": dataset, "method": method, "kind": kind, "probe": probe, "seed": seed,
        "accuracy": accuracy, "fit_seconds": record["fit_seconds"],
        "peak_memory_mb": record["peak_memory_mb"],
        "peak_gpu_memory_mb": record["peak_gpu_memory_mb"],
    }

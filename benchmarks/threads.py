"""CPU thread policy: fit time on an idle and on a busy machine, and parallel grid search.

Two measurements, on the training split of a bundled dataset
(default ItalyPowerDemand) with ``SimCLRTransformer``'s defaults:

* **busy machine**: the median ``fit`` time over ``--repeats`` runs for
  each ``n_jobs`` in ``--n-jobs`` (``None`` is the default policy), first on
  the idle machine, then while ``--busy`` other processes each keep a core
  busy (a pure-Python loop). The ratio busy / idle of the default is the
  figure of the "Scaling" page.
* **grid search**: ``GridSearchCV(SimCLRTransformer(), grid, cv=2)`` without
  labels (scored by RankMe) over ``--grid-size`` temperatures, with
  ``n_jobs=1`` and ``n_jobs=2`` under joblib's ``loky`` (processes) and
  ``threading`` backends; wall time of one run each. For comparison, the
  ``n_jobs=2`` searches are also run with the estimator forced to use every
  CPU in each fit (``SimCLRTransformer(n_jobs=-1)``), as torch does by
  default without a thread policy.

Run it on an otherwise idle machine: it measures contention on purpose.

Usage::

    python benchmarks/threads.py [--dataset ItalyPowerDemand] [--repeats 3]
        [--grid-size 4] [--skip-fits] [--skip-search] [--output docs/scaling/threads.json]
"""

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import joblib
import numpy as np
from sklearn.model_selection import GridSearchCV

from sslts import SimCLRTransformer
from sslts.datasets import load_ucr_uea
from sslts.evaluation.report import cpu_model

BUSY_LOOP = "while True: pass"


def fit_seconds(X, n_jobs, max_steps):
    model = SimCLRTransformer(n_jobs=n_jobs, max_steps=max_steps, random_state=0)
    start = time.perf_counter()
    model.fit(X)
    return time.perf_counter() - start


def busy_processes(count):
    """Start ``count`` processes that each keep one core busy; wait until they run."""
    processes = [subprocess.Popen([sys.executable, "-c", BUSY_LOOP]) for _ in range(count)]
    time.sleep(2.0)
    return processes


def fit_times(X, n_jobs_values, repeats, max_steps, busy):
    """Median fit seconds per ``n_jobs`` (label ``"None"`` for the default), idle then busy."""
    results = {}
    for load in ("idle", "busy"):
        processes = busy_processes(busy) if load == "busy" else []
        try:
            for n_jobs in n_jobs_values:
                # two threads beside a busy process can take 15x longer: one run is enough
                runs = 1 if load == "busy" and n_jobs is not None and n_jobs > 1 else repeats
                times = [fit_seconds(X, n_jobs, max_steps) for _ in range(runs)]
                results[f"{load} n_jobs={n_jobs}"] = statistics.median(times)
                print(f"{load:4s} n_jobs={n_jobs}: {results[f'{load} n_jobs={n_jobs}']:.2f} s "
                      f"({', '.join(f'{t:.2f}' for t in times)})", flush=True)
        finally:
            for process in processes:
                process.kill()
    return results


def search_times(X, grid_size, max_steps):
    """Wall seconds of an unlabeled grid search per backend and ``n_jobs``."""
    grid = {"temperature": list(np.linspace(0.1, 1.0, grid_size))}
    results = {}
    for backend in ("loky", "threading"):
        for n_jobs, threads in ((1, None), (2, None), (2, -1)):
            model = SimCLRTransformer(max_steps=max_steps, n_jobs=threads, random_state=0)
            search = GridSearchCV(model, grid, cv=2, n_jobs=n_jobs)
            start = time.perf_counter()
            with joblib.parallel_backend(backend):
                search.fit(X)
            seconds = time.perf_counter() - start
            key = f"{backend} n_jobs={n_jobs}" + ("" if threads is None else " all CPUs per fit")
            results[key] = seconds
            print(f"GridSearchCV {key}: {seconds:.2f} s", flush=True)
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", default="ItalyPowerDemand")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--max-steps", type=int, default=200)
    parser.add_argument("--busy", type=int, default=1, help="other busy processes")
    parser.add_argument("--n-jobs", default="None,1,2",
                        help="comma-separated n_jobs values ('None' is the default policy)")
    parser.add_argument("--grid-size", type=int, default=4)
    parser.add_argument("--skip-search", action="store_true")
    parser.add_argument("--skip-fits", action="store_true")
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args(argv)

    X, _ = load_ucr_uea(args.dataset, "train")
    n_jobs_values = [None if v == "None" else int(v) for v in args.n_jobs.split(",")]
    record = {"dataset": args.dataset, "cpu": cpu_model(), "cpus": joblib.cpu_count(),
              "busy_processes": args.busy, "max_steps": args.max_steps}
    if not args.skip_fits:
        record["fit_seconds"] = fit_times(X, n_jobs_values, args.repeats, args.max_steps,
                                          args.busy)
    fits = record.get("fit_seconds", {})
    if "idle n_jobs=None" in fits:
        record["default_busy_over_idle"] = fits["busy n_jobs=None"] / fits["idle n_jobs=None"]
        print(f"default: busy / idle = {record['default_busy_over_idle']:.2f}")
    if not args.skip_search:
        record["grid_size"] = args.grid_size
        record["search_seconds"] = search_times(X, args.grid_size, args.max_steps)
    if args.output is not None:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(record, indent=2) + "\n")


if __name__ == "__main__":
    main()

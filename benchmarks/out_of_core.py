"""Scaling curve of out-of-core training and embedding on ``np.memmap`` input.

For each size in ``--sizes`` (series of ``--length`` steps, one channel,
float32 random walks written to a file under ``--dir``), two fresh processes
measure:

* ``fit``: ``SimCLRTransformer(max_steps=--steps).fit(X_memmap)``: wall time
  of the whole call, the time of the input scan (validation of every
  chunk), time per optimizer step (the training loop's duration from
  ``history_`` divided by the steps) and the process's peak RSS;
* ``transform`` (at the sizes of ``--transform-sizes``): the embeddings of
  every series by a model fitted on the first 1,000 of them: wall time,
  peak RSS, and peak RSS less the output array (``n x 128`` float32),
  which ``transform`` has to return in memory.

Peak RSS is ``ru_maxrss`` of the measuring process, which also counts file
pages mapped into it; a process importing sslts and torch starts at about
the 10k figure.

Usage::

    python benchmarks/out_of_core.py [--sizes 10000,100000,1000000] [--steps 50]
        [--transform-sizes 10000,100000] [--dir /tmp/sslts-ooc]
        [--output docs/scaling/out_of_core.json]
"""

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

CHUNK = 50_000


def make_data(path, n, length, seed=0):
    """Write ``n`` float32 random walks of ``length`` steps to ``path`` (chunk by chunk)."""
    if path.exists() and path.stat().st_size == n * length * 4:
        return
    rng = np.random.default_rng(seed)
    out = np.memmap(path, dtype=np.float32, mode="w+", shape=(n, 1, length))
    for start in range(0, n, CHUNK):
        stop = min(n, start + CHUNK)
        walk = rng.standard_normal((stop - start, 1, length), dtype=np.float32).cumsum(-1)
        out[start:stop] = (walk - walk.mean(-1, keepdims=True)) / walk.std(-1, keepdims=True)
    out.flush()
    del out


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(task, path, n, length, steps):
    """Run in a fresh process: one ``fit`` or ``transform`` measurement."""
    from sslts import SimCLRTransformer
    from sslts.utils.validation import check_lazy_series

    X = np.memmap(path, dtype=np.float32, mode="r", shape=(n, 1, length))
    if task == "fit":
        start = time.perf_counter()
        check_lazy_series(X)
        scan = time.perf_counter() - start
        model = SimCLRTransformer(max_steps=steps, random_state=0)
        start = time.perf_counter()
        model.fit(X)
        seconds = time.perf_counter() - start
        loop = float(sum(model.history_[:, "dur"]))
        return dict(seconds=seconds, scan_seconds=scan, seconds_per_step=loop / steps,
                    peak_rss_mb=peak_rss_mb())
    model = SimCLRTransformer(max_steps=5, random_state=0).fit(X[:1000])
    start = time.perf_counter()
    Z = model.transform(X)
    seconds = time.perf_counter() - start
    rss = peak_rss_mb()
    return dict(seconds=seconds, peak_rss_mb=rss, output_mb=Z.nbytes / 2**20,
                peak_rss_less_output_mb=rss - Z.nbytes / 2**20)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--transform-sizes", default="10000,100000",
                        help="sizes at which transform is measured too (it embeds every "
                             "series: about 900 series/s on 2 cores)")
    parser.add_argument("--length", type=int, default=256)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/sslts-ooc"))
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument("--measure", nargs=3, help=argparse.SUPPRESS)  # task path n (child)
    args = parser.parse_args(argv)
    if args.measure:
        task, path, n = args.measure
        print(json.dumps(measure(task, path, int(n), args.length, args.steps)))
        return
    args.dir.mkdir(parents=True, exist_ok=True)
    rows = []
    transform_sizes = {int(s) for s in args.transform_sizes.split(",") if s}
    for n in (int(s) for s in args.sizes.split(",")):
        path = args.dir / f"walks_{n}_{args.length}.f32"
        make_data(path, n, args.length)
        for task in ("fit", "transform") if n in transform_sizes else ("fit",):
            out = subprocess.run(
                [sys.executable, __file__, "--length", str(args.length), "--steps",
                 str(args.steps), "--measure", task, str(path), str(n)],
                check=True, capture_output=True, text=True).stdout
            row = dict(task=task, n_series=n, length=args.length,
                       **json.loads(out.strip().splitlines()[-1]))
            rows.append(row)
            print(json.dumps(row), flush=True)
            if args.output is not None:  # after each row: a long run keeps what it measured
                args.output.parent.mkdir(parents=True, exist_ok=True)
                args.output.write_text(json.dumps(dict(steps=args.steps, rows=rows), indent=2)
                                       + "\n")


if __name__ == "__main__":
    main()

"""Training precision on the CPU: fit time and SVM-probe accuracy per ``precision``.

For each dataset of ``--datasets`` and each method of ``--methods``, fits the
library defaults with ``precision`` in ``"32"`` and ``"bf16"`` (``--seeds``
seeds, alternating the precisions so that machine noise hits both) and
reports the median fit time and the mean test accuracy of the SVM probe.
(``"16-mixed"`` is refused on the CPU, where float16 kernels ran about 60
times slower than float32 in a 10-step fit here.)

Usage::

    python benchmarks/precision.py [--datasets GunPoint] [--methods simclr,ts2vec]
        [--seeds 2] [--output docs/scaling/precision.json]
"""

import argparse
import json
import statistics
import time
from pathlib import Path

from sslts import SimCLRTransformer, TS2VecTransformer
from sslts.datasets import load_ucr_uea
from sslts.evaluation import svm_probe
from sslts.evaluation.report import cpu_model

METHODS = {"simclr": SimCLRTransformer, "ts2vec": TS2VecTransformer}
PRECISIONS = ("32", "bf16")


def run(method, dataset, precision, seed):
    X, y = load_ucr_uea(dataset, "train")
    X_test, y_test = load_ucr_uea(dataset, "test")
    model = METHODS[method](precision=precision, random_state=seed)
    start = time.perf_counter()
    model.fit(X)
    seconds = time.perf_counter() - start
    accuracy = svm_probe(model.transform(X), y).score(model.transform(X_test), y_test)
    return seconds, accuracy


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", default="GunPoint")
    parser.add_argument("--methods", default="simclr,ts2vec")
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args(argv)
    rows = []
    for dataset in args.datasets.split(","):
        for method in args.methods.split(","):
            runs = {p: [] for p in PRECISIONS}
            for seed in range(args.seeds):
                order = PRECISIONS if seed % 2 == 0 else PRECISIONS[::-1]
                for precision in order:
                    runs[precision].append(run(method, dataset, precision, seed))
            for precision, results in runs.items():
                row = dict(dataset=dataset, method=method, precision=precision,
                           seconds=statistics.median(s for s, _ in results),
                           accuracy=statistics.fmean(a for _, a in results))
                rows.append(row)
                print(json.dumps(row), flush=True)
    if args.output is not None:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(dict(cpu=cpu_model(), rows=rows), indent=2) + "\n")


if __name__ == "__main__":
    main()

"""Fit time of each ``standardize`` setting, interleaved on one dataset.

``SimCLRTransformer`` with its defaults but ``max_steps`` (50 by default)
is fitted on a bundled dataset's training split with each setting in turn,
``--repeats`` times (seed = repeat), and the medians are printed with the
ratio of each setting to ``standardize=True``. Run it on a quiet machine.

    python benchmarks/standardize_fit_time.py --dataset ACSF1 --repeats 3
"""

import argparse
import time

import numpy as np

from sslts import SimCLRTransformer
from sslts.datasets import load_ucr_uea

SETTINGS = (True, "series", False)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="ACSF1")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--max-steps", type=int, default=50)
    args = parser.parse_args()
    X, _ = load_ucr_uea(args.dataset, "train")
    seconds = {setting: [] for setting in SETTINGS}
    for repeat in range(args.repeats):
        for setting in SETTINGS:
            start = time.perf_counter()
            SimCLRTransformer(standardize=setting, max_steps=args.max_steps,
                              random_state=repeat).fit(X)
            seconds[setting].append(time.perf_counter() - start)
    base = np.median(seconds[True])
    for setting, values in seconds.items():
        runs = ", ".join(f"{v:.1f}" for v in values)
        print(f"standardize={setting!r:9} median {np.median(values):6.1f} s "
              f"(runs {runs}), ratio to True {np.median(values) / base:.3f}")


if __name__ == "__main__":
    main()

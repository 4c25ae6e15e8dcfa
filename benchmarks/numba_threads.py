"""Torch fit time before and after numba's parallel code ran in the same process.

Fits ``SimCLRTransformer`` (100 steps) on the ItalyPowerDemand training
split with 1 and with 2 torch threads, runs the benchmark's MiniRocket
baseline once (numba's parallel loops), and fits again. The first argument
chooses how numba runs: ``numba omp`` or ``numba workqueue`` forces that
threading layer; anything else leaves the choice to
``minirocket_baseline`` (workqueue since sslts 0.8, unless
``NUMBA_THREADING_LAYER`` is set). Prints ``before <1 thread s> <2 threads s>``
and ``after ...``. Run each case in a fresh process on an idle machine.

Usage::

    python benchmarks/numba_threads.py numba omp
    python benchmarks/numba_threads.py numba workqueue
    python benchmarks/numba_threads.py default
"""

import sys
import time

from sslts import SimCLRTransformer
from sslts.datasets import load_ucr_uea
from sslts.evaluation import BASELINES

X, y = load_ucr_uea("ItalyPowerDemand")
Xt, yt = load_ucr_uea("ItalyPowerDemand", "test")


def fit(n):
    t = time.perf_counter()
    SimCLRTransformer(random_state=0, n_jobs=n, max_steps=100).fit(X)
    return round(time.perf_counter() - t, 2)


print("before", fit(1), fit(2))
if sys.argv[1:2] == ["numba"]:
    import numba

    numba.config.THREADING_LAYER = sys.argv[2]
BASELINES["minirocket"].function(X, y, Xt, yt, random_state=0)
print("after", fit(1), fit(2))

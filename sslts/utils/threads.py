"""CPU threads of torch: how many a fit or an embedding uses.

Torch's OpenMP threads busy-wait for each other at the end of every parallel
operation. When another process holds one of the cores, the thread sharing
that core is descheduled and the others spin until it returns, so a fit
with as many threads as cores runs many times slower than with one thread
fewer. :func:`cpu_threads` chooses the threads from the cores that other
processes leave idle, and shares them among the sslts calls running at the
same time in this process (``GridSearchCV`` with joblib's threading
backend); joblib's process workers and ``threadpoolctl`` limits are
respected through torch's own thread setting.
"""

import contextlib
import functools
import math
import os
import threading
import time
from numbers import Integral

import joblib
import torch

__all__ = ["check_n_jobs", "cpu_threads", "idle_cpus", "resolve_threads", "uses_cpu_threads"]

#: Seconds over which the load of other processes is measured when no recent
#: measurement can be continued.
WINDOW = 0.1
#: A measurement older than this many seconds is not continued.
MAX_AGE = 30.0
#: A core counts as free when other processes leave at least this fraction of it idle.
FREE_FRACTION = 0.75

_lock = threading.Lock()
_local = threading.local()
_active = 0
_last = None  # (time, busy seconds of our CPUs, CPU seconds of this process, idle cores)


def check_n_jobs(n_jobs):
    """Validate ``n_jobs``: None or a nonzero int; return it."""
    if n_jobs is not None and (not isinstance(n_jobs, Integral) or isinstance(n_jobs, bool)
                               or n_jobs == 0):
        raise ValueError(
            f"n_jobs must be None, a positive int (that many threads) or a negative int "
            f"(-1: all CPUs, -2: all but one, ...), got {n_jobs!r}."
        )
    return n_jobs


def _cpu_seconds(cpus):
    """Busy seconds since boot of the CPUs ``cpus`` (Linux ``/proc/stat``), or None."""
    try:
        with open("/proc/stat") as stat:
            lines = [line.split() for line in stat if line.startswith("cpu")]
    except OSError:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    busy = 0
    for fields in lines[1:]:
        if int(fields[0][3:]) in cpus:
            values = [int(v) for v in fields[1:]]
            busy += sum(values[:8]) - values[3] - values[4]  # all but idle and iowait
    return busy / ticks


def _process_seconds():
    times = os.times()
    return times.user + times.system


def idle_cpus():
    """Cores of this process's CPUs left idle by other processes, or None if unknown.

    The busy time of the CPUs this process may run on, less this process's
    own CPU time, over the time since the previous measurement (when it is
    between :data:`WINDOW` and :data:`MAX_AGE` seconds old) or over a fresh
    window of :data:`WINDOW` seconds; a measurement younger than
    :data:`WINDOW` is reused as it is. Linux only (``/proc/stat``); None
    elsewhere.

    Returns
    -------
    float or None
    """
    global _last
    cpus = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else set()
    now = time.monotonic()
    with _lock:
        last = _last
    if last is not None and now - last[0] < WINDOW:
        return last[3]
    if last is None or now - last[0] > MAX_AGE:
        start = _cpu_seconds(cpus)
        if start is None:
            return None
        last = (now, start, _process_seconds(), None)
        time.sleep(WINDOW)
        now = time.monotonic()
    busy = _cpu_seconds(cpus)
    if busy is None:
        return None
    process = _process_seconds()
    others = (busy - last[1]) - (process - last[2])
    idle = max(0.0, len(cpus) - others / (now - last[0]))
    with _lock:
        _last = (now, busy, process, idle)
    return idle


def resolve_threads(n_jobs):
    """Number of torch threads for ``n_jobs``.

    Parameters
    ----------
    n_jobs : int or None
        A positive int: that many threads; a negative int: all CPUs plus one
        less ``-n_jobs`` (``-1``: all); None: the cores other processes
        leave free (:func:`idle_cpus`), divided among the :func:`cpu_threads`
        blocks running at the same time in this process, and at most torch's
        current setting (which follows ``OMP_NUM_THREADS``,
        ``torch.set_num_threads``, ``threadpoolctl`` limits and joblib's
        worker limits); at least 1.

    Returns
    -------
    int
    """
    check_n_jobs(n_jobs)
    if n_jobs is not None:
        return n_jobs if n_jobs > 0 else max(1, joblib.cpu_count() + 1 + n_jobs)
    limit = torch.get_num_threads()
    idle = idle_cpus()
    free = limit if idle is None else math.floor(idle + 1 - FREE_FRACTION)
    with _lock:
        active = max(1, _active)  # read after the measurement, which may wait
    return max(1, min(limit, free) // active)


@contextlib.contextmanager
def cpu_threads(n_jobs):
    """Run the block with the torch threads of ``n_jobs`` (see :func:`resolve_threads`).

    The calling thread's setting is restored afterwards. A block nested in
    another in the same thread keeps the outer block's threads.

    Parameters
    ----------
    n_jobs : int or None
        As for :func:`resolve_threads`.

    Yields
    ------
    int
        The number of threads.
    """
    global _active
    if getattr(_local, "threads", None) is not None:
        check_n_jobs(n_jobs)
        yield _local.threads
        return
    with _lock:
        _active += 1
    before = torch.get_num_threads()
    try:
        threads = resolve_threads(n_jobs)
        torch.set_num_threads(threads)
        _local.threads = threads
        yield threads
    finally:
        _local.threads = None
        torch.set_num_threads(before)
        with _lock:
            _active -= 1


def uses_cpu_threads(method):
    """Decorator running an estimator's method within ``cpu_threads(self.n_jobs)``
    (the default policy for an estimator without ``n_jobs``)."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with cpu_threads(getattr(self, "n_jobs", None)):
            return method(self, *args, **kwargs)
    return wrapper

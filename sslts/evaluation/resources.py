"""Wall-clock time and peak memory of a block of code."""

import contextlib
import sys
import time

import torch

try:
    import resource
except ImportError:  # Windows
    resource = None

__all__ = ["ResourceUsage", "track_resources"]

_STATUS = "/proc/self/status"
_CLEAR_REFS = "/proc/self/clear_refs"


class ResourceUsage:
    """What :func:`track_resources` measured, filled when the block ends.

    Attributes
    ----------
    seconds : float
        Wall-clock seconds spent in the block.
    peak_memory_mb : float or None
        Growth of the process's peak resident memory (MiB) during the block,
        see :func:`track_resources`; None where the platform gives no peak
        (Windows).
    peak_gpu_memory_mb : float or None
        Peak CUDA memory allocated by torch during the block (MiB), when a
        CUDA device was tracked; None otherwise.
    exact : bool
        True when the peak was reset at the start of the block (Linux), so
        ``peak_memory_mb`` is the block's own peak; False for the fallback.
    """

    def __init__(self):
        self.seconds = float("nan")
        self.peak_memory_mb = None
        self.peak_gpu_memory_mb = None
        self.exact = False


@contextlib.contextmanager
def track_resources(device="cpu"):
    """Measure wall-clock time and peak memory of the code in the block.

    Memory is the process's peak resident set size (RSS) during the block
    minus the RSS at its start: memory the block needed on top of what the
    process already held. It counts every allocation of the process,
    numpy arrays and torch CPU tensors included (torch's CPU allocator takes
    its memory from the process heap). On Linux the kernel's peak
    (``VmHWM``) is reset first by writing ``5`` to ``/proc/self/clear_refs``;
    elsewhere, or when that fails, ``resource.getrusage`` gives the peak of
    the whole process life, so a block that stays below an earlier peak
    reports 0 (``exact`` is False then).

    Parameters
    ----------
    device : str, default="cpu"
        Torch device the block computes on; for a CUDA device the peak of
        ``torch.cuda.max_memory_allocated`` is recorded too.

    Yields
    ------
    usage : ResourceUsage
        Filled in when the block exits.
    """
    usage = ResourceUsage()
    cuda = str(device).startswith("cuda") and torch.cuda.is_available()
    if cuda:
        torch.cuda.synchronize(device)
        torch.cuda.reset_peak_memory_stats(device)
    usage.exact = _reset_peak()
    start_rss = _status_kib("VmRSS") if usage.exact else _rusage_peak_kib()
    start = time.perf_counter()
    try:
        yield usage
    finally:
        if cuda:
            torch.cuda.synchronize(device)
            usage.peak_gpu_memory_mb = torch.cuda.max_memory_allocated(device) / 2**20
        usage.seconds = time.perf_counter() - start
        peak = _status_kib("VmHWM") if usage.exact else _rusage_peak_kib()
        if peak is not None and start_rss is not None:
            usage.peak_memory_mb = max(peak - start_rss, 0) / 1024


def _reset_peak():
    """Reset the kernel's peak RSS of this process; False where unsupported."""
    try:
        with open(_CLEAR_REFS, "w") as f:
            f.write("5")
        return _status_kib("VmHWM") is not None
    except OSError:
        return False


def _status_kib(key):
    """A ``/proc/self/status`` field in KiB, or None if unreadable."""
    try:
        with open(_STATUS) as f:
            for line in f:
                name, _, value = line.partition(":")
                if name == key:
                    return int(value.split()[0])
    except OSError:
        pass
    return None


def _rusage_peak_kib():
    if resource is None:
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform == "darwin" else peak  # bytes on macOS

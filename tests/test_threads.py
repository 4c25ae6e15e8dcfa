"""The CPU thread policy: ``n_jobs`` of the estimators and ``sslts.utils.threads``."""

import threading

import joblib
import numpy as np
import pytest
import threadpoolctl
import torch
from skorch.callbacks import Callback

from sslts import SimCLRTransformer, SSLClassifier
from sslts.utils import threads

from .conftest import FAST


@pytest.fixture
def torch_threads():
    """Restore the calling thread's torch setting after the test."""
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


class RecordThreads(Callback):
    """Record ``torch.get_num_threads()`` at each epoch of training."""

    def initialize(self):
        self.seen = []
        return self

    def on_epoch_begin(self, net, **kwargs):
        self.seen.append(torch.get_num_threads())


def test_explicit_n_jobs_resolve_like_joblib():
    cpus = joblib.cpu_count()
    assert threads.resolve_threads(3) == 3
    assert threads.resolve_threads(-1) == cpus
    assert threads.resolve_threads(-2) == max(1, cpus - 1)
    assert threads.resolve_threads(-cpus - 5) == 1


@pytest.mark.parametrize("bad", [0, 1.5, "2", True])
def test_bad_n_jobs_refused(bad):
    with pytest.raises(ValueError, match="n_jobs must be None"):
        threads.resolve_threads(bad)


@pytest.mark.parametrize("idle, expected", [(2.0, 2), (1.8, 2), (1.7, 1), (1.0, 1), (0.0, 1)])
def test_default_uses_the_cores_others_leave_free(monkeypatch, torch_threads, idle, expected):
    torch.set_num_threads(2)
    monkeypatch.setattr(threads, "idle_cpus", lambda: idle)
    assert threads.resolve_threads(None) == expected


def test_default_never_exceeds_torch_setting_or_threadpoolctl(monkeypatch, torch_threads):
    monkeypatch.setattr(threads, "idle_cpus", lambda: 64.0)
    torch.set_num_threads(2)
    assert threads.resolve_threads(None) == 2
    with threadpoolctl.threadpool_limits(1):
        assert threads.resolve_threads(None) == 1
    monkeypatch.setattr(threads, "idle_cpus", lambda: None)  # not Linux: torch's setting
    assert threads.resolve_threads(None) == 2


def test_idle_cpus_subtracts_this_process(monkeypatch):
    """Busy CPU seconds of the machine less this process's over the interval."""
    clock = iter([100.0, 101.0])
    machine = iter([50.0, 51.5])  # 1.5 busy core-seconds in 1 s
    process = iter([10.0, 10.5])  # 0.5 of them are this process's
    monkeypatch.setattr(threads.time, "monotonic", lambda: next(clock))
    monkeypatch.setattr(threads.time, "sleep", lambda seconds: None)
    monkeypatch.setattr(threads, "_cpu_seconds", lambda cpus: next(machine))
    monkeypatch.setattr(threads, "_process_seconds", lambda: next(process))
    monkeypatch.setattr(threads.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(threads, "_last", None)
    assert threads.idle_cpus() == pytest.approx(1.0)  # 2 CPUs, others busy on 1


def test_idle_cpus_on_this_machine_is_within_bounds():
    idle = threads.idle_cpus()
    if idle is None:
        pytest.skip("no /proc/stat")
    assert 0.0 <= idle <= len(threads.os.sched_getaffinity(0)) + 0.5


def test_concurrent_blocks_share_the_free_cores(monkeypatch, torch_threads):
    monkeypatch.setattr(threads, "idle_cpus", lambda: 2.0)
    monkeypatch.setattr(threads.torch, "get_num_threads", lambda: 2)
    entered, release, seen = threading.Event(), threading.Event(), {}

    def first():
        with threads.cpu_threads(None) as n:
            seen["first"] = n
            entered.set()
            release.wait(10)

    worker = threading.Thread(target=first)
    worker.start()
    entered.wait(10)
    with threads.cpu_threads(None) as n:
        seen["second"] = n
    release.set()
    worker.join()
    assert seen == {"first": 2, "second": 1}
    with threads.cpu_threads(None) as n:  # alone again
        assert n == 2


def test_block_sets_and_restores_threads_and_nesting_keeps_outer(torch_threads):
    torch.set_num_threads(2)
    with threads.cpu_threads(1) as outer:
        assert outer == 1 and torch.get_num_threads() == 1
        with threads.cpu_threads(3) as inner:
            assert inner == 1 and torch.get_num_threads() == 1
    assert torch.get_num_threads() == 2


def test_fit_trains_with_n_jobs_threads_and_restores(series, torch_threads):
    X, y = series
    torch.set_num_threads(2)
    recorder = RecordThreads()
    model = SimCLRTransformer(**FAST, n_jobs=1, callbacks=[("threads", recorder)]).fit(X)
    assert dict(model.net_.callbacks_)["threads"].seen == [1, 1]
    assert torch.get_num_threads() == 2
    # a warm start takes a changed n_jobs
    model.set_params(n_jobs=3, warm_start=True).fit(X)
    assert dict(model.net_.callbacks_)["threads"].seen == [1, 1, 3, 3]
    assert torch.get_num_threads() == 2


def test_predict_uses_n_jobs(series, monkeypatch, torch_threads):
    X, y = series
    clf = SSLClassifier(encoder="fcn", embedding_dim=8, max_epochs=1, n_jobs=1,
                        random_state=0).fit(X, y)
    seen = []
    forward = clf.net_.module_.forward
    monkeypatch.setattr(clf.net_.module_, "forward",
                        lambda *a, **k: seen.append(torch.get_num_threads()) or forward(*a, **k))
    torch.set_num_threads(2)
    clf.predict(X)
    assert seen and set(seen) == {1}


@pytest.mark.parametrize("bad", [0, 2.5])
def test_estimator_refuses_bad_n_jobs(series, bad):
    X, _ = series
    with pytest.raises(ValueError, match="n_jobs"):
        SimCLRTransformer(**FAST, n_jobs=bad).fit(X)
    model = SimCLRTransformer(**FAST).fit(X)
    model.n_jobs = bad
    with pytest.raises(ValueError, match="n_jobs must be None"):
        model.transform(X)


def test_embeddings_do_not_depend_on_threads(series):
    X, _ = series
    Z = [SimCLRTransformer(**FAST, n_jobs=n).fit(X).transform(X) for n in (1, 2)]
    # float sums differ with the thread count, and a few optimizer steps can
    # grow that to ~1e-3 of the largest value; another random stream differs by ~1
    np.testing.assert_allclose(Z[0], Z[1], rtol=1e-3, atol=2e-3 * np.abs(Z[0]).max())


def test_recent_measurement_is_reused_without_waiting(monkeypatch):
    def unexpected(*args):
        raise AssertionError("measured again")

    monkeypatch.setattr(threads, "_last", (threads.time.monotonic(), 0.0, 0.0, 1.5))
    monkeypatch.setattr(threads, "_cpu_seconds", unexpected)
    monkeypatch.setattr(threads.time, "sleep", unexpected)
    assert threads.idle_cpus() == 1.5

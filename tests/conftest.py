import numpy as np
import pytest

# Small settings that keep each fit well under a second.
FAST = dict(encoder="fcn", embedding_dim=16, max_epochs=2, batch_size=8, random_state=0)


@pytest.fixture(autouse=True)
def threads_independent_of_load(request, monkeypatch):
    """Give ``n_jobs=None`` torch's own thread setting instead of the cores
    other processes leave idle, so that the tests that compare two fits bit
    for bit do not depend on what else runs on the machine (a different
    number of threads sums in another order). tests/test_threads.py tests
    the load-dependent policy itself."""
    if request.module.__name__.rsplit(".", 1)[-1] != "test_threads":
        from sslts.utils import threads

        monkeypatch.setattr(threads, "idle_cpus", lambda: None)


@pytest.fixture
def series():
    """Two classes of noisy sines (slow and fast), shape (24, 2, 32), float64."""
    rng = np.random.RandomState(0)
    t = np.linspace(0, 1, 32)
    y = np.repeat([0, 1], 12)
    freq = np.where(y == 0, 1.0, 5.0)[:, None, None]
    phase = rng.uniform(0, 2 * np.pi, size=(24, 2, 1))
    X = np.sin(2 * np.pi * freq * t + phase) + 0.1 * rng.randn(24, 2, 32)
    return X, y

"""Fit a self-supervised transformer and score its embeddings with probes."""

from sklearn.base import clone

from ..utils.device import resolve_device
from .probes import PROBES, probe_accuracy
from .resources import track_resources

__all__ = ["evaluate_transformer"]


def evaluate_transformer(transformer, X_train, y_train, X_test, y_test, probes=("svm",)):
    """Fit a clone of ``transformer`` on ``X_train`` and probe its embeddings.

    The protocol of TS2Vec and T-Loss: the self-supervised fit sees the
    training series only, without labels; both splits are then embedded with
    ``transform`` and each probe is fitted on the training embeddings and
    scored on the test embeddings.

    Parameters
    ----------
    transformer : BaseSSLTransformer
        Unfitted (or fitted) estimator; it is cloned, never modified.
    X_train : array-like of shape (n_train, n_channels, n_timepoints)
        Training series, any format the transformer accepts.
    y_train : array-like of shape (n_train,)
        Training labels, used by the probes only.
    X_test : array-like of shape (n_test, n_channels, n_timepoints)
        Test series.
    y_test : array-like of shape (n_test,)
        Test labels.
    probes : sequence of str, default=("svm",)
        Names in :data:`~sslts.evaluation.probes.PROBES`.

    Returns
    -------
    record : dict
        ``"accuracy"``: dict probe name -> test accuracy;
        ``"fit_seconds"``: wall-clock seconds of ``fit`` alone;
        ``"peak_memory_mb"``: peak resident memory added during ``fit``
        (MiB, see :func:`~sslts.evaluation.resources.track_resources`);
        ``"peak_gpu_memory_mb"``: peak CUDA memory of ``fit`` (MiB) on a
        CUDA device, else None;
        ``"transformer"``: the fitted clone.
    """
    probes = _check_probes(probes)
    model = clone(transformer)
    device = resolve_device(model.device) if hasattr(model, "device") else "cpu"
    with track_resources(device) as usage:
        model.fit(X_train)
    Z_train, Z_test = model.transform(X_train), model.transform(X_test)
    accuracy = {name: probe_accuracy(name, Z_train, y_train, Z_test, y_test) for name in probes}
    return {
        "accuracy": accuracy,
        "fit_seconds": usage.seconds,
        "peak_memory_mb": usage.peak_memory_mb,
        "peak_gpu_memory_mb": usage.peak_gpu_memory_mb,
        "transformer": model,
    }


def _check_probes(probes):
    if isinstance(probes, str):
        probes = (probes,)
    probes = tuple(probes)
    if not probes:
        raise ValueError(f"probes is empty; name at least one of {sorted(PROBES)}.")
    unknown = [p for p in probes if p not in PROBES]
    if unknown:
        raise ValueError(f"Unknown probe(s) {unknown}; choose among {sorted(PROBES)}.")
    return probes

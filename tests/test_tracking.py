"""Experiment tracking through skorch's loggers passed as ``callbacks``, end to end."""

import numpy as np
import pytest
from sklearn.base import clone

from sslts import SimCLRTransformer

from .conftest import FAST


def test_tensorboard_event_files_hold_the_per_epoch_scalars(series, tmp_path):
    pytest.importorskip("tensorboard")
    from skorch.callbacks import TensorBoard
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    from torch.utils.tensorboard import SummaryWriter

    X, _ = series
    writer = SummaryWriter(str(tmp_path / "runs"))
    logger = TensorBoard(writer)
    model = SimCLRTransformer(**{**FAST, "max_epochs": 3, "callbacks": [logger]})
    model = clone(model).fit(X)  # a writer cannot be deep-copied: shared by the copies
    assert not hasattr(logger, "first_batch_")  # the user's callback is not used itself
    events = EventAccumulator(str(tmp_path / "runs"))
    events.Reload()
    assert {"Loss/train_loss", "embedding_std", "rankme"} <= set(events.Tags()["scalars"])
    logged = [event.value for event in events.Scalars("Loss/train_loss")]
    np.testing.assert_allclose(logged, model.history_[:, "train_loss"], rtol=1e-6)


def test_mlflow_local_file_store_gets_the_metrics(series, tmp_path, monkeypatch):
    mlflow = pytest.importorskip("mlflow")
    from mlflow.tracking import MlflowClient
    from skorch.callbacks import MlflowLogger

    # the local file store is what this test needs; MLflow asks to opt in to it
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    uri = (tmp_path / "mlruns").as_uri()
    mlflow.set_tracking_uri(uri)
    X, _ = series
    try:
        with mlflow.start_run() as run:
            model = SimCLRTransformer(**{**FAST, "max_epochs": 3, "callbacks": [
                MlflowLogger(run=run, client=MlflowClient(uri), create_artifact=False)]})
            model.fit(X)
    finally:
        mlflow.set_tracking_uri(None)
    client = MlflowClient(uri)
    for key in ("train_loss", "embedding_std", "rankme"):
        logged = [metric.value for metric in client.get_metric_history(run.info.run_id, key)]
        np.testing.assert_allclose(logged, model.history_[:, key], rtol=1e-6)

"""Evaluation: probes on embeddings, baselines, and the benchmark harness."""

from .baselines import (
    BASELINES,
    minirocket_baseline,
    one_nn_baseline,
    random_encoder_baseline,
    series_statistics_baseline,
    ts2vec_baseline,
)
from .harness import evaluate_transformer
from .probes import PROBES, knn_probe, logistic_probe, probe_accuracy, svm_probe
from .references import REFERENCE_ACCURACY, reference_accuracy
from .resources import track_resources

__all__ = [
    "BASELINES",
    "PROBES",
    "REFERENCE_ACCURACY",
    "evaluate_transformer",
    "knn_probe",
    "logistic_probe",
    "minirocket_baseline",
    "one_nn_baseline",
    "probe_accuracy",
    "random_encoder_baseline",
    "reference_accuracy",
    "series_statistics_baseline",
    "svm_probe",
    "track_resources",
    "ts2vec_baseline",
]

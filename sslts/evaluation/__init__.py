"""Probes that score embeddings with labels (the downstream protocol)."""

from .probes import svm_probe

__all__ = ["svm_probe"]

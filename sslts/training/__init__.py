"""Training engine: the skorch net, its dataset and batch iterator."""

from .data import BatchIterator, SeriesDataset
from .net import SSLModule, SSLNet, embedding_std

__all__ = ["BatchIterator", "SSLModule", "SSLNet", "SeriesDataset", "embedding_std"]

"""Out-of-core input: np.memmap, zarr and other array-likes are read in chunks and batches."""

import numpy as np
import pytest

from sslts import SimCLRTransformer, SSLClassifier, TS2VecTransformer
from sslts.utils import lazy
from sslts.utils.validation import check_lazy_series, check_time_series

from .conftest import FAST


class SliceOnly:
    """An array-like with ``shape``, ``dtype`` and basic slicing only (no fancy index)."""

    def __init__(self, array):
        self._array = array
        self.shape, self.dtype = array.shape, array.dtype
        self.reads = 0

    def __getitem__(self, key):
        if not isinstance(key, (int, np.integer, slice)):
            raise TypeError("only integers and slices")
        self.reads += 1
        return self._array[key].copy()

    def __array__(self, *args, **kwargs):
        raise AssertionError("the whole array was materialised")


def to_memmap(tmp_path, array, name="X.dat"):
    path = tmp_path / name
    out = np.memmap(path, dtype=array.dtype, mode="w+", shape=array.shape)
    out[:] = array
    out.flush()
    return np.memmap(path, dtype=array.dtype, mode="r", shape=array.shape)


@pytest.fixture
def ragged():
    """(30, 2, 40) float64 series with NaN right-padding and gaps inside some series."""
    rng = np.random.RandomState(1)
    X = rng.randn(30, 2, 40)
    for i in range(0, 30, 3):
        X[i, :, 25 + i % 10:] = np.nan  # shorter series
    X[4, 1, 5:8] = np.nan  # a gap, filled by interpolation
    X[7, 0, 0] = np.nan  # a leading gap
    return X


def test_lazy_detection():
    assert not lazy.is_lazy(np.zeros((3, 4)))
    assert not lazy.is_lazy([np.zeros(3), np.zeros(4)])
    assert lazy.is_lazy(SliceOnly(np.zeros((3, 2, 4))))
    assert not lazy.is_lazy(SliceOnly(np.zeros((3, 2, 4, 4))))  # 4-D: spectrograms


def test_reads_equal_in_memory_validation(tmp_path, ragged, monkeypatch):
    monkeypatch.setattr(lazy, "CHUNK_BYTES", 7 * 2 * 40 * 4)  # several chunks
    expected, lengths = check_time_series(ragged)
    for source in (to_memmap(tmp_path, ragged), SliceOnly(ragged)):
        series, got_lengths = check_lazy_series(source)
        np.testing.assert_array_equal(got_lengths, lengths)
        np.testing.assert_array_equal(series.read(np.arange(30)), expected)
        index = np.array([5, 2, 2, 29, 0])  # any order, repeats
        np.testing.assert_array_equal(series.read(index), expected[index])
        sub = series.subset(np.array([3, 1, 4]))
        np.testing.assert_array_equal(sub.read(np.array([2, 0])), expected[[4, 3]])


def test_univariate_2d_memmap(tmp_path):
    X = np.random.RandomState(0).randn(12, 30).astype(np.float32)
    series, lengths = check_lazy_series(to_memmap(tmp_path, X))
    assert series.shape == (12, 1, 30)
    np.testing.assert_array_equal(series.read(np.arange(12))[:, 0], X)


@pytest.mark.parametrize("kind", ["memmap", "slice_only"])
def test_fit_and_transform_match_in_memory(tmp_path, ragged, kind):
    source = to_memmap(tmp_path, ragged) if kind == "memmap" else SliceOnly(ragged)
    before = np.array(source[0:30])
    params = dict(FAST, max_epochs=3, batch_size=8)
    on_disk = SimCLRTransformer(**params).fit(source)
    in_memory = SimCLRTransformer(**params).fit(ragged)
    np.testing.assert_array_equal(on_disk.transform(source), in_memory.transform(ragged))
    np.testing.assert_array_equal(np.array(source[0:30]), before, strict=True)
    assert on_disk.n_features_in_ == 2 and on_disk.n_channels_in_ == 2
    H = on_disk.transform_timestamps(source)
    np.testing.assert_array_equal(H, in_memory.transform_timestamps(ragged))


def test_validation_split_and_partial_fit(tmp_path, ragged):
    source = to_memmap(tmp_path, ragged)
    params = dict(FAST, validation_fraction=0.25)
    a = SimCLRTransformer(**params).fit(source)
    b = SimCLRTransformer(**params).fit(ragged)
    np.testing.assert_allclose(a.history_[:, "valid_loss"], b.history_[:, "valid_loss"])
    c = SimCLRTransformer(**FAST).partial_fit(source).partial_fit(source)
    d = SimCLRTransformer(**FAST).partial_fit(ragged).partial_fit(ragged)
    np.testing.assert_array_equal(c.transform(source), d.transform(ragged))


def test_ts2vec_and_classifier_on_memmap(tmp_path, ragged):
    source = to_memmap(tmp_path, ragged)
    y = np.arange(30) % 2
    ts2vec = dict(embedding_dim=8, max_steps=3, batch_size=4, random_state=0)
    np.testing.assert_array_equal(
        TS2VecTransformer(**ts2vec).fit(source).transform(source),
        TS2VecTransformer(**ts2vec).fit(ragged).transform(ragged))
    clf = dict(encoder="fcn", embedding_dim=8, max_epochs=2, random_state=0)
    np.testing.assert_array_equal(SSLClassifier(**clf).fit(source, y).predict_proba(source),
                                  SSLClassifier(**clf).fit(ragged, y).predict_proba(ragged))


def test_ts2vec_auto_step_budget_counts_out_of_core_values(tmp_path):
    """max_steps="auto" (the default) reads the size of a memmap without loading it."""
    X = np.random.default_rng(0).standard_normal((60, 2, 900)).astype(np.float32)
    model = TS2VecTransformer(embedding_dim=8, max_epochs=1, batch_size=30, max_train_length=16,
                              random_state=0).fit(to_memmap(tmp_path, X))
    assert model.net_.max_steps == 600  # 108,000 values


def test_zarr_array(tmp_path, ragged):
    zarr = pytest.importorskip("zarr")
    z = zarr.open(str(tmp_path / "X.zarr"), mode="w", shape=ragged.shape, chunks=(7, 2, 40),
                  dtype="f4")
    z[:] = ragged.astype(np.float32)
    model = SimCLRTransformer(**FAST).fit(z)
    expected = SimCLRTransformer(**FAST).fit(ragged.astype(np.float32))
    np.testing.assert_array_equal(model.transform(z), expected.transform(ragged))


def test_errors_name_the_sample_across_chunks(tmp_path, ragged, monkeypatch):
    monkeypatch.setattr(lazy, "CHUNK_BYTES", 4 * 2 * 40 * 4)
    bad = ragged.copy()
    bad[13, 0, 3] = np.inf
    with pytest.raises(ValueError, match="infinity in sample 13"):
        SimCLRTransformer(**FAST).fit(to_memmap(tmp_path, bad, "inf.dat"))
    bad = ragged.copy()
    bad[21] = np.nan
    with pytest.raises(ValueError, match="Sample 21 is entirely NaN"):
        SimCLRTransformer(**FAST).fit(to_memmap(tmp_path, bad, "nan.dat"))


def test_bad_lazy_input(tmp_path, ragged):
    with pytest.raises(ValueError, match="Complex"):
        SimCLRTransformer(**FAST).fit(SliceOnly(ragged.astype(np.complex64)))
    with pytest.raises(TypeError, match="must be numeric"):
        SimCLRTransformer(**FAST).fit(SliceOnly(ragged.astype(object)))
    with pytest.raises(ValueError, match="minimum of 2"):
        SimCLRTransformer(**FAST).fit(SliceOnly(ragged[:1]))
    model = SimCLRTransformer(**FAST).fit(ragged)
    with pytest.raises(ValueError, match="3 channels, but SimCLRTransformer was fitted with 2"):
        model.transform(to_memmap(tmp_path, np.zeros((4, 3, 40), np.float32)))


def test_memmap_reads_do_not_keep_pages_mapped(tmp_path):
    """A whole-file memmap is re-opened per read: the user's mapping is never touched."""
    X = np.random.RandomState(0).randn(20, 1, 16).astype(np.float32)
    source = to_memmap(tmp_path, X)
    series, _ = check_lazy_series(source)
    assert series._file is not None and series._file["offset"] == 0
    view = source[5:15]  # a view: read through the mapping itself
    assert lazy.LazySeries(view)._file is None
    np.testing.assert_array_equal(lazy.LazySeries(view).read(np.arange(10)), X[5:15])

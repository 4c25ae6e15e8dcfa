"""UCR/UEA loader and CSV sliding windows."""

import numpy as np
import pandas as pd
import pytest

from sslts.datasets import (
    BUNDLED_DATASETS,
    archive_datasets,
    archive_names,
    dataset_name,
    load_csv_windows,
    load_ucr_uea,
)
from sslts.utils.validation import check_time_series

# ---------------------------------------------------------------- UCR / UEA


def test_equal_length_univariate_is_a_float32_3d_array():
    X, y = load_ucr_uea("GunPoint")
    assert isinstance(X, np.ndarray) and X.dtype == np.float32
    assert X.shape == (50, 1, 150) and y.shape == (50,)
    assert set(y) == {"1", "2"}
    assert np.isfinite(X).all()


def test_multivariate_keeps_channels():
    X, y = load_ucr_uea("BasicMotions", split="test")
    assert X.shape == (40, 6, 100) and X.dtype == np.float32
    assert "standing" in set(y)


def test_variable_length_gives_a_ragged_list_the_estimators_accept():
    X, y = load_ucr_uea("JapaneseVowels")
    assert isinstance(X, list) and len(X) == len(y) == 270
    assert all(x.dtype == np.float32 and x.shape[0] == 12 for x in X)
    lengths = {x.shape[1] for x in X}
    assert len(lengths) > 1 and min(lengths) == 7
    X3, valid = check_time_series(X)
    assert X3.shape == (270, 12, max(lengths))
    assert sorted(set(valid)) == sorted(lengths)


def test_splits_and_both_concatenated():
    X_train, y_train = load_ucr_uea("ItalyPowerDemand", "train")
    X_test, y_test = load_ucr_uea("ItalyPowerDemand", "TEST")
    X_all, y_all = load_ucr_uea("ItalyPowerDemand", None)
    assert len(X_train) == 67 and len(X_test) == 1029
    np.testing.assert_array_equal(X_all, np.concatenate([X_train, X_test]))
    np.testing.assert_array_equal(y_all, np.concatenate([y_train, y_test]))


@pytest.mark.parametrize("split", ["validation", "", 1])
def test_bad_split_is_rejected(split):
    with pytest.raises(ValueError, match="'train', 'test', or None"):
        load_ucr_uea("GunPoint", split)


def test_unknown_name_suggests_close_names():
    with pytest.raises(ValueError, match="Unknown UCR/UEA dataset 'GunPont'.*'GunPoint'"):
        load_ucr_uea("GunPont")
    with pytest.raises(TypeError, match="dataset name"):
        load_ucr_uea(3)


def test_names_are_case_insensitive():
    X, y = load_ucr_uea("gunpoint")
    np.testing.assert_array_equal(X, load_ucr_uea("GunPoint")[0])
    assert dataset_name("ITALYPOWERDEMAND") == "ItalyPowerDemand"
    with pytest.raises(ValueError, match="Did you mean 'BasicMotions'"):
        dataset_name("basicmotion")


def test_bundled_names_are_archive_names():
    names = archive_names()
    assert set(BUNDLED_DATASETS) <= set(names)
    assert "Coffee" in names and len(names) > 100


def test_download_failure_names_the_dataset_and_the_network(monkeypatch):
    import sktime.datasets

    def offline(*args, **kwargs):
        raise RuntimeError("All download strategies failed")

    monkeypatch.setattr(sktime.datasets, "load_UCR_UEA_dataset", offline)
    with pytest.raises(RuntimeError, match="'Coffee'.*network") as info:
        load_ucr_uea("Coffee")
    assert "extract_path" in str(info.value)


# --------------------------------------------------- local copy of the archives


def write_ucr_tsv(folder, name, n_train=6, n_test=4, length=12):
    """A 2-class UCR 2018 dataset: label ``i % 2 + 1``, values ``i * 100 + t``."""
    (folder / name).mkdir(parents=True)
    for split, n in (("TRAIN", n_train), ("TEST", n_test)):
        lines = ["\t".join([str(i % 2 + 1), *(f"{i * 100 + t:.1f}" for t in range(length))])
                 for i in range(n)]
        (folder / name / f"{name}_{split}.tsv").write_text("\n".join(lines) + "\n")


def write_uea_ts(folder, name, labels_train=("a", "b", "a"), labels_test=("b", "a")):
    """A 2-channel UEA .ts dataset of length 10: channel c of series i is i + 10 c + t."""
    (folder / name).mkdir(parents=True)
    for split, labels in (("TRAIN", labels_train), ("TEST", labels_test)):
        rows = [":".join([*(",".join(str(i + 10 * c + t) for t in range(10)) for c in range(2)),
                          label]) for i, label in enumerate(labels)]
        header = [f"@problemName {name}", "@timeStamps false", "@univariate false",
                  "@dimensions 2", "@equalLength true", "@seriesLength 10",
                  "@classLabel true a b", "@data"]
        (folder / name / f"{name}_{split}.ts").write_text("\n".join(header + rows) + "\n")


def test_local_ucr_tsv_is_a_float32_3d_array_with_string_labels(tmp_path):
    write_ucr_tsv(tmp_path, "Toy")
    X, y = load_ucr_uea("Toy", "train", data_dir=tmp_path)
    assert isinstance(X, np.ndarray) and X.dtype == np.float32 and X.shape == (6, 1, 12)
    np.testing.assert_array_equal(X[3, 0], 300 + np.arange(12))
    assert y.dtype.kind == "U" and list(y) == ["1", "2"] * 3
    X_test, y_test = load_ucr_uea("Toy", "test", data_dir=str(tmp_path))
    assert X_test.shape == (4, 1, 12) and list(y_test) == ["1", "2", "1", "2"]
    X_all, y_all = load_ucr_uea("Toy", None, data_dir=tmp_path)
    np.testing.assert_array_equal(X_all, np.concatenate([X, X_test]))
    np.testing.assert_array_equal(y_all, np.concatenate([y, y_test]))


def test_local_tsv_with_nan_padding_gives_a_ragged_list(tmp_path):
    (tmp_path / "Ragged").mkdir()
    for split in ("TRAIN", "TEST"):
        (tmp_path / "Ragged" / f"Ragged_{split}.tsv").write_text(
            "a\t1\t2\t3\t4\t5\n"
            "b\t1\t2\tNaN\tNaN\tNaN\n"
            "a\t7\t8\t9\t10\tNaN\n")
    X, y = load_ucr_uea("ragged", "train", data_dir=tmp_path)
    assert isinstance(X, list) and [x.shape for x in X] == [(1, 5), (1, 2), (1, 4)]
    assert all(x.dtype == np.float32 for x in X)
    np.testing.assert_array_equal(X[2], [[7, 8, 9, 10]])
    assert list(y) == ["a", "b", "a"]


def test_local_uea_ts_keeps_channels(tmp_path):
    write_uea_ts(tmp_path, "TwoChannels")
    X, y = load_ucr_uea("TwoChannels", "train", data_dir=tmp_path)
    assert isinstance(X, np.ndarray) and X.dtype == np.float32 and X.shape == (3, 2, 10)
    np.testing.assert_array_equal(X[2, 1], 2 + 10 + np.arange(10))
    assert y.dtype.kind == "U" and list(y) == ["a", "b", "a"]
    X, y = load_ucr_uea("TwoChannels", "test", data_dir=tmp_path)
    assert X.shape == (2, 2, 10) and list(y) == ["b", "a"]


def test_local_ts_is_preferred_to_tsv(tmp_path):
    write_uea_ts(tmp_path, "Both")
    write_ucr_tsv(tmp_path / "tsv", "Both")
    for path in (tmp_path / "tsv" / "Both").iterdir():
        path.rename(tmp_path / "Both" / path.name)
    X, _ = load_ucr_uea("Both", "train", data_dir=tmp_path)
    assert X.shape == (3, 2, 10)


def test_local_names_match_exactly_then_whatever_the_case(tmp_path):
    write_ucr_tsv(tmp_path, "GunPoint", n_train=2)
    write_ucr_tsv(tmp_path, "Coffee", n_train=3)
    assert len(load_ucr_uea("gunpoint", data_dir=tmp_path)[0]) == 2
    assert len(load_ucr_uea("COFFEE", data_dir=tmp_path)[0]) == 3
    assert dataset_name("coffee", data_dir=tmp_path) == "Coffee"
    with pytest.raises(ValueError, match="No dataset folder 'GunPont' in .*'GunPoint'"):
        load_ucr_uea("GunPont", data_dir=tmp_path)
    with pytest.raises(ValueError, match="is not a folder"):
        load_ucr_uea("Coffee", data_dir=tmp_path / "nowhere")


def test_local_errors_name_the_file(tmp_path):
    write_ucr_tsv(tmp_path, "Toy")
    (tmp_path / "Toy" / "Toy_TEST.tsv").unlink()
    with pytest.raises(FileNotFoundError, match="test split of 'Toy'.*Toy_TEST.ts nor .*tsv"):
        load_ucr_uea("Toy", "test", data_dir=tmp_path)
    (tmp_path / "Toy" / "Toy_TEST.tsv").write_text("1\t1.0\t2.0\n2\t3.0\tabc\n")
    with pytest.raises(ValueError, match=r"Toy_TEST.tsv, line 2: 'abc' is not a number"):
        load_ucr_uea("Toy", "test", data_dir=tmp_path)
    with pytest.raises(ValueError, match="not both"):
        load_ucr_uea("Toy", data_dir=tmp_path, extract_path=tmp_path)


def test_archive_datasets_lists_complete_folders_of_either_layout(tmp_path):
    write_ucr_tsv(tmp_path, "beta")
    write_uea_ts(tmp_path, "Alpha")
    write_ucr_tsv(tmp_path, "Gamma")
    (tmp_path / "Gamma" / "Gamma_TRAIN.tsv").unlink()  # incomplete
    (tmp_path / "Empty").mkdir()
    (tmp_path / "notes.txt").write_text("not a dataset")
    assert archive_datasets(tmp_path) == ["Alpha", "beta"]
    with pytest.raises(ValueError, match="is not a folder"):
        archive_datasets(tmp_path / "notes.txt")


# ----------------------------------------------------------------------- CSV


@pytest.fixture
def recording(tmp_path):
    """A 20-row recording: two numeric channels, a text column and labels."""
    rows = np.arange(20, dtype=float)
    frame = pd.DataFrame({
        "ACC X": rows,
        "ACC Y": 100 + rows,
        "note": ["ok"] * 19 + ["moved"],
        "activity": ["walk"] * 8 + ["run"] * 12,
    })
    path = tmp_path / "recording.csv"
    frame.to_csv(path, index=False)
    return path


def test_windows_side_by_side_by_default(recording):
    X, y = load_csv_windows(recording, ["ACC X", "ACC Y"], 5)
    assert y is None
    assert X.shape == (4, 2, 5) and X.dtype == np.float32 and X.flags.c_contiguous
    np.testing.assert_array_equal(X[1, 0], np.arange(5, 10))
    np.testing.assert_array_equal(X[1, 1], 100 + np.arange(5, 10))


def test_stride_overlaps_and_drops_the_incomplete_tail(recording):
    X, _ = load_csv_windows(recording, "ACC X", 6, stride=4)
    assert X.shape == (4, 1, 6)  # starts 0, 4, 8, 12; rows 18-19 left out
    np.testing.assert_array_equal(X[:, 0, 0], [0, 4, 8, 12])
    X, _ = load_csv_windows(recording, "ACC X", 20)
    assert X.shape == (1, 1, 20)


def test_window_label_is_the_most_frequent(recording):
    X, y = load_csv_windows(recording, "ACC X", 5, label_column="activity")
    # windows: rows 0-4 walk, 5-9 walk x3 run x2, 10-14 run, 15-19 run
    assert list(y) == ["walk", "walk", "run", "run"]


def test_ties_go_to_the_label_seen_first(tmp_path):
    path = tmp_path / "tie.csv"
    pd.DataFrame({"v": range(4), "label": ["b", "a", "a", "b"]}).to_csv(path, index=False)
    _, y = load_csv_windows(path, "v", 4, label_column="label")
    assert list(y) == ["b"]
    _, y = load_csv_windows(path, "v", 2, stride=1, label_column="label")
    assert list(y) == ["b", "a", "a"]


def test_drop_mixed_keeps_windows_with_one_label(recording):
    X, y = load_csv_windows(recording, "ACC X", 5, label_column="activity", drop_mixed=True)
    assert list(y) == ["walk", "run", "run"]
    np.testing.assert_array_equal(X[:, 0, 0], [0, 10, 15])
    with pytest.raises(ValueError, match="leaves none"):
        load_csv_windows(recording, "ACC X", 20, label_column="activity", drop_mixed=True)
    with pytest.raises(ValueError, match="needs label_column"):
        load_csv_windows(recording, "ACC X", 5, drop_mixed=True)


def test_missing_values_stay_nan(tmp_path):
    path = tmp_path / "gaps.csv"
    path.write_text("a,b\n1,2\n,3\n4,\n5,6\n")
    X, _ = load_csv_windows(path, ["a", "b"], 4)
    assert np.isnan(X[0, 0, 1]) and np.isnan(X[0, 1, 2])
    assert np.isfinite(X).sum() == 6


def test_missing_column_lists_the_available_ones(recording):
    with pytest.raises(ValueError, match=r"\['ACC Z'\] not found.*'ACC X', 'ACC Y', 'note'"):
        load_csv_windows(recording, ["ACC X", "ACC Z"], 5)
    with pytest.raises(ValueError, match=r"\['label'\] not found in .*recording.csv"):
        load_csv_windows(recording, "ACC X", 5, label_column="label")


def test_non_numeric_column_is_rejected(recording):
    with pytest.raises(ValueError, match="'note' is not numeric: row 0 holds 'ok'"):
        load_csv_windows(recording, "note", 5)


def test_window_longer_than_the_recording(recording):
    with pytest.raises(ValueError, match="longer than the recording \\(20 rows\\)"):
        load_csv_windows(recording, "ACC X", 21)


@pytest.mark.parametrize("name, value", [
    ("stride", 0), ("stride", 1.5), ("stride", True), ("window_length", -2),
])
def test_bad_window_or_stride(recording, name, value):
    kwargs = {"window_length": 5, name: value}
    with pytest.raises(ValueError, match=f"{name} must be a positive integer"):
        load_csv_windows(recording, "ACC X", **kwargs)


def test_bad_columns_and_missing_labels(recording, tmp_path):
    with pytest.raises(TypeError, match="non-empty list of column names"):
        load_csv_windows(recording, [], 5)
    with pytest.raises(ValueError, match="duplicates"):
        load_csv_windows(recording, ["ACC X", "ACC X"], 5)
    path = tmp_path / "unlabelled.csv"
    path.write_text("v,label\n1,a\n2,\n3,b\n")
    with pytest.raises(ValueError, match="missing values \\(first at row 1\\)"):
        load_csv_windows(path, "v", 1, label_column="label")

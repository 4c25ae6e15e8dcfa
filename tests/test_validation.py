import re

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from sslts.utils.validation import (
    check_time_series,
    input_ndim,
    record_input_shape,
    restore_input_shape,
)

nan = np.nan


def _check_output(X3, lengths, shape):
    assert X3.shape == shape
    assert X3.dtype == np.float32
    assert X3.flags["C_CONTIGUOUS"]
    assert lengths.dtype == np.int64
    assert lengths.shape == (shape[0],)


@pytest.fixture(scope="module")
def basic_motions():
    from sktime.datasets import load_basic_motions

    X, _ = load_basic_motions(return_type="nested_univ")
    return X.iloc[:5]


@pytest.fixture(scope="module")
def vowels():
    from sktime.datasets import load_japanese_vowels

    X, _ = load_japanese_vowels(return_type="nested_univ")
    return X.iloc[:4]


# ---------------------------------------------------------------- formats


def test_3d_numpy():
    X = np.random.RandomState(0).randn(4, 3, 7).astype(np.float32)
    X3, lengths = check_time_series(X)
    _check_output(X3, lengths, (4, 3, 7))
    np.testing.assert_array_equal(X3, X)
    np.testing.assert_array_equal(lengths, [7, 7, 7, 7])


def test_2d_numpy_is_univariate():
    X = np.arange(12, dtype=np.float64).reshape(3, 4)
    X3, lengths = check_time_series(X)
    _check_output(X3, lengths, (3, 1, 4))
    np.testing.assert_array_equal(X3[:, 0, :], X)
    np.testing.assert_array_equal(lengths, [4, 4, 4])


def test_nested_lists():
    X3, lengths = check_time_series([[[1, 2, 3]], [[4, 5, 6]]])
    _check_output(X3, lengths, (2, 1, 3))
    np.testing.assert_array_equal(X3[1, 0], [4, 5, 6])
    X3, lengths = check_time_series([[1, 2], [3, 4], [5, 6]])
    _check_output(X3, lengths, (3, 1, 2))
    np.testing.assert_array_equal(X3[:, 0, :], [[1, 2], [3, 4], [5, 6]])


def test_ragged_list_of_1d():
    X = [np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0]), [6, 7, 8, 9]]
    X3, lengths = check_time_series(X)
    _check_output(X3, lengths, (3, 1, 4))
    np.testing.assert_array_equal(lengths, [3, 2, 4])
    np.testing.assert_array_equal(
        X3[:, 0, :], [[1, 2, 3, nan], [4, 5, nan, nan], [6, 7, 8, 9]]
    )


def test_ragged_list_of_2d():
    X = (np.ones((2, 5)), np.zeros((2, 3), dtype=np.int32))
    X3, lengths = check_time_series(X)
    _check_output(X3, lengths, (2, 2, 5))
    np.testing.assert_array_equal(lengths, [5, 3])
    np.testing.assert_array_equal(X3[0], np.ones((2, 5)))
    np.testing.assert_array_equal(X3[1, :, :3], 0)
    assert np.isnan(X3[1, :, 3:]).all()


def test_ragged_channel_mismatch():
    X = [np.ones((2, 5)), np.ones((2, 4)), np.ones((3, 4))]
    with pytest.raises(ValueError, match=r"X\[2\] has 3 channels but X\[0\] has 2"):
        check_time_series(X)


def test_ragged_bad_item_ndim():
    with pytest.raises(ValueError, match=r"X\[1\] has shape \(1, 2, 3\)"):
        check_time_series([np.ones((2, 3)), np.ones((1, 2, 3))])


def test_nested_univ(basic_motions):
    X3, lengths = check_time_series(basic_motions)
    _check_output(X3, lengths, (5, 6, 100))
    np.testing.assert_array_equal(lengths, 100)
    expected = basic_motions.iloc[3, 2].to_numpy().astype(np.float32)
    np.testing.assert_array_equal(X3[3, 2], expected)


def test_nested_univ_variable_length(vowels):
    X3, lengths = check_time_series(vowels)
    true_lengths = [len(vowels.iloc[i, 0]) for i in range(len(vowels))]
    _check_output(X3, lengths, (4, 12, max(true_lengths)))
    np.testing.assert_array_equal(lengths, true_lengths)
    for i, length in enumerate(true_lengths):
        np.testing.assert_array_equal(
            X3[i, 5, :length], vowels.iloc[i, 5].to_numpy().astype(np.float32)
        )
        assert np.isnan(X3[i, :, length:]).all()


def test_nested_univ_hand_made_arrays():
    X = pd.DataFrame(
        {"a": [np.array([1.0, 2.0]), np.array([3.0])],
         "b": [np.array([4.0, 5.0]), np.array([6.0])]}
    )
    X3, lengths = check_time_series(X)
    _check_output(X3, lengths, (2, 2, 2))
    np.testing.assert_array_equal(X3[0], [[1, 2], [4, 5]])
    np.testing.assert_array_equal(X3[1], [[3, nan], [6, nan]])
    np.testing.assert_array_equal(lengths, [2, 1])
    assert input_ndim(X) == 3


def test_pd_multiindex(vowels):
    from sktime.datatypes import convert_to

    X = convert_to(vowels, to_type="pd-multiindex")
    X3, lengths = check_time_series(X)
    expected, expected_lengths = check_time_series(vowels)
    np.testing.assert_array_equal(X3, expected)
    np.testing.assert_array_equal(lengths, expected_lengths)
    assert X3.flags["C_CONTIGUOUS"] and X3.dtype == np.float32


def test_pd_multiindex_hand_made():
    index = pd.MultiIndex.from_tuples(
        [("a", 0), ("a", 1), ("a", 2), ("b", 0), ("b", 1)]
    )
    X = pd.DataFrame({"x": [1, 2, 3, 4, 5], "y": [6, 7, 8, 9, 10]}, index=index)
    X3, lengths = check_time_series(X)
    _check_output(X3, lengths, (2, 2, 3))
    np.testing.assert_array_equal(X3[0], [[1, 2, 3], [6, 7, 8]])
    np.testing.assert_array_equal(X3[1], [[4, 5, nan], [9, 10, nan]])
    np.testing.assert_array_equal(lengths, [3, 2])
    assert input_ndim(X) == 3


def test_multiindex_three_levels():
    index = pd.MultiIndex.from_tuples([("a", "u", 0), ("a", "u", 1)])
    X = pd.DataFrame({"x": [1.0, 2.0]}, index=index)
    with pytest.raises(ValueError, match="2 row levels"):
        check_time_series(X, min_samples=1)


def test_plain_dataframe():
    X = pd.DataFrame([[1, 2, 3], [4, 5, 6]], columns=["t0", "t1", "t2"])
    X3, lengths = check_time_series(X)
    _check_output(X3, lengths, (2, 1, 3))
    np.testing.assert_array_equal(X3[:, 0, :], [[1, 2, 3], [4, 5, 6]])
    assert input_ndim(X) == 2


def test_dataframe_nullable_dtype():
    X = pd.DataFrame({"a": pd.array([1, 2], dtype="Int64"),
                      "b": pd.array([3, None], dtype="Int64")})
    X3, lengths = check_time_series(X)
    np.testing.assert_array_equal(X3[:, 0, :], [[1, 3], [2, nan]])
    np.testing.assert_array_equal(lengths, [2, 1])


# ---------------------------------------------------------------- dtypes


@pytest.mark.parametrize(
    "dtype", [np.int64, np.int8, np.uint16, bool, np.float64, np.float16]
)
def test_dtype_conversion(dtype):
    X = np.arange(12).reshape(2, 2, 3).astype(dtype)
    X3, _ = check_time_series(X)
    assert X3.dtype == np.float32
    np.testing.assert_array_equal(X3, X.astype(np.float32))


def test_object_numeric_conversion():
    X = np.array([[1, 2.5, None], [3, 4, 5]], dtype=object)
    X3, lengths = check_time_series(X)
    np.testing.assert_array_equal(X3[:, 0, :], [[1, 2.5, nan], [3, 4, 5]])
    np.testing.assert_array_equal(lengths, [2, 3])


def test_object_non_numeric_raises_sklearn_message():
    X = np.random.RandomState(0).uniform(size=(5, 3)).astype(object)
    X[0, 0] = {"foo": "bar"}
    with pytest.raises(TypeError, match="argument must be .* string.* number"):
        check_time_series(X)


def test_object_strings_raise():
    X = np.array([[1, "a"], [2, 3]], dtype=object)
    with pytest.raises(ValueError, match="could not convert string to float"):
        check_time_series(X)


def test_string_array_raises():
    with pytest.raises(TypeError, match="contains strings"):
        check_time_series(np.array([["1", "2"], ["3", "4"]]))


def test_string_dataframe_raises():
    X = pd.DataFrame({"a": ["x", "y"], "b": [1.0, 2.0]})
    with pytest.raises(ValueError, match="could not convert string to float"):
        check_time_series(X)


def test_datetime_raises():
    X = np.array([["2020-01-01", "2020-01-02"]] * 2, dtype="datetime64[D]")
    with pytest.raises(TypeError, match="unsupported dtype"):
        check_time_series(X)


# ---------------------------------------------------------------- errors


def test_none_raises():
    with pytest.raises(TypeError, match="X is None"):
        check_time_series(None)


def test_sparse_raises():
    with pytest.raises(TypeError, match="Sparse data is not supported"):
        check_time_series(sp.csr_matrix(np.ones((3, 4))))


def test_complex_raises():
    X = np.ones((3, 4)) + 1j
    with pytest.raises(ValueError, match="complex data is not supported"):
        check_time_series(X)
    # scikit-learn's check_complex_data message
    with pytest.raises(ValueError, match="Complex data not supported"):
        check_time_series(X)


def test_1d_raises():
    with pytest.raises(ValueError, match=r"1-D array.*needs a sample axis.*2 samples"):
        check_time_series(np.arange(5.0))


def test_4d_raises():
    with pytest.raises(ValueError, match="got 4-D"):
        check_time_series(np.ones((2, 2, 2, 2)))


@pytest.mark.parametrize("X", [np.empty((0, 3)), np.empty((0, 2, 3)), [],
                               pd.DataFrame()])
def test_zero_samples_raises(X):
    with pytest.raises(ValueError, match="0 sample"):
        check_time_series(X)


def test_zero_features_2d_sklearn_message():
    msg = r"0 feature\(s\) \(shape=\(\d*, 0\)\) while a minimum of \d* is required."
    with pytest.raises(ValueError, match=msg):
        check_time_series(np.empty(0).reshape(12, 0))


@pytest.mark.parametrize("shape", [(3, 0, 4), (3, 2, 0)])
def test_zero_channels_or_time_points_3d(shape):
    with pytest.raises(ValueError, match=r"0 channel\(s\) or 0 time point"):
        check_time_series(np.empty(shape))


def test_min_samples():
    with pytest.raises(ValueError, match="Found 1 sample.*minimum of 2"):
        check_time_series(np.ones((1, 10)))
    X3, lengths = check_time_series(np.ones((1, 10)), min_samples=1)
    assert X3.shape == (1, 1, 10)
    with pytest.raises(ValueError, match="Found 2 sample.*minimum of 3"):
        check_time_series(np.ones((2, 2, 10)), min_samples=3)


@pytest.mark.parametrize("value", [np.inf, -np.inf])
def test_inf_raises(value):
    X = np.ones((4, 2, 5))
    X[2, 1, 3] = value
    with pytest.raises(ValueError, match="infinity in sample 2"):
        check_time_series(X)


def test_all_nan_sample_raises():
    X = np.ones((4, 2, 5))
    X[1] = nan
    with pytest.raises(ValueError, match="Sample 1 is entirely NaN"):
        check_time_series(X)


def test_empty_ragged_item_raises():
    with pytest.raises(ValueError, match="Sample 1 is entirely NaN"):
        check_time_series([np.ones(3), np.ones(0)])


def test_all_nan_channel_raises():
    X = np.ones((4, 3, 5))
    X[2, 1] = nan
    with pytest.raises(ValueError, match="Channel 1 of sample 2 is entirely NaN"):
        check_time_series(X)


def test_n_channels_mismatch():
    X = np.ones((2, 3, 5))
    msg = re.escape("X has 3 channels, but MyEstimator was fitted with 6 channels.")
    with pytest.raises(ValueError, match=msg):
        check_time_series(X, n_channels=6, estimator_name="MyEstimator")
    msg = re.escape("X has 3 channels, but the estimator was fitted with 6 channels.")
    with pytest.raises(ValueError, match=msg):
        check_time_series(X, n_channels=6)
    X3, _ = check_time_series(X, n_channels=3)
    assert X3.shape == (2, 3, 5)


# ---------------------------------------------------------------- NaN policy


def test_nan_policy_exact_values():
    X = np.array(
        [
            # interior gap interpolated, leading gap back-filled
            [[nan, nan, 1.0, nan, nan, 4.0, 5.0],
             [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0]],
            # tail padding in all channels; partial-channel tail filled
            [[1.0, 2.0, 3.0, nan, nan, nan, nan],
             [7.0, 8.0, nan, nan, nan, nan, nan]],
            # padding only: a shorter sample
            [[1.0, nan, nan, nan, nan, nan, nan],
             [2.0, nan, nan, nan, nan, nan, nan]],
        ]
    )
    X3, lengths = check_time_series(X)
    np.testing.assert_array_equal(lengths, [7, 3, 1])
    np.testing.assert_array_equal(
        X3[0], [[1, 1, 1, 2, 3, 4, 5], [0, 1, 2, 3, 4, 5, 6]]
    )
    np.testing.assert_array_equal(
        X3[1], [[1, 2, 3, nan, nan, nan, nan], [7, 8, 8, nan, nan, nan, nan]]
    )
    np.testing.assert_array_equal(
        X3[2], [[1, nan, nan, nan, nan, nan, nan], [2, nan, nan, nan, nan, nan, nan]]
    )
    for i, length in enumerate(lengths):
        assert not np.isnan(X3[i, :, :length]).any()
        assert np.isnan(X3[i, :, length:]).all()


def test_nan_interpolation_non_integer():
    X = np.array([[0.0, nan, nan, 3.0, nan, 1.0], [1.0, 1.0, 1.0, 1.0, 1.0, 1.0]])
    X3, lengths = check_time_series(X)
    np.testing.assert_allclose(X3[0, 0], [0, 1, 2, 3, 2, 1])
    np.testing.assert_array_equal(lengths, [6, 6])


# ---------------------------------------------------------------- no mutation


@pytest.mark.parametrize("with_nan", [False, True])
def test_numpy_input_not_modified(with_nan):
    X = np.random.RandomState(0).randn(3, 2, 6).astype(np.float32)
    if with_nan:
        X[0, 0, 2] = nan
        X[1, :, 4:] = nan
    before = X.copy()
    X3, _ = check_time_series(X)
    assert not np.shares_memory(X3, X)
    np.testing.assert_array_equal(X, before)
    if with_nan:
        assert not np.isnan(X3[0, 0, 2])


def test_2d_input_not_modified():
    X = np.array([[1.0, nan, 3.0], [4.0, 5.0, 6.0]], dtype=np.float32)
    before = X.copy()
    X3, _ = check_time_series(X)
    assert not np.shares_memory(X3, X)
    np.testing.assert_array_equal(X, before)


def test_list_input_not_modified():
    a = np.array([1.0, nan, 3.0], dtype=np.float32)
    b = np.array([4.0, 5.0], dtype=np.float32)
    X = [a, b]
    X3, _ = check_time_series(X)
    assert not np.shares_memory(X3, a) and not np.shares_memory(X3, b)
    np.testing.assert_array_equal(a, [1.0, nan, 3.0])
    assert X[0] is a and len(X) == 2
    # equal-length list goes through the stacking path
    X = [a.copy(), a.copy()]
    check_time_series(X)
    np.testing.assert_array_equal(X[1], [1.0, nan, 3.0])


def test_dataframe_input_not_modified(vowels):
    X = vowels.iloc[:2].copy()
    first = X.iloc[0, 0].copy()
    X.iloc[0, 0].iloc[3] = nan
    first.iloc[3] = nan
    check_time_series(X)
    pd.testing.assert_series_equal(X.iloc[0, 0], first)


# ---------------------------------------------------------------- helpers


def test_input_ndim():
    assert input_ndim(np.ones((2, 3))) == 2
    assert input_ndim([[1, 2], [3, 4]]) == 2
    assert input_ndim(np.ones((2, 1, 3))) == 3
    assert input_ndim([np.ones(3), np.ones(2)]) == 3
    assert input_ndim([np.ones((2, 3)), np.ones((2, 2))]) == 3


def test_restore_input_shape():
    X2 = np.ones((4, 5))
    X3, _ = check_time_series(X2)
    out = restore_input_shape(X3, X2)
    assert out.shape == (4, 5)
    assert restore_input_shape(X3, pd.DataFrame(X2)).shape == (4, 5)
    X = np.ones((4, 2, 5))
    X3, _ = check_time_series(X)
    assert restore_input_shape(X3, X) is X3
    with pytest.raises(ValueError, match="single channel"):
        restore_input_shape(X3, X2)


@pytest.mark.parametrize("X, n_features_in, n_channels_in", [
    (np.zeros((4, 3, 10)), 3, 3),           # 3-D: channels
    (np.zeros((4, 10)), 10, 1),             # 2-D: time points, one channel
    ([np.zeros((2, 5)), np.zeros((2, 7))], 2, 2),  # ragged list: channels
])
def test_record_input_shape_follows_scikit_learn(X, n_features_in, n_channels_in):
    class Estimator:
        pass

    estimator = Estimator()
    record_input_shape(estimator, X, check_time_series(X, min_samples=1)[0])
    assert estimator.n_features_in_ == n_features_in
    assert estimator.n_channels_in_ == n_channels_in

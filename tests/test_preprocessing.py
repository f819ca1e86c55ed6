"""Tests for tslearnkit.preprocessing: splits, scaling, windows, padding, z-normalisation."""

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.preprocessing import MinMaxScaler
from torch.utils.data import DataLoader

from tslearnkit.preprocessing import (
    WindowDataset,
    chronological_split,
    collate_padded,
    inverse_transform_column,
    make_windows,
    pad_sequences,
    scale_splits,
    unpad,
    znormalize,
)

# --- chronological_split --------------------------------------------------------------------


def test_split_fractions_and_counts():
    train, val, test = chronological_split(np.arange(100), val_size=0.1, test_size=20)
    assert (len(train), len(val), len(test)) == (70, 10, 20)
    np.testing.assert_array_equal(np.concatenate([train, val, test]), np.arange(100))


def test_split_keeps_pandas_type_and_order():
    s = pd.Series(np.arange(10.0), index=pd.date_range("2020-01-01", periods=10, freq="D"))
    train, val, test = chronological_split(s, 0.2, 0.2)
    assert isinstance(train, pd.Series) and train.index.max() < val.index.min() < test.index.min()
    frame = s.to_frame("x")
    assert isinstance(chronological_split(frame, 2, 2)[2], pd.DataFrame)


def test_split_tensor_and_zero_validation():
    train, val, test = chronological_split(torch.arange(10), val_size=0, test_size=3)
    assert isinstance(train, torch.Tensor) and len(val) == 0 and test.tolist() == [7, 8, 9]


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"val_size": -1}, ValueError, "val_size must be a count >= 0"),
        ({"test_size": 1.0}, ValueError, r"test_size must be a fraction in \[0, 1\)"),
        ({"test_size": -0.1}, ValueError, "test_size must be a fraction"),
        ({"val_size": 0.5, "test_size": 0.5}, ValueError, "val_size \\+ test_size must be < 1"),
        ({"val_size": 5, "test_size": 5}, ValueError, "leave no training data"),
        ({"val_size": "10%"}, TypeError, "val_size must be a fraction"),
        ({"test_size": True}, TypeError, "test_size must be"),
    ],
)
def test_split_bad_sizes(kwargs, error, match):
    with pytest.raises(error, match=match):
        chronological_split(np.arange(10), **{"val_size": 1, "test_size": 1, **kwargs})


def test_split_bad_data():
    with pytest.raises(TypeError, match="data must be"):
        chronological_split([1, 2, 3])
    with pytest.raises(ValueError, match="data must have a time axis"):
        chronological_split(np.array(1.0))
    unsorted = pd.Series(
        [1.0, 2.0, 3.0], index=pd.to_datetime(["2020-01-03", "2020-01-01", "2020-01-02"])
    )
    with pytest.raises(ValueError, match="data has an index that is not sorted"):
        chronological_split(unsorted, 0, 1)
    dup = pd.Series(
        [1.0, 2.0, 3.0], index=pd.to_datetime(["2020-01-01", "2020-01-01", "2020-01-02"])
    )
    with pytest.raises(ValueError, match="data has a duplicate index value"):
        chronological_split(dup, 0, 1)


# --- scale_splits -----------------------------------------------------------------------------


def test_scale_splits_fits_on_train_only():
    train, test = np.arange(10.0), np.arange(10.0, 15.0)
    (tr, te), scaler = scale_splits(train, test)
    assert abs(tr.mean()) < 1e-12 and abs(tr.std() - 1) < 1e-12
    assert scaler.mean_[0] == pytest.approx(4.5)  # the training mean, not the overall 7
    np.testing.assert_allclose(scaler.inverse_transform(te).ravel(), test)


def test_scale_splits_custom_scaler_and_frames():
    frame = pd.DataFrame({"a": np.arange(8.0), "b": np.arange(8.0) * 2})
    train, val, test = chronological_split(frame, 2, 2)
    (tr, va, te), scaler = scale_splits(train, val, test, scaler=MinMaxScaler())
    assert tr.min() == 0 and tr.max() == 1 and te.min() > 1  # the future lies outside [0, 1]
    assert isinstance(scaler, MinMaxScaler) and va.shape == (2, 2)


def test_scale_splits_bad_input():
    with pytest.raises(TypeError, match="scaler must have fit and transform"):
        scale_splits(np.arange(3.0), scaler=object())
    with pytest.raises(ValueError, match="others\\[0\\] has 2 features but train has 1"):
        scale_splits(np.arange(3.0), np.ones((2, 2)))
    with pytest.raises(ValueError, match="train contains NaN"):
        scale_splits(np.array([1.0, np.nan]))
    with pytest.raises(TypeError, match="train must be numeric"):
        scale_splits(np.array(["a", "b"]))
    with pytest.raises(TypeError, match="train must be numeric, got non-numeric column"):
        scale_splits(pd.DataFrame({"x": ["a", "b"]}))


# --- make_windows -----------------------------------------------------------------------------


def test_make_windows_contract():
    data = np.arange(20.0).reshape(10, 2)  # (T=10, F=2)
    X, y = make_windows(data, input_length=3, horizon=2, stride=2)
    n = (10 - 3 - 2) // 2 + 1
    assert X.shape == (n, 3, 2) and y.shape == (n, 2) and X.dtype == torch.float32
    for i in range(n):
        np.testing.assert_array_equal(X[i].numpy(), data[i * 2 : i * 2 + 3])
        np.testing.assert_array_equal(y[i].numpy(), data[i * 2 + 3 : i * 2 + 5, 0])


def test_make_windows_is_a_view_of_one_copy():
    series = torch.arange(10_000, dtype=torch.float32)
    X, y = make_windows(series, input_length=500)
    assert X.untyped_storage().data_ptr() == series.untyped_storage().data_ptr()
    assert X.untyped_storage().nbytes() == series.numel() * 4  # not N * 500 * 4
    assert y.untyped_storage().data_ptr() == series.untyped_storage().data_ptr()


def test_make_windows_accepts_pandas_and_lists_of_features():
    frame = pd.DataFrame(
        {"target": np.arange(6.0), "covariate": -np.arange(6.0)},
        index=pd.date_range("2021-01-01", periods=6, freq="D"),
    )
    X, y = make_windows(frame, 2)
    assert X.shape == (4, 2, 2) and y[:, 0].tolist() == [2.0, 3.0, 4.0, 5.0]
    assert X[0, :, 1].tolist() == [0.0, -1.0]


def test_make_windows_exact_fit():
    X, y = make_windows(np.arange(5.0), input_length=4, horizon=1)
    assert X.shape == (1, 4, 1) and y.tolist() == [[4.0]]


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"input_length": 0}, ValueError, "input_length must be a positive integer, got 0"),
        ({"input_length": 2.0}, TypeError, "input_length must be an integer"),
        ({"horizon": -1}, ValueError, "horizon must be a positive integer, got -1"),
        ({"stride": 0}, ValueError, "stride must be a positive integer, got 0"),
        (
            {"input_length": 10},
            ValueError,
            r"input_length \(10\) \+ horizon \(1\) = 11 is longer than the series \(10 steps\)",
        ),
        ({"dtype": "float32"}, TypeError, "dtype must be a torch.dtype"),
    ],
)
def test_make_windows_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        make_windows(np.arange(10.0), **{"input_length": 3, **kwargs})


@pytest.mark.parametrize(
    "data, error, match",
    [
        (np.array([1.0, np.nan, 3.0]), ValueError, "data contains NaN"),
        (torch.tensor([1.0, float("nan"), 3.0]), ValueError, "data contains NaN"),
        (np.zeros((2, 2, 2)), ValueError, "data must be 1-D .* got 3 dimensions"),
        (np.array([]), ValueError, "data is empty"),
        ("abc", TypeError, "data must be a numpy array"),
        (pd.Series([1.0, 2.0, 3.0], index=[0, 0, 1]), ValueError, "duplicate index"),
    ],
)
def test_make_windows_bad_data(data, error, match):
    with pytest.raises(error, match=match):
        make_windows(data, input_length=1)


@settings(max_examples=200, deadline=None)
@given(
    n=st.integers(10, 300),
    test_frac=st.floats(0.05, 0.45),
    val_frac=st.floats(0.0, 0.45),
    input_length=st.integers(1, 30),
    horizon=st.integers(1, 10),
    stride=st.integers(1, 5),
)
def test_training_windows_never_contain_test_values(
    n, test_frac, val_frac, input_length, horizon, stride
):
    """Property: windows cut from the training split see no value of the test split."""
    series = np.arange(n, dtype=np.float64)  # every value unique: its value is its time step
    try:
        train, val, test = (
            chronological_split(series, val_size=val_frac * 0.999, test_size=test_frac)
            if val_frac + test_frac < 1
            else chronological_split(series, 0, test_frac)
        )
    except ValueError as err:  # a fraction of a short series that rounds to no step
        assert "rounds to 0 steps" in str(err)
        return
    if len(train) < input_length + horizon:
        with pytest.raises(ValueError, match="longer than the series"):
            make_windows(train, input_length, horizon, stride)
        return
    X, y = make_windows(train, input_length, horizon, stride)
    seen = set(X.numpy().ravel().tolist()) | set(y.numpy().ravel().tolist())
    assert seen.isdisjoint(test.tolist())
    assert seen.isdisjoint(val.tolist())
    assert max(seen) <= train[-1]


# --- WindowDataset ----------------------------------------------------------------------------


def test_window_dataset_with_dataloader():
    ds = WindowDataset(np.arange(50.0), input_length=8, horizon=2)
    assert len(ds) == 41
    x, y = ds[3]
    assert x.shape == (8, 1) and y.tolist() == [11.0, 12.0]
    xb, yb = next(iter(DataLoader(ds, batch_size=16, shuffle=False)))
    assert xb.shape == (16, 8, 1) and yb.shape == (16, 2)  # (B, L, F), (B, horizon)


def test_window_dataset_bad_input():
    with pytest.raises(ValueError, match="input_length"):
        WindowDataset(np.arange(5.0), input_length=0)


# --- padding ----------------------------------------------------------------------------------


def test_pad_sequences_ready_for_packing():
    seqs = [np.arange(3.0), np.arange(5.0), np.arange(1.0)]
    padded, lengths = pad_sequences(seqs, padding_value=-1.0)
    assert (
        padded.shape == (3, 5, 1) and lengths.tolist() == [3, 5, 1] and lengths.dtype == torch.int64
    )
    assert padded[0, 3:, 0].tolist() == [-1.0, -1.0]
    packed = torch.nn.utils.rnn.pack_padded_sequence(
        padded, lengths, batch_first=True, enforce_sorted=False
    )
    gru = torch.nn.GRU(1, 4, batch_first=True)
    _, h_packed = gru(packed)  # h: (num_layers, B, H)
    for i, seq in enumerate(seqs):
        _, h_alone = gru(torch.tensor(seq, dtype=torch.float32)[None, :, None])
        torch.testing.assert_close(h_packed[:, i], h_alone[:, 0])


def test_collate_padded_in_a_dataloader():
    data = [(np.ones((n, 2)), n % 2) for n in (4, 2, 7)]
    x, lengths, labels = next(iter(DataLoader(data, batch_size=3, collate_fn=collate_padded)))
    assert x.shape == (3, 7, 2) and lengths.tolist() == [4, 2, 7] and labels.tolist() == [0, 0, 1]


@pytest.mark.parametrize(
    "seqs, error, match",
    [
        ([], ValueError, "sequences is empty"),
        ("abc", TypeError, "sequences must be a list"),
        ([np.ones(2), np.ones((2, 3))], ValueError, "same number of features"),
        ([np.ones(2), np.array([1.0, np.nan])], ValueError, r"sequences\[1\] contains NaN"),
        ([np.ones(2), np.array([])], ValueError, r"sequences\[1\] is empty"),
    ],
)
def test_pad_sequences_bad_input(seqs, error, match):
    with pytest.raises(error, match=match):
        pad_sequences(seqs)


def test_pad_sequences_bad_padding_value():
    with pytest.raises(TypeError, match="padding_value must be a number"):
        pad_sequences([np.ones(2)], padding_value="0")


def test_collate_padded_bad_input():
    with pytest.raises(ValueError, match="batch is empty"):
        collate_padded([])
    with pytest.raises(TypeError, match="pairs"):
        collate_padded([np.ones(3)])


# --- znormalize -------------------------------------------------------------------------------


def test_znormalize_per_series_and_feature():
    rng = np.random.default_rng(0)
    X = rng.normal(5, 3, size=(4, 50, 2))
    Z = znormalize(X)
    np.testing.assert_allclose(Z.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(Z.std(axis=1), 1, atol=1e-12)
    np.testing.assert_allclose(znormalize(X * 10 + 7), Z, atol=1e-12)  # offset and scale removed


def test_znormalize_constant_and_nan_padding():
    X = np.array([[2.0, 2.0, 2.0], [1.0, 3.0, np.nan]])
    Z = znormalize(X)
    assert Z[0].tolist() == [0.0, 0.0, 0.0]
    assert Z[1, :2].tolist() == [-1.0, 1.0] and np.isnan(Z[1, 2])


def test_znormalize_accepts_tensors():
    assert znormalize(torch.tensor([[1.0, 2.0, 3.0]])).shape == (1, 3)


@pytest.mark.parametrize(
    "X, kwargs, error, match",
    [
        (np.ones(5), {}, ValueError, "X must be 2-D .* got 1 dimensions"),
        (np.ones((0, 5)), {}, ValueError, "X is empty"),
        (np.array([[1.0, np.inf]]), {}, ValueError, "infinite"),
        (np.array([[np.nan, np.nan]]), {}, ValueError, "all NaN"),
        ([["a", "b"]], {}, TypeError, "X must be numeric"),
        (np.ones((2, 3)), {"eps": 0}, ValueError, "eps must be a positive number"),
    ],
)
def test_znormalize_bad_input(X, kwargs, error, match):
    with pytest.raises(error, match=match):
        znormalize(X, **kwargs)


# --- inverse_transform_column and unpad -------------------------------------------------------


@pytest.mark.parametrize("scaler", [None, MinMaxScaler()])
def test_inverse_transform_column_round_trip(scaler):
    data = np.column_stack([np.arange(10.0) * 3 + 5, np.sin(np.arange(10.0))])
    (scaled,), fitted = scale_splits(data, scaler=scaler)
    forecasts = scaled[:, 0].reshape(5, 2)  # (N, horizon)
    back = inverse_transform_column(torch.tensor(forecasts), fitted)
    np.testing.assert_allclose(back, data[:, 0].reshape(5, 2))
    np.testing.assert_allclose(
        inverse_transform_column(scaled[:, 1], fitted, column=1), data[:, 1], atol=1e-12
    )


def test_inverse_transform_column_bad_input():
    (_,), fitted = scale_splits(np.ones((3, 2)) * np.arange(3.0)[:, None])
    with pytest.raises(ValueError, match="column must be < 2"):
        inverse_transform_column([0.0], fitted, column=2)
    with pytest.raises(TypeError, match="scaler must be a fitted"):
        inverse_transform_column([0.0], MinMaxScaler())
    with pytest.raises(TypeError, match="values must be numeric"):
        inverse_transform_column(["a"], fitted)


def test_unpad_gives_true_lengths():
    X = np.array([[1.0, 2.0, np.nan], [3.0, 4.0, 5.0]])
    seqs = unpad(X)
    assert [s.tolist() for s in seqs] == [[1.0, 2.0], [3.0, 4.0, 5.0]]
    padded, lengths = pad_sequences(seqs)
    assert lengths.tolist() == [2, 3]
    assert unpad(np.ones((2, 4, 3)))[0].shape == (4, 3)


def test_unpad_bad_input():
    with pytest.raises(ValueError, match=r"X\[0\] has NaN inside the series"):
        unpad([[1.0, np.nan, 2.0]])
    with pytest.raises(ValueError, match=r"X\[1\] is all NaN"):
        unpad([[1.0, 2.0], [np.nan, np.nan]])
    with pytest.raises(ValueError, match="X must be 2-D"):
        unpad(np.ones(3))
    with pytest.raises(TypeError, match="X must be numeric"):
        unpad([["a"]])


def test_make_windows_from_pandas_without_warning():
    import warnings

    series = pd.Series(np.arange(30.0), index=pd.date_range("2020-01-01", periods=30, freq="D"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        X, y = make_windows(series, 5)
    assert X.shape == (25, 5, 1)


def test_undifference_inverts_differencing():
    from tslearnkit.preprocessing import undifference

    y = np.cumsum(np.random.default_rng(0).normal(size=40)) + np.tile(np.arange(4.0), 10)
    for lag in (1, 4):
        d = y[lag:] - y[:-lag]
        np.testing.assert_allclose(undifference(y[:30], d[30 - lag :], lag), y[30:])
    with pytest.raises(ValueError, match="lag=4 needs at least 4"):
        undifference(y[:3], [1.0], lag=4)
    with pytest.raises(ValueError, match="lag must be a positive integer"):
        undifference(y, [1.0], lag=0)


def test_a_fraction_that_rounds_to_no_step_is_refused():
    with pytest.raises(ValueError, match=r"val_size=0.01 of 50 time steps rounds to 0 steps"):
        chronological_split(np.arange(50.0), val_size=0.01, test_size=0.2)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: make_windows(np.array([1.0, np.inf, 2.0, 3.0]), 1), "infinite"),
        (lambda: make_windows(torch.tensor([1.0, float("inf"), 2.0]), 1), "infinite"),
        (lambda: pad_sequences([np.array([1.0, np.inf])]), "infinite"),
        (lambda: unpad([[1.0, np.inf, np.nan]]), "infinite"),
    ],
)
def test_infinite_values_are_refused(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_make_windows_names_a_numpy_dtype_class():
    with pytest.raises((TypeError, ValueError), match="dtype"):
        make_windows(np.arange(10.0), 2, dtype=np.float32)


def test_inverse_transform_column_refuses_a_scaler_that_mixes_features():
    from sklearn.decomposition import PCA

    pca = PCA(2).fit(np.random.default_rng(0).normal(size=(10, 2)))
    with pytest.raises(TypeError, match="mixes features"):
        inverse_transform_column([0.5], pca)


def test_znormalize_of_huge_values():
    out = znormalize([[1e200, 2e200, 3e200]])
    assert np.allclose(out, [[-1.2247449, 0.0, 1.2247449]])

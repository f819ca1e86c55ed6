"""Turning a series into model input: chronological splits, train-only scaling, sliding windows as
zero-copy views, a window ``Dataset``, padding for variable lengths and per-series z-normalisation.

Axes are named throughout: a window batch is ``(batch, time, features)`` — ``(B, L, F)`` — which
is what ``nn.LSTM(..., batch_first=True)`` expects.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np
import pandas as pd
import torch
from torch.utils.data import Dataset

from ._validation import (
    as_float_array,
    check_index,
    check_int,
    check_positive,
    describe,
    to_numpy_2d,
)

__all__ = [
    "calendar_features",
    "global_windows",
    "last_windows",
    "undifference",
    "train_val_loaders",
    "chronological_split",
    "scale_splits",
    "inverse_transform_column",
    "make_windows",
    "WindowDataset",
    "unpad",
    "pad_sequences",
    "collate_padded",
    "znormalize",
]


def _split_size(size, name: str, n: int) -> int:
    """A split size given as a fraction in [0, 1) or a count >= 0, as a count of time steps."""
    if isinstance(size, bool) or not isinstance(size, numbers.Real):
        raise TypeError(
            f"{name} must be a fraction in [0, 1) or a count of time steps, got {describe(size)}"
        )
    if isinstance(size, numbers.Integral):
        if size < 0:
            raise ValueError(f"{name} must be a count >= 0 or a fraction in [0, 1), got {size}")
        return int(size)
    size = float(size)
    if not 0.0 <= size < 1.0:
        raise ValueError(f"{name} must be a fraction in [0, 1) (or an integer count), got {size}")
    count = int(round(size * n))
    if size > 0 and count == 0:
        raise ValueError(
            f"{name}={size} of {n} time steps rounds to 0 steps, an empty part; use a larger "
            "fraction, a count, or 0 for no part"
        )
    return count


def _length(data, name: str) -> int:
    if isinstance(data, (pd.Series, pd.DataFrame)):
        check_index(data.index, name)
        return len(data)
    if isinstance(data, (np.ndarray, torch.Tensor)):
        if data.ndim == 0:
            raise ValueError(
                f"{name} must have a time axis, got a 0-dimensional {type(data).__name__}"
            )
        return int(data.shape[0])
    raise TypeError(
        f"{name} must be a pandas Series or DataFrame, a numpy array or a torch tensor, "
        f"got {type(data).__name__}"
    )


def chronological_split(data, val_size=0.15, test_size=0.15):
    """Split a series into train, validation and test parts in time order, never shuffled.

    The test part is the last ``test_size`` steps, the validation part the ``val_size`` steps
    before it, and the training part everything earlier, so a model is always judged on data that
    comes after everything it learnt from.

    Parameters
    ----------
    data : pandas Series or DataFrame, numpy array or torch tensor, time on the first axis
        A pandas index must be strictly increasing (sorted, no duplicates).
    val_size, test_size : float in [0, 1) or int >= 0
        A fraction of the length (rounded to the nearest step) or a number of time steps.

    Returns
    -------
    train, val, test
        Slices of ``data`` of the same type (views where the type allows).

    Examples
    --------
    >>> train, val, test = chronological_split(np.arange(10), val_size=2, test_size=0.3)
    >>> train.tolist(), val.tolist(), test.tolist()
    ([0, 1, 2, 3, 4], [5, 6], [7, 8, 9])
    """
    n = _length(data, "data")
    if n == 0:
        raise ValueError("data is empty; it needs time steps to split")
    n_val = _split_size(val_size, "val_size", n)
    n_test = _split_size(test_size, "test_size", n)
    if isinstance(val_size, float) and isinstance(test_size, float) and val_size + test_size >= 1:
        raise ValueError(
            f"val_size + test_size must be < 1 to leave data to train on, got "
            f"{val_size} + {test_size} = {val_size + test_size}"
        )
    n_train = n - n_val - n_test
    if n_train < 1:
        raise ValueError(
            f"val_size ({n_val} steps) and test_size ({n_test} steps) leave no training data out of "
            f"{n} steps; make them smaller"
        )
    cut1, cut2 = n_train, n_train + n_val
    if isinstance(data, (pd.Series, pd.DataFrame)):
        return data.iloc[:cut1], data.iloc[cut1:cut2], data.iloc[cut2:]
    return data[:cut1], data[cut1:cut2], data[cut2:]


def scale_splits(train, *others, scaler=None):
    """Fit a scikit-learn scaler on the training part only and apply it to every part.

    Fitting on the whole series lets the test period's mean and range leak into training; this
    function makes the right way the short way.

    Parameters
    ----------
    train : array-like of shape (time,) or (time, features), or a Series/DataFrame
        The part the scaler is fitted on. No NaN.
    *others : array-like
        Further parts (validation, test) transformed with the same fitted scaler.
    scaler : scikit-learn transformer, optional
        Any object with ``fit`` and ``transform``; default ``StandardScaler()``. It is fitted in place.

    Returns
    -------
    scaled : list of numpy.ndarray of shape (time, features)
        ``train`` then each of ``others``, scaled.
    scaler : the fitted scaler (use ``inverse_transform`` to get back to the original units).

    Examples
    --------
    >>> (tr, te), sc = scale_splits(np.array([1.0, 2.0, 3.0]), np.array([4.0]))
    >>> round(float(tr.mean()), 6), round(float(te[0, 0]), 4)
    (0.0, 2.4495)
    """
    if isinstance(scaler, type):
        raise TypeError(
            f"scaler must be an instance such as {scaler.__name__}(), got the class itself"
        )
    if scaler is None:
        from sklearn.preprocessing import StandardScaler

        scaler = StandardScaler()
    if not (hasattr(scaler, "fit") and hasattr(scaler, "transform")):
        raise TypeError(f"scaler must have fit and transform methods, got {type(scaler).__name__}")
    train_array = to_numpy_2d(train, "train")
    parts = [to_numpy_2d(part, f"others[{i}]") for i, part in enumerate(others)]
    for i, part in enumerate(parts):
        if part.shape[1] != train_array.shape[1]:
            raise ValueError(
                f"others[{i}] has {part.shape[1]} features but train has {train_array.shape[1]}; "
                "every part needs the same features"
            )
    scaler.fit(train_array)
    return [scaler.transform(part) for part in [train_array, *parts]], scaler


def _as_tensor_2d(data, name: str, dtype: torch.dtype) -> torch.Tensor:
    """``data`` as a ``(time, features)`` tensor; a float tensor of that dtype is not copied."""
    if isinstance(data, torch.Tensor) and data.ndim in (1, 2) and data.numel() > 0:
        if data.is_complex():
            raise TypeError(f"{name} must be real numbers, got a complex tensor")
        if data.is_floating_point() and torch.isnan(data).any():
            raise ValueError(f"{name} contains NaN; fill or drop the gaps first")
        if data.is_floating_point() and torch.isinf(data).any():
            raise ValueError(f"{name} contains an infinite value; replace it first")
        tensor = data.detach().to(dtype)
        return tensor[:, None] if tensor.ndim == 1 else tensor
    array = np.ascontiguousarray(to_numpy_2d(data, name))
    if not array.flags.writeable:  # e.g. pandas' read-only views: torch needs its own copy
        array = array.copy()
    return torch.as_tensor(array, dtype=dtype)


def make_windows(
    data, input_length: int, horizon: int = 1, stride: int = 1, *, dtype=torch.float32
):
    """Cut a series into overlapping input windows and the values that follow each one.

    ``X[i]`` is ``data[i*stride : i*stride + input_length]`` (all features) and ``y[i]`` the next
    ``horizon`` values of the first column. ``X`` is a strided *view* of one copy of the series
    (``Tensor.unfold``), so its memory is that of the series, not ``N * input_length`` times it.

    Parameters
    ----------
    data : array-like of shape (time,) or (time, features), Series, DataFrame or tensor
        The series; the first column is the forecast target. No NaN.
    input_length : int >= 1
        Steps of history in each window.
    horizon : int >= 1, default 1
        Steps to forecast after each window.
    stride : int >= 1, default 1
        Steps between the starts of consecutive windows.
    dtype : torch.dtype, default torch.float32

    Returns
    -------
    X : torch.Tensor of shape (N, input_length, features)
        ``N = (time - input_length - horizon) // stride + 1``. A view: do not write into it. If
        ``data`` is already a tensor or contiguous array of ``dtype``, the view shares its memory,
        so changing ``data`` changes ``X`` too.
    y : torch.Tensor of shape (N, horizon)

    Examples
    --------
    >>> X, y = make_windows(np.arange(6.0), input_length=3, horizon=2)
    >>> tuple(X.shape), X[:, :, 0].tolist(), y.tolist()
    ((2, 3, 1), [[0.0, 1.0, 2.0], [1.0, 2.0, 3.0]], [[3.0, 4.0], [4.0, 5.0]])
    """
    input_length = check_int(input_length, "input_length", minimum=1)
    horizon = check_int(horizon, "horizon", minimum=1)
    stride = check_int(stride, "stride", minimum=1)
    if not isinstance(dtype, torch.dtype):
        raise TypeError(f"dtype must be a torch.dtype, got {describe(dtype)}")
    if not dtype.is_floating_point:
        raise ValueError(
            f"dtype must be a floating-point torch.dtype (torch.float32 for the book's models), "
            f"got {dtype}: an integer dtype truncates the values"
        )
    series = _as_tensor_2d(data, "data", dtype)  # (T, F)
    n_steps = series.shape[0]
    if input_length + horizon > n_steps:
        raise ValueError(
            f"input_length ({input_length}) + horizon ({horizon}) = {input_length + horizon} is longer "
            f"than the series ({n_steps} steps); use a shorter window or a longer series"
        )
    X = series[: n_steps - horizon].unfold(0, input_length, stride)  # (N, F, L), a view
    X = X.transpose(1, 2)  # (N, L, F), still a view
    y = series[input_length:, 0].unfold(0, horizon, stride)  # (N, horizon), a view
    return X, y


class WindowDataset(Dataset):
    """A ``torch.utils.data.Dataset`` of ``(window, target)`` pairs from :func:`make_windows`.

    Parameters
    ----------
    data, input_length, horizon, stride, dtype
        As in :func:`make_windows`.

    Examples
    --------
    >>> ds = WindowDataset(np.arange(10.0), input_length=4, horizon=2)
    >>> len(ds), tuple(ds[0][0].shape), ds[0][1].tolist()
    (5, (4, 1), [4.0, 5.0])
    """

    def __init__(
        self, data, input_length: int, horizon: int = 1, stride: int = 1, *, dtype=torch.float32
    ):
        self.X, self.y = make_windows(data, input_length, horizon, stride, dtype=dtype)

    def __len__(self) -> int:
        return self.X.shape[0]

    def __getitem__(self, index):
        return self.X[index], self.y[index]  # (L, F), (horizon,)


def _per_feature(scaler, n_features: int) -> bool:
    """Whether ``scaler`` maps each feature on its own: changing one input column changes only
    that output column (checked on two probe rows, so it holds for any fitted transformer)."""
    base = np.zeros((1, n_features))
    try:
        with warnings.catch_warnings():  # e.g. "X does not have valid feature names"
            warnings.simplefilter("ignore")
            return _moves_one_column(scaler, base, n_features)
    except Exception:  # a transformer that cannot transform a probe row
        return False


def _moves_one_column(scaler, base: np.ndarray, n_features: int) -> bool:
    """Each probe row with one feature set to 1 moves that output column alone."""
    out = scaler.transform(base)
    if np.shape(out) != (1, n_features):
        return False
    for j in range(n_features):
        probe = base.copy()
        probe[0, j] = 1.0
        moved = np.abs(scaler.transform(probe) - out)[0] > 1e-12
        if moved.any() and not (moved.sum() == 1 and moved[j]):
            return False
    return True


def inverse_transform_column(values, scaler, column: int = 0) -> np.ndarray:
    """Undo a fitted scaler's transform for one column only, such as a forecast of the target.

    A scaler fitted by :func:`scale_splits` on several features wants all of them back in
    ``inverse_transform``; a model forecasts only the target. This maps the target alone back to
    its original units, for any per-feature scikit-learn scaler (standard, min-max, robust).

    Parameters
    ----------
    values : array-like of any shape
        Scaled values of feature ``column`` (e.g. forecasts of shape (N, horizon)).
    scaler : fitted scikit-learn transformer with ``n_features_in_`` and ``inverse_transform``
    column : int, default 0
        The feature the values belong to (the target is column 0 in this book).

    Returns
    -------
    numpy.ndarray of the same shape as ``values``, in the original units.

    Examples
    --------
    >>> (train,), scaler = scale_splits(np.array([[1.0, 10.0], [3.0, 30.0]]))
    >>> inverse_transform_column(train[:, 0], scaler).tolist()
    [1.0, 3.0]
    """
    n_features = getattr(scaler, "n_features_in_", None)
    if n_features is None or not hasattr(scaler, "inverse_transform"):
        raise TypeError(
            f"scaler must be a fitted scikit-learn transformer, got {type(scaler).__name__}"
        )
    if not _per_feature(scaler, n_features):
        raise TypeError(
            f"scaler must scale each feature on its own (StandardScaler, MinMaxScaler, "
            f"RobustScaler, MaxAbsScaler...), got {type(scaler).__name__}, which mixes features: "
            "one column cannot be inverted alone"
        )
    column = check_int(column, "column", minimum=0)
    if column >= n_features:
        raise ValueError(
            f"column must be < {n_features} (the scaler's number of features), got {column}"
        )
    array = as_float_array(values, "values")
    full = np.zeros((array.size, n_features))
    full[:, column] = array.reshape(-1)
    return scaler.inverse_transform(full)[:, column].reshape(array.shape)


def unpad(X) -> list[np.ndarray]:
    """Split NaN-end-padded series (as from ``make_cbf(variable_length=True)``) into a list of
    arrays of their true lengths.

    Parameters
    ----------
    X : array-like of shape (n_series, max_length) or (n_series, max_length, features)
        NaN only at the end of a series, as padding.

    Returns
    -------
    list of numpy.ndarray, each of shape (length_i,) or (length_i, features)

    Examples
    --------
    >>> [s.tolist() for s in unpad([[1.0, 2.0, np.nan], [3.0, 4.0, 5.0]])]
    [[1.0, 2.0], [3.0, 4.0, 5.0]]
    """
    array = as_float_array(X, "X")
    if array.ndim not in (2, 3):
        raise ValueError(
            f"X must be 2-D (n_series, length) or 3-D (n_series, length, features), got shape {array.shape}"
        )
    if np.isinf(array).any():
        where = tuple(int(i) for i in np.argwhere(np.isinf(array))[0])
        raise ValueError(f"X contains an infinite value at {where}; only NaN may pad a series")
    missing = np.isnan(array) if array.ndim == 2 else np.isnan(array).any(axis=2)  # (n, L)
    lengths = (~missing).sum(axis=1)
    for i, n in enumerate(lengths):
        if n == 0:
            raise ValueError(f"X[{i}] is all NaN; every series needs at least one value")
        if missing[i, :n].any() or not missing[i, n:].all():
            raise ValueError(
                f"X[{i}] has NaN inside the series (not only as end padding); fill those gaps first"
            )
    return [array[i, :n] for i, n in enumerate(lengths)]


def pad_sequences(sequences, padding_value: float = 0.0, *, dtype=torch.float32):
    """Stack sequences of different lengths into one zero-padded batch, with their lengths.

    Parameters
    ----------
    sequences : sequence of array-likes, each of shape (length_i,) or (length_i, features)
        Non-empty, all with the same number of features, no NaN.
    padding_value : float, default 0.0
        Value written after the end of each shorter sequence.

    Returns
    -------
    padded : torch.Tensor of shape (batch, max_length, features)
    lengths : torch.Tensor of shape (batch,), int64 on the CPU
        Ready for ``torch.nn.utils.rnn.pack_padded_sequence(padded, lengths, batch_first=True,
        enforce_sorted=False)``.

    Examples
    --------
    >>> padded, lengths = pad_sequences([np.ones(3), np.ones(1)])
    >>> tuple(padded.shape), lengths.tolist(), padded[1, :, 0].tolist()
    ((2, 3, 1), [3, 1], [1.0, 0.0, 0.0])
    """
    if isinstance(sequences, (str, bytes)) or not hasattr(sequences, "__len__"):
        raise TypeError(f"sequences must be a list of arrays, got {type(sequences).__name__}")
    if len(sequences) == 0:
        raise ValueError("sequences is empty; it needs at least one sequence")
    if isinstance(padding_value, bool) or not isinstance(padding_value, numbers.Real):
        raise TypeError(f"padding_value must be a number, got {describe(padding_value)}")
    if not isinstance(dtype, torch.dtype):
        raise TypeError(f"dtype must be a torch.dtype, got {describe(dtype)}")
    tensors = [_as_tensor_2d(s, f"sequences[{i}]", dtype) for i, s in enumerate(sequences)]
    n_features = {t.shape[1] for t in tensors}
    if len(n_features) > 1:
        raise ValueError(
            f"sequences must all have the same number of features, got {sorted(n_features)}"
        )
    lengths = torch.tensor([t.shape[0] for t in tensors], dtype=torch.int64)
    padded = torch.nn.utils.rnn.pad_sequence(
        tensors, batch_first=True, padding_value=float(padding_value)
    )
    return padded, lengths  # (B, L_max, F), (B,)


def collate_padded(batch):
    """``collate_fn`` for a ``DataLoader`` over ``(sequence, label)`` pairs of different lengths.

    Returns ``(padded, lengths, labels)``: padded ``(B, L_max, F)``, lengths ``(B,)`` int64 and the
    labels stacked with ``torch.utils.data.default_collate``.

    Examples
    --------
    >>> x, lengths, labels = collate_padded([(np.ones(2), 0), (np.ones(4), 1)])
    >>> tuple(x.shape), lengths.tolist(), labels.tolist()
    ((2, 4, 1), [2, 4], [0, 1])
    """
    if not isinstance(batch, (list, tuple)):
        raise TypeError(f"batch must be a list of (sequence, label) pairs, got {describe(batch)}")
    if len(batch) == 0:
        raise ValueError("batch is empty")
    if not all(isinstance(item, (tuple, list)) and len(item) == 2 for item in batch):
        raise TypeError("batch must be a list of (sequence, label) pairs")
    sequences, labels = zip(*batch)
    padded, lengths = pad_sequences(list(sequences))
    return padded, lengths, torch.utils.data.default_collate(list(labels))


def znormalize(X, eps: float = 1e-8):
    """Z-normalise each series (and each feature of it) over time: mean 0, standard deviation 1.

    Series that differ only in offset and amplitude become equal, so distances compare shapes.
    NaN is treated as end padding of a variable-length series and left in place; a constant series
    becomes all zeros.

    Parameters
    ----------
    X : array-like of shape (n_series, length) or (n_series, length, features)
    eps : float > 0, default 1e-8
        A standard deviation below ``eps`` counts as zero (constant series).

    Returns
    -------
    numpy.ndarray of the same shape as ``X``, float64

    Examples
    --------
    >>> znormalize([[1.0, 2.0, 3.0], [10.0, 20.0, 30.0]]).round(4).tolist()
    [[-1.2247, 0.0, 1.2247], [-1.2247, 0.0, 1.2247]]
    """
    array = as_float_array(X, "X")
    if array.ndim not in (2, 3):
        raise ValueError(
            f"X must be 2-D (n_series, length) or 3-D (n_series, length, features), got "
            f"{array.ndim} dimensions with shape {array.shape}"
        )
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(
            f"X is empty (shape {array.shape}); it needs at least one series of length >= 1"
        )
    if isinstance(eps, bool) or not isinstance(eps, numbers.Real) or not 0 < eps < np.inf:
        raise ValueError(f"eps must be a positive number (finite), got {eps!r}")
    if np.isinf(array).any():
        raise ValueError("X contains infinite values")
    missing = np.isnan(array) if array.ndim == 2 else np.isnan(array).any(axis=2)  # (n, L)
    if missing.all(axis=1).any():
        raise ValueError("X has a series that is all NaN; every series needs at least one value")
    inside = missing[:, :-1] & ~missing[:, 1:]  # NaN followed by a value: not end padding
    if inside.any():
        i = int(np.flatnonzero(inside.any(axis=1))[0])
        raise ValueError(
            f"X[{i}] has NaN inside the series; NaN may only pad the end of a series (fill the "
            "gaps first)"
        )
    # Divide a series of huge values by its largest |value| first, so that its variance (1e200
    # squared overflows float64) is computed without overflow; z-scores are unchanged by it.
    peak = np.nanmax(np.abs(array), axis=1, keepdims=True)
    peak = np.where(peak > 1e100, peak, 1.0)  # only where squares could overflow: exact elsewhere
    scaled = array / peak
    mean = np.nanmean(scaled, axis=1, keepdims=True)
    std = np.nanstd(scaled, axis=1, keepdims=True)
    return (scaled - mean) / np.where(std * peak < eps, 1.0, std)


def calendar_features(index: pd.DatetimeIndex, period: float = 365.25) -> pd.DataFrame:
    """Sine and cosine of the position in the year: known for any future date.

    Examples
    --------
    >>> calendar_features(pd.date_range("2020-01-01", periods=2, freq="D")).round(3).values.tolist()
    [[0.017, 1.0], [0.034, 0.999]]
    """
    if not isinstance(index, pd.DatetimeIndex):
        raise TypeError(f"index must be a pandas DatetimeIndex, got {type(index).__name__}")
    period = check_positive(period, "period", "the length of the cycle in days, 365.25 for a year")
    position = index.day_of_year.to_numpy() / period * 2 * np.pi
    return pd.DataFrame({"year_sin": np.sin(position), "year_cos": np.cos(position)}, index=index)


def train_val_loaders(
    data, input_length: int, horizon: int, val_size: int, *, batch_size: int = 32, seed: int = 0
):
    """Window loaders for training and early stopping, from the data before the first backtest origin.

    The scaler is fitted on all but the last ``val_size`` rows (the training part); the validation
    windows are those whose targets all lie in the last ``val_size`` rows, their inputs reaching
    back into the training part, so no target is in both.

    Parameters
    ----------
    data : array-like of shape (time, features) or (time,)
        Column 0 is the target; further columns are inputs.
    input_length, horizon : int >= 1
    val_size : int >= horizon
        Rows at the end whose values are validation targets.
    batch_size : int >= 1, default 32
    seed : int, default 0
        Seeds the shuffling of the training windows.

    Returns
    -------
    train_loader, val_loader : torch.utils.data.DataLoader of ``(x, y)``: ``(B, L, F)``, ``(B, horizon)``
    scaler : the StandardScaler fitted on the training rows
    """
    from torch.utils.data import DataLoader

    input_length = check_int(input_length, "input_length", minimum=1)
    horizon = check_int(horizon, "horizon", minimum=1)
    val_size = check_int(val_size, "val_size", minimum=horizon)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    seed = check_int(seed, "seed", minimum=0)
    array = to_numpy_2d(data, "data").astype(np.float32)  # (T, F)
    if val_size + input_length + horizon > len(array):
        raise ValueError(
            f"data has {len(array)} rows: too few for val_size={val_size} plus one training "
            f"window of input_length={input_length} and horizon={horizon}"
        )
    train_part = array[:-val_size]  # (T - val_size, F)
    val_part = array[
        -val_size - input_length :
    ]  # (val_size + L, F): validation targets with their inputs
    (train_s, val_s), scaler = scale_splits(train_part, val_part)
    train_loader = DataLoader(
        WindowDataset(train_s, input_length, horizon),
        batch_size=batch_size,
        shuffle=True,
        generator=torch.Generator().manual_seed(seed),
    )
    val_loader = DataLoader(WindowDataset(val_s, input_length, horizon), batch_size=256)
    return train_loader, val_loader, scaler


def undifference(history, differences, lag: int = 1) -> np.ndarray:
    """Levels from forecast differences: ``y[T+h] = y[T+h-lag] + d[T+h]``, step by step.

    The inverse of differencing at ``lag`` for forecasts: the first ``lag`` steps add onto the
    last ``lag`` observed levels, later ones onto the forecast levels before them. Chapter 4
    builds it; the forecasters on differences (``torch_forecaster``, ``linear_forecaster``)
    use it.

    Parameters
    ----------
    history : array-like of shape (T,), T >= lag
        The observed levels up to the origin.
    differences : array-like of shape (h,)
        Forecast differences ``y[t] - y[t-lag]`` for the ``h`` steps after the origin.
    lag : int >= 1, default 1

    Examples
    --------
    >>> undifference([1.0, 2.0, 4.0], [1.0, 1.0, 1.0], lag=2)
    array([3., 5., 4.])
    """
    lag = check_int(lag, "lag", minimum=1)
    levels = as_float_array(history, "history")
    changes = as_float_array(differences, "differences")
    for name, array in (("history", levels), ("differences", changes)):
        if array.ndim != 1:
            raise ValueError(f"{name} must be 1-D (one series), got shape {array.shape}")
        if not np.isfinite(array).all():
            raise ValueError(f"{name} must be finite, got NaN or infinity")
    if levels.size < lag:
        raise ValueError(f"history has {levels.size} values; lag={lag} needs at least {lag}")
    out = np.concatenate([levels[-lag:], np.empty(changes.size)])
    for step in range(changes.size):
        out[lag + step] = out[step] + changes[step]
    return out[lag:]


def _series_list(series, name: str = "series") -> list[np.ndarray]:
    if isinstance(series, (np.ndarray, torch.Tensor, pd.Series)) or not hasattr(series, "__len__"):
        raise TypeError(f"{name} must be a list of 1-D series, got {type(series).__name__}")
    if len(series) == 0:
        raise ValueError(f"{name} must hold at least one series, got none")
    out = []
    for i, s in enumerate(series):
        x = as_float_array(s, f"{name}[{i}]")
        if x.ndim != 1:
            raise ValueError(f"{name}[{i}] must be 1-D, got shape {x.shape}")
        if not np.isfinite(x).all():
            raise ValueError(f"{name}[{i}] must be finite, got NaN or infinity")
        out.append(x)
    return out


def _mean_scale(windows: np.ndarray) -> np.ndarray:
    """Mean absolute value of each row; 1 where a row is all zeros."""
    scale = np.abs(windows).mean(axis=-1)
    return np.where(scale > 0, scale, 1.0)


def global_windows(series, input_length: int, horizon: int, *, stride: int = 1):
    """Windows from many series for one global model, each scaled by its own input's level.

    Every series contributes every window of ``input_length`` values followed by ``horizon``
    values (starts ``0, stride, 2 * stride, ...``); a series too short for one window contributes
    none. Input and target are divided by the mean absolute value of the input (DeepAR's mean
    scaling; 1 for an all-zero input), so that series of any size train one network.

    Parameters
    ----------
    series : list of 1-D array-likes
    input_length, horizon, stride : int >= 1

    Returns
    -------
    X : torch.Tensor (N, input_length), float32, scaled inputs
    Y : torch.Tensor (N, horizon), float32, scaled targets
    scale : torch.Tensor (N,), float32, the divisor of each window
    series_id : torch.Tensor (N,), int64, the series each window comes from

    Examples
    --------
    >>> X, Y, scale, sid = global_windows([np.arange(1.0, 7.0), np.ones(2)], 2, 1)
    >>> X.shape, [round(v, 3) for v in Y[:, 0].tolist()], sid.tolist()  # the 2-step series: none
    (torch.Size([4, 2]), [2.0, 1.6, 1.429, 1.333], [0, 0, 0, 0])
    """
    input_length = check_int(input_length, "input_length", minimum=1)
    horizon = check_int(horizon, "horizon", minimum=1)
    stride = check_int(stride, "stride", minimum=1)
    xs, ys, ids = [], [], []
    for i, x in enumerate(_series_list(series)):
        if len(x) < input_length + horizon:
            continue
        w = np.lib.stride_tricks.sliding_window_view(x, input_length + horizon)[::stride]
        xs.append(w[:, :input_length])
        ys.append(w[:, input_length:])
        ids.append(np.full(len(w), i))
    if not xs:
        raise ValueError(
            f"series are all shorter than input_length + horizon = {input_length + horizon}"
        )
    X, Y = np.concatenate(xs), np.concatenate(ys)
    scale = _mean_scale(X)
    return (
        torch.tensor(X / scale[:, None], dtype=torch.float32),
        torch.tensor(Y / scale[:, None], dtype=torch.float32),
        torch.tensor(scale, dtype=torch.float32),
        torch.tensor(np.concatenate(ids), dtype=torch.int64),
    )


def last_windows(series, input_length: int):
    """The last ``input_length`` values of every series, scaled as :func:`global_windows` does.

    Returns ``(X, scale)``: ``X`` of shape ``(n_series, input_length)`` (float32) and the
    divisors; multiply a forecast of ``X[i]`` by ``scale[i]`` to return to the series' units.

    Examples
    --------
    >>> X, scale = last_windows([np.arange(1.0, 7.0)], 2)
    >>> [round(v, 3) for v in X[0].tolist()], scale.tolist()  # (5 + 6) / 2 = 5.5
    ([0.909, 1.091], [5.5])
    """
    input_length = check_int(input_length, "input_length", minimum=1)
    data = _series_list(series)
    short = [i for i, x in enumerate(data) if len(x) < input_length]
    if short:
        raise ValueError(f"series {short[:5]} are shorter than input_length={input_length}")
    X = np.stack([x[-input_length:] for x in data])
    scale = _mean_scale(X)
    return (
        torch.tensor(X / scale[:, None], dtype=torch.float32),
        torch.tensor(scale, dtype=torch.float32),
    )

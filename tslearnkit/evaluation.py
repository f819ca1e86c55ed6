"""Forecast accuracy the way forecasters judge it: scale-free errors (MASE), the naive baselines
every model must beat, and rolling-origin backtests that never show a model its future.

Metrics accept numpy arrays, pandas Series and torch tensors of the same shape.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from sklearn.metrics import mean_absolute_error, root_mean_squared_error

from ._validation import as_float_array, check_index, check_int, describe

__all__ = [
    "mae",
    "rmse",
    "smape",
    "mase",
    "naive_forecast",
    "seasonal_naive_forecast",
    "drift_forecast",
    "mean_forecast",
    "rolling_origin_backtest",
    "score_backtest",
    "DMResult",
    "dm_test",
    "origin_mase",
    "paired_comparison",
    "pinball_loss",
    "weighted_quantile_loss",
    "interval_coverage",
    "msis",
    "conformal_interval",
]


def _as_1d(values, name: str) -> np.ndarray:
    """``values`` as a flat float64 array with no NaN and at least one element."""
    if not isinstance(
        values, (np.ndarray, list, tuple, pd.Series, pd.DataFrame, torch.Tensor)
    ) and not np.isscalar(values):
        raise TypeError(
            f"{name} must be an array, Series or tensor of numbers, got {type(values).__name__}"
        )
    array = as_float_array(values, name).reshape(-1)
    if array.size == 0:
        raise ValueError(f"{name} is empty; it needs at least one value")
    if np.isnan(array).any():
        raise ValueError(
            f"{name} contains NaN at position {int(np.flatnonzero(np.isnan(array))[0])}"
        )
    if np.isinf(array).any():
        raise ValueError(f"{name} contains infinite values")
    return array


def _as_series(values, name: str) -> np.ndarray:
    """One series as a 1-D float array: a column vector (n, 1) is accepted, wider 2-D input is not
    (flattening it would mix the columns)."""
    shape = np.shape(values.detach().cpu() if isinstance(values, torch.Tensor) else values)
    if len(shape) > 1 and not (len(shape) == 2 and shape[1] == 1):
        raise ValueError(
            f"{name} must be one series (1-D, or one column), got shape {tuple(shape)}; pass the "
            "target column only (e.g. df['y'])"
        )
    return _as_1d(values, name)


def _check_aligned(y_true, y_pred) -> None:
    """Two pandas inputs are paired by position; refuse them if their indexes differ."""
    if (
        isinstance(y_true, (pd.Series, pd.DataFrame))
        and isinstance(y_pred, (pd.Series, pd.DataFrame))
        and not y_true.index.equals(y_pred.index)
    ):
        raise ValueError(
            "y_true and y_pred are pandas objects with different indexes; values are paired by "
            "position, so align them first (e.g. y_pred = y_pred.reindex(y_true.index))"
        )


def _pair(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    _check_aligned(y_true, y_pred)
    shape_true = tuple(
        np.shape(y_true.detach().cpu() if isinstance(y_true, torch.Tensor) else y_true)
    )
    shape_pred = tuple(
        np.shape(y_pred.detach().cpu() if isinstance(y_pred, torch.Tensor) else y_pred)
    )
    a, b = _as_1d(y_true, "y_true"), _as_1d(y_pred, "y_pred")
    if a.size != b.size or (
        len(shape_true) > 1 and len(shape_pred) > 1 and shape_true != shape_pred
    ):
        raise ValueError(
            f"y_true and y_pred must have the same length, got shapes {shape_true} and {shape_pred}"
        )
    return a, b


def mae(y_true, y_pred) -> float:
    """Mean absolute error, in the units of the series (scikit-learn's ``mean_absolute_error``).

    Examples
    --------
    >>> mae([1.0, 2.0, 3.0], [2.0, 2.0, 5.0])
    1.0
    """
    a, b = _pair(y_true, y_pred)
    return float(mean_absolute_error(a, b))


def rmse(y_true, y_pred) -> float:
    """Root mean squared error, in the units of the series (scikit-learn).

    Examples
    --------
    >>> rmse([0.0, 0.0], [3.0, 4.0])  # sqrt((9 + 16) / 2)
    3.5355339059327378
    """
    a, b = _pair(y_true, y_pred)
    return float(root_mean_squared_error(a, b))


def smape(y_true, y_pred) -> float:
    """Symmetric mean absolute percentage error, in percent (0 to 200), as in the M4 competition.

    ``100 * mean(2 |y - f| / (|y| + |f|))``, a term with ``y = f = 0`` counting as 0.

    Examples
    --------
    >>> smape([100.0, 200.0], [110.0, 200.0])  # (2 * 10 / 210 + 0) / 2 * 100
    4.761904761904762
    """
    a, b = _pair(y_true, y_pred)
    denominator = np.abs(a) + np.abs(b)
    ratio = np.divide(2 * np.abs(a - b), denominator, out=np.zeros_like(a), where=denominator > 0)
    return float(100 * ratio.mean())


def _check_season(season, history_length: int, name: str = "history") -> int:
    season = check_int(season, "season", minimum=1)
    if season >= history_length:
        raise ValueError(
            f"season ({season}) must be shorter than {name} ({history_length} values): a seasonal "
            "difference needs at least one full season before it"
        )
    return season


def mase(y_true, y_pred, y_train, season: int = 1) -> float:
    """Mean absolute scaled error (Hyndman & Koehler, 2006).

    The MAE of the forecast divided by the in-sample MAE of the seasonal naive forecast on the
    training series, ``mean(|y_t - y_{t-season}|)``. Below 1: better than that naive method was
    in-sample; above 1: worse. Unlike MAPE it is defined when the series crosses zero and does not
    favour forecasts that are too low.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (horizon,) or (n, horizon)
    y_train : array-like of shape (n_train,)
        The history the forecast was made from; it sets the scale.
    season : int >= 1, default 1
        1 scales by the naive forecast's error; 12 by the seasonal naive for monthly data.

    Raises
    ------
    ValueError
        If ``y_train`` is constant over the season (the scale is zero) or shorter than ``season + 1``.

    Examples
    --------
    >>> mase([5.0, 6.0], [5.0, 5.0], y_train=[1.0, 2.0, 3.0, 4.0])  # MAE 0.5 / scale 1
    0.5
    """
    a, b = _pair(y_true, y_pred)
    return float(
        np.mean(np.abs(a - b)) / _mase_scale(_as_series(y_train, "y_train"), season, "y_train")
    )


def _mase_scale(train: np.ndarray, season, name: str) -> float:
    """Mean absolute seasonal difference of ``train``: the MASE denominator."""
    season = _check_season(season, train.size, name)
    scale = float(np.mean(np.abs(train[season:] - train[:-season])))
    if scale == 0:
        raise ValueError(
            f"{name} does not change over a season of {season} (its seasonal differences are all zero), "
            "so the MASE scale is zero; use MAE or a different season"
        )
    return scale


def _history(history, horizon) -> tuple[np.ndarray, int]:
    values = _as_series(history, "history")
    return values, check_int(horizon, "horizon", minimum=1)


def naive_forecast(history, horizon: int) -> np.ndarray:
    """Repeat the last observed value: the forecast every model must beat.

    Examples
    --------
    >>> naive_forecast([1.0, 2.0, 5.0], horizon=3).tolist()
    [5.0, 5.0, 5.0]
    """
    values, horizon = _history(history, horizon)
    return np.full(horizon, values[-1])


def seasonal_naive_forecast(history, horizon: int, season: int) -> np.ndarray:
    """Repeat the last observed season: ``f_{T+h} = y_{T+h-k*season}`` with the smallest ``k >= 1``.

    Examples
    --------
    >>> seasonal_naive_forecast([1.0, 2.0, 3.0, 10.0, 20.0, 30.0], horizon=4, season=3).tolist()
    [10.0, 20.0, 30.0, 10.0]
    """
    values, horizon = _history(history, horizon)
    season = check_int(season, "season", minimum=1)
    if season > values.size:
        raise ValueError(
            f"season ({season}) is longer than history ({values.size} values); "
            "a seasonal naive forecast needs one full season"
        )
    last_season = values[-season:]
    return last_season[np.arange(horizon) % season]


def drift_forecast(history, horizon: int) -> np.ndarray:
    """Extend the line from the first to the last observation (the naive forecast plus the mean change).

    Examples
    --------
    >>> drift_forecast([1.0, 2.0, 3.0], horizon=2).tolist()
    [4.0, 5.0]
    """
    values, horizon = _history(history, horizon)
    if values.size < 2:
        raise ValueError("history needs at least 2 values for a drift forecast, got 1")
    slope = (values[-1] - values[0]) / (values.size - 1)
    return values[-1] + slope * np.arange(1, horizon + 1)


def mean_forecast(history, horizon: int) -> np.ndarray:
    """Forecast the mean of the history for every step.

    Examples
    --------
    >>> mean_forecast([1.0, 2.0, 6.0], horizon=2).tolist()
    [3.0, 3.0]
    """
    values, horizon = _history(history, horizon)
    return np.full(horizon, values.mean())


Forecaster = Callable[[pd.Series, int], object]


def rolling_origin_backtest(
    series,
    forecasters: Mapping[str, Forecaster],
    horizon: int,
    *,
    initial: int | float = 0.7,
    step: int = 1,
    n_origins: int | None = None,
) -> pd.DataFrame:
    """Evaluate forecasters by rolling-origin backtesting (time series cross-validation).

    At each origin ``t`` every forecaster gets the history ``series[:t]`` — nothing at or after
    ``t`` — and returns ``horizon`` forecasts, which are compared with ``series[t : t + horizon]``.
    The origin then moves forward by ``step``, and the model is refitted on the longer history.

    Parameters
    ----------
    series : pandas.Series, or array-like of shape (time,)
        The target series. No NaN. An array is given a ``RangeIndex``.
    forecasters : mapping of name to callable
        ``forecaster(history, horizon)`` with ``history`` a ``pandas.Series`` (a copy) returns
        ``horizon`` values (array, list, Series or tensor).
    horizon : int >= 1
        Steps forecast from each origin.
    initial : int or float in (0, 1), default 0.7
        The first origin, as a number of steps or a fraction of the series.
    step : int >= 1, default 1
        Steps between consecutive origins.
    n_origins : int, optional
        Use only the last ``n_origins`` origins (the latest data), spaced by ``step``.

    Returns
    -------
    pandas.DataFrame
        One row per model, origin and horizon step, with columns ``model``, ``origin`` (the
        position of the first forecast step), ``origin_time`` (its index label), ``step`` (1 to
        horizon), ``time``, ``actual`` and ``forecast``.

    Examples
    --------
    >>> y = pd.Series(np.arange(10.0))
    >>> bt = rolling_origin_backtest(y, {"naive": naive_forecast}, horizon=2, initial=6, step=2)
    >>> print(bt[["model", "origin", "step", "actual", "forecast"]].to_string(index=False))
    model  origin  step  actual  forecast
    naive       6     1     6.0       5.0
    naive       6     2     7.0       5.0
    naive       8     1     8.0       7.0
    naive       8     2     9.0       7.0
    """
    if isinstance(series, pd.DataFrame):
        raise TypeError("series must be one series (a pandas Series or 1-D array), got a DataFrame")
    if isinstance(series, pd.Series):
        check_index(series.index, "series")
        values = _as_1d(series, "series")
        index = series.index
        name = series.name
    else:
        if np.ndim(series.detach().cpu() if isinstance(series, torch.Tensor) else series) != 1:
            raise ValueError(f"series must be 1-D (time,), got {describe(series)}")
        values = _as_1d(series, "series")
        index = pd.RangeIndex(values.size)
        name = None
    if not isinstance(forecasters, Mapping) or not forecasters:
        raise TypeError(
            "forecasters must be a non-empty mapping of names to callables(history, horizon)"
        )
    for key, fn in forecasters.items():
        if not callable(fn):
            raise TypeError(
                f"forecasters[{key!r}] must be callable(history, horizon), got {type(fn).__name__}"
            )
    horizon = check_int(horizon, "horizon", minimum=1)
    step = check_int(step, "step", minimum=1)
    n = values.size
    if isinstance(initial, float):
        if not 0 < initial < 1:
            raise ValueError(
                f"initial must be a fraction in (0, 1) or a number of steps, got {initial}"
            )
        first = int(round(initial * n))
        if first < 1:
            raise ValueError(
                f"initial={initial} of {n} steps rounds to origin {first}: the first history "
                "would be empty; use a larger fraction or a number of steps"
            )
    else:
        first = check_int(initial, "initial", minimum=1)
    last = n - horizon
    if first > last:
        raise ValueError(
            f"initial ({first} steps) + horizon ({horizon}) exceeds the series ({n} steps): no origin is left"
        )
    origins = list(range(first, last + 1, step))
    if n_origins is not None:
        n_origins = check_int(n_origins, "n_origins", minimum=1)
        origins = list(range(last - step * (min(n_origins, len(origins)) - 1), last + 1, step))
    rows = []
    for origin in origins:
        history = pd.Series(values[:origin].copy(), index=index[:origin], name=name)
        actual = values[origin : origin + horizon]
        for model, fn in forecasters.items():
            forecast = fn(history.copy(), horizon)
            try:
                forecast = _as_1d(forecast, f"the forecast of {model!r}")
            except (TypeError, ValueError) as err:
                raise ValueError(f"forecaster {model!r} at origin {origin}: {err}") from None
            if forecast.size != horizon:
                raise ValueError(
                    f"forecaster {model!r} returned {forecast.size} values at origin {origin}, expected horizon={horizon}"
                )
            for h in range(horizon):
                rows.append(
                    (model, origin, index[origin], h + 1, index[origin + h], actual[h], forecast[h])
                )
    return pd.DataFrame(
        rows, columns=["model", "origin", "origin_time", "step", "time", "actual", "forecast"]
    )


def _check_backtest_series(backtest: pd.DataFrame, values: np.ndarray) -> None:
    """Refuse a series that is not the one the backtest ran on: its values at the forecast
    positions must be the backtest's actual values (the MASE scale is taken from the series)."""
    position = (backtest["origin"] + backtest["step"] - 1).to_numpy()
    if position.max() >= values.size:
        raise ValueError(
            f"series has {values.size} values but the backtest forecasts position "
            f"{int(position.max())}: pass the series the backtest was run on"
        )
    given = values[position]
    actual = backtest["actual"].to_numpy(dtype=np.float64)
    wrong = ~np.isclose(given, actual, rtol=1e-9, atol=0)
    if wrong.any():
        k = int(np.flatnonzero(wrong)[0])
        raise ValueError(
            f"series does not match the backtest's actual values: at position {int(position[k])} "
            f"it holds {given[k]:g}, the backtest {actual[k]:g}; pass the series the backtest was "
            "run on (the MASE scale is taken from it)"
        )


def score_backtest(
    backtest: pd.DataFrame, series, season: int = 1, by: str | None = None
) -> pd.DataFrame:
    """Score a :func:`rolling_origin_backtest` frame: MAE, RMSE, sMAPE and MASE per model.

    MASE is computed for each origin with the scale of the history before that origin (so the
    scale, too, never uses the future) and averaged over origins.

    Parameters
    ----------
    backtest : pandas.DataFrame
        The output of :func:`rolling_origin_backtest`.
    series : the series given to the backtest.
    season : int >= 1, default 1
        The seasonal period of the MASE scale (1: naive; 12: seasonal naive on monthly data).
    by : {None, "step"}, default None
        None: one row per model, sorted by MASE. "step": one row per model and horizon step, to
        see how the error grows with the lead time.

    Returns
    -------
    pandas.DataFrame
        Indexed by model (and step), with columns ``MASE``, ``MAE``, ``RMSE``, ``sMAPE`` and
        ``origins``.
    """
    needed = {"model", "origin", "step", "actual", "forecast"}
    if not isinstance(backtest, pd.DataFrame) or not needed <= set(backtest.columns):
        raise TypeError(
            f"backtest must be the DataFrame from rolling_origin_backtest, with columns {sorted(needed)}"
        )
    if backtest.empty:
        raise ValueError("backtest is empty")
    if by not in (None, "step"):
        raise ValueError(f"by must be None or 'step', got {by!r}")
    values = _as_series(series, "series")
    season = check_int(season, "season", minimum=1)
    _check_backtest_series(backtest, values)
    scales = {
        origin: _mase_scale(values[:origin], season, f"the history before origin {origin}")
        for origin in backtest["origin"].unique()
    }
    frame = backtest.assign(
        scaled=(backtest["actual"] - backtest["forecast"]).abs() / backtest["origin"].map(scales)
    )
    keys = ["model"] if by is None else ["model", "step"]
    rows = {}
    for key, part in frame.groupby(keys, sort=False):
        rows[key if by else key[0]] = {
            "MASE": part.groupby("origin")["scaled"].mean().mean(),
            "MAE": mae(part["actual"], part["forecast"]),
            "RMSE": rmse(part["actual"], part["forecast"]),
            "sMAPE": smape(part["actual"], part["forecast"]),
            "origins": part["origin"].nunique(),
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    if by is None:
        table.index.name = "model"
        return table.sort_values("MASE")
    table.index.names = keys
    return table


@dataclass(frozen=True)
class DMResult:
    """The result of :func:`dm_test`."""

    statistic: float  # the HLN-corrected DM statistic; negative: forecast a has the smaller loss
    pvalue: float  # two-sided, from Student's t with n - 1 degrees of freedom
    mean_difference: float  # mean of |e_a|**power - |e_b|**power
    n: int  # number of loss differences
    horizon: int  # the autocovariance lags used: horizon - 1


def dm_test(errors_a, errors_b, horizon: int, power: float = 1) -> DMResult:
    """Diebold-Mariano test of equal forecast accuracy, with the Harvey-Leybourne-Newbold correction.

    The loss differences ``d_t = |e_a,t|**power - |e_b,t|**power`` have mean zero under the null
    hypothesis. Their long-run variance sums the autocovariances up to lag ``horizon - 1``
    (forecasts ``horizon`` steps ahead overlap, so their errors are correlated up to that lag);
    the statistic ``mean(d) / sqrt(variance / n)`` is multiplied by
    ``sqrt((n + 1 - 2 h + h (h - 1) / n) / n)`` and compared with Student's t with ``n - 1``
    degrees of freedom (Harvey, Leybourne and Newbold 1997), as R's ``forecast::dm.test`` does.
    With ``horizon=1`` it is the one-sample t-test of the differences.

    In a rolling-origin backtest, pass one loss per origin (e.g. each origin's mean absolute
    error) and ``horizon = ceil(task horizon / origin step)``: the number of consecutive origins
    whose forecast windows overlap.

    Parameters
    ----------
    errors_a, errors_b : array-like of shape (n,)
        Forecast errors (or per-origin losses) of two forecasts of the same targets, paired.
    horizon : int, 1 <= horizon < n
    power : float > 0, default 1
        1: absolute errors; 2: squared errors.

    Returns
    -------
    DMResult
        With ``statistic`` and ``pvalue``. If the estimated long-run variance is not positive,
        the lag-0 variance is used instead (``horizon`` 1 in the result) and a warning says so.

    Examples
    --------
    >>> a = np.array([1.0, 2.0, 1.5, 2.5, 1.0, 2.0, 1.0, 3.0])
    >>> result = dm_test(a, a + [0.5, 0.2, 0.4, 0.1, 0.3, 0.6, 0.2, 0.4], horizon=1)
    >>> round(result.statistic, 3), result.pvalue < 0.01
    (-5.665, True)
    """
    from scipy import stats

    a, b = _as_1d(errors_a, "errors_a"), _as_1d(errors_b, "errors_b")
    if a.size != b.size:
        raise ValueError(
            f"errors_a and errors_b must be paired (the same length), got {a.size} and {b.size}"
        )
    n = a.size
    horizon = check_int(horizon, "horizon", minimum=1)
    if horizon >= n:
        raise ValueError(f"horizon must be smaller than the number of errors ({n}), got {horizon}")
    if isinstance(power, bool) or not isinstance(power, (int, float)):
        raise TypeError(f"power must be a positive number, got {describe(power)}")
    if not (power > 0 and math.isfinite(power)):
        raise ValueError(f"power must be a positive number (1: absolute, 2: squared), got {power}")
    d = np.abs(a) ** power - np.abs(b) ** power  # (n,)
    if np.ptp(d) == 0:
        raise ValueError(
            f"the loss differences are all equal ({d[0]:g}): their variance is zero and the "
            "DM test is undefined"
        )
    centred = d - d.mean()
    autocov = [centred[k:] @ centred[: n - k] / n for k in range(horizon)]
    variance = (autocov[0] + 2 * sum(autocov[1:])) / n
    if variance <= 0:
        warnings.warn(
            f"the long-run variance with horizon={horizon} is not positive; using horizon=1",
            RuntimeWarning,
            stacklevel=2,
        )
        horizon, variance = 1, autocov[0] / n
    correction = math.sqrt((n + 1 - 2 * horizon + horizon * (horizon - 1) / n) / n)
    statistic = float(d.mean() / math.sqrt(variance) * correction)
    pvalue = float(2 * stats.t.sf(abs(statistic), df=n - 1))
    return DMResult(statistic, pvalue, float(d.mean()), n, horizon)


def origin_mase(backtest: pd.DataFrame, series, season: int = 1) -> pd.DataFrame:
    """Each model's MASE at each origin: the scores :func:`score_backtest` averages.

    Returns
    -------
    pandas.DataFrame
        One row per origin (``origin``, the position), one column per model, in the backtest's
        order of models. The paired comparisons of :func:`paired_comparison` read it.
    """
    needed = {"model", "origin", "actual", "forecast"}
    if not isinstance(backtest, pd.DataFrame) or not needed <= set(backtest.columns):
        raise TypeError(
            "backtest must be the DataFrame from rolling_origin_backtest, "
            f"with columns {sorted(needed)}"
        )
    if backtest.empty:
        raise ValueError("backtest is empty")
    values = _as_series(series, "series")
    season = check_int(season, "season", minimum=1)
    if backtest["origin"].max() > values.size:
        raise ValueError(
            f"series has {values.size} values but the backtest has origins up to "
            f"{backtest['origin'].max()}: pass the series given to the backtest"
        )
    if "step" in backtest.columns:
        _check_backtest_series(backtest, values)
    scales = {
        origin: _mase_scale(values[:origin], season, f"the history before origin {origin}")
        for origin in backtest["origin"].unique()
    }
    scaled = (backtest["actual"] - backtest["forecast"]).abs() / backtest["origin"].map(scales)
    table = backtest.assign(scaled=scaled).pivot_table(
        index="origin", columns="model", values="scaled", aggfunc="mean", sort=False
    )
    return table[list(dict.fromkeys(backtest["model"]))]


def paired_comparison(scores: pd.DataFrame, model_a: str, model_b: str, overlap: int) -> pd.Series:
    """Compare two models origin by origin: mean difference, Diebold-Mariano test and wins.

    Parameters
    ----------
    scores : pandas.DataFrame
        Per-origin scores, one column per model (from :func:`origin_mase`).
    model_a, model_b : str
        Two columns of ``scores``.
    overlap : int >= 1
        How many consecutive origins' forecast windows overlap: ``ceil(horizon / step)`` (the
        DM test's ``horizon``; 1 when the windows do not overlap).

    Returns
    -------
    pandas.Series
        ``difference`` (mean of a - b: negative when a is better), ``DM statistic``,
        ``p-value`` (two-sided, :func:`dm_test` with ``power=1`` on the per-origin scores),
        ``a better`` (origins where a scores lower), ``origins``.
    """
    if not isinstance(scores, pd.DataFrame):
        raise TypeError(f"scores must be a DataFrame of per-origin scores, got {describe(scores)}")
    for name, model in (("model_a", model_a), ("model_b", model_b)):
        if model not in scores.columns:
            raise ValueError(f"{name}={model!r} is not a column of scores: {list(scores.columns)}")
    a, b = scores[model_a].to_numpy(), scores[model_b].to_numpy()
    overlap = check_int(overlap, "overlap", minimum=1, meaning="ceil(horizon / step)")
    if overlap >= len(a):
        raise ValueError(
            f"overlap ({overlap}) must be smaller than the number of origins compared ({len(a)})"
        )
    result = dm_test(a, b, horizon=overlap, power=1)
    return pd.Series(
        {
            "difference": float(np.mean(a - b)),
            "DM statistic": result.statistic,
            "p-value": result.pvalue,
            "a better": int((a < b).sum()),
            "origins": len(a),
        },
        name=f"{model_a} vs {model_b}",
    )


# --- probabilistic forecasts: quantiles and intervals -------------------------------------------


def _as_array(values, name: str, *, allow_inf: bool = False) -> np.ndarray:
    """``values`` as a float64 array of its own shape, with at least one element, no NaN (and no
    infinity unless ``allow_inf``)."""
    if not isinstance(
        values, (np.ndarray, list, tuple, pd.Series, pd.DataFrame, torch.Tensor)
    ) and not np.isscalar(values):
        raise TypeError(
            f"{name} must be an array, Series or tensor of numbers, got {type(values).__name__}"
        )
    array = as_float_array(values, name)
    if array.size == 0:
        raise ValueError(f"{name} is empty; it needs at least one value")
    bad = np.isnan(array) if allow_inf else ~np.isfinite(array)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        what = "NaN" if np.isnan(array[where]) else "an infinite value"
        raise ValueError(f"{name} contains {what} at position {where}")
    return array


def _check_quantile_levels(quantiles) -> np.ndarray:
    """The quantile levels as a 1-D array, strictly increasing and strictly inside (0, 1)."""
    levels = _as_array(quantiles, "quantiles")
    if levels.ndim != 1:
        raise ValueError(
            f"quantiles must be 1-D (one level per quantile forecast, e.g. [0.1, 0.5, 0.9]), "
            f"got shape {levels.shape}"
        )
    if not ((levels > 0) & (levels < 1)).all():
        raise ValueError(f"quantiles must lie strictly between 0 and 1, got {levels.tolist()}")
    if levels.size > 1 and not (np.diff(levels) > 0).all():
        raise ValueError(
            f"quantiles must be strictly increasing (no repeats), got {levels.tolist()}"
        )
    return levels


def _quantile_inputs(y_true, y_quantiles, quantiles) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Checked ``(y, f, q)``: ``f.shape == y.shape + (Q,)`` and no forecast quantiles cross."""
    y = _as_array(y_true, "y_true")
    f = _as_array(y_quantiles, "y_quantiles")
    q = _check_quantile_levels(quantiles)
    if f.shape != y.shape + (q.size,):
        raise ValueError(
            f"y_quantiles must have shape y_true.shape + (number of quantiles,) = "
            f"{y.shape + (q.size,)}, got y_true of shape {y.shape}, y_quantiles of shape "
            f"{f.shape} and {q.size} quantiles"
        )
    if q.size > 1:
        step = np.diff(f, axis=-1)
        tolerance = 1e-9 * max(1.0, float(np.abs(f).max()))
        if (step < -tolerance).any():
            *point, k = (int(i) for i in np.argwhere(step < -tolerance)[0])
            point = tuple(point)
            raise ValueError(
                f"y_quantiles cross at point {point}: the forecast for quantile {q[k + 1]:g} "
                f"({f[point][k + 1]:g}) is below the one for quantile {q[k]:g} ({f[point][k]:g}); "
                "quantile forecasts must be non-decreasing along the last axis "
                "(sort them, e.g. np.sort(y_quantiles, axis=-1))"
            )
    return y, f, q


def _pinball(y: np.ndarray, f: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Pinball loss of each point and level, shape ``f.shape``."""
    error = y[..., None] - f
    return np.maximum(q * error, (q - 1) * error)


def pinball_loss(y_true, y_quantiles, quantiles) -> float:
    """Mean quantile (pinball) loss of quantile forecasts, in the units of the series.

    For a level ``q`` and a forecast ``f`` of ``y`` the loss is ``max(q (y - f), (q - 1)(y - f))``:
    a forecast below the truth costs ``q`` per unit, one above it ``1 - q``, so the expected loss
    is smallest at the true ``q``-quantile. The result is the mean over all points and levels.
    At ``q = 0.5`` the loss is half the absolute error.

    Parameters
    ----------
    y_true : array-like of shape (horizon,) or (n_series, horizon)
        The observed values (any shape ``(..., horizon)``).
    y_quantiles : array-like of shape ``y_true.shape + (n_quantiles,)``
        The quantile forecasts, the last axis following ``quantiles``; they must not cross
        (non-decreasing along the last axis, up to rounding).
    quantiles : array-like of shape (n_quantiles,)
        The levels, strictly increasing, each strictly between 0 and 1.

    Examples
    --------
    >>> # y = 10; forecasts 8 (q 0.1), 10 (q 0.5), 13 (q 0.9): losses 0.2, 0, 0.3
    >>> round(pinball_loss([10.0], [[8.0, 10.0, 13.0]], [0.1, 0.5, 0.9]), 6)
    0.166667
    """
    y, f, q = _quantile_inputs(y_true, y_quantiles, quantiles)
    return float(_pinball(y, f, q).mean())


def weighted_quantile_loss(y_true, y_quantiles, quantiles) -> float:
    """Weighted quantile loss (WQL): the scale-free probabilistic score of the Chronos benchmark.

    For each level ``q``, twice the pinball loss summed over all series and steps, divided by the
    sum of ``|y_true|`` over all series and steps; then the mean over the levels. This is GluonTS's
    ``mean_weighted_sum_quantile_loss`` and the WQL of the Chronos benchmark (Ansari et al. 2024,
    and the fev benchmarking package). Because the sums run over all series before dividing, series with
    large values weigh more; a perfect forecast scores 0, and with the single level 0.5 the WQL
    is the weighted absolute percentage error ``sum |y - f| / sum |y|``.

    The Chronos benchmark uses the levels 0.1, 0.2, ..., 0.9. On Tourism monthly (horizon 24) it
    reports a WQL of 0.104 for seasonal naive (Ansari et al. 2024, Table 9), a point forecast, for
    which the WQL is the weighted absolute percentage error.

    Parameters
    ----------
    y_true : array-like of shape (horizon,) or (n_series, horizon)
    y_quantiles : array-like of shape ``y_true.shape + (n_quantiles,)``
        Non-crossing quantile forecasts, the last axis following ``quantiles``.
    quantiles : array-like of shape (n_quantiles,)
        Strictly increasing levels in (0, 1).

    Raises
    ------
    ValueError
        If ``y_true`` is all zero (the weight ``sum |y_true|`` is zero), or for bad inputs.

    Examples
    --------
    >>> # q 0.5, y = [10, 30], f = [12, 30]: 2 * (0.5 * 2) / 40
    >>> weighted_quantile_loss([10.0, 30.0], [[12.0], [30.0]], [0.5])
    0.05
    """
    y, f, q = _quantile_inputs(y_true, y_quantiles, quantiles)
    weight = float(np.abs(y).sum())
    if weight == 0:
        raise ValueError(
            "y_true is zero everywhere, so the WQL weight sum(|y_true|) is zero and the score is "
            "undefined; use pinball_loss instead"
        )
    per_level = 2 * _pinball(y, f, q).reshape(-1, q.size).sum(axis=0) / weight
    return float(per_level.mean())


def _interval_inputs(y_true, lower, upper) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Checked ``(y, lower, upper)`` of one shape, with ``lower <= upper`` everywhere."""
    y = _as_array(y_true, "y_true")
    lo = _as_array(lower, "lower", allow_inf=True)  # conformal_interval's inf half-widths
    hi = _as_array(upper, "upper", allow_inf=True)
    for name, array, wrong in (("lower", lo, np.inf), ("upper", hi, -np.inf)):
        if (array == wrong).any():
            where = tuple(int(i) for i in np.argwhere(array == wrong)[0])
            raise ValueError(
                f"{name} contains {wrong} at position {where}; only -inf (lower) and +inf "
                "(upper) make sense as unbounded ends"
            )
    if not y.shape == lo.shape == hi.shape:
        raise ValueError(
            f"y_true, lower and upper must have the same shape, got shapes {y.shape}, "
            f"{lo.shape} and {hi.shape}"
        )
    if (lo > hi).any():
        where = tuple(int(i) for i in np.argwhere(lo > hi)[0])
        raise ValueError(
            f"lower is above upper at position {where} ({lo[where]:g} > {hi[where]:g}); "
            "an interval needs lower <= upper (are the bounds swapped?)"
        )
    return y, lo, hi


def interval_coverage(y_true, lower, upper) -> float:
    """Share of the observed values inside their prediction interval, ``lower <= y <= upper``.

    A well-calibrated 95 % interval covers about 0.95 of the points; the bounds count as inside.

    Parameters
    ----------
    y_true, lower, upper : array-like of one shape, e.g. (horizon,) or (n_series, horizon)

    Examples
    --------
    >>> interval_coverage([1.0, 5.0, 9.0, 3.0], [0.0, 0.0, 0.0, 3.0], [2.0, 4.0, 10.0, 3.0])
    0.75
    """
    y, lo, hi = _interval_inputs(y_true, lower, upper)
    return float(((lo <= y) & (y <= hi)).mean())


def _check_alpha(alpha) -> float:
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real):
        raise TypeError(
            f"alpha must be a number in (0, 1) (0.05 for 95 % intervals), got {describe(alpha)}"
        )
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1) (0.05 for 95 % intervals), got {alpha}")
    return float(alpha)


def msis(y_true, lower, upper, y_train, season: int = 1, alpha: float = 0.05) -> float:
    """Mean scaled interval score of one series' prediction interval (the M4 competition's MSIS).

    The interval score of Gneiting and Raftery (2007) at each step,
    ``(u - l) + 2/alpha * (l - y) 1{y < l} + 2/alpha * (y - u) 1{y > u}``, rewards narrow
    intervals and penalises each miss by ``2/alpha`` times its distance; its mean over the horizon
    is divided by the in-sample seasonal naive scale ``mean_t |y_t - y_{t-season}|`` of ``y_train``
    (the MASE scale of :func:`mase`). The M4 competition scored 95 % intervals (``alpha=0.05``)
    this way and averaged the MSIS over series.

    Parameters
    ----------
    y_true, lower, upper : array-like of shape (horizon,)
        One series: its observed values and the bounds of its ``1 - alpha`` interval.
    y_train : array-like of shape (n_train,)
        The history the forecast was made from; it sets the scale.
    season : int >= 1, default 1
        The seasonal period of the scale (12 for monthly data, as in M4).
    alpha : float in (0, 1), default 0.05
        The interval's nominal miss rate: 0.05 for a 95 % interval.

    Raises
    ------
    ValueError
        If ``y_train`` does not change over a season (the scale is zero), if it is not longer than
        ``season``, or if an input is not one series.

    Examples
    --------
    >>> # widths 2, 2; y = 6 is 1 above the upper bound 5: (2 + (2 + 40 * 1)) / 2 = 22; scale 1
    >>> msis([4.0, 6.0], [3.0, 3.0], [5.0, 5.0], y_train=[1.0, 2.0, 3.0])
    22.0
    """
    y, lo, hi = _interval_inputs(y_true, lower, upper)
    if y.ndim != 1:
        raise ValueError(
            f"y_true must be one series of shape (horizon,), got shape {y.shape}; score each "
            "series with its own y_train and average the scores"
        )
    alpha = _check_alpha(alpha)
    train = _as_array(y_train, "y_train")
    if train.ndim != 1:
        raise ValueError(f"y_train must be one series of shape (n_train,), got shape {train.shape}")
    season = _check_season(season, train.size, "y_train")
    scale = float(np.mean(np.abs(train[season:] - train[:-season])))
    if scale == 0:
        raise ValueError(
            f"y_train does not change over a season of {season} (its seasonal differences are all "
            "zero), so the MSIS scale is zero; report the unscaled interval score or use a "
            "different season"
        )
    below = np.where(y < lo, lo - y, 0.0)  # np.where: an infinite bound never misses
    above = np.where(y > hi, y - hi, 0.0)
    score = (hi - lo) + 2 / alpha * below + 2 / alpha * above
    return float(score.mean() / scale)


def conformal_interval(residuals, alpha: float) -> np.ndarray:
    """Split-conformal half-widths, one per horizon step, from validation residuals.

    For each step ``h`` the half-width is the ``k``-th smallest of the ``n`` absolute residuals,
    ``k = ceil((n + 1)(1 - alpha))``. The interval ``forecast ± half-width`` for a new point then
    covers it with probability at least ``1 - alpha`` (and below ``1 - alpha + 1/(n + 1)`` when
    the residuals have no ties), over the draw of the validation set and the new point, provided
    the ``n + 1`` residuals at that step are exchangeable (e.g. i.i.d.): split conformal
    prediction (Vovk, Gammerman and Shafer 2005; Lei, G'Sell, Rinaldo, Tibshirani and Wasserman
    2018, JASA). This is the symmetric absolute-residual variant; it says nothing about
    coverage conditional on a particular series, and residuals of overlapping or trending
    windows are not exchangeable, which weakens the guarantee.

    If ``k > n`` (fewer than ``1/alpha - 1`` residuals, e.g. ``n = 4`` at ``alpha = 0.1``), no
    finite half-width is valid and every entry is ``inf``. ``(n + 1)(1 - alpha)`` is rounded
    down to a whole number when it is within floating-point error of one (``1 - 0.7`` is not
    exactly 0.3).

    Parameters
    ----------
    residuals : array-like of shape (n, horizon)
        Forecast errors on held-out windows, one row per window (forecast minus truth or truth
        minus forecast: only their absolute values are used). For one step, pass shape (n, 1).
    alpha : float in (0, 1)
        The target miss rate: 0.1 for 90 % intervals.

    Returns
    -------
    numpy.ndarray of shape (horizon,)
        The half-widths (``inf`` where no finite one is valid).

    Examples
    --------
    >>> # n = 9, alpha = 0.1: k = ceil(10 * 0.9) = 9, the largest |residual| at each step
    >>> r = np.array([[1.0, -2.0], [-3.0, 1.0], [2.0, 5.0], [0.5, -1.0], [4.0, 2.0],
    ...               [-1.0, 3.0], [2.5, -4.0], [0.0, 1.5], [-1.5, 0.5]])
    >>> conformal_interval(r, alpha=0.1).tolist()
    [4.0, 5.0]
    >>> conformal_interval(r, alpha=0.5).tolist()  # k = ceil(10 * 0.5) = 5: the 5th smallest
    [1.5, 2.0]
    """
    values = _as_array(residuals, "residuals")
    if values.ndim != 2:
        raise ValueError(
            f"residuals must be 2-D (n windows, horizon), got shape {values.shape}; "
            "for a single step use residuals.reshape(-1, 1)"
        )
    alpha = _check_alpha(alpha)
    n = values.shape[0]
    target = (n + 1) * (1 - alpha)
    rank = math.ceil(target - 1e-9 * (n + 1))
    if rank > n:
        return np.full(values.shape[1], np.inf)
    return np.sort(np.abs(values), axis=0)[max(rank, 1) - 1]

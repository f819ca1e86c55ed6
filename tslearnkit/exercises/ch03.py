"""Checks for the exercises of Chapter 3, *Baselines and metrics*.

Each check compares a student's answer with what ``tslearnkit.evaluation`` computes and, when they
differ, recomputes the answer with the usual mistakes (an off-by-one season, the MASE scale with the
wrong season or from the wrong data, a backtest that peeks past its origin) to say which one it is.

Examples
--------
>>> import numpy as np
>>> from tslearnkit.exercises import ch03
>>> def by_hand(history, horizon, season):
...     return np.asarray(history)[-season:][np.arange(horizon) % season]
>>> _ = ch03.check_seasonal_naive(by_hand)
Correct: your seasonal naive forecast matches tslearnkit.evaluation.seasonal_naive_forecast on 6 histories.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable

import numpy as np
import pandas as pd
import torch

from ..evaluation import rolling_origin_backtest, seasonal_naive_forecast
from . import ExerciseFeedback, passed, require, require_function

__all__ = ["check_seasonal_naive", "check_mase", "check_backtest"]


def _values(values, name: str) -> np.ndarray:
    """``values`` as a flat float array, or TypeError naming ``name``."""
    if isinstance(values, torch.Tensor):
        values = values.detach().cpu().numpy()
    if isinstance(values, (str, bytes)) or not isinstance(
        values, (np.ndarray, list, tuple, pd.Series, numbers.Real)
    ):
        raise TypeError(
            f"{name} must be an array, list, Series or tensor of numbers, got {type(values).__name__}"
        )
    try:
        return np.asarray(values, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must contain numbers only, got {values!r:.80}") from None


def _close(a, b) -> bool:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-6, atol=1e-9))


# ----------------------------------------------------------------------------- seasonal naive
_SHUFFLED = np.random.default_rng(3).permutation(30) + 1.0  # 30 distinct values in no order
_CASES = [  # (history, horizon, season): short and long horizons, season 1, a history of one season
    (_SHUFFLED, 5, 12),
    (_SHUFFLED, 12, 12),
    (_SHUFFLED, 30, 12),
    (np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0]), 10, 3),
    (np.array([2.0, 7.0, 1.0, 8.0]), 3, 1),
    (np.array([10.0, 20.0, 30.0, 40.0]), 6, 4),
]


def _diagnose_seasonal_naive(
    got: np.ndarray, history: np.ndarray, horizon: int, season: int
) -> str:
    """Name the mistake that produced ``got`` (same length as the horizon), or a general hint."""
    steps = np.arange(horizon)
    case = f"history of {history.size} values, horizon={horizon}, season={season}"
    if _close(got, history[:season][steps % season]):
        return (
            f"your forecast repeats the first season of the history, history[:{season}] ({case}); "
            f"the seasonal naive forecast repeats the last one, history[-season:]"
        )
    last = history[-season:]
    if season > 1 and _close(got, last[(steps + 1) % season]):
        return (
            f"your forecast is one step late in the season ({case}): step h=1 must be history[-season], "
            f"the same point one season ago; index the last season with (h - 1) % season for h = 1, 2, ..."
        )
    if season > 1 and _close(got, last[(steps - 1) % season]):
        return (
            f"your forecast starts the season at the last value ({case}): step h=1 must be history[-season], "
            f"the same point one season ago, not history[-1]"
        )
    if history.size > season and _close(got, history[-season - 1 : -1][steps % season]):
        return (
            f"your forecast is one step early ({case}): you repeat history[-season - 1:-1]; the last "
            f"season is history[-season:], which ends with the last value"
        )
    if season > 1 and _close(got, np.full(horizon, history[-1])):
        return f"your forecast repeats the last value ({case}): that is the naive forecast, not the seasonal naive one"
    if horizon > season and _close(got[:season], history[-season:]):
        return (
            f"the first season of your forecast is right, but after {season} steps it must start the "
            f"last season again ({case}): index the last season with h % season, or np.tile it"
        )
    return (
        f"your forecast differs from the seasonal naive forecast ({case}): step h copies "
        "history[-season:][(h - 1) % season]"
    )


def check_seasonal_naive(seasonal_naive: Callable) -> None:
    """Check a hand-written seasonal naive forecast against ``seasonal_naive_forecast``.

    Parameters
    ----------
    seasonal_naive : callable(history, horizon, season) -> array of shape (horizon,)
        ``history`` is a 1-D numpy array; the function returns the forecast of the next
        ``horizon`` values.

    Raises
    ------
    TypeError
        If ``seasonal_naive`` is not callable.
    ExerciseFeedback
        Which mistake the forecast makes on which history: the first season instead of the last,
        an off-by-one step in the season, the naive forecast, no wrap-around, a wrong length.
    """
    require_function(seasonal_naive, "seasonal_naive", "(history, horizon, season) -> forecast")
    for history, horizon, season in _CASES:
        case = f"history of {history.size} values, horizon={horizon}, season={season}"
        try:
            got = seasonal_naive(history.copy(), horizon, season)
        except Exception as err:  # a student's function: say where it failed
            raise ExerciseFeedback(
                f"your function raised {type(err).__name__}: {err} ({case})"
            ) from err
        got = _values(got, "the forecast your function returned")
        require(
            got.size == horizon,
            f"your function returned {got.size} values for {case}; the forecast needs "
            f"one value per step of the horizon, {horizon}"
            + (
                " (when the horizon is longer than the season, repeat the last season)"
                if horizon > season
                else ""
            ),
        )
        require(
            _close(got, seasonal_naive_forecast(history, horizon, season)),
            _diagnose_seasonal_naive(got, history, horizon, season),
        )
    passed(
        f"your seasonal naive forecast matches tslearnkit.evaluation.seasonal_naive_forecast on "
        f"{len(_CASES)} histories."
    )


# ----------------------------------------------------------------------------- MASE
def _answer_number(answer, name: str) -> float:
    """A single number from ``answer``; arrays of several values are feedback, other types TypeError."""
    values = _values(answer, name)
    require(
        values.size == 1,
        f"{name} holds {values.size} values; MASE is a single number: the mean of the "
        "absolute errors divided by one scale",
    )
    require(
        np.isfinite(values[0]),
        f"{name} is {values[0]}; check for a division by zero or an empty slice "
        "(a seasonal difference needs more than one season of data)",
    )
    return float(values[0])


def check_mase(answer, y_true, y_pred, y_train, season: int) -> None:
    """Check a MASE computed by hand.

    Parameters
    ----------
    answer : float
        The student's MASE.
    y_true, y_pred : array-like of shape (horizon,)
        The actual values and the forecast being scored.
    y_train : array-like of shape (n_train,)
        The history the forecast was made from: the scale comes from it.
    season : int >= 1
        The season of the scale (12 for monthly CO2).

    Raises
    ------
    TypeError
        If an argument is not numbers, or ``season`` is not a positive int.
    ExerciseFeedback
        With the mistake: the scale with season 1, the scale from the test values, from the whole
        series or from only the first part of the history, squared errors, no scale (the MAE),
        signed errors or differences, an inverted ratio.
    """
    if isinstance(season, bool) or not isinstance(season, numbers.Integral) or season < 1:
        raise TypeError(f"season must be a positive int, got {season!r}")
    season = int(season)
    y, f, train = _values(y_true, "y_true"), _values(y_pred, "y_pred"), _values(y_train, "y_train")
    if y.size != f.size:
        raise ValueError(f"y_true and y_pred must have the same length, got {y.size} and {f.size}")
    if train.size <= season:
        raise ValueError(f"y_train needs more than season={season} values, got {train.size}")
    got = _answer_number(answer, "your MASE")

    def scale(values, lag, signed=False):
        d = values[lag:] - values[:-lag]
        return float(np.mean(d if signed else np.abs(d))) if d.size else np.nan

    e = y - f
    mae, right_scale = float(np.mean(np.abs(e))), scale(train, season)
    right = mae / right_scale
    if np.isclose(got, right, rtol=1e-6):
        passed(
            f"MASE = {right:.4f}: the MAE {mae:.4f} divided by the mean absolute "
            f"{season}-step difference of the history, {right_scale:.4f}."
        )
        return
    whole = np.concatenate([train, y])
    mistakes = [
        (
            mae / scale(train, 1),
            f"your scale uses season=1 (month-to-month changes) but this task's MASE is scaled "
            f"by the seasonal naive forecast: take differences {season} steps apart",
        ),
        (
            mae / scale(y, 1),
            "your scale comes from the test values (the actual future): the scale must come "
            "from the training history y_train only, which is all the forecaster knew",
        ),
        (
            mae / scale(whole, season),
            "your scale uses the history and the test values together: the scale must "
            "come from the training history y_train only",
        ),
        (
            mae / scale(whole, 1),
            "your scale uses the history and the test values, with season=1: use the "
            f"training history only, with differences {season} steps apart",
        ),
        (
            np.mean(e**2) / right_scale,
            "your numerator is the mean of the squared errors: MASE uses the mean "
            "of the absolute errors, np.mean(np.abs(y - f))",
        ),
        (
            np.mean(e**2) / scale(train, season) ** 2 if right_scale else np.nan,
            "you squared both the errors and the differences: MASE uses absolute values in both",
        ),
        (
            np.sqrt(np.mean(e**2) / np.mean((train[season:] - train[:-season]) ** 2)),
            "that is the RMSSE (root mean squared scaled error, the M5 competition's measure): MASE uses the mean "
            "absolute error and the mean absolute difference",
        ),
        (
            mae,
            "that is the MAE, in the series' units: divide it by the scale, the mean absolute "
            f"{season}-step difference of the history",
        ),
        (
            right_scale / mae,
            "your ratio is upside down: the MAE of the forecast goes on top, the scale below",
        ),
        (
            np.mean(e) / right_scale,
            "your numerator is the mean of the signed errors, which cancel out: take "
            "their absolute values first",
        ),
        (
            mae / scale(train, season, signed=True),
            "your scale averages the signed differences (the average "
            "yearly rise): take their absolute values first",
        ),
        (
            np.mean(np.abs(e) / np.abs(y)) / right_scale,
            "you divided the errors by the actual values (a percentage "
            "error): MASE divides the MAE by the scale only",
        ),
    ]
    for value, feedback in mistakes:
        require(not (np.isfinite(value) and np.isclose(got, value, rtol=1e-6)), feedback)
    for length in range(
        season + 1, train.size
    ):  # the scale from the first values of the history only
        require(
            not np.isclose(got, mae / scale(train[:length], season), rtol=1e-9),
            f"your scale uses only the first {length} of the {train.size} values of the history (such as the "
            "training part): use all of y_train, the whole history the forecast was made from",
        )
    require(
        False,
        f"your MASE, {got:.4f}, is not the MAE of the forecast divided by the mean absolute "
        f"{season}-step difference of y_train; compute both parts and print them",
    )


# ----------------------------------------------------------------------------- backtest
_COLUMNS = ["origin", "step", "actual", "forecast"]


def check_backtest(
    answer, series, forecaster: Callable, horizon: int, initial: int, step: int
) -> None:
    """Check a rolling-origin backtest written by hand: its origins, its steps, and that no forecast
    used a value at or after its origin.

    Parameters
    ----------
    answer : pandas.DataFrame
        One row per origin and horizon step with columns ``origin`` (the position of the first
        forecast step in ``series``), ``step`` (1 to ``horizon``), ``actual`` and ``forecast``.
    series : pandas.Series
        The series that was backtested.
    forecaster : callable(history, horizon)
        The forecast that was backtested.
    horizon, initial, step : int >= 1
        Steps forecast from each origin, the first origin, the distance between origins.

    Raises
    ------
    TypeError
        If ``answer`` is not a DataFrame, ``series`` not a Series, ``forecaster`` not callable or a
        size not a positive int.
    ExerciseFeedback
        Missing columns, missing or extra origins (the last origin is ``len(series) - horizon``),
        steps counted from 0, actual values off by one, a history that reaches past its origin.
    """
    if not isinstance(answer, pd.DataFrame):
        raise TypeError(
            f"answer must be a pandas DataFrame with columns {_COLUMNS}, got {type(answer).__name__}"
        )
    if not isinstance(series, pd.Series):
        raise TypeError(f"series must be a pandas Series, got {type(series).__name__}")
    require_function(forecaster, "forecaster", "(history, horizon) -> forecast")
    for name, value in [("horizon", horizon), ("initial", initial), ("step", step)]:
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
            raise TypeError(f"{name} must be a positive int, got {value!r}")
    missing = [c for c in _COLUMNS if c not in answer.columns]
    require(
        not missing,
        f"your frame has no column(s) {missing}; it needs one row per origin and step with "
        f"columns {_COLUMNS} (it has {list(answer.columns)})",
    )
    require(len(answer) > 0, "your frame is empty: it needs one row per origin and step")
    require(
        not answer[_COLUMNS].isna().any().any(),
        "your frame has missing values (NaN): a forecast window "
        "runs past the end of the series, or a step has no actual value",
    )
    require(
        pd.api.types.is_integer_dtype(answer["origin"]),
        "the origin column must hold positions in the "
        f"series (ints such as {initial}), got {answer['origin'].dtype} values like {answer['origin'].iloc[0]!r}",
    )
    n = len(series)
    expected = list(range(initial, n - horizon + 1, step))
    got = sorted(answer["origin"].unique().tolist())
    if got != expected:
        extra, lacking = sorted(set(got) - set(expected)), sorted(set(expected) - set(got))
        if lacking == [expected[-1]] and not extra:
            require(
                False,
                f"you have {len(got)} origins, {len(expected)} expected: the last origin, "
                f"{expected[-1]} = len(series) - horizon, is missing; its window ends at the last value, "
                f"so range(initial, len(series) - horizon + 1, step)",
            )
        if extra and min(extra) > n - horizon:
            require(
                False,
                f"origins {extra} leave no room for a full horizon of {horizon} steps: the last "
                f"origin is len(series) - horizon = {n - horizon}",
            )
        require(
            False,
            f"your origins are {got[:4]}... ({len(got)} of them); expected {expected[:4]}... "
            f"({len(expected)}): start at initial={initial} and move on by step={step}",
        )
    counts = answer.groupby("origin").size()
    if (counts != horizon).any():
        bad = counts[counts != horizon]
        require(
            False,
            f"each origin needs {horizon} rows (one per step), but origin {bad.index[0]} has {bad.iloc[0]}",
        )
    steps = sorted(answer["step"].unique().tolist())
    require(
        steps != list(range(horizon)),
        f"your steps run from 0 to {horizon - 1}; number them 1 to {horizon}, "
        "the number of steps ahead",
    )
    require(
        steps == list(range(1, horizon + 1)),
        f"the step column must run from 1 to {horizon}, got {steps}",
    )
    frame = answer.sort_values(["origin", "step"])
    values = series.to_numpy(dtype=float)
    positions = (frame["origin"] + frame["step"] - 1).to_numpy()
    actual = frame["actual"].to_numpy(dtype=float)
    if not _close(actual, values[positions]):
        require(
            not _close(actual, values[np.minimum(positions + 1, n - 1)]),
            "your actual values are one step late: step 1 of origin t is series[t], not series[t + 1]",
        )
        require(False, "your actual values are not series[origin + step - 1]")
    reference = rolling_origin_backtest(
        series, {"f": forecaster}, horizon, initial=initial, step=step
    )
    right = reference.sort_values(["origin", "step"])["forecast"].to_numpy()
    forecast = frame["forecast"].to_numpy(dtype=float)
    if not _close(forecast, right):
        for origin, part in frame.groupby("origin"):
            part_forecast = part["forecast"].to_numpy(dtype=float)
            if _close(
                part_forecast, _values(forecaster(series.iloc[:origin].copy(), horizon), "forecast")
            ):
                continue
            for extra in range(1, horizon + 1):
                if origin + extra <= n and _close(
                    part_forecast,
                    _values(forecaster(series.iloc[: origin + extra].copy(), horizon), "forecast"),
                ):
                    require(
                        False,
                        f"at origin {origin} your forecast used {extra} value(s) at or after the "
                        f"origin (history series[:{origin} + {extra}]): the history must be series[:origin], "
                        "everything strictly before the first step being forecast",
                    )
            if origin > 1 and _close(
                part_forecast,
                _values(forecaster(series.iloc[: origin - 1].copy(), horizon), "forecast"),
            ):
                require(
                    False,
                    f"at origin {origin} your history stops one value early (series[:origin - 1]); "
                    "it should be series[:origin], all the values before the origin",
                )
            require(
                False,
                f"at origin {origin} your forecasts differ from forecaster(series.iloc[:origin], horizon)",
            )
    passed(
        f"{len(expected)} origins × {horizon} steps, and every forecast used only the history "
        "before its origin."
    )

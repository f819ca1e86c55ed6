"""Checks for the exercises of chapter 1, *Time series with pandas*: quarterly resampling, a gap
fill that uses only the past, and STL on the daily record.

Each check prints a confirmation or raises :class:`~tslearnkit.exercises.ExerciseFeedback` that
names the mistake; inputs of the wrong type raise ``TypeError``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import describe_answer as describe
from . import passed, require, require_function

__all__ = ["check_quarterly_co2", "check_year_ago_fill", "check_daily_stl"]


STRENGTH_KEYS = ("F_T (trend)", "F_S (season)")


def _check_series(value, name: str) -> None:
    if not isinstance(value, pd.Series):
        raise TypeError(f"{name} must be a pandas Series, got {describe(value)}")
    if not isinstance(value.index, pd.DatetimeIndex):
        raise TypeError(f"{name} must have a DatetimeIndex, got a {type(value.index).__name__}")


def check_quarterly_co2(co2_quarterly, co2_weekly) -> None:
    """Check Exercise 1.1: the weekly CO2 record resampled to calendar quarters.

    The answer must be the mean of each quarter's measured weeks, labelled by the quarter's first
    day (``"QS"``), one value per quarter of the record and no ``NaN``.

    Parameters
    ----------
    co2_quarterly : pandas.Series
        The student's quarterly series.
    co2_weekly : pandas.Series with a DatetimeIndex
        The weekly record it was made from (``load_co2(raw=True)``), NaN for unmeasured weeks.

    Prints
    ------
    The confirmation ``Correct: ...`` when the answer is right.

    Raises
    ------
    ExerciseFeedback
        If the answer is wrong, saying how (sums instead of means, quarter-end labels, NaN, ...).

    Examples
    --------
    >>> weeks = pd.date_range("2000-01-01", periods=26, freq="W-SAT")
    >>> weekly = pd.Series(np.arange(26.0), index=weeks)
    >>> check_quarterly_co2(weekly.resample("QS").mean(), weekly)
    Correct: 2 quarters labelled by their first day (QS), each the mean of its measured weeks (the thinnest rests on 13 weeks)
    """
    if isinstance(co2_quarterly, pd.DataFrame) and co2_quarterly.shape[1] == 1:
        raise TypeError(
            f"co2_quarterly must be a pandas Series, got a DataFrame of shape {co2_quarterly.shape}; "
            "select its column, or resample the Series co2_weekly"
        )
    _check_series(co2_weekly, "co2_weekly")
    if not isinstance(co2_quarterly, pd.Series):
        raise TypeError(f"co2_quarterly must be a pandas Series, got {describe(co2_quarterly)}")
    require(
        isinstance(co2_quarterly.index, pd.DatetimeIndex),
        f"co2_quarterly's index must hold dates (a DatetimeIndex), got {len(co2_quarterly)} labels of type "
        f"{type(co2_quarterly.index).__name__}"
        + (
            ": grouping by .quarter pools the same quarter of every year; resample in time instead"
            if len(co2_quarterly) == 4
            else ": use co2_weekly.resample(...)"
        ),
    )
    by_quarter = co2_weekly.resample("QS")
    expected, counts = by_quarter.mean(), by_quarter.count()
    index = co2_quarterly.index
    require(
        len(co2_quarterly) < 1.5 * len(expected),
        f"you have {len(co2_quarterly)} values, more than one per quarter (the record spans "
        f"{len(expected)} quarters): resample to quarters with 'QS'",
    )
    require(
        not (index.is_month_end.all() and index.month.isin([3, 6, 9, 12]).all()),
        "your quarters are labelled by their last day (1958-03-31, ...), as 'QE' does: label them "
        "by their first day with resample('QS')",
    )
    require(
        index.is_month_start.all() and index.month.isin([1, 4, 7, 10]).all(),
        "your labels are not the first days of calendar quarters (January, April, July, October): "
        f"got {', '.join(f'{d:%Y-%m-%d}' for d in index[:3])}, ...; use resample('QS')",
    )
    n_nan = int(co2_quarterly.isna().sum())
    require(
        n_nan == 0,
        f"{n_nan} of your quarters {'is' if n_nan == 1 else 'are'} NaN (the first on "
        f"{index[co2_quarterly.isna().to_numpy().argmax()]:%Y-%m-%d}); every quarter has measured weeks, "
        "and mean() skips the missing ones: don't reindex or shift after resampling",
    )
    require(
        len(co2_quarterly) == len(expected),
        f"expected {len(expected)} quarters, from {expected.index[0]:%Y-%m-%d} to {expected.index[-1]:%Y-%m-%d}, "
        f"got {len(co2_quarterly)}"
        + (
            f": keep the first quarter too, although it rests on only {int(counts.iloc[0])} measured "
            f"week{'s' if counts.iloc[0] > 1 else ''}"
            if len(co2_quarterly) == len(expected) - 1
            else ""
        ),
    )
    require(
        index.equals(expected.index),
        "your quarters are not the quarters of the record, "
        f"{expected.index[0]:%Y-%m-%d} to {expected.index[-1]:%Y-%m-%d}",
    )
    got = co2_quarterly.to_numpy(dtype=float)
    want = expected.to_numpy()
    if np.allclose(got, want, atol=1e-6):
        passed(
            f"{len(expected)} quarters labelled by their first day (QS), each the mean of its measured "
            f"weeks (the thinnest rests on {int(counts.min())} week{'s' if counts.min() > 1 else ''})"
        )
        return
    require(
        not np.allclose(got, co2_weekly.resample("QS").sum().to_numpy(), atol=1e-6),
        f"your values are sums of each quarter's weeks (around {np.median(got):.0f}): a concentration "
        "is averaged, not added; use .mean()",
    )
    monthly = co2_weekly.resample("MS").mean().interpolate(method="time")  # = load_co2()
    require(
        not np.allclose(got, monthly.resample("QS").mean().to_numpy(), atol=1e-6),
        "these are means of the monthly series load_co2(), not of the weekly measurements: "
        "resample co2_weekly itself, so that each quarter is the mean of its measured weeks",
    )
    filled = co2_weekly.interpolate(method="time").resample("QS").mean().to_numpy()
    require(
        not np.allclose(got, filled, atol=1e-6),
        "you filled the missing weeks before averaging, so interpolated weeks count as "
        "measurements: resample co2_weekly as it is (mean() skips NaN)",
    )
    worst = int(np.argmax(np.abs(got - want)))
    require(
        False,
        f"the quarter starting {expected.index[worst]:%Y-%m-%d} is {got[worst]:.3f} ppm, but "
        f"the mean of its {int(counts.iloc[worst])} measured weeks is {want[worst]:.3f} ppm: use .mean()",
    )


def _hidden_gaps(series: pd.Series, length: int, n_gaps: int) -> np.ndarray:
    """Mask ``n_gaps`` runs of ``length`` measured values, evenly spread after the first two years."""
    seen = series.notna().to_numpy()
    hidden = np.zeros(len(series), dtype=bool)
    starts = np.linspace(104, len(series) - length - 2, n_gaps).astype(int)
    for start in starts:
        i = start
        while i < len(series) - length - 1 and not seen[i - 1 : i + length + 1].all():
            i += 1  # the next place with measured neighbours
        if i < len(series) - length - 1 and not hidden[i - 2 : i + length + 2].any():
            hidden[i : i + length] = True
    return hidden


def check_year_ago_fill(year_ago_fill, co2_weekly, *, gap_weeks: int = 26) -> None:
    """Check Exercise 1.2: a gap fill that uses the same week a year earlier plus the rise since.

    The function is run on ``co2_weekly`` with gaps of ``gap_weeks`` hidden in it. It must return
    a Series on the same index with the measured values unchanged and no NaN in the hidden gaps,
    and it must use only the past: changing the values after a gap must not change its fill.

    Parameters
    ----------
    year_ago_fill : callable
        ``year_ago_fill(s)`` takes a weekly Series with NaN and returns it filled.
    co2_weekly : pandas.Series with a DatetimeIndex
        The weekly record (``load_co2(raw=True)``).
    gap_weeks : int, default 26
        Length of the hidden gaps.

    Prints
    ------
    The confirmation ``Correct: ...``, with the fill's error on the hidden weeks.

    Raises
    ------
    ExerciseFeedback
        If the fill changes measured values, leaves gaps, looks into the future, forgets the
        year-on-year rise or is worse than forward fill.
    """
    require_function(year_ago_fill, "year_ago_fill", "of a Series")
    _check_series(co2_weekly, "co2_weekly")
    hidden = _hidden_gaps(co2_weekly, gap_weeks, n_gaps=12)
    holed = co2_weekly.mask(hidden)
    before = holed.copy()
    filled = year_ago_fill(holed)
    require(
        holed.equals(before),
        "your function changed the Series it was given: work on a copy "
        "(fillna and interpolate return new Series unless you pass inplace=True)",
    )
    require(
        isinstance(filled, pd.Series),
        f"year_ago_fill must return a pandas Series, got {describe(filled)}",
    )
    require(
        filled.index.equals(holed.index),
        f"year_ago_fill must return a Series on the same weekly index as its input ({len(holed)} weeks), "
        f"got {len(filled)} values" + (": don't dropna()" if len(filled) < len(holed) else ""),
    )
    seen = holed.notna().to_numpy()
    out = filled.to_numpy(dtype=float)
    changed = seen & ~np.isclose(out, holed.to_numpy(), equal_nan=True)
    require(
        not changed.any(),
        f"your fill changed {int(changed.sum())} measured values (the first on "
        f"{holed.index[changed.argmax()]:%Y-%m-%d}): fill only the missing weeks, e.g. s.fillna(guess)",
    )
    left = hidden & np.isnan(out)
    require(
        not left.any(),
        f"{int(left.sum())} hidden weeks are still NaN (the first on "
        f"{holed.index[left.argmax()]:%Y-%m-%d}); where the week a year earlier is missing too, "
        "interpolate the series before shifting it",
    )
    # The leak test: raise everything after a gap by 100 ppm; an honest fill of the gap stays put.
    starts = np.flatnonzero(hidden & ~np.roll(hidden, 1))
    for start in starts[[1, len(starts) // 2, -2]]:
        end = start + gap_weeks  # first week after the gap
        changed_future = holed.copy()
        changed_future.iloc[end:] += 100.0
        refilled = year_ago_fill(changed_future).to_numpy(dtype=float)
        moved = np.abs(refilled[start:end] - out[start:end]).max()
        require(
            moved < 1e-6,
            f"your fill of the gap from {holed.index[start]:%Y-%m-%d} moved by {moved:.2f} ppm "
            "when the weeks after the gap changed: it looks into the future (a whole-series mean, "
            "bfill, shift(-52), a shift shorter than the gap, or an interpolation across the gap). Use "
            "only the weeks before the gap: a rolling mean looks back, s.mean() does not",
        )
    truth = co2_weekly.to_numpy()[hidden]
    mae = float(np.abs(out[hidden] - truth).mean())
    year_ago = holed.interpolate(method="time").shift(52).to_numpy()[hidden]
    require(
        not np.allclose(out[hidden], year_ago, atol=1e-6),
        f"you filled with the value a year earlier but did not add the year-on-year rise: your fill is "
        f"off by {mae:.2f} ppm on average because CO2 rises every year. Add the mean of s - s.shift(52) "
        "over the past year",
    )
    ffill_mae = float(np.abs(holed.ffill().to_numpy()[hidden] - truth).mean())
    require(
        mae < ffill_mae,
        f"your fill's error on the hidden {gap_weeks}-week gaps is {mae:.2f} ppm, no better "
        f"than forward fill ({ffill_mae:.2f} ppm): fill each week with the same week a year earlier "
        "(a year is 52 weekly steps: shift(52)) plus the rise since",
    )
    passed(
        f"your fill uses only the past and misses the check's {len(starts)} hidden {gap_weeks}-week gaps "
        f"by {mae:.2f} ppm on average (forward fill: {ffill_mae:.2f} ppm)"
    )


def _strengths(result) -> dict:
    r = result.resid
    return {
        STRENGTH_KEYS[0]: float(max(0.0, 1 - r.var() / (result.trend + r).var())),
        STRENGTH_KEYS[1]: float(max(0.0, 1 - r.var() / (result.seasonal + r).var())),
    }


def check_daily_stl(stl_daily, daily_strengths, tmax) -> None:
    """Check Exercise 1.3: STL of Seattle's daily maximum temperature and its two strengths.

    Parameters
    ----------
    stl_daily : statsmodels DecomposeResult
        The fitted decomposition (``STL(...).fit()``), with ``observed``, ``trend``, ``seasonal``
        and ``resid``.
    daily_strengths : dict
        ``{"F_T (trend)": float, "F_S (season)": float}``, as the chapter's ``strength`` returns.
    tmax : pandas.Series
        The daily series that was meant to be decomposed.

    Prints
    ------
    The confirmation ``Correct: ...`` when the answer is right.

    Raises
    ------
    ExerciseFeedback
        If another series was decomposed, the period is not a year of days, or the strengths do
        not belong to the decomposition.
    """
    parts = ("observed", "trend", "seasonal", "resid")
    if not all(hasattr(stl_daily, p) for p in parts):
        raise TypeError(
            "stl_daily must be a fitted decomposition (STL(...).fit()) with observed, trend, "
            f"seasonal and resid, got {describe(stl_daily)}"
        )
    if not isinstance(daily_strengths, dict):
        raise TypeError(
            f"daily_strengths must be a dict like strength() returns, got {describe(daily_strengths)}"
        )
    _check_series(tmax, "tmax")
    observed = np.asarray(stl_daily.observed, dtype=float).reshape(-1)
    require(
        len(observed) == len(tmax),
        f"you decomposed a series of {len(observed)} values, not the {len(tmax)} days of tmax"
        + (
            ": those are the weekly means; decompose the daily series"
            if len(observed) < len(tmax) / 5
            else ""
        ),
    )
    require(
        np.allclose(observed, tmax.to_numpy(dtype=float)),
        "stl_daily.observed is not tmax: decompose weather['temp_max'] itself",
    )
    seasonal = np.asarray(stl_daily.seasonal, dtype=float).reshape(-1)
    own = _strengths(stl_daily)
    if own[STRENGTH_KEYS[1]] < 0.5:
        lags = [7, 12, 30, 52]
        corr = [np.corrcoef(seasonal[lag:], seasonal[:-lag])[0, 1] for lag in lags]
        lag = lags[int(np.argmax(corr))]
        require(
            False,
            f"your seasonal component is small (standard deviation {seasonal.std():.2f} °C) and "
            f"repeats every {lag} days, so the yearly cycle went into the trend (F_T = "
            f"{own[STRENGTH_KEYS[0]]:.2f}): a season of daily data lasts a year, period=365",
        )
    require(
        set(daily_strengths) == set(STRENGTH_KEYS),
        f"daily_strengths must have the keys {list(STRENGTH_KEYS)}, got {list(daily_strengths)}: "
        "use the chapter's strength(stl_daily)",
    )
    got = [float(daily_strengths[k]) for k in STRENGTH_KEYS]
    want = [own[k] for k in STRENGTH_KEYS]
    require(
        not (np.allclose(got, want[::-1], atol=1e-6) and not np.allclose(got, want, atol=1e-6)),
        "your trend and seasonal strengths are swapped",
    )
    require(
        np.allclose(got, want, atol=1e-6),
        f"your strengths {got[0]:.3f} (trend) and {got[1]:.3f} (season) are not those of stl_daily "
        f"({want[0]:.3f} and {want[1]:.3f}): compute them with strength(stl_daily)",
    )
    passed(
        f"the daily STL has a seasonal strength of {want[1]:.3f} and a trend strength of {want[0]:.3f}"
    )

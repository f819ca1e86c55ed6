"""The checks of chapter 1's exercises: each right answer passes, and each typical wrong answer
gets its own feedback."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from statsmodels.tsa.seasonal import STL

from tslearnkit.datasets import load_co2
from tslearnkit.exercises import ExerciseFeedback, ch01


@pytest.fixture(scope="module")
def weekly():
    return load_co2(raw=True)


def test_quarterly_right_answer_passes(weekly, capsys):
    ch01.check_quarterly_co2(weekly.resample("QS").mean(), weekly)
    assert capsys.readouterr().out.startswith("Correct: 176 quarters")


@pytest.mark.parametrize(
    "wrong, feedback",
    [
        (lambda w: w.resample("QS").sum(), "sums"),
        (lambda w: w.resample("QE").mean(), "last day"),
        (lambda w: w.resample("QS-DEC").mean(), "not the first days of calendar quarters"),
        (lambda w: load_co2().resample("QS").mean(), "monthly series load_co2()"),
        (lambda w: w.interpolate(method="time").resample("QS").mean(), "filled the missing weeks"),
        (lambda w: w.resample("QS").first(), "the mean of its"),
        (lambda w: w.resample("QS").mean().iloc[1:], "keep the first quarter"),
        (lambda w: w.groupby(w.index.quarter).mean(), "pools the same quarter"),
        (lambda w: w.resample("QS").mean().shift(1), "is NaN"),
        (lambda w: w.resample("MS").mean(), "more than one per quarter"),
    ],
    ids=[
        "sum",
        "QE",
        "QS-DEC",
        "from-monthly",
        "filled-first",
        "first",
        "dropped-first",
        "groupby",
        "NaN",
        "monthly",
    ],
)
def test_quarterly_wrong_answers_get_specific_feedback(weekly, wrong, feedback):
    with pytest.raises(ExerciseFeedback, match=feedback):
        ch01.check_quarterly_co2(wrong(weekly), weekly)


def test_quarterly_bad_types(weekly):
    with pytest.raises(TypeError, match="co2_quarterly must be a pandas Series.*DataFrame"):
        ch01.check_quarterly_co2(weekly.resample("QS").mean().to_frame(), weekly)
    with pytest.raises(TypeError, match="co2_quarterly must be a pandas Series, got a list"):
        ch01.check_quarterly_co2(weekly.tolist(), weekly)
    with pytest.raises(TypeError, match="co2_weekly must have a DatetimeIndex"):
        ch01.check_quarterly_co2(weekly.resample("QS").mean(), weekly.reset_index(drop=True))


def year_ago_fill(s):
    year_ago = s.interpolate(method="time").shift(52)
    rise = (s - year_ago).rolling(52, min_periods=1).mean()
    return s.fillna(year_ago + rise).ffill()


def year_ago_without_interpolation(s):
    year_ago = s.shift(52)
    return s.fillna(year_ago + (s - year_ago).rolling(52, min_periods=1).mean())


def year_ago_with_the_whole_series_mean_rise(s):
    year_ago = s.interpolate(method="time").shift(52)
    return s.fillna(year_ago + (s - year_ago).mean()).ffill()


def fills_in_place(s):
    s.fillna(year_ago_fill(s), inplace=True)
    return s


def test_year_ago_fill_right_answer_passes(weekly, capsys):
    ch01.check_year_ago_fill(year_ago_fill, weekly)
    assert "uses only the past" in capsys.readouterr().out


@pytest.mark.parametrize(
    "wrong, feedback",
    [
        (
            lambda s: s.fillna(s.interpolate(method="time").shift(52)),
            "did not add the year-on-year rise",
        ),
        (year_ago_without_interpolation, "still NaN"),
        (year_ago_with_the_whole_series_mean_rise, "looks into the future"),
        (lambda s: s.interpolate(method="time"), "looks into the future"),
        (lambda s: s.bfill(), "looks into the future"),
        (lambda s: s.ffill(), "no better than forward fill"),
        (fills_in_place, "changed the Series it was given"),
        (lambda s: s.dropna(), "don't dropna"),
        (lambda s: year_ago_fill(s).rolling(3, min_periods=1).mean(), "changed .* measured values"),
        (lambda s: year_ago_fill(s).to_numpy(), "must return a pandas Series"),
    ],
    ids=[
        "no-rise",
        "no-interpolation",
        "whole-series-mean",
        "interpolation",
        "bfill",
        "ffill",
        "in-place",
        "dropna",
        "smoothed",
        "array",
    ],
)
def test_year_ago_fill_wrong_answers_get_specific_feedback(weekly, wrong, feedback):
    with pytest.raises(ExerciseFeedback, match=feedback):
        ch01.check_year_ago_fill(wrong, weekly)


def test_year_ago_fill_bad_types(weekly):
    with pytest.raises(TypeError, match="year_ago_fill must be a function"):
        ch01.check_year_ago_fill(year_ago_fill(weekly), weekly)
    with pytest.raises(TypeError, match="co2_weekly must be a pandas Series"):
        ch01.check_year_ago_fill(year_ago_fill, weekly.to_numpy())


def strength(result):
    r = result.resid
    return {
        "F_T (trend)": float(max(0.0, 1 - r.var() / (result.trend + r).var())),
        "F_S (season)": float(max(0.0, 1 - r.var() / (result.seasonal + r).var())),
    }


@pytest.fixture(scope="module")
def daily():
    """Three years of a daily temperature-like series: a yearly cycle plus weather noise."""
    index = pd.date_range("2020-01-01", periods=3 * 365, freq="D")
    t = np.arange(len(index))
    noise = np.random.default_rng(0).normal(0, 2, len(t))
    return pd.Series(15 - 8 * np.cos(2 * np.pi * t / 365.25) + noise, index=index, name="temp_max")


@pytest.fixture(scope="module")
def daily_stl(daily):
    return STL(daily, period=365).fit()


def test_daily_stl_right_answer_passes(daily, daily_stl, capsys):
    ch01.check_daily_stl(daily_stl, strength(daily_stl), daily)
    assert "seasonal strength of 0.9" in capsys.readouterr().out


def test_daily_stl_with_a_weekly_period(daily):
    result = STL(daily, period=7).fit()
    with pytest.raises(ExerciseFeedback, match="repeats every 7 days.*period=365"):
        ch01.check_daily_stl(result, strength(result), daily)


def test_daily_stl_of_the_weekly_means(daily):
    result = STL(daily.resample("W").mean(), period=52).fit()
    with pytest.raises(ExerciseFeedback, match="weekly means"):
        ch01.check_daily_stl(result, strength(result), daily)


def test_daily_stl_of_another_series(daily, daily_stl):
    with pytest.raises(ExerciseFeedback, match="observed is not tmax"):
        ch01.check_daily_stl(daily_stl, strength(daily_stl), daily + 1)


@pytest.mark.parametrize(
    "change, feedback",
    [
        (lambda s: {"F_T (trend)": s["F_S (season)"], "F_S (season)": s["F_T (trend)"]}, "swapped"),
        (lambda s: {"trend": s["F_T (trend)"], "season": s["F_S (season)"]}, "must have the keys"),
        (lambda s: {k: v / 2 for k, v in s.items()}, "not those of stl_daily"),
    ],
    ids=["swapped", "keys", "other-numbers"],
)
def test_daily_strengths_that_do_not_belong_to_the_decomposition(
    daily, daily_stl, change, feedback
):
    with pytest.raises(ExerciseFeedback, match=feedback):
        ch01.check_daily_stl(daily_stl, change(strength(daily_stl)), daily)


def test_daily_stl_bad_types(daily, daily_stl):
    with pytest.raises(TypeError, match="stl_daily must be a fitted decomposition"):
        ch01.check_daily_stl(SimpleNamespace(trend=1), strength(daily_stl), daily)
    with pytest.raises(TypeError, match="daily_strengths must be a dict"):
        ch01.check_daily_stl(daily_stl, [0.1, 0.9], daily)
    with pytest.raises(TypeError, match="tmax must be a pandas Series"):
        ch01.check_daily_stl(daily_stl, strength(daily_stl), daily.to_numpy())

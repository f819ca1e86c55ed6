"""The checks of Chapter 3's exercises: each accepts the right answer and names each mistake it knows."""

import numpy as np
import pandas as pd
import pytest

from tslearnkit.evaluation import drift_forecast, naive_forecast
from tslearnkit.exercises import ExerciseFeedback, ch03

# ----------------------------------------------------------------------------- seasonal naive


def right_snaive(history, horizon, season):
    return history[-season:][np.arange(horizon) % season]


def test_seasonal_naive_accepts_the_right_function(capsys):
    ch03.check_seasonal_naive(right_snaive)
    assert "Correct" in capsys.readouterr().out
    ch03.check_seasonal_naive(lambda h, n, m: np.tile(h[-m:], n // m + 1)[:n])  # another right way
    ch03.check_seasonal_naive(lambda h, n, m: list(right_snaive(h, n, m)))  # a list is fine


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda h, n, m: h[:m][np.arange(n) % m], "first season"),
        (lambda h, n, m: h[-m:][(np.arange(n) + 1) % m], "one step late"),
        (lambda h, n, m: h[-m:][(np.arange(n) - 1) % m], "starts the season at the last value"),
        (lambda h, n, m: h[-m - 1 : -1][np.arange(n) % m], "one step early"),
        (lambda h, n, m: np.full(n, h[-1]), "naive forecast"),
        (lambda h, n, m: h[-m:][:n], "returned 12 values"),
        (
            lambda h, n, m: np.concatenate([h[-m:], np.full(max(n - m, 0), h[-1])])[:n],
            "start the\nlast season again".replace("\n", " "),
        ),
        (lambda h, n, m: h[-m:][np.arange(n) % m] + 1, "differs from the seasonal naive"),
        (lambda h, n, m: 1 / 0, "raised ZeroDivisionError"),
    ],
)
def test_seasonal_naive_names_each_mistake(wrong, message):
    with pytest.raises(ExerciseFeedback, match=message):
        ch03.check_seasonal_naive(wrong)


def test_seasonal_naive_rejects_a_non_function():
    with pytest.raises(TypeError, match="seasonal_naive must be a function"):
        ch03.check_seasonal_naive(np.arange(3))
    with pytest.raises(TypeError, match="numbers"):
        ch03.check_seasonal_naive(lambda h, n, m: "abc")


# ----------------------------------------------------------------------------- MASE
t = np.arange(84.0)
SERIES_84 = (
    300 + 0.15 * t + 3 * np.sin(2 * np.pi * t / 12) + np.random.default_rng(1).normal(0, 2.0, 84)
)
TRAIN, FUTURE = SERIES_84[:72], SERIES_84[72:]  # a rising monthly series, with noise
FORECAST = drift_forecast(TRAIN, 12)
E = FUTURE - FORECAST
D12 = TRAIN[12:] - TRAIN[:-12]
RIGHT = np.mean(np.abs(E)) / np.mean(np.abs(D12))


def test_mase_accepts_the_right_answer():
    ch03.check_mase(RIGHT, FUTURE, FORECAST, TRAIN, season=12)
    ch03.check_mase(
        np.float32(RIGHT), pd.Series(FUTURE), list(FORECAST), TRAIN, season=12
    )  # float32 rounding


@pytest.mark.parametrize(
    "wrong, message",
    [
        (np.mean(np.abs(E)) / np.mean(np.abs(np.diff(TRAIN))), "season=1"),
        (np.mean(np.abs(E)) / np.mean(np.abs(np.diff(FUTURE))), "test values"),
        (
            np.mean(np.abs(E)) / np.mean(np.abs(np.diff(np.r_[TRAIN, FUTURE]))),
            "history and the test values, with season=1",
        ),
        (
            np.mean(np.abs(E))
            / np.mean(np.abs(np.r_[TRAIN, FUTURE][12:] - np.r_[TRAIN, FUTURE][:-12])),
            "together",
        ),
        (np.mean(E**2) / np.mean(np.abs(D12)), "squared errors"),
        (np.mean(E**2) / np.mean(np.abs(D12)) ** 2, "squared both"),
        (np.sqrt(np.mean(E**2) / np.mean(D12**2)), "RMSSE"),
        (np.mean(np.abs(E)), "that is the MAE"),
        (1 / RIGHT, "upside down"),
        (np.mean(E) / np.mean(np.abs(D12)), "signed errors"),
        (np.mean(np.abs(E)) / np.mean(D12), "signed differences"),
        (np.mean(np.abs(E) / FUTURE) / np.mean(np.abs(D12)), "percentage"),
        (
            np.mean(np.abs(E)) / np.mean(np.abs(TRAIN[12:48] - TRAIN[:36])),
            "first 48 of the 72 values",
        ),
        (RIGHT * 1.1, "is not the MAE of the forecast divided"),
        (np.abs(E) / np.mean(np.abs(D12)), "holds 12 values"),
        (np.nan, "division by zero"),
    ],
)
def test_mase_names_each_mistake(wrong, message):
    with pytest.raises(ExerciseFeedback, match=message):
        ch03.check_mase(wrong, FUTURE, FORECAST, TRAIN, season=12)


def test_mase_checks_its_arguments():
    with pytest.raises(TypeError, match="answer|your MASE"):
        ch03.check_mase("0.5", FUTURE, FORECAST, TRAIN, season=12)
    with pytest.raises(TypeError, match="season"):
        ch03.check_mase(RIGHT, FUTURE, FORECAST, TRAIN, season=12.0)
    with pytest.raises(ValueError, match="same length"):
        ch03.check_mase(RIGHT, FUTURE, FORECAST[:5], TRAIN, season=12)
    with pytest.raises(TypeError, match="y_train"):
        ch03.check_mase(RIGHT, FUTURE, FORECAST, None, season=12)


# ----------------------------------------------------------------------------- backtest
SERIES = pd.Series(
    np.cumsum(np.random.default_rng(0).normal(size=40)) + 10.0,
    index=pd.date_range("2000-01-01", periods=40, freq="MS"),
)
H, INITIAL, STEP = 4, 24, 3


def by_hand(
    series=SERIES,
    forecaster=drift_forecast,
    horizon=H,
    initial=INITIAL,
    step=STEP,
    last=None,
    history_end=lambda origin: origin,
    step_base=1,
    actual_shift=0,
):
    """A hand-written backtest, with knobs for each mistake."""
    rows = []
    last = len(series) - horizon + 1 if last is None else last
    for origin in range(initial, last, step):
        forecast = forecaster(series.iloc[: history_end(origin)], horizon)
        for h in range(horizon):
            rows.append(
                {
                    "origin": origin,
                    "step": h + step_base,
                    "actual": series.iloc[min(origin + h + actual_shift, len(series) - 1)],
                    "forecast": forecast[h],
                }
            )
    return pd.DataFrame(rows)


def test_backtest_accepts_the_right_frame():
    ch03.check_backtest(by_hand(), SERIES, drift_forecast, H, INITIAL, STEP)
    ch03.check_backtest(
        by_hand().assign(model="drift").sample(frac=1, random_state=0),
        SERIES,
        drift_forecast,
        H,
        INITIAL,
        STEP,
    )  # any row order, extra columns


@pytest.mark.parametrize(
    "frame, message",
    [
        (by_hand(history_end=lambda o: o + 1), "used 1 value"),
        (by_hand(history_end=lambda o: o + H), f"used {H} value"),
        (by_hand(history_end=lambda o: o - 1), "one value early"),
        (by_hand(forecaster=naive_forecast), "differ from forecaster"),
        (by_hand(last=len(SERIES) - H), "is missing"),
        (by_hand(last=len(SERIES)), "leave no room"),
        (by_hand(initial=INITIAL + 1), "start at initial"),
        (by_hand(step=1), "start at initial"),
        (by_hand(step_base=0), "from 0"),
        (by_hand(actual_shift=1), "one step late"),
        (by_hand().drop(columns="actual"), "no column"),
        (by_hand().iloc[:-1], "needs 4 rows"),
        (by_hand().assign(origin=lambda f: SERIES.index[f["origin"]]), "positions"),
        (by_hand().assign(actual=np.nan), "NaN"),
    ],
)
def test_backtest_names_each_mistake(frame, message):
    with pytest.raises(ExerciseFeedback, match=message):
        ch03.check_backtest(frame, SERIES, drift_forecast, H, INITIAL, STEP)


def test_backtest_checks_its_arguments():
    with pytest.raises(TypeError, match="answer must be a pandas DataFrame"):
        ch03.check_backtest(by_hand().to_numpy(), SERIES, drift_forecast, H, INITIAL, STEP)
    with pytest.raises(TypeError, match="series must be a pandas Series"):
        ch03.check_backtest(by_hand(), SERIES.to_numpy(), drift_forecast, H, INITIAL, STEP)
    with pytest.raises(TypeError, match="forecaster"):
        ch03.check_backtest(by_hand(), SERIES, "drift", H, INITIAL, STEP)
    with pytest.raises(TypeError, match="horizon"):
        ch03.check_backtest(by_hand(), SERIES, drift_forecast, 0, INITIAL, STEP)

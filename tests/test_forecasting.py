"""Tests for tslearnkit.forecasting: the tasks, the bars and the wrapper for torch models."""

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from tslearnkit.forecasting import (
    ForecastTask,
    backtest,
    baseline_forecasters,
    calendar_features,
    classical_forecaster,
    load_task,
    torch_forecaster,
)
from tslearnkit.preprocessing import scale_splits


@pytest.mark.parametrize("name, horizon, season", [("co2", 12, 12), ("seattle", 7, 365)])
def test_tasks_partition_the_series_in_time_order(name, horizon, season):
    task = load_task(name)
    assert (task.horizon, task.season) == (horizon, season)
    parts = [task.train, task.val, task.test]
    assert sum(len(p) for p in parts) == len(task.series)
    assert task.train.index[-1] < task.val.index[0] and task.val.index[-1] < task.test.index[0]
    assert len(task.test) == round(0.2 * len(task.series))
    assert task.covariates.index.equals(task.series.index)


def test_load_task_bad_name():
    with pytest.raises(ValueError, match="name must be 'co2' or 'seattle', got 'm4'"):
        load_task("m4")


def test_baselines_and_classical_give_horizon_values():
    task = load_task("co2")
    history = task.series.iloc[: task.initial]
    forecasters = baseline_forecasters(task)
    assert set(forecasters) == {"naive", "seasonal naive", "drift", "mean"}
    np.testing.assert_array_equal(forecasters["seasonal naive"](history, 12), history.to_numpy()[-12:])
    name, classical = classical_forecaster(task)
    forecast = classical(history, task.horizon)
    assert name == "Holt-Winters" and forecast.shape == (12,)
    actual = task.series.iloc[task.initial : task.initial + 12].to_numpy()
    assert np.abs(forecast - actual).mean() < np.abs(history.to_numpy()[-12:] - actual).mean()


def test_seattle_classical_runs():
    task = load_task("seattle")
    name, classical = classical_forecaster(task)
    forecast = classical(task.series.iloc[: task.initial], task.horizon)
    assert name == "STL + AR(1)" and forecast.shape == (7,) and np.isfinite(forecast).all()


def test_backtest_scores_every_model():
    task = load_task("co2")
    results, scores = backtest(task, baseline_forecasters(task))
    assert set(scores.index) == {"naive", "seasonal naive", "drift", "mean"}
    assert results["origin"].min() == task.initial
    assert scores["MASE"].is_monotonic_increasing


def test_task_functions_reject_other_objects():
    for fn in (baseline_forecasters, classical_forecaster):
        with pytest.raises(TypeError, match="task must be a ForecastTask"):
            fn("co2")


def test_calendar_features():
    index = pd.date_range("2021-01-01", periods=366, freq="D")
    cal = calendar_features(index)
    assert list(cal.columns) == ["year_sin", "year_cos"]
    np.testing.assert_allclose(cal["year_sin"] ** 2 + cal["year_cos"] ** 2, 1.0)
    with pytest.raises(TypeError, match="index must be a pandas DatetimeIndex"):
        calendar_features(pd.RangeIndex(3))


class LastValue(nn.Module):
    """Forecasts the last input value for every step: the naive forecast as a torch model."""

    def __init__(self, horizon):
        super().__init__()
        self.horizon = horizon
        self.dummy = nn.Parameter(torch.zeros(1))

    def forward(self, x):  # (B, L, 1) -> (B, horizon)
        return x[:, -1, :1].expand(-1, self.horizon)


@pytest.mark.parametrize("recursive", [False, True])
def test_torch_forecaster_matches_naive(recursive):
    history = pd.Series(np.arange(50.0) ** 1.5)
    (_,), scaler = scale_splits(history.iloc[:40])
    forecast = torch_forecaster(LastValue(1 if recursive else 5), 8, scaler, recursive=recursive)(history, 5)
    np.testing.assert_allclose(forecast, np.full(5, history.iloc[-1]), rtol=1e-5)


def test_torch_forecaster_bad_input():
    (_,), scaler = scale_splits(np.arange(10.0))
    with pytest.raises(ValueError, match="input_length must be a positive integer"):
        torch_forecaster(LastValue(1), 0, scaler)
    with pytest.raises(TypeError, match="model must be a torch.nn.Module"):
        torch_forecaster("lstm", 3, scaler)
    forecast = torch_forecaster(LastValue(2), 3, scaler)
    with pytest.raises(ValueError, match="history has 2 values"):
        forecast(pd.Series([1.0, 2.0]), 2)
    with pytest.raises(ValueError, match="forecasts 2 steps but the task needs horizon=3"):
        forecast(pd.Series(np.arange(5.0)), 3)


def test_forecast_task_is_frozen():
    task = load_task("co2")
    assert isinstance(task, ForecastTask)
    with pytest.raises(AttributeError):
        task.horizon = 3

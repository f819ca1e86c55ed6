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
    classical_forecasters,
    ensemble_forecaster,
    harmonic_regression_forecaster,
    linear_forecaster,
    load_task,
    seasonal_naive_drift_forecast,
    stl_ar_forecaster,
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
    np.testing.assert_array_equal(
        forecasters["seasonal naive"](history, 12), history.to_numpy()[-12:]
    )
    name, classical = classical_forecaster(task)
    forecast = classical(history, task.horizon)
    assert name == "Holt-Winters" and forecast.shape == (12,)
    actual = task.series.iloc[task.initial : task.initial + 12].to_numpy()
    assert np.abs(forecast - actual).mean() < np.abs(history.to_numpy()[-12:] - actual).mean()


def test_seattle_classical_runs():
    task = load_task("seattle")
    name, classical = classical_forecaster(task)
    forecast = classical(task.series.iloc[: task.initial], task.horizon)
    assert name == "harmonic regression (K=2) + AR(1)"
    assert forecast.shape == (7,) and np.isfinite(forecast).all()


def test_the_weak_stl_bar_still_runs():
    task = load_task("seattle")
    name, stl = stl_ar_forecaster(task.season)
    forecast = stl(task.series.iloc[: task.initial], task.horizon)
    assert name == "STL + AR(1)" and forecast.shape == (7,) and np.isfinite(forecast).all()
    with pytest.raises(ValueError, match="season must be an integer >= 2"):
        stl_ar_forecaster(1)


def test_general_tools_keep_their_old_import_path():
    import tslearnkit.forecasting as forecasting
    import tslearnkit.preprocessing as preprocessing
    import tslearnkit.training as training

    assert forecasting.calendar_features is preprocessing.calendar_features
    assert forecasting.train_val_loaders is preprocessing.train_val_loaders
    assert forecasting.torch_forecaster is training.torch_forecaster


def test_ensemble_forecaster_averages_the_members():
    task = load_task("co2")
    members = [baseline_forecasters(task)["naive"], baseline_forecasters(task)["seasonal naive"]]
    history = task.train
    expected = (members[0](history, 12) + members[1](history, 12)) / 2
    np.testing.assert_allclose(ensemble_forecaster(members)(history, 12), expected)
    with pytest.raises(ValueError, match="non-empty list"):
        ensemble_forecaster([])
    with pytest.raises(TypeError, match=r"forecasters\[1\] must be callable"):
        ensemble_forecaster([members[0], 3])


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
    forecast = torch_forecaster(LastValue(1 if recursive else 5), 8, scaler, recursive=recursive)(
        history, 5
    )
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


def test_torch_forecaster_integrates_differences():
    """A model forecasting zero change, trained on first differences, gives the naive forecast;
    on seasonal differences, the seasonal naive forecast."""

    class Zero(nn.Module):
        def __init__(self):
            super().__init__()
            self.dummy = nn.Parameter(torch.zeros(1))

        def forward(self, x):  # (B, L, F) -> (B, 6)
            return torch.zeros(x.shape[0], 6) + self.dummy

    history = pd.Series(np.random.default_rng(0).normal(size=60).cumsum())
    d = np.diff(history.to_numpy())
    (_,), scaler = scale_splits(d - d.mean())  # mean 0: a scaled 0 is a change of 0
    np.testing.assert_allclose(
        torch_forecaster(Zero(), 5, scaler, difference=1)(history, 6),
        np.full(6, history.iloc[-1]),
        atol=1e-6,
    )
    np.testing.assert_allclose(
        torch_forecaster(Zero(), 5, scaler, difference=4)(history, 6),
        history.to_numpy()[[-4, -3, -2, -1, -4, -3]],
        atol=1e-6,
    )


def test_torch_forecaster_reads_covariates_of_the_window_only():
    index = pd.date_range("2020-01-01", periods=40, freq="D")
    history = pd.Series(np.arange(40.0), index=index)
    covariates = pd.DataFrame(
        {"c": np.arange(100.0)}, index=pd.date_range("2020-01-01", periods=100, freq="D")
    )
    seen = {}

    class Spy(nn.Module):
        def __init__(self):
            super().__init__()
            self.dummy = nn.Parameter(torch.zeros(1))

        def forward(self, x):  # (B, L, 2)
            seen["x"] = x.clone()
            return x[:, -1, :1].expand(-1, 3)

    (_,), scaler = scale_splits(np.column_stack([np.arange(40.0), np.arange(40.0)]))
    forecast = torch_forecaster(Spy(), 7, scaler, covariates=covariates)(history, 3)
    raw = scaler.inverse_transform(seen["x"][0].double().numpy())
    np.testing.assert_allclose(raw[:, 1], np.arange(33.0, 40.0), atol=1e-4)  # the window's own days
    np.testing.assert_allclose(forecast, np.full(3, 39.0), atol=1e-4)
    with pytest.raises(ValueError, match="recursive=True needs the covariates"):
        torch_forecaster(Spy(), 7, scaler, covariates=covariates, recursive=True)
    with pytest.raises(TypeError, match="covariates must be a pandas DataFrame"):
        torch_forecaster(Spy(), 7, scaler, covariates=np.zeros((3, 1)))


def test_train_val_loaders_split_targets():
    from tslearnkit.forecasting import train_val_loaders

    data = np.arange(100.0)
    train, val, scaler = train_val_loaders(
        data, input_length=10, horizon=3, val_size=20, batch_size=8
    )
    assert scaler.mean_[0] == pytest.approx(np.arange(80.0).mean())  # fitted on the training rows
    val_targets = scaler.inverse_transform(val.dataset.y.reshape(-1, 1).double().numpy()).ravel()
    train_targets = scaler.inverse_transform(
        train.dataset.y.reshape(-1, 1).double().numpy()
    ).ravel()
    assert val_targets.min() >= 80 - 1e-4 and train_targets.max() <= 79 + 1e-4  # no target in both
    assert len(val.dataset) == 20 - 3 + 1
    with pytest.raises(ValueError, match="val_size must be an integer >= 3"):
        train_val_loaders(data, 10, 3, val_size=2)
    with pytest.raises(ValueError, match="too few"):
        train_val_loaders(np.arange(20.0), 10, 3, val_size=10)


# --------------------------------------------------------------------------- validation part
def test_backtest_on_the_validation_part_never_reads_the_test_part():
    task = load_task("co2")
    seen = []

    def spy(history, horizon):
        seen.append(history.index[-1])
        return np.repeat(history.iloc[-1], horizon)

    results, scores = backtest(task, {"spy": spy}, part="val")
    assert results["time"].isin(task.val.index).all()  # every target in the validation part
    assert results["origin_time"].min() == task.val.index[0]
    assert max(seen) < task.test.index[0]
    assert scores.loc["spy", "origins"] == results["origin"].nunique() > 10


def test_backtest_rejects_an_unknown_part():
    with pytest.raises(ValueError, match="part must be 'test' or 'val', got 'train'"):
        backtest(load_task("co2"), baseline_forecasters(load_task("co2")), part="train")


# --------------------------------------------------------------------------- the linear control
def _synthetic_task(values, horizon=4, season=12, covariates=None):
    index = pd.date_range("2000-01-01", periods=len(values), freq="D")
    series = pd.Series(values, index=index, name="y")
    n = len(values)
    return ForecastTask(
        "synthetic",
        series,
        pd.DataFrame(index=index) if covariates is None else covariates.set_axis(index),
        "units",
        horizon=horizon,
        season=season,
        mase_season=1,
        initial=n - 40,
        val_size=40,
        step=4,
    )


@pytest.mark.parametrize("kwargs", [{}, {"difference": 1}, {"normalise": "last"}])
def test_linear_forecaster_recovers_a_linear_recursion(kwargs):
    t = np.arange(300)
    values = 10 + np.sin(2 * np.pi * t / 12) + 0.5 * np.cos(2 * np.pi * t / 7)  # exact AR(4)
    task = _synthetic_task(values)
    name, forecaster = linear_forecaster(task, 24, alpha=1e-10, **kwargs)
    history = task.series.iloc[:250]
    np.testing.assert_allclose(forecaster(history, 4), values[250:254], atol=1e-5)
    assert name.startswith("linear (24 steps")


def test_linear_forecaster_reads_covariates_of_the_window_only():
    rng = np.random.default_rng(0)
    driver = rng.normal(size=300)
    values = np.r_[0.0, driver[:-1]] + 0.01 * rng.normal(size=300)  # y_t = x_{t-1}: a leading input
    task = _synthetic_task(values, horizon=1, covariates=pd.DataFrame({"x": driver}))
    name, forecaster = linear_forecaster(task, 3, covariates=task.covariates.assign(x=driver))
    history = task.series.iloc[:250]
    assert abs(forecaster(history, 1)[0] - driver[249]) < 0.05
    changed = task.covariates.assign(x=np.r_[driver[:250], np.zeros(50)])  # the future changed
    _, same = linear_forecaster(task, 3, covariates=changed)
    assert same(history, 1) == pytest.approx(forecaster(history, 1))
    assert "+ x" in name


def test_linear_forecaster_bad_input():
    task = load_task("co2")
    with pytest.raises(ValueError, match="input_length=900 is too long for the training part"):
        linear_forecaster(task, 900)
    with pytest.raises(ValueError, match="normalise must be None or 'last'"):
        linear_forecaster(task, 12, normalise="mean")
    with pytest.raises(TypeError, match="covariates must be a pandas DataFrame"):
        linear_forecaster(task, 12, covariates=np.zeros((len(task.series), 1)))
    with pytest.raises(ValueError, match="covariates lack 3 of the series' time steps"):
        linear_forecaster(
            task, 12, covariates=pd.DataFrame({"x": 0.0}, index=task.series.index[3:])
        )
    with pytest.raises(TypeError, match="input_length must be an integer"):
        linear_forecaster(task, 12.0)
    with pytest.raises(ValueError, match="alpha must be a number >= 0"):
        linear_forecaster(task, 12, alpha=-1)
    _, forecaster = linear_forecaster(task, 12)
    with pytest.raises(
        ValueError, match=r"horizon must be at most 12 \(the steps the model forecasts\), got 13"
    ):
        forecaster(task.train, 13)


# --------------------------------------------------------------------------- classical bars
def test_seasonal_naive_drift_adds_the_yearly_change():
    values = np.arange(36.0)  # rises by 12 a season
    np.testing.assert_allclose(seasonal_naive_drift_forecast(values, 13, 12), np.arange(36.0, 49.0))
    with pytest.raises(ValueError, match="needs more than season=12"):
        seasonal_naive_drift_forecast(values[:12], 3, 12)


def test_harmonic_regression_follows_a_yearly_cycle():
    index = pd.date_range("2012-01-01", periods=3 * 365, freq="D")
    rng = np.random.default_rng(0)
    cycle = 15 + 8 * np.sin(2 * np.pi * index.day_of_year.to_numpy() / 365.25)
    series = pd.Series(cycle + rng.normal(scale=0.3, size=len(index)), index=index)
    name, forecaster = harmonic_regression_forecaster()
    future = pd.date_range(index[-1], periods=8, freq="D")[1:]
    expected = 15 + 8 * np.sin(2 * np.pi * future.day_of_year.to_numpy() / 365.25)
    np.testing.assert_allclose(forecaster(series, 7), expected, atol=0.5)
    assert name == "harmonic regression (K=2) + AR(1)"
    with pytest.raises(TypeError, match="DatetimeIndex"):
        forecaster(pd.Series(series.to_numpy()), 7)
    with pytest.raises(ValueError, match="pairs must be a positive integer"):
        harmonic_regression_forecaster(0)


def test_classical_forecasters_list_every_bar():
    assert list(classical_forecasters(load_task("co2"))) == [
        "Holt-Winters",
        "seasonal naive + drift",
    ]
    assert list(classical_forecasters(load_task("seattle"))) == [
        "harmonic regression (K=2) + AR(1)",
        "STL + AR(1)",
    ]


def test_a_missing_statsmodels_is_named_with_the_install(monkeypatch):
    import importlib.util

    from tslearnkit.forecasting import stl_ar_forecaster

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "statsmodels" else real(name)
    )
    with pytest.raises(
        ImportError, match=r"needs statsmodels.*pip install tslearnkit\[notebooks\]"
    ):
        stl_ar_forecaster(12)

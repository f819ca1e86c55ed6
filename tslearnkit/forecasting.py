"""The book's two forecasting tasks, set once so every chapter measures on the same ground: the
series, horizon, season and backtest origins, the baselines and classical model every model is
compared with, and a wrapper that backtests a trained PyTorch model the same way.

Chapter 3 builds each piece by hand and then uses these; chapters 4 and 5 start from them.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from ._validation import check_int
from .datasets import load_co2, load_seattle_weather
from .evaluation import (
    drift_forecast,
    mean_forecast,
    naive_forecast,
    rolling_origin_backtest,
    score_backtest,
    seasonal_naive_forecast,
)

__all__ = [
    "ForecastTask",
    "load_task",
    "baseline_forecasters",
    "classical_forecaster",
    "backtest",
    "calendar_features",
    "torch_forecaster",
]


@dataclass(frozen=True)
class ForecastTask:
    """One forecasting task: what to forecast, how far, and where the backtest starts."""

    name: str  # "co2" or "seattle"
    series: pd.Series  # the target, with a regular DatetimeIndex and no NaN
    covariates: pd.DataFrame  # other observed series on the same index (may have no columns)
    units: str  # of the target, for axis labels and tables
    horizon: int  # steps forecast from every origin
    season: int  # seasonal period in steps: seasonal naive and the classical model's season
    mase_season: int  # the season of the MASE scale (1: naive; 12: seasonal naive on monthly data)
    initial: int  # the first backtest origin; everything before it is train + validation
    val_size: int  # the last val_size steps before `initial` are the validation part
    step: int  # steps between backtest origins

    @property
    def train(self) -> pd.Series:
        """The part a model may fit its weights on."""
        return self.series.iloc[: self.initial - self.val_size]

    @property
    def val(self) -> pd.Series:
        """The part used for early stopping and model choice, never for the final score."""
        return self.series.iloc[self.initial - self.val_size : self.initial]

    @property
    def test(self) -> pd.Series:
        """The backtest period, where every forecast is scored and nothing is trained on."""
        return self.series.iloc[self.initial :]


def load_task(name: str) -> ForecastTask:
    """The book's forecasting tasks.

    - ``"co2"``: monthly Mauna Loa CO2 (ppm), 12 months ahead, season 12, MASE scaled by the
      seasonal naive (season 12); the last 20% (105 months) is the backtest period, with an
      origin every 3 months; the 15% before it is the validation part.
    - ``"seattle"``: daily Seattle maximum temperature (°C), 7 days ahead, yearly season of 365
      days, MASE scaled by the naive forecast (season 1); the last 20% (292 days) is the backtest
      period with an origin every 7 days; covariates: precipitation, wind, temp_min.

    Examples
    --------
    >>> task = load_task("co2")
    >>> task.horizon, task.season, len(task.train) + len(task.val) + len(task.test) == len(task.series)
    (12, 12, True)
    """
    if name == "co2":
        series = load_co2()
        n = len(series)
        initial = n - int(round(0.2 * n))
        return ForecastTask("co2", series, pd.DataFrame(index=series.index), "ppm", horizon=12, season=12,
                            mase_season=12, initial=initial, val_size=int(round(0.15 * n)), step=3)
    if name == "seattle":
        weather = load_seattle_weather()
        series = weather["temp_max"]
        n = len(series)
        initial = n - int(round(0.2 * n))
        return ForecastTask("seattle", series, weather[["precipitation", "wind", "temp_min"]], "°C",
                            horizon=7, season=365, mase_season=1, initial=initial,
                            val_size=int(round(0.15 * n)), step=7)
    raise ValueError(f"name must be 'co2' or 'seattle', got {name!r}")


def baseline_forecasters(task: ForecastTask) -> dict[str, Callable]:
    """The simple forecasts every model must beat: naive, seasonal naive, drift and mean."""
    _check_task(task)
    return {
        "naive": naive_forecast,
        "seasonal naive": lambda history, horizon: seasonal_naive_forecast(history, horizon, task.season),
        "drift": drift_forecast,
        "mean": mean_forecast,
    }


def classical_forecaster(task: ForecastTask) -> tuple[str, Callable]:
    """The classical bar, refitted at every origin (needs ``statsmodels``).

    CO2: Holt-Winters exponential smoothing with additive trend and additive yearly season.
    Seattle: STL with a 365-day season, and an AR(1) model with a constant on what remains
    (``statsmodels``' ``STLForecast``): a yearly temperature cycle plus persistence of the
    deviations from it.

    Returns
    -------
    (name, forecaster)
    """
    _check_task(task)
    if task.name == "co2":
        from statsmodels.tsa.holtwinters import ExponentialSmoothing

        def holt_winters(history: pd.Series, horizon: int) -> np.ndarray:
            model = ExponentialSmoothing(history, trend="add", seasonal="add", seasonal_periods=task.season)
            return model.fit().forecast(horizon).to_numpy()

        return "Holt-Winters", holt_winters

    from statsmodels.tools.sm_exceptions import ConvergenceWarning
    from statsmodels.tsa.arima.model import ARIMA
    from statsmodels.tsa.forecasting.stl import STLForecast

    def stl_ar(history: pd.Series, horizon: int) -> np.ndarray:
        with warnings.catch_warnings():  # statsmodels' convergence notes on a few origins
            warnings.simplefilter("ignore", ConvergenceWarning)
            model = STLForecast(history, ARIMA, model_kwargs={"order": (1, 0, 0), "trend": "c"},
                                period=task.season)
            return model.fit().forecast(horizon).to_numpy()

    return "STL + AR(1)", stl_ar


def backtest(task: ForecastTask, forecasters: dict[str, Callable]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rolling-origin backtest of ``forecasters`` on ``task`` and its score table.

    Returns
    -------
    results : pandas.DataFrame
        From :func:`~tslearnkit.evaluation.rolling_origin_backtest`: one row per model, origin
        and step.
    scores : pandas.DataFrame
        From :func:`~tslearnkit.evaluation.score_backtest`: MASE, MAE, RMSE, sMAPE per model,
        sorted by MASE.
    """
    _check_task(task)
    results = rolling_origin_backtest(task.series, forecasters, task.horizon, initial=task.initial, step=task.step)
    return results, score_backtest(results, task.series, season=task.mase_season)


def calendar_features(index: pd.DatetimeIndex, period: float = 365.25) -> pd.DataFrame:
    """Sine and cosine of the position in the year: known for any future date.

    Examples
    --------
    >>> calendar_features(pd.date_range("2020-01-01", periods=2, freq="D")).round(3).values.tolist()
    [[0.017, 1.0], [0.034, 0.999]]
    """
    if not isinstance(index, pd.DatetimeIndex):
        raise TypeError(f"index must be a pandas DatetimeIndex, got {type(index).__name__}")
    position = index.day_of_year.to_numpy() / period * 2 * np.pi
    return pd.DataFrame({"year_sin": np.sin(position), "year_cos": np.cos(position)}, index=index)


def torch_forecaster(model: torch.nn.Module, input_length: int, scaler, *, recursive: bool = False,
                     device=None) -> Callable:
    """Wrap a trained univariate PyTorch forecaster as a backtest forecaster.

    The model is *not* refitted at each origin: it was trained once on the data before the first
    origin, and at every origin it reads the last ``input_length`` values of the history (scaled
    with ``scaler``, fitted on the training part). Refitting the classical models at each origin
    while the network stays fixed favours the classical models, if anything.

    Parameters
    ----------
    model : nn.Module
        ``(B, L, 1)`` to ``(B, horizon)`` (direct), or ``(B, 1)`` with ``recursive=True``.
    input_length : int >= 1
    scaler : fitted scikit-learn scaler of one feature (see :func:`~tslearnkit.preprocessing.scale_splits`)
    recursive : bool, default False
        Feed one-step forecasts back in (``tslearnkit.training.recursive_forecast``).

    Returns
    -------
    callable(history, horizon) -> numpy.ndarray of shape (horizon,)
    """
    from .training import predict, recursive_forecast

    input_length = check_int(input_length, "input_length", minimum=1)
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")

    def forecast(history: pd.Series, horizon: int) -> np.ndarray:
        if len(history) < input_length:
            raise ValueError(f"history has {len(history)} values, the model needs input_length={input_length}")
        window = scaler.transform(history.to_numpy()[-input_length:, None])  # (L, 1)
        x = torch.as_tensor(window, dtype=torch.float32)[None]  # (1, L, 1)
        if recursive:
            scaled = recursive_forecast(model, x, horizon, device=device)[0]  # (horizon,)
        else:
            scaled = predict(model, x, device=device)[0]  # (model horizon,)
            if len(scaled) < horizon:
                raise ValueError(f"the model forecasts {len(scaled)} steps but the task needs horizon={horizon}")
            scaled = scaled[:horizon]
        return scaler.inverse_transform(scaled.numpy().reshape(-1, 1)).ravel()

    return forecast


def _check_task(task) -> None:
    if not isinstance(task, ForecastTask):
        raise TypeError(f"task must be a ForecastTask from load_task, got {type(task).__name__}")

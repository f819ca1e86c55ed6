"""The book's two forecasting tasks and their bars, set once so every chapter measures on the same
ground: the series, horizon, season and backtest origins (test and validation parts), the
baselines, the classical models and the linear control every network is compared with.

Chapter 3 builds each piece by hand and then uses these; chapters 4 and 5 start from them. The
general tools the chapters use with them live with their concepts and are re-exported here for
the old import paths: ``calendar_features`` and ``train_val_loaders`` in
:mod:`tslearnkit.preprocessing`, ``torch_forecaster`` in :mod:`tslearnkit.training`.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._validation import (
    as_float_array,
    check_history,
    check_index,
    check_int,
    describe,
    require_optional,
)
from .datasets import load_co2, load_seattle_weather
from .evaluation import (
    drift_forecast,
    mean_forecast,
    naive_forecast,
    rolling_origin_backtest,
    score_backtest,
    seasonal_naive_forecast,
)
from .preprocessing import calendar_features, train_val_loaders  # noqa: F401 - the old import path
from .preprocessing import undifference
from .training import torch_forecaster  # noqa: F401 - the old import path

__all__ = [
    "ForecastTask",
    "load_task",
    "baseline_forecasters",
    "classical_forecaster",
    "classical_forecasters",
    "linear_forecaster",
    "harmonic_regression_forecaster",
    "stl_ar_forecaster",
    "ensemble_forecaster",
    "seasonal_naive_drift_forecast",
    "backtest",
    "calendar_features",
    "train_val_loaders",
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

    def __post_init__(self):
        if not isinstance(self.series, pd.Series):
            raise TypeError(f"series must be a pandas Series, got {describe(self.series)}")
        check_index(self.series.index, "series")
        if not isinstance(self.covariates, pd.DataFrame):
            raise TypeError(
                f"covariates must be a pandas DataFrame, got {describe(self.covariates)}"
            )
        for name in ("horizon", "season", "mase_season", "initial", "val_size", "step"):
            check_int(getattr(self, name), name, minimum=0 if name == "val_size" else 1)
        n = len(self.series)
        if not self.val_size < self.initial:
            raise ValueError(
                f"val_size ({self.val_size}) must be smaller than initial ({self.initial}): the "
                "validation part is cut from the steps before the first origin"
            )
        if self.initial + self.horizon > n:
            raise ValueError(
                f"initial ({self.initial}) + horizon ({self.horizon}) exceeds the series "
                f"({n} steps): no backtest origin is left"
            )

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
    if not isinstance(name, str):
        raise TypeError(f"name must be 'co2' or 'seattle', got {describe(name)}")
    if name == "co2":
        series = load_co2()
        return _split_task("co2", series, pd.DataFrame(index=series.index), "ppm", 12, 12, 12, 3)
    if name == "seattle":
        weather = load_seattle_weather()
        covariates = weather[["precipitation", "wind", "temp_min"]]
        return _split_task("seattle", weather["temp_max"], covariates, "°C", 7, 365, 1, 7)
    raise ValueError(f"name must be 'co2' or 'seattle', got {name!r}")


def _split_task(name, series, covariates, units, horizon, season, mase_season, step):
    """A task whose last 20% is the test part and the 15% before it the validation part."""
    n = len(series)
    return ForecastTask(
        name,
        series,
        covariates,
        units,
        horizon=horizon,
        season=season,
        mase_season=mase_season,
        initial=n - int(round(0.2 * n)),
        val_size=int(round(0.15 * n)),
        step=step,
    )


def baseline_forecasters(task: ForecastTask) -> dict[str, Callable]:
    """The simple forecasts every model must beat: naive, seasonal naive, drift and mean."""
    _check_task(task)
    return {
        "naive": naive_forecast,
        "seasonal naive": lambda history, horizon: seasonal_naive_forecast(
            history, horizon, task.season
        ),
        "drift": drift_forecast,
        "mean": mean_forecast,
    }


def classical_forecaster(task: ForecastTask) -> tuple[str, Callable]:
    """The classical bar, well specified for the task and refitted at every origin (statsmodels).

    CO2: Holt-Winters exponential smoothing with additive trend and additive yearly season.
    Seattle: dynamic harmonic regression, two Fourier pairs for the yearly cycle with AR(1)
    errors (:func:`harmonic_regression_forecaster`), the model FPP3 section 10.5 recommends for
    daily data with a long season. :func:`classical_forecasters` gives every classical bar.

    Returns
    -------
    (name, forecaster)
    """
    _check_task(task)
    require_optional("statsmodels", "classical_forecaster")
    if task.name == "co2":
        from statsmodels.tsa.holtwinters import ExponentialSmoothing

        def holt_winters(history: pd.Series, horizon: int) -> np.ndarray:
            model = ExponentialSmoothing(
                history, trend="add", seasonal="add", seasonal_periods=task.season
            )
            return model.fit().forecast(horizon).to_numpy()

        return "Holt-Winters", holt_winters
    return harmonic_regression_forecaster()


def stl_ar_forecaster(season: int) -> tuple[str, Callable]:
    """STL with period ``season`` and an AR(1) model with a constant on what remains.

    With a 365-day season on a few years of daily data, STL's seasonal component rests on two
    or three values per day of the year: it is then little more than a noisy seasonal naive.
    Kept as the weak bar the book shows, beside :func:`harmonic_regression_forecaster`.
    """
    season = check_int(season, "season", minimum=2)
    require_optional("statsmodels", "stl_ar_forecaster")

    def stl_ar(history: pd.Series, horizon: int) -> np.ndarray:
        from statsmodels.tools.sm_exceptions import ConvergenceWarning
        from statsmodels.tsa.arima.model import ARIMA
        from statsmodels.tsa.forecasting.stl import STLForecast

        with warnings.catch_warnings():  # statsmodels' convergence notes on a few origins
            warnings.simplefilter("ignore", ConvergenceWarning)
            model = STLForecast(
                history, ARIMA, model_kwargs={"order": (1, 0, 0), "trend": "c"}, period=season
            )
            return model.fit().forecast(horizon).to_numpy()

    return "STL + AR(1)", stl_ar


def backtest(
    task: ForecastTask, forecasters: dict[str, Callable], part: str = "test"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rolling-origin backtest of ``forecasters`` on ``task`` and its score table.

    Parameters
    ----------
    task : ForecastTask
    forecasters : dict of name to ``forecaster(history, horizon)``
    part : {"test", "val"}, default "test"
        "test": origins every ``task.step`` steps from ``task.initial`` to the end, the score
        reported once. "val": the same protocol inside the validation part, for choices
        (variants, settings, epochs): every origin and every target lies in ``task.val``, the
        history before an origin reaches back into the training part, and nothing from the test
        part is read.

    Returns
    -------
    results : pandas.DataFrame
        From :func:`~tslearnkit.evaluation.rolling_origin_backtest`: one row per model, origin
        and step.
    scores : pandas.DataFrame
        From :func:`~tslearnkit.evaluation.score_backtest`: MASE, MAE, RMSE, sMAPE per model,
        sorted by MASE, in the series' own units.
    """
    _check_task(task)
    if part == "test":
        series, initial = task.series, task.initial
    elif part == "val":
        series, initial = task.series.iloc[: task.initial], task.initial - task.val_size
    else:
        raise ValueError(f"part must be 'test' or 'val', got {part!r}")
    results = rolling_origin_backtest(
        series, forecasters, task.horizon, initial=initial, step=task.step
    )
    return results, score_backtest(results, series, season=task.mase_season)


def seasonal_naive_drift_forecast(history, horizon: int, season: int) -> np.ndarray:
    """Seasonal naive plus the average yearly change: ``y[T+h-m*k] + k * mean(y_t - y_{t-m})``.

    The seasonal naive forecast of a trending series lags by one season's growth; adding the
    mean seasonal difference of the history (the drift of the seasonally differenced series,
    FPP3 section 5.2) removes that lag.

    Examples
    --------
    >>> seasonal_naive_drift_forecast(np.arange(8.0), 3, season=4)
    array([ 8.,  9., 10.])
    """
    values, horizon = _history_values(history, horizon)
    season = check_int(season, "season", minimum=1)
    if len(values) <= season:
        raise ValueError(
            f"history has {len(values)} values; seasonal naive with drift needs more than "
            f"season={season}"
        )
    drift = float(np.mean(values[season:] - values[:-season]))  # mean change over one season
    steps = np.arange(1, horizon + 1)
    seasons_ahead = (steps - 1) // season + 1  # k: how many seasons back the copied value is
    return values[len(values) - season + (steps - 1) % season] + seasons_ahead * drift


def _history_values(history, horizon) -> tuple[np.ndarray, int]:
    if isinstance(history, pd.Series):
        check_index(history.index, "history")
    values = as_float_array(history, "history")
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"history must be a non-empty 1-D series, got shape {values.shape}")
    if not np.isfinite(values).all():
        raise ValueError(
            f"history holds NaN or an infinite value at position "
            f"{int(np.flatnonzero(~np.isfinite(values))[0])}; fill the gaps first"
        )
    return values, check_int(horizon, "horizon", minimum=1)


def _fourier(index: pd.DatetimeIndex, pairs: int, period: float = 365.25) -> np.ndarray:
    """``pairs`` sine/cosine pairs of the day of the year: ``(len(index), 2 * pairs)``."""
    position = 2 * np.pi * index.day_of_year.to_numpy()[:, None] / period  # (T, 1)
    k = np.arange(1, pairs + 1)[None]  # (1, pairs)
    return np.concatenate([np.sin(k * position), np.cos(k * position)], axis=1)


def harmonic_regression_forecaster(
    pairs: int = 2, order: tuple[int, int, int] = (1, 0, 0)
) -> tuple[str, Callable]:
    """Dynamic harmonic regression: a yearly cycle of ``pairs`` Fourier pairs, ARMA errors.

    The model FPP3 (section 10.5 and 12.1) recommends for daily data with a long (365-day)
    season: a smooth yearly cycle ``sum_k a_k sin(2 pi k t / 365.25) + b_k cos(...)`` fitted
    jointly with an ARIMA ``order`` on the deviations from it (statsmodels' SARIMAX, with a
    constant), refitted at every origin. A 365-day STL needs a few years of data per seasonal
    value and is, on three years, little more than a noisy seasonal naive.

    Parameters
    ----------
    pairs : int >= 1, default 2
        Fourier pairs (K): 2 gives a yearly cycle that may be asymmetric.
    order : (p, d, q), default (1, 0, 0)

    Returns
    -------
    (name, forecaster)
        The forecaster needs a history with a daily ``DatetimeIndex``.
    """
    pairs = check_int(pairs, "pairs", minimum=1)
    if not (isinstance(order, tuple) and len(order) == 3):
        raise TypeError(f"order must be a tuple (p, d, q), got {order!r}")
    order = tuple(check_int(v, "order", minimum=0) for v in order)
    require_optional("statsmodels", "harmonic_regression_forecaster")

    def forecast(history: pd.Series, horizon: int) -> np.ndarray:
        from statsmodels.tsa.statespace.sarimax import SARIMAX

        if not isinstance(history, pd.Series) or not isinstance(history.index, pd.DatetimeIndex):
            raise TypeError("history must be a pandas Series with a DatetimeIndex")
        horizon = check_int(horizon, "horizon", minimum=1)
        future = pd.date_range(history.index[-1], periods=horizon + 1, freq="D")[1:]
        with warnings.catch_warnings():  # statsmodels' convergence notes on a few origins
            warnings.simplefilter("ignore")
            model = SARIMAX(
                history.to_numpy(dtype=np.float64),
                exog=_fourier(history.index, pairs),
                order=order,
                trend="c",
            ).fit(disp=False)
            return np.asarray(model.forecast(horizon, exog=_fourier(future, pairs)))

    p, d, q = order
    errors = f"AR({p})" if (d, q) == (0, 0) else f"ARIMA({p},{d},{q})"
    return f"harmonic regression (K={pairs}) + {errors}", forecast


def classical_forecasters(task: ForecastTask) -> dict[str, Callable]:
    """Every classical bar of ``task``, refitted at every origin (needs ``statsmodels``).

    CO2: Holt-Winters (additive trend and season) and seasonal naive with drift.
    Seattle: dynamic harmonic regression (two Fourier pairs, AR(1) errors) and STL with a
    365-day season plus AR(1), the weaker bar it replaces (:func:`stl_ar_forecaster`).
    """
    _check_task(task)
    name, best = classical_forecaster(task)
    bars = {name: best}
    if task.name == "co2":
        bars["seasonal naive + drift"] = lambda history, horizon: seasonal_naive_drift_forecast(
            history, horizon, task.season
        )
    else:
        bars.update([stl_ar_forecaster(task.season)])
    return bars


def linear_forecaster(
    task: ForecastTask,
    input_length: int,
    *,
    difference: int | None = None,
    normalise: str | None = None,
    covariates: pd.DataFrame | None = None,
    alpha: float = 1e-3,
) -> tuple[str, Callable]:
    """A linear direct (MIMO) model on the networks' inputs, fitted once on the training part.

    The control every network faces: the same windows of ``input_length`` steps, the same
    transformation of the target and the same covariates as the network, and one linear map
    from a window to all ``task.horizon`` future values (ridge regression on standardised
    inputs, scikit-learn), fitted once on the windows of ``task.train`` like the networks and
    never refitted. If the network does no better than this, its non-linearity bought nothing.

    Parameters
    ----------
    task : ForecastTask
    input_length : int >= 1
        Steps in each input window.
    difference : int >= 1, optional
        Model the differences ``y_t - y_{t-difference}`` and add them back onto the levels.
    normalise : {None, "last"}, default None
        "last": subtract each window's last value from its inputs and targets (per-window
        normalisation; the forecast is added back onto the last observed value).
    covariates : pandas.DataFrame, optional
        Further inputs indexed like the series; only the rows of the input window are read.
    alpha : float >= 0, default 1e-3
        The ridge penalty (on standardised inputs): near 0, least squares.

    Returns
    -------
    (name, forecaster)
    """
    from sklearn.linear_model import Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    _check_task(task)
    input_length = check_int(input_length, "input_length", minimum=1)
    lag = 0 if difference is None else check_int(difference, "difference", minimum=1)
    if normalise not in (None, "last"):
        raise ValueError(f"normalise must be None or 'last', got {normalise!r}")
    if covariates is not None:
        if not isinstance(covariates, pd.DataFrame):
            raise TypeError(
                "covariates must be a pandas DataFrame indexed like the series, "
                f"got {type(covariates).__name__}"
            )
        missing = task.series.index.difference(covariates.index)
        if len(missing):
            raise ValueError(f"covariates lack {len(missing)} of the series' time steps")
        if covariates.isna().to_numpy().any():
            raise ValueError("covariates contains NaN; fill the gaps first")
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not alpha >= 0:
        raise ValueError(f"alpha must be a number >= 0, got {alpha!r}")
    horizon = task.horizon
    train = task.train.to_numpy(dtype=np.float64)
    if input_length + horizon + lag > len(train):
        raise ValueError(
            f"input_length={input_length} is too long for the training part of {task.name!r}: "
            f"{len(train)} steps hold no window of input_length + horizon ({horizon})"
            + (f" + difference ({lag})" if lag else "")
        )

    def target_of(levels: np.ndarray) -> np.ndarray:  # what the model reads and forecasts
        return levels[lag:] - levels[:-lag] if lag else levels

    def inputs(windows: np.ndarray, extra: np.ndarray | None) -> np.ndarray:
        x = windows - windows[:, -1:] if normalise == "last" else windows  # (N, L)
        return x if extra is None else np.concatenate([x, extra.reshape(len(x), -1)], axis=1)

    target = target_of(train)  # (T',)
    n = len(target) - input_length - horizon + 1
    starts = np.arange(n)[:, None]
    windows = target[starts + np.arange(input_length)]  # (N, L)
    future = target[starts + input_length + np.arange(horizon)]  # (N, H)
    extra = None
    if covariates is not None:
        cov = covariates.loc[task.train.index].to_numpy(dtype=np.float64)[lag:]  # (T', C)
        extra = cov[starts + np.arange(input_length)]  # (N, L, C)
    if normalise == "last":
        future = future - windows[:, -1:]
    model = make_pipeline(StandardScaler(), Ridge(alpha=alpha)).fit(inputs(windows, extra), future)

    def forecast(history: pd.Series, horizon_asked: int) -> np.ndarray:
        check_history(history)
        horizon_asked = check_int(horizon_asked, "horizon", minimum=1)
        if horizon_asked > horizon:
            raise ValueError(
                f"horizon must be at most {horizon} (the steps the model forecasts), got {horizon_asked}"
            )
        levels = history.to_numpy(dtype=np.float64)
        if len(levels) < input_length + lag:
            raise ValueError(
                f"history has {len(levels)} values, the model needs {input_length + lag}"
            )
        window = target_of(levels)[-input_length:][None]  # (1, L)
        extra_now = None
        if covariates is not None:
            days = history.index[-input_length:]  # the window's own steps: nothing after the origin
            extra_now = covariates.loc[days].to_numpy(dtype=np.float64)[None]  # (1, L, C)
        predicted = np.reshape(model.predict(inputs(window, extra_now)), -1)[:horizon_asked]  # (h,)
        if normalise == "last":
            predicted = predicted + window[0, -1]
        return undifference(levels, predicted, lag) if lag else predicted

    parts = [f"{input_length} steps"]
    if lag:
        parts.append("first differences" if lag == 1 else f"differences at lag {lag}")
    if normalise == "last":
        parts.append("last-value normalised")
    if covariates is not None:
        parts.append("+ " + ", ".join(map(str, covariates.columns)))
    return f"linear ({'; '.join(parts)})", forecast


def _check_task(task) -> None:
    if not isinstance(task, ForecastTask):
        raise TypeError(f"task must be a ForecastTask from load_task, got {type(task).__name__}")


def ensemble_forecaster(forecasters) -> Callable:
    """The mean of several forecasters' forecasts: the seed ensemble of a network.

    Parameters
    ----------
    forecasters : list of ``forecaster(history, horizon)``, at least one

    Examples
    --------
    >>> mean = ensemble_forecaster([lambda h, n: np.zeros(n), lambda h, n: np.ones(n)])
    >>> mean(None, 2)
    array([0.5, 0.5])
    """
    if (
        callable(forecasters)
        or not hasattr(forecasters, "__iter__")
        or isinstance(forecasters, str)
    ):
        raise TypeError(f"forecasters must be a list of forecasters, got {describe(forecasters)}")
    forecasters = list(forecasters)
    if not forecasters:
        raise ValueError("forecasters must be a non-empty list of forecasters")
    for k, f in enumerate(forecasters):
        if not callable(f):
            raise TypeError(f"forecasters[{k}] must be callable, got {type(f).__name__}")

    def forecast(history, horizon: int) -> np.ndarray:
        outputs = [np.asarray(f(history, horizon), dtype=np.float64) for f in forecasters]
        shapes = {o.shape for o in outputs}
        if len(shapes) > 1:
            raise ValueError(
                f"the forecasters returned forecasts of different shapes {sorted(shapes)}; each "
                f"must return horizon={horizon} values"
            )
        return np.mean(outputs, 0)

    return forecast

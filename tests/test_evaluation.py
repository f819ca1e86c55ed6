"""Tests for tslearnkit.evaluation: hand-computed metrics and baselines, and backtests that never
show a model the future."""

import numpy as np
import pandas as pd
import pytest
import torch

from tslearnkit.evaluation import (
    dm_test,
    origin_mase,
    paired_comparison,
    drift_forecast,
    mae,
    mase,
    mean_forecast,
    naive_forecast,
    rmse,
    rolling_origin_backtest,
    score_backtest,
    seasonal_naive_forecast,
    smape,
)

# --- metrics, computed by hand -----------------------------------------------------------------


def test_metrics_by_hand():
    y, f = [2.0, 4.0, 6.0, 8.0], [3.0, 4.0, 4.0, 8.0]  # errors 1, 0, 2, 0
    assert mae(y, f) == pytest.approx(0.75)
    assert rmse(y, f) == pytest.approx(np.sqrt(5 / 4))
    # sMAPE: 2|e|/(|y|+|f|) = 2/5, 0, 4/10, 0 -> mean 0.2 -> 20 %
    assert smape(y, f) == pytest.approx(20.0)
    # MASE with y_train 1, 3, 2, 6: naive diffs 2, 1, 4 -> scale 7/3 -> 0.75 / (7/3)
    assert mase(y, f, [1.0, 3.0, 2.0, 6.0]) == pytest.approx(0.75 * 3 / 7)
    # seasonal scale, season 2: diffs |2-1|, |6-3| -> 2
    assert mase(y, f, [1.0, 3.0, 2.0, 6.0], season=2) == pytest.approx(0.375)


def test_metrics_accept_series_tensors_and_2d():
    y = pd.Series([1.0, 2.0, 3.0])
    f = torch.tensor([1.0, 2.0, 4.0])
    assert mae(y, f) == pytest.approx(1 / 3)
    assert mae(np.ones((2, 3)), np.zeros((2, 3))) == 1.0
    assert smape([0.0], [0.0]) == 0.0  # 0/0 counts as a perfect forecast


def test_mase_of_naive_in_sample_is_one():
    train = np.cumsum(np.random.default_rng(0).normal(size=50))
    assert mase(train[1:], train[:-1], train) == pytest.approx(1.0)


@pytest.mark.parametrize("metric", [mae, rmse, smape])
@pytest.mark.parametrize(
    "y, f, error, match",
    [
        ([1.0, 2.0], [1.0], ValueError, "same length"),
        ([], [], ValueError, "y_true is empty"),
        ([1.0, np.nan], [1.0, 2.0], ValueError, "y_true contains NaN at position 1"),
        ([1.0, 2.0], [1.0, np.inf], ValueError, "y_pred contains infinite"),
        (["a"], [1.0], TypeError, "y_true must be numeric"),
        ({"a": 1}, [1.0], TypeError, "y_true must be an array"),
    ],
)
def test_metric_bad_input(metric, y, f, error, match):
    with pytest.raises(error, match=match):
        metric(y, f)


def test_mase_bad_input():
    with pytest.raises(ValueError, match="MASE scale is zero"):
        mase([1.0], [2.0], [3.0, 3.0, 3.0])
    with pytest.raises(
        ValueError, match=r"season \(12\) must be shorter than y_train \(5 values\)"
    ):
        mase([1.0], [2.0], np.arange(5.0), season=12)
    with pytest.raises(ValueError, match="season must be a positive integer"):
        mase([1.0], [2.0], np.arange(5.0), season=0)
    with pytest.raises(ValueError, match="y_train contains NaN"):
        mase([1.0], [2.0], [1.0, np.nan, 2.0])


# --- baselines ---------------------------------------------------------------------------------


def test_baselines_by_hand():
    h = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    assert naive_forecast(h, 2).tolist() == [6.0, 6.0]
    assert seasonal_naive_forecast(h, 5, season=4).tolist() == [3.0, 4.0, 5.0, 6.0, 3.0]
    assert drift_forecast(h, 2).tolist() == [7.0, 8.0]
    assert mean_forecast(h, 1).tolist() == [3.5]
    assert seasonal_naive_forecast(h, 2, season=6).tolist() == [1.0, 2.0]


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: naive_forecast([1.0], 0), ValueError, "horizon must be a positive integer, got 0"),
        (lambda: naive_forecast([], 1), ValueError, "history is empty"),
        (lambda: naive_forecast([1.0, np.nan], 1), ValueError, "history contains NaN"),
        (
            lambda: seasonal_naive_forecast([1.0, 2.0], 1, season=3),
            ValueError,
            r"season \(3\) is longer than history \(2 values\)",
        ),
        (
            lambda: seasonal_naive_forecast([1.0, 2.0], 1, season=0),
            ValueError,
            "season must be a positive",
        ),
        (lambda: drift_forecast([1.0], 1), ValueError, "at least 2 values"),
        (lambda: mean_forecast([1.0], 1.5), TypeError, "horizon must be an integer"),
    ],
)
def test_baseline_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


# --- rolling-origin backtest -------------------------------------------------------------------


def test_backtest_never_shows_the_future():
    series = pd.Series(np.arange(40.0), index=pd.date_range("2000-01-01", periods=40, freq="MS"))
    seen = []

    def spy(history, horizon):
        seen.append(history.index[-1])
        # the history ends just before the origin: its values are its positions
        assert history.iloc[-1] == len(history) - 1
        return naive_forecast(history, horizon)

    bt = rolling_origin_backtest(series, {"spy": spy}, horizon=3, initial=30, step=2)
    for origin_time, last_seen in zip(bt.drop_duplicates("origin")["origin_time"], seen):
        assert last_seen < origin_time
    assert (bt["time"] >= bt["origin_time"]).all()
    assert bt["origin"].unique().tolist() == [30, 32, 34, 36]
    assert set(bt.columns) == {
        "model",
        "origin",
        "origin_time",
        "step",
        "time",
        "actual",
        "forecast",
    }


def test_backtest_history_is_a_copy():
    series = pd.Series(np.arange(10.0))

    def vandal(history, horizon):
        history.iloc[:] = -1.0
        return np.zeros(horizon)

    rolling_origin_backtest(series, {"v": vandal}, horizon=1, initial=8)
    assert series.iloc[0] == 0.0


def test_backtest_n_origins_takes_the_latest():
    bt = rolling_origin_backtest(
        np.arange(20.0), {"n": naive_forecast}, horizon=2, initial=0.5, n_origins=3
    )
    assert bt["origin"].unique().tolist() == [16, 17, 18]


def test_score_backtest_by_hand():
    series = pd.Series([0.0, 2.0, 4.0, 6.0, 8.0, 10.0])  # naive in-sample scale = 2 at every origin
    bt = rolling_origin_backtest(
        series, {"naive": naive_forecast, "drift": drift_forecast}, horizon=2, initial=3
    )
    table = score_backtest(bt, series)
    assert table.loc["drift", "MASE"] == pytest.approx(0.0)
    # naive from origin 3 (last 4): errors 2, 4 -> MAE 3; origin 4 (last 6): errors 2, 4 -> 3
    assert table.loc["naive", "MAE"] == pytest.approx(3.0)
    assert table.loc["naive", "MASE"] == pytest.approx(1.5)
    assert table.index[0] == "drift" and table.loc["naive", "origins"] == 2


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"forecasters": {}}, TypeError, "forecasters must be a non-empty mapping"),
        ({"forecasters": {"x": 1}}, TypeError, r"forecasters\['x'\] must be callable"),
        ({"horizon": 0}, ValueError, "horizon must be a positive integer"),
        ({"initial": 1.5}, ValueError, r"initial must be a fraction in \(0, 1\)"),
        ({"initial": 9}, ValueError, "no origin is left"),
        ({"step": 0}, ValueError, "step must be a positive integer"),
        (
            {"forecasters": {"short": lambda h, n: [1.0]}, "horizon": 2},
            ValueError,
            "forecaster 'short' returned 1 values",
        ),
        (
            {"forecasters": {"nan": lambda h, n: [np.nan] * n}},
            ValueError,
            "forecaster 'nan' at origin",
        ),
    ],
)
def test_backtest_bad_input(kwargs, error, match):
    args = {"forecasters": {"naive": naive_forecast}, "horizon": 2, "initial": 5, **kwargs}
    with pytest.raises(error, match=match):
        rolling_origin_backtest(np.arange(10.0), **args)


def test_backtest_bad_series():
    with pytest.raises(TypeError, match="series must be one series"):
        rolling_origin_backtest(pd.DataFrame({"a": [1.0]}), {"n": naive_forecast}, 1)
    with pytest.raises(ValueError, match="series must be 1-D"):
        rolling_origin_backtest(np.ones((5, 2)), {"n": naive_forecast}, 1)
    with pytest.raises(ValueError, match="series contains NaN"):
        rolling_origin_backtest(np.array([1.0, np.nan, 2.0]), {"n": naive_forecast}, 1)


def test_score_backtest_bad_input():
    with pytest.raises(TypeError, match="backtest must be the DataFrame"):
        score_backtest(pd.DataFrame({"x": [1]}), [1.0])
    bt = rolling_origin_backtest(np.arange(10.0), {"n": naive_forecast}, horizon=1, initial=3)
    with pytest.raises(ValueError, match="season"):
        score_backtest(bt, np.arange(10.0), season=5)
    with pytest.raises(ValueError, match="MASE scale is zero"):
        score_backtest(
            rolling_origin_backtest(np.ones(10), {"n": naive_forecast}, 1, initial=3), np.ones(10)
        )


def test_score_backtest_by_step():
    series = pd.Series([0.0, 2.0, 4.0, 6.0, 8.0, 10.0])
    bt = rolling_origin_backtest(series, {"naive": naive_forecast}, horizon=2, initial=3)
    table = score_backtest(bt, series, by="step")
    assert table.index.names == ["model", "step"]
    # naive errors: step 1 -> 2 at both origins, step 2 -> 4; scale 2
    assert table.loc[("naive", 1), "MASE"] == pytest.approx(1.0)
    assert table.loc[("naive", 2), "MAE"] == pytest.approx(4.0)
    with pytest.raises(ValueError, match="by must be None or 'step'"):
        score_backtest(bt, series, by="origin")


# --------------------------------------------------------------------------- Diebold-Mariano
def _paired_errors(n, seed, shift=0.2, correlated=0):
    rng = np.random.default_rng(seed)
    actual = rng.normal(size=n + correlated)
    noise_a = rng.normal(size=n + correlated)
    noise_b = rng.normal(size=n + correlated)
    if correlated:  # moving-average errors, as overlapping multi-step forecasts have
        kernel = np.ones(correlated + 1)
        noise_a = np.convolve(noise_a, kernel, "valid")
        noise_b = np.convolve(noise_b, kernel, "valid")
    actual = actual[:n]
    return actual, actual + noise_a, actual + shift + noise_b


@pytest.mark.parametrize("horizon", [1, 2, 4])
@pytest.mark.parametrize("power", [1, 2])
def test_dm_test_equals_the_reference_implementation(horizon, power):
    dieboldmariano = pytest.importorskip("dieboldmariano")
    actual, forecast_a, forecast_b = _paired_errors(60, seed=horizon, correlated=horizon - 1)
    ours = dm_test(actual - forecast_a, actual - forecast_b, horizon=horizon, power=power)
    statistic, pvalue = dieboldmariano.dm_test(
        actual, forecast_a, forecast_b, h=horizon, loss=lambda u, v: abs(u - v) ** power
    )
    assert ours.statistic == pytest.approx(statistic, rel=1e-9)
    assert ours.pvalue == pytest.approx(pvalue, rel=1e-6)


def test_dm_test_at_horizon_one_is_the_paired_t_test():
    from scipy import stats

    actual, forecast_a, forecast_b = _paired_errors(40, seed=3)
    e_a, e_b = actual - forecast_a, actual - forecast_b
    result = dm_test(e_a, e_b, horizon=1, power=2)
    t = stats.ttest_1samp(e_a**2 - e_b**2, 0.0)
    assert result.statistic == pytest.approx(t.statistic) and result.pvalue == pytest.approx(
        t.pvalue
    )
    assert result.mean_difference == pytest.approx(np.mean(e_a**2 - e_b**2))


def test_dm_test_sign_and_symmetry():
    actual, forecast_a, forecast_b = _paired_errors(200, seed=0, shift=1.0)
    ab = dm_test(actual - forecast_a, actual - forecast_b, horizon=1)
    ba = dm_test(actual - forecast_b, actual - forecast_a, horizon=1)
    assert ab.statistic < 0 and ab.pvalue < 0.01  # a (unbiased) has the smaller loss
    assert ba.statistic == pytest.approx(-ab.statistic) and ba.pvalue == pytest.approx(ab.pvalue)


def test_dm_test_falls_back_when_the_long_run_variance_is_not_positive():
    d = np.tile([1.0, -1.0], 10)  # lag-1 autocovariance cancels the variance
    with pytest.warns(RuntimeWarning, match="using horizon=1"):
        result = dm_test(d + 3, np.full(20, 3.0), horizon=2)
    assert result.horizon == 1


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(errors_b=np.ones(9)), ValueError, "paired .* got 10 and 9"),
        (dict(errors_a=np.r_[np.nan, np.ones(9)]), ValueError, "errors_a contains NaN"),
        (dict(horizon=0), ValueError, "horizon must be a positive integer"),
        (dict(horizon=10), ValueError, "horizon must be smaller than the number of errors"),
        (dict(horizon=1.5), TypeError, "horizon must be an integer"),
        (dict(power=0), ValueError, "power must be a positive number"),
        (dict(power="2"), TypeError, "power must be a positive number"),
        (dict(errors_b=np.arange(10.0) + 1), ValueError, "differences are all equal"),
    ],
)
def test_dm_test_bad_input(kwargs, error, match):
    args = dict(errors_a=np.arange(10.0), errors_b=np.arange(10.0)[::-1].copy(), horizon=1)
    args.update(kwargs)
    with pytest.raises(error, match=match):
        dm_test(**args)


def test_origin_mase_averages_to_score_backtest():
    y = pd.Series(np.sin(np.arange(120) / 3.0) + np.arange(120) / 40)
    forecasters = {"naive": naive_forecast, "drift": lambda h, n: np.repeat(h.mean(), n)}
    bt = rolling_origin_backtest(y, forecasters, horizon=4, initial=80, step=2)
    per_origin = origin_mase(bt, y, season=1)
    table = score_backtest(bt, y, season=1)
    assert list(per_origin.columns) == ["naive", "drift"] and len(per_origin) == 19
    np.testing.assert_allclose(per_origin.mean().to_numpy(), table.loc[per_origin.columns, "MASE"])
    comparison = paired_comparison(per_origin, "naive", "drift", overlap=2)
    assert comparison["origins"] == 19
    assert comparison["difference"] == pytest.approx(
        (per_origin["naive"] - per_origin["drift"]).mean()
    )
    expected = dm_test(per_origin["naive"], per_origin["drift"], horizon=2)
    assert comparison["p-value"] == pytest.approx(expected.pvalue)


def test_origin_mase_and_paired_comparison_bad_input():
    y = pd.Series(np.arange(50.0))
    bt = rolling_origin_backtest(y, {"naive": naive_forecast}, horizon=2, initial=40, step=2)
    with pytest.raises(ValueError, match="pass the series given to the backtest"):
        origin_mase(bt, y[:30])
    with pytest.raises(TypeError, match="backtest must be the DataFrame"):
        origin_mase(bt.drop(columns="forecast"), y)
    with pytest.raises(ValueError, match="model_b='drift' is not a column"):
        paired_comparison(origin_mase(bt, y), "naive", "drift", overlap=1)
    with pytest.raises(TypeError, match="scores must be a DataFrame"):
        paired_comparison(np.zeros((3, 2)), "a", "b", overlap=1)


# --- bad input that used to pass silently ------------------------------------------------------


def test_score_backtest_refuses_a_different_series():
    from tslearnkit.evaluation import naive_forecast, origin_mase, rolling_origin_backtest

    y = np.sin(np.arange(40.0)) * 10 + np.arange(40.0)
    bt = rolling_origin_backtest(y, {"naive": naive_forecast}, horizon=3, initial=20, step=3)
    score_backtest(bt, y)  # the right series passes
    with pytest.raises(ValueError, match="series has 30 values but the backtest forecasts"):
        score_backtest(bt, y[:30])
    with pytest.raises(ValueError, match="does not match the backtest's actual values"):
        score_backtest(bt, y * 100)
    with pytest.raises(ValueError, match="does not match the backtest's actual values"):
        origin_mase(bt, y * 100)


def test_histories_must_be_one_series():
    frame = pd.DataFrame({"y": [1.0, 2.0, 3.0], "x": [9.0, 9.0, 9.0]})
    with pytest.raises(ValueError, match=r"history must be one series .*shape \(3, 2\)"):
        naive_forecast(frame, 3)
    assert naive_forecast(frame[["y"]], 2).tolist() == [3.0, 3.0]  # one column is fine
    with pytest.raises(ValueError, match="y_train must be one series"):
        mase([1.0, 2.0], [1.0, 2.0], np.ones((4, 2)))


def test_pandas_inputs_with_different_indexes_are_refused():
    a = pd.Series([1.0, 2.0, 3.0], index=[0, 1, 2])
    b = a.iloc[::-1]  # the same values, rows reordered
    with pytest.raises(ValueError, match="different indexes"):
        mae(a, b)
    assert mae(a, b.sort_index()) == 0


def test_complex_input_is_refused():
    with pytest.raises(TypeError, match="y_true must be real numbers"):
        mae([1 + 5j, 2, 3], [1, 2, 3])

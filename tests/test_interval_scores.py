"""Tests for the probabilistic-forecast scores of tslearnkit.evaluation: pinball loss, WQL,
interval coverage, MSIS and split-conformal half-widths, computed by hand."""

import math

import numpy as np
import pandas as pd
import pytest
import torch

from tslearnkit.evaluation import (
    conformal_interval,
    interval_coverage,
    mae,
    mase,
    msis,
    pinball_loss,
    weighted_quantile_loss,
)

LEVELS = [0.1, 0.5, 0.9]

# --- pinball loss ------------------------------------------------------------------------------


def test_pinball_by_hand():
    # y = 10, 20; forecasts (q 0.1, 0.5, 0.9) = (8, 11, 12) and (15, 20, 26)
    # point 1: y - f = 2, -1, -2 -> 0.1 * 2 = 0.2, 0.5 * 1 = 0.5, 0.1 * 2 = 0.2
    # point 2: y - f = 5, 0, -6 -> 0.1 * 5 = 0.5, 0,             0.1 * 6 = 0.6
    # mean of the six: (0.2 + 0.5 + 0.2 + 0.5 + 0 + 0.6) / 6 = 2.0 / 6
    y = [10.0, 20.0]
    f = [[8.0, 11.0, 12.0], [15.0, 20.0, 26.0]]
    assert pinball_loss(y, f, LEVELS) == pytest.approx(2.0 / 6)


def test_pinball_at_the_median_is_half_the_mae():
    rng = np.random.default_rng(0)
    y, f = rng.normal(size=(5, 24)), rng.normal(size=(5, 24))
    # max(0.5 e, -0.5 e) = 0.5 |e|
    assert pinball_loss(y, f[..., None], [0.5]) == pytest.approx(mae(y, f) / 2)


def test_pinball_asymmetry():
    # y - f = 10 (forecast too low): q 0.9 costs 0.9 * 10 = 9, q 0.1 costs 0.1 * 10 = 1
    assert pinball_loss([10.0], [[0.0]], [0.9]) == pytest.approx(9.0)
    assert pinball_loss([10.0], [[0.0]], [0.1]) == pytest.approx(1.0)
    # y - f = -10 (too high): q 0.9 costs (0.9 - 1)(-10) = 1
    assert pinball_loss([0.0], [[10.0]], [0.9]) == pytest.approx(1.0)


def test_pinball_accepts_tensors_series_and_many_series():
    y = np.array([[10.0, 20.0], [30.0, 40.0]])  # (N=2, H=2)
    f = np.stack([y - 1, y, y + 2], axis=-1)  # (2, 2, 3)
    # per point: q 0.1: 0.1 * 1 = 0.1; q 0.5: 0; q 0.9: 0.1 * 2 = 0.2 -> mean 0.1
    assert pinball_loss(y, f, LEVELS) == pytest.approx(0.1)
    assert pinball_loss(torch.tensor(y), torch.tensor(f), torch.tensor(LEVELS)) == pytest.approx(
        0.1
    )
    assert pinball_loss(pd.Series(y[0]), f[0], np.array(LEVELS)) == pytest.approx(0.1)


def test_equal_quantile_forecasts_are_not_crossing():
    # ties (and rounding noise below the tolerance) are fine
    assert pinball_loss([1.0], [[1.0, 1.0, 1.0 - 1e-12]], LEVELS) >= 0


# --- weighted quantile loss --------------------------------------------------------------------


def test_wql_of_a_perfect_forecast_is_zero():
    y = np.array([[3.0, 5.0, 7.0], [100.0, 120.0, 90.0]])
    f = np.repeat(y[..., None], 9, axis=-1)
    assert weighted_quantile_loss(y, f, np.arange(1, 10) / 10) == 0.0


def test_wql_by_hand():
    # two series, one step each: y = 10 and 30 (sum |y| = 40), levels 0.1 and 0.9
    # series 1 forecasts (8, 14): q 0.1: y - f = 2 -> 0.2;      q 0.9: y - f = -4 -> 0.1 * 4 = 0.4
    # series 2 forecasts (30, 36): q 0.1: 0;                    q 0.9: y - f = -6 -> 0.1 * 6 = 0.6
    # q 0.1: 2 * (0.2 + 0) / 40 = 0.01; q 0.9: 2 * (0.4 + 0.6) / 40 = 0.05; mean = 0.03
    y = [[10.0], [30.0]]
    f = [[[8.0, 14.0]], [[30.0, 36.0]]]
    assert weighted_quantile_loss(y, f, [0.1, 0.9]) == pytest.approx(0.03)


def test_wql_sums_over_series_before_dividing():
    # not the mean of per-series WQLs: a miss of 1 on a series of size 1 counts as little as a
    # miss of 1 on a series of size 99. q 0.5: 2 * 0.5 * (1 + 1) / (1 + 99) = 0.02
    y = [[1.0], [99.0]]
    f = [[[2.0]], [[100.0]]]
    assert weighted_quantile_loss(y, f, [0.5]) == pytest.approx(0.02)
    # the mean of per-series scores would be (1 / 1 + 1 / 99) / 2, about 0.505


def test_wql_at_the_median_is_wape():
    rng = np.random.default_rng(1)
    y, f = rng.uniform(50, 150, size=(4, 24)), rng.uniform(50, 150, size=(4, 24))
    assert weighted_quantile_loss(y, f[..., None], [0.5]) == pytest.approx(
        np.abs(y - f).sum() / np.abs(y).sum()
    )


def test_wql_of_zero_targets_raises():
    with pytest.raises(ValueError, match="y_true is zero everywhere"):
        weighted_quantile_loss([0.0, 0.0], [[1.0], [2.0]], [0.5])


# --- coverage ----------------------------------------------------------------------------------


def test_coverage_by_hand():
    # inside, on the lower bound, on the upper bound, below, above -> 3 of 5
    y = [5.0, 1.0, 9.0, -1.0, 11.0]
    lower = [0.0, 1.0, 0.0, 0.0, 0.0]
    upper = [10.0, 10.0, 9.0, 10.0, 10.0]
    assert interval_coverage(y, lower, upper) == pytest.approx(0.6)
    assert interval_coverage(np.array([y, y]), np.array([lower] * 2), np.array([upper] * 2)) == (
        pytest.approx(0.6)
    )


# --- MSIS --------------------------------------------------------------------------------------


def test_msis_of_an_interval_containing_everything_is_mean_width_over_scale():
    # widths 4, 6, 8 -> mean 6; y_train 0, 2, 4, 6: naive differences 2, 2, 2 -> scale 2 -> 3
    y = [5.0, 5.0, 5.0]
    lower, upper = [3.0, 2.0, 1.0], [7.0, 8.0, 9.0]
    assert msis(y, lower, upper, y_train=[0.0, 2.0, 4.0, 6.0]) == pytest.approx(3.0)


def test_msis_penalises_misses():
    # alpha 0.05 -> 2 / alpha = 40. interval [10, 20] at both steps, width 10
    # step 1: y = 8, 2 below -> 10 + 40 * 2 = 90; step 2: y = 23, 3 above -> 10 + 40 * 3 = 130
    # mean 110; y_train 1, 2, 4, 7 with season 1: differences 1, 2, 3 -> scale 2 -> 55
    y, lower, upper = [8.0, 23.0], [10.0, 10.0], [20.0, 20.0]
    train = [1.0, 2.0, 4.0, 7.0]
    assert msis(y, lower, upper, train) == pytest.approx(55.0)
    # alpha 0.2 -> 2 / alpha = 10: (10 + 20 + 10 + 30) / 2 = 35 -> / 2 = 17.5
    assert msis(y, lower, upper, train, alpha=0.2) == pytest.approx(17.5)


def test_msis_uses_the_mase_scale():
    rng = np.random.default_rng(2)
    train = rng.normal(size=60).cumsum() + 10 * np.sin(np.arange(60) * 2 * np.pi / 12)
    y = rng.normal(size=24)
    # a zero-width interval at the point forecast f: score = 2/alpha * |y - f| -> 40 * MASE
    f = np.zeros(24)
    assert msis(y, f, f, train, season=12) == pytest.approx(40 * mase(y, f, train, season=12))


def test_msis_zero_scale_raises_like_mase():
    train = [1.0, 2.0, 1.0, 2.0]  # season 2: differences all zero
    with pytest.raises(ValueError, match="y_train does not change over a season of 2"):
        msis([1.0], [0.0], [2.0], train, season=2)
    with pytest.raises(ValueError, match="y_train does not change over a season of 2"):
        mase([1.0], [0.0], train, season=2)


@pytest.mark.parametrize(
    ("season", "error", "match"),
    [
        (4, ValueError, r"season \(4\) must be shorter than y_train \(4 values\)"),
        (0, ValueError, "season must be a positive integer"),
        (1.5, TypeError, "season must be an integer"),
    ],
)
def test_msis_bad_season(season, error, match):
    with pytest.raises(error, match=match):
        msis([1.0], [0.0], [2.0], [1.0, 2.0, 3.0, 4.0], season=season)


def test_msis_needs_one_series():
    with pytest.raises(ValueError, match=r"y_true must be one series of shape \(horizon,\)"):
        msis([[1.0, 2.0]], [[0.0, 0.0]], [[3.0, 3.0]], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"y_train must be one series"):
        msis([1.0], [0.0], [2.0], [[1.0, 2.0], [3.0, 4.0]])


# --- conformal intervals -----------------------------------------------------------------------


def test_conformal_rank_is_the_largest_for_n9_alpha_01():
    # k = ceil((9 + 1) * 0.9) = 9 = n: the largest absolute residual of each column
    r = np.array([[-7.0, 1.0]] + [[float(i), -float(i)] for i in range(8)])  # |.| max 7 and 7
    r[3, 1] = -9.0
    np.testing.assert_array_equal(conformal_interval(r, alpha=0.1), [7.0, 9.0])


def test_conformal_rank_below_the_maximum():
    # n = 9, alpha = 0.2: k = ceil(10 * 0.8) = 8: the second largest of |r| = 1..9 -> 8
    r = np.arange(1.0, 10.0)[:, None] * np.array([1.0, -1.0])
    np.testing.assert_array_equal(conformal_interval(r, alpha=0.2), [8.0, 8.0])
    # n = 29, alpha = 0.7: (n + 1)(1 - alpha) = 30 * 0.3 = 9, though in floats it is
    # 9.000000000000002; the rank is 9, not 10
    r = np.arange(1.0, 30.0)[:, None]
    assert conformal_interval(r, alpha=0.7).tolist() == [9.0]


def test_conformal_too_few_residuals_give_inf():
    # n = 4, alpha = 0.1: k = ceil(5 * 0.9) = ceil(4.5) = 5 > 4 -> no finite width is valid
    r = np.ones((4, 3))
    result = conformal_interval(r, alpha=0.1)
    assert result.shape == (3,)
    assert np.isinf(result).all()


def test_conformal_returns_one_width_per_step_and_accepts_tensors():
    r = torch.arange(1.0, 20.0).reshape(19, 1).repeat(1, 24)
    widths = conformal_interval(r, alpha=0.05)  # k = ceil(20 * 0.95) = 19 -> 19
    assert isinstance(widths, np.ndarray) and widths.shape == (24,)
    assert (widths == 19.0).all()


@pytest.mark.parametrize("draw", ["normal", "student_t"])
def test_conformal_coverage_on_exchangeable_residuals(draw):
    # calibrate on n = 19 i.i.d. residuals per step, test on one more; over many repetitions the
    # coverage is k / (n + 1) = ceil(20 * 0.9) / 20 = 0.9 exactly in expectation (no ties)
    rng = np.random.default_rng(3)
    n, horizon, trials, alpha = 19, 3, 3000, 0.1
    step_scale = np.array([1.0, 2.0, 5.0])  # the error grows with the step
    covered = []
    for _ in range(trials):
        if draw == "normal":
            e = rng.normal(size=(n + 1, horizon)) * step_scale
        else:
            e = rng.standard_t(df=2, size=(n + 1, horizon)) * step_scale
        width = conformal_interval(e[:n], alpha)
        covered.append(np.abs(e[n]) <= width)
    coverage = np.mean(covered)  # 9000 Bernoulli(0.9) draws: standard error about 0.003
    assert coverage == pytest.approx(0.9, abs=0.02)


def test_conformal_intervals_cover_forecasts_of_a_series():
    # residuals of a forecast of y = signal + i.i.d. noise: the interval forecast ± width covers
    # new values about 1 - alpha of the time
    rng = np.random.default_rng(4)
    alpha, n, horizon = 0.2, 99, 12
    signal = np.sin(np.arange(horizon) * 2 * np.pi / 12)
    calibration = signal + rng.normal(scale=0.5, size=(n, horizon))
    width = conformal_interval(calibration - signal, alpha)  # k = ceil(100 * 0.8) = 80
    new = signal + rng.normal(scale=0.5, size=(2000, horizon))
    coverage = interval_coverage(
        new, np.broadcast_to(signal - width, new.shape), np.broadcast_to(signal + width, new.shape)
    )
    assert coverage == pytest.approx(0.8, abs=0.06)


# --- bad inputs --------------------------------------------------------------------------------


@pytest.mark.parametrize("score", [pinball_loss, weighted_quantile_loss])
@pytest.mark.parametrize(
    ("quantiles", "error", "match"),
    [
        ([0.0, 0.5, 0.9], ValueError, "quantiles must lie strictly between 0 and 1"),
        ([0.1, 0.5, 1.0], ValueError, "quantiles must lie strictly between 0 and 1"),
        ([0.5, 0.1, 0.9], ValueError, "quantiles must be strictly increasing"),
        ([0.1, 0.1, 0.9], ValueError, "quantiles must be strictly increasing"),
        ([[0.1, 0.5, 0.9]], ValueError, r"quantiles must be 1-D"),
        ([0.1, np.nan, 0.9], ValueError, "quantiles contains NaN"),
        (["a", "b", "c"], TypeError, "quantiles must be numeric"),
        ({0.5}, TypeError, "quantiles must be an array"),
        ([], ValueError, "quantiles is empty"),
    ],
)
def test_bad_quantile_levels(score, quantiles, error, match):
    with pytest.raises(error, match=match):
        score([1.0], [[0.0, 1.0, 2.0]], quantiles)


@pytest.mark.parametrize("score", [pinball_loss, weighted_quantile_loss])
def test_bad_quantile_forecasts(score):
    with pytest.raises(ValueError, match=r"y_quantiles cross at point \(1,\)"):
        score([1.0, 2.0], [[0.0, 1.0, 2.0], [3.0, 2.0, 4.0]], LEVELS)
    with pytest.raises(ValueError, match=r"y_quantiles cross at point \(0, 1\)"):
        score(np.ones((1, 2)), np.array([[[0.0, 1.0, 2.0], [0.0, 3.0, 2.9]]]), LEVELS)
    with pytest.raises(ValueError, match=r"y_quantiles must have shape .*\(2, 3\).*\(2, 2\)"):
        score([1.0, 2.0], [[0.0, 1.0], [1.0, 2.0]], LEVELS)
    with pytest.raises(ValueError, match=r"got y_true of shape \(2,\), y_quantiles of shape \(3,"):
        score([1.0, 2.0], np.zeros((3, 3)), LEVELS)
    with pytest.raises(ValueError, match=r"y_quantiles contains NaN at position \(0, 2\)"):
        score([1.0], [[0.0, 1.0, np.nan]], LEVELS)
    with pytest.raises(ValueError, match="y_quantiles contains an infinite value"):
        score([1.0], [[-np.inf, 1.0, 2.0]], LEVELS)
    with pytest.raises(ValueError, match="y_true contains NaN"):
        score([np.nan], [[0.0, 1.0, 2.0]], LEVELS)
    with pytest.raises(ValueError, match="y_true contains an infinite value"):
        score([np.inf], [[0.0, 1.0, 2.0]], LEVELS)
    with pytest.raises(TypeError, match="y_true must be an array"):
        score({1.0}, [[0.0, 1.0, 2.0]], LEVELS)


@pytest.mark.parametrize(
    "score",
    [interval_coverage, lambda y, lo, hi: msis(y, lo, hi, y_train=[1.0, 2.0, 4.0])],
)
def test_bad_intervals(score):
    with pytest.raises(ValueError, match=r"lower is above upper at position \(1,\) \(3 > 2\)"):
        score([1.0, 2.0], [0.0, 3.0], [2.0, 2.0])
    with pytest.raises(ValueError, match=r"same shape, got shapes \(2,\), \(3,\) and \(2,\)"):
        score([1.0, 2.0], [0.0, 0.0, 0.0], [2.0, 2.0])
    for name, args in {
        "y_true": ([np.nan, 1.0], [0.0, 0.0], [2.0, 2.0]),
        "lower": ([1.0, 1.0], [0.0, np.inf], [2.0, 2.0]),
        "upper": ([1.0, 1.0], [0.0, 0.0], [2.0, np.nan]),
    }.items():
        with pytest.raises(ValueError, match=f"{name} contains"):
            score(*args)
    with pytest.raises(ValueError, match="y_true is empty"):
        score([], [], [])


def test_msis_bad_y_train():
    with pytest.raises(ValueError, match="y_train contains NaN"):
        msis([1.0], [0.0], [2.0], [1.0, np.nan, 3.0])


@pytest.mark.parametrize(
    ("alpha", "error", "match"),
    [
        (0.0, ValueError, r"alpha must be in \(0, 1\)"),
        (1.0, ValueError, r"alpha must be in \(0, 1\)"),
        (-0.1, ValueError, r"alpha must be in \(0, 1\)"),
        (5, ValueError, r"alpha must be in \(0, 1\)"),
        (float("nan"), ValueError, r"alpha must be in \(0, 1\)"),
        ("0.05", TypeError, r"alpha must be a number in \(0, 1\)"),
        (None, TypeError, r"alpha must be a number in \(0, 1\)"),
        (True, TypeError, r"alpha must be a number in \(0, 1\)"),
        (np.array([0.05]), TypeError, r"alpha must be a number in \(0, 1\)"),
    ],
)
def test_bad_alpha(alpha, error, match):
    with pytest.raises(error, match=match):
        msis([1.0], [0.0], [2.0], [1.0, 2.0, 3.0], alpha=alpha)
    with pytest.raises(error, match=match):
        conformal_interval(np.ones((10, 2)), alpha)


def test_alpha_accepts_numpy_floats():
    assert math.isfinite(conformal_interval(np.ones((30, 1)), np.float64(0.1))[0])


def test_bad_residuals():
    with pytest.raises(
        ValueError, match=r"residuals must be 2-D \(n windows, horizon\), got shape"
    ):
        conformal_interval(np.ones(10), 0.1)
    with pytest.raises(ValueError, match=r"residuals contains NaN at position \(2, 1\)"):
        r = np.ones((5, 2))
        r[2, 1] = np.nan
        conformal_interval(r, 0.1)
    with pytest.raises(ValueError, match="residuals contains an infinite value"):
        conformal_interval(np.full((5, 2), np.inf), 0.1)
    with pytest.raises(ValueError, match="residuals is empty"):
        conformal_interval(np.ones((0, 2)), 0.1)
    with pytest.raises(TypeError, match="residuals must be numeric"):
        conformal_interval("1, 2", 0.1)
    with pytest.raises(TypeError, match="residuals must be an array"):
        conformal_interval({"a": 1.0}, 0.1)


def test_infinite_bounds_from_conformal_interval_are_scored():
    from tslearnkit.evaluation import conformal_interval, interval_coverage, msis

    half = conformal_interval(np.ones((4, 2)), alpha=0.1)  # too few residuals: inf
    assert np.isinf(half).all()
    y = np.array([1.0, 2.0])
    assert interval_coverage(y, y - half, y + half) == 1.0
    assert msis(y, y - half, y + half, [1.0, 2.0, 4.0]) == np.inf
    with pytest.raises(ValueError, match="y_true contains an infinite value"):
        interval_coverage([np.inf, 1.0], [0.0, 0.0], [2.0, 2.0])

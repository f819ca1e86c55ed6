"""Tests for tslearnkit.anomaly: hand-computed cases for every score, and the input checks."""

import math

import numpy as np
import pytest

from tslearnkit.anomaly import (
    anomaly_ranges,
    dominant_period,
    event_scores,
    isolation_forest_scores,
    mad_threshold,
    pca_reconstruction_scores,
    point_adjust,
    pr_auc,
    range_precision_recall,
    rolling_zscore,
    seasonal_residual,
    vus_pr,
    window_scores_to_steps,
)


def test_anomaly_ranges():
    assert anomaly_ranges([1, 1, 0, 1, 0, 0, 1]) == [(0, 2), (3, 4), (6, 7)]
    assert anomaly_ranges([0, 0]) == []
    assert anomaly_ranges(np.array([True, True])) == [(0, 2)]


def test_point_adjust_fills_touched_ranges_only():
    labels = [0, 1, 1, 1, 0, 1, 1, 0]
    predictions = [1, 0, 1, 0, 0, 0, 0, 0]
    assert point_adjust(labels, predictions).astype(int).tolist() == [1, 1, 1, 1, 0, 0, 0, 0]


def test_point_adjust_inflates_a_random_detector():
    # NAB-like: 5 long ranges covering 10% of the series; flag 1% of steps at random
    rng = np.random.default_rng(0)
    labels = np.zeros(10_000, dtype=bool)
    for start in (1000, 3000, 5000, 7000, 9000):
        labels[start : start + 200] = True
    flags = rng.random(10_000) < 0.01

    def f1(p):
        tp = np.sum(p & labels)
        return 2 * tp / (p.sum() + labels.sum())

    assert f1(flags) < 0.05  # honest: random
    assert f1(point_adjust(labels, flags)) > 0.8  # adjusted: looks excellent


def test_pr_auc_hand_cases():
    assert pr_auc([0, 0, 1, 1], [0.1, 0.2, 0.9, 0.8]) == 1.0
    # ranking 1, 0, 1, 0: precision 1 at recall 0.5, then 2/3 at recall 1
    assert pr_auc([1, 0, 1, 0], [4, 3, 2, 1]) == pytest.approx(0.5 * 1 + 0.5 * 2 / 3)
    # a constant score: precision = share of anomalies at the only threshold
    assert pr_auc([1, 0, 0, 0], [0.5, 0.5, 0.5, 0.5]) == pytest.approx(0.25)


def test_range_precision_recall_hand_cases():
    labels = [0, 1, 1, 1, 1, 0, 0, 0, 0, 0]
    # one prediction covering half of the only range: precision 1, recall 0.5
    assert range_precision_recall(labels, [0, 1, 1, 0, 0, 0, 0, 0, 0, 0]) == (1.0, 0.5)
    # the range meets two predicted ranges: overlap 2/4, cardinality 1/2 -> recall 0.25;
    # each predicted range lies inside it -> precision 1
    two = [0, 1, 0, 0, 1, 0, 0, 0, 0, 0]
    assert range_precision_recall(labels, two) == (1.0, 0.25)
    # existence reward: alpha = 1 gives recall 1 for any touch
    assert range_precision_recall(labels, two, alpha=1.0)[1] == 1.0
    assert range_precision_recall(labels, two, alpha=0.5)[1] == pytest.approx(0.625)
    # a predicted range half inside, half outside: precision 0.5, recall 0.5
    assert range_precision_recall(labels, [0, 0, 0, 1, 1, 1, 1, 0, 0, 0]) == (0.5, 0.5)
    # a false alarm besides: precision averages 1 and 0
    assert range_precision_recall(labels, [0, 1, 1, 1, 1, 0, 0, 1, 0, 0]) == (0.5, 1.0)
    # nothing predicted: precision 0 by convention, recall 0
    assert range_precision_recall(labels, [0] * 10) == (0.0, 0.0)


def test_range_precision_one_prediction_over_two_ranges():
    labels = [1, 1, 0, 0, 1, 1, 0, 0]
    # one predicted range covers both labelled ranges and the gap: it meets 2 ranges
    # (cardinality 1/2) and 4 of its 6 steps are anomalous -> precision 1/2 * 4/6
    precision, recall = range_precision_recall(labels, [1, 1, 1, 1, 1, 1, 0, 0])
    assert precision == pytest.approx(1 / 3) and recall == 1.0


def test_event_scores_hand_case():
    scores = event_scores([0, 1, 1, 1, 0, 0, 1, 1], [0, 0, 1, 0, 1, 0, 0, 0])
    assert scores == (0.5, 0.5, 0.5, 1.0)
    none = event_scores([0, 1, 0], [0, 0, 0])
    assert none.precision == 0.0 and none.recall == 0.0 and math.isnan(none.mean_delay)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: pr_auc([0, 1], [0.1]), ValueError, "same length, got 2 and 1"),
        (lambda: pr_auc([0, 1], [0.1, np.nan]), ValueError, "scores must be finite"),
        (lambda: pr_auc([0, 0], [0.1, 0.2]), ValueError, "both anomalous and normal.*no anomaly"),
        (lambda: pr_auc([1, 1], [0.1, 0.2]), ValueError, "only anomalies"),
        (lambda: pr_auc([0, 2], [0.1, 0.2]), ValueError, "labels must be binary"),
        (lambda: pr_auc([[0, 1]], [0.1, 0.2]), ValueError, "labels must be 1-D"),
        (lambda: pr_auc(["a", "b"], [0.1, 0.2]), TypeError, "labels must be numeric"),
        (lambda: point_adjust([0, 1], [0, 0.5]), ValueError, "predictions must be binary"),
        (lambda: range_precision_recall([0, 1], [0, 1], alpha=2), ValueError, "alpha must be"),
        (lambda: event_scores([0, 1, 0], [1, 0]), ValueError, "same length, got 3 and 2"),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


# --- VUS-PR -------------------------------------------------------------------------------------


def _vus_pr_by_loops(labels, scores, max_buffer, n_thresholds):
    """VUS-PR spelled out one threshold and one buffer at a time, as TSB-AD defines it."""
    y = np.asarray(labels, dtype=bool)
    s = np.asarray(scores, dtype=float)
    n, ranges = len(y), anomaly_ranges(y)
    ranked = np.sort(s)[::-1]
    cuts = ranked[np.linspace(0, n - 1, n_thresholds).astype(int)]
    total = 0.0
    for width in range(max_buffer + 1):
        half = width // 2
        soft = y.astype(float)
        for start, stop in ranges:
            for t in range(stop, min(stop + half, n)):
                soft[t] += math.sqrt(1 - (t - (stop - 1)) / width)
            for t in range(max(start - half, 0), start):
                soft[t] += math.sqrt(1 - (start - t) / width)
        soft = np.minimum(soft, 1.0)
        buffers = []
        for start, stop in ranges:
            lo, hi = max(start - half, 0), min(stop + half, n)
            if buffers and lo < buffers[-1][1]:
                buffers[-1] = (buffers[-1][0], hi)
            else:
                buffers.append((lo, hi))
        ap, previous_recall = 0.0, 0.0
        for cut in cuts:
            flagged = s >= cut
            credited = np.where(y, 1.0, soft * flagged)
            tp = float(np.sum(credited * flagged))
            p_new = (y.sum() + credited.sum()) / 2
            found = sum(flagged[lo:hi].any() for lo, hi in buffers) / len(buffers)
            recall = min(tp / p_new, 1.0) * found
            ap += (recall - previous_recall) * tp / flagged.sum()
            previous_recall = recall
        total += ap
    return total / (max_buffer + 1)


def test_vus_pr_hand_case():
    # widths 0 and 1 have no buffer: AP = 1 * 1/2. Width 2 credits steps 1 and 3 with sqrt(1/2):
    # at t = 0.9 recall 0.7071 / 1.3536 = 0.5224, precision 0.7071; at t = 0.5 recall 1,
    # precision 1.7071 / 2. AP = 0.5224 * 0.7071 + 0.4776 * 0.8536 = 0.7771.
    labels = [0, 0, 1, 0, 0]
    scores = [0.1, 0.9, 0.5, 0.2, 0.0]
    r = math.sqrt(0.5)
    recall = r / (1 + r / 2)
    width2 = recall * r + (1 - recall) * (1 + r) / 2
    expected = (0.5 + 0.5 + width2) / 3
    assert vus_pr(labels, scores, max_buffer=2, n_thresholds=5) == pytest.approx(expected)


def test_vus_pr_without_buffer_is_average_precision_for_one_range():
    rng = np.random.default_rng(1)
    labels = np.zeros(60, dtype=int)
    labels[20:30] = 1
    scores = rng.random(60) + labels * rng.random(60)
    assert vus_pr(labels, scores, max_buffer=0, n_thresholds=60) == pytest.approx(
        pr_auc(labels, scores)
    )


@pytest.mark.parametrize("seed", range(6))
def test_vus_pr_matches_the_definition_spelled_out(seed):
    # several ranges, some close enough for their buffers to merge, one at each end, ties
    rng = np.random.default_rng(seed)
    labels = np.zeros(120, dtype=int)
    labels[[0, 1, 30, 31, 32, 40, 41, 80, 118, 119]] = 1
    scores = np.round(rng.random(120) + 0.8 * labels * rng.random(120), 1)
    for max_buffer, n_thresholds in [(0, 250), (7, 250), (20, 30)]:
        assert vus_pr(labels, scores, max_buffer, n_thresholds) == pytest.approx(
            _vus_pr_by_loops(labels, scores, max_buffer, n_thresholds)
        )


def test_vus_pr_depends_on_the_order_only_and_rewards_a_near_miss():
    labels = np.zeros(200, dtype=int)
    labels[100:110] = 1
    near = np.zeros(200)
    near[95:100] = 1.0  # fires just before the range
    far = np.zeros(200)
    far[20:25] = 1.0
    assert vus_pr(labels, near, 20) > vus_pr(labels, far, 20)
    assert vus_pr(labels, near, 20) == vus_pr(labels, np.exp(3 * near), 20)


def test_dominant_period():
    t = np.arange(3000)
    assert dominant_period(np.sin(2 * np.pi * t / 24)) == 24
    # the highest peak beyond lag 303 gives TSB-AD's fallback of 125
    assert dominant_period(np.sin(2 * np.pi * t / 350)) == 125


# --- detectors and thresholds ---------------------------------------------------------------------


def test_window_scores_to_steps_centres_each_window():
    assert window_scores_to_steps([1.0, 5.0], window=4).tolist() == [1.0, 1.0, 1.0, 5.0, 5.0]
    assert window_scores_to_steps([7.0], window=1).tolist() == [7.0]


def test_rolling_zscore_and_seasonal_residual_find_a_spike():
    x = np.sin(2 * np.pi * np.arange(400) / 20)
    x[300] += 3
    assert int(np.argmax(rolling_zscore(x, 40))) == 300
    residual = seasonal_residual(x, 20)
    assert set(np.flatnonzero(residual > 1).tolist()) == {300, 320}
    assert np.allclose(residual[20:300], 0, atol=1e-9)
    flat = np.r_[np.ones(10), 2.0, 1.0]
    z = rolling_zscore(flat, 5)
    assert z[10] == z.max() and np.isfinite(z).all()


@pytest.mark.parametrize("detector", ["iforest", "pca"])
def test_window_detectors_score_a_planted_anomaly_highest(detector):
    rng = np.random.default_rng(0)
    x = np.sin(2 * np.pi * np.arange(2000) / 50) + 0.05 * rng.standard_normal(2000)
    x[1500:1525] = 0.0  # a flat stretch where a wave should be
    if detector == "iforest":
        s = isolation_forest_scores(x, 50, train_end=1000, random_state=0)
    else:
        s = pca_reconstruction_scores(x, 50, train_end=1000, n_components=4)
    assert s.shape == (2000,)
    assert 1480 <= int(np.argmax(s)) <= 1550
    assert s[1490:1540].mean() > s[:1000].max()


def test_mad_threshold_ignores_a_few_outliers():
    rng = np.random.default_rng(0)
    clean = rng.standard_normal(10_000)
    dirty = np.r_[clean, np.full(100, 50.0)]
    assert mad_threshold(clean, 3) == pytest.approx(3, abs=0.1)
    assert mad_threshold(dirty, 3) == pytest.approx(3, abs=0.15)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: vus_pr([0, 1], [0.1]), ValueError, "same length, got 2 and 1"),
        (lambda: vus_pr([0, 1], [0.1, np.inf]), ValueError, "scores must be finite"),
        (lambda: vus_pr([0, 0], [0.1, 0.2]), ValueError, "no anomaly"),
        (lambda: vus_pr([0, 1], [0.1, 0.2], max_buffer=-1), ValueError, "max_buffer must be"),
        (lambda: vus_pr([0, 1], [0.1, 0.2], max_buffer=1.5), TypeError, "max_buffer must be"),
        (lambda: vus_pr([0, 1], [0.1, 0.2], n_thresholds=1), ValueError, "n_thresholds must"),
        (lambda: dominant_period(np.ones(500)), ValueError, "must not be constant"),
        (lambda: dominant_period(np.ones(100)), ValueError, "longer than max_lag=400"),
        (lambda: window_scores_to_steps([1.0], window=0), ValueError, "window must be"),
        (lambda: rolling_zscore([1.0, 2.0, np.nan, 1.0], 2), ValueError, "values must be finite"),
        (lambda: rolling_zscore([1.0, 2.0], 2), ValueError, "at least 3 steps"),
        (lambda: seasonal_residual([[1.0, 2.0]], 1), ValueError, "values must be 1-D"),
        (lambda: seasonal_residual([1.0, 2.0], True), TypeError, "season must be"),
        (lambda: isolation_forest_scores(np.arange(50.0), 5, 60), ValueError, "train_end must"),
        (lambda: isolation_forest_scores(np.arange(50.0), 5, 3), ValueError, "train_end must"),
        (lambda: pca_reconstruction_scores(np.arange(50.0), 5, 20, 5), ValueError, "n_components"),
        (lambda: pca_reconstruction_scores(np.ones(50), 5, 20, 2), ValueError, "not be constant"),
        (lambda: mad_threshold([1.0, 2.0], k=0), ValueError, "k must be a positive"),
        (lambda: mad_threshold([], k=1), ValueError, "train_scores must be 1-D"),
    ],
)
def test_detector_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()

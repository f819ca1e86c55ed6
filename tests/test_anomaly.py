"""Tests for tslearnkit.anomaly: hand-computed cases for every score, and the input checks."""

import math

import numpy as np
import pytest

from tslearnkit.anomaly import (
    anomaly_ranges,
    event_scores,
    point_adjust,
    pr_auc,
    range_precision_recall,
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

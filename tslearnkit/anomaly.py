"""Scoring anomaly detectors on labelled series: point-wise, range-based and event-wise.

Labels mark the time steps inside a labelled anomaly (NAB's windows, for instance); a run of
consecutive anomalous steps is one anomaly *range*. Predictions are binary in the same way, and a
run of flagged steps is one predicted range. ``pr_auc`` scores a continuous anomaly score without a
threshold; ``range_precision_recall`` (Tatbul et al., NeurIPS 2018) and ``event_scores`` score a
thresholded detector; ``point_adjust`` is the common adjustment that inflates them (Kim et al.,
AAAI 2022), kept here to measure the inflation, not to report with.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from sklearn.metrics import average_precision_score

from ._validation import as_float_array, describe

__all__ = [
    "EventScores",
    "anomaly_ranges",
    "event_scores",
    "point_adjust",
    "pr_auc",
    "range_precision_recall",
]


# --- input checks -----------------------------------------------------------------------------


def _binary(values, name: str, *, need_both: bool) -> np.ndarray:
    """``values`` as a 1-D bool array, or an error naming ``name``."""
    array = as_float_array(values, name)
    if array.ndim != 1 or len(array) == 0:
        raise ValueError(f"{name} must be 1-D with at least one step, got shape {array.shape}")
    if not np.isin(array, (0.0, 1.0)).all():
        bad = array[~np.isin(array, (0.0, 1.0))][:3]
        raise ValueError(f"{name} must be binary (0/1 or False/True), got values such as {bad}")
    array = array.astype(bool)
    if need_both and (array.all() or not array.any()):
        raise ValueError(
            f"{name} must hold both anomalous and normal steps, got "
            f"{'only anomalies' if array.all() else 'no anomaly'}"
        )
    return array


def _pair(labels, other, other_name: str, *, binary_other: bool):
    y = _binary(labels, "labels", need_both=True)
    if binary_other:
        x = _binary(other, other_name, need_both=False)
    else:
        x = as_float_array(other, other_name)
        if x.ndim != 1:
            raise ValueError(f"{other_name} must be 1-D, got shape {x.shape}")
        if not np.isfinite(x).all():
            raise ValueError(f"{other_name} must be finite, got NaN or infinity")
    if len(x) != len(y):
        raise ValueError(
            f"labels and {other_name} must have the same length, got {len(y)} and {len(x)}"
        )
    return y, x


# --- ranges -----------------------------------------------------------------------------------


def anomaly_ranges(binary) -> list[tuple[int, int]]:
    """The runs of consecutive True steps as ``(start, stop)`` pairs, ``stop`` exclusive.

    Examples
    --------
    >>> anomaly_ranges([0, 1, 1, 0, 0, 1])
    [(1, 3), (5, 6)]
    """
    flags = _binary(binary, "binary", need_both=False).astype(np.int8)
    edges = np.diff(np.concatenate([[0], flags, [0]]))
    return list(zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist()))


def _overlap(a, b) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


# --- scores -----------------------------------------------------------------------------------


def point_adjust(labels, predictions) -> np.ndarray:
    """Point adjustment: a labelled range counts as found in full once any step of it is flagged.

    Many papers score detectors on the adjusted predictions. It rewards a single lucky flag inside
    a long range with the whole range, so that a uniformly random score, thresholded, reaches a
    high point-adjusted F1 (Kim et al., AAAI 2022). Use it to show that inflation, not to report.

    Parameters
    ----------
    labels, predictions : array-like of shape (n_steps,), binary
        ``labels`` must hold at least one anomalous and one normal step.

    Returns
    -------
    numpy.ndarray of bool, shape (n_steps,)
        ``predictions`` with every labelled range that holds a flagged step flagged in full.

    Examples
    --------
    >>> point_adjust([0, 1, 1, 1, 0], [0, 0, 1, 0, 0]).astype(int).tolist()
    [0, 1, 1, 1, 0]
    """
    y, p = _pair(labels, predictions, "predictions", binary_other=True)
    adjusted = p.copy()
    for start, stop in anomaly_ranges(y):
        if p[start:stop].any():
            adjusted[start:stop] = True
    return adjusted


def pr_auc(labels, scores) -> float:
    """Area under the point-wise precision-recall curve of a continuous anomaly score.

    Computed as scikit-learn's average precision (the step-wise sum of precision times the rise
    in recall over all thresholds, no interpolation). A score that carries no information gets
    about the share of anomalous steps, the baseline to state beside it.

    Parameters
    ----------
    labels : array-like of shape (n_steps,), binary, with anomalous and normal steps
    scores : array-like of shape (n_steps,), finite; higher means more anomalous

    Examples
    --------
    >>> pr_auc([0, 0, 1, 1], [0.1, 0.2, 0.9, 0.8])
    1.0
    """
    y, s = _pair(labels, scores, "scores", binary_other=False)
    return float(average_precision_score(y, s))


def range_precision_recall(labels, predictions, alpha: float = 0.0) -> tuple[float, float]:
    """Range-based precision and recall (Tatbul et al., NeurIPS 2018), flat bias.

    Recall averages over the labelled ranges ``R_i``:
    ``alpha * existence + (1 - alpha) * cardinality * overlap``, where existence is 1 if any
    step of ``R_i`` is flagged, overlap is the share of ``R_i``'s steps flagged (flat positional
    bias), and cardinality is 1 if ``R_i`` meets at most one predicted range, else the reciprocal
    of how many it meets. Precision averages the same overlap term over the predicted ranges,
    with no existence reward. With no predicted range, precision is 0.

    Parameters
    ----------
    labels, predictions : array-like of shape (n_steps,), binary
        ``labels`` must hold at least one anomalous and one normal step.
    alpha : float in [0, 1], default 0.0
        Weight of the existence reward in recall.

    Returns
    -------
    (precision, recall) : tuple of float

    Examples
    --------
    >>> range_precision_recall([0, 1, 1, 1, 1, 0], [0, 1, 1, 0, 0, 0])
    (1.0, 0.5)
    """
    if (
        isinstance(alpha, bool)
        or not isinstance(alpha, (int, float, np.floating))
        or not 0 <= alpha <= 1
    ):
        raise ValueError(f"alpha must be a number in [0, 1], got {describe(alpha)}")
    y, p = _pair(labels, predictions, "predictions", binary_other=True)
    real, predicted = anomaly_ranges(y), anomaly_ranges(p)

    def term(range_, others):
        """Cardinality times the flat-bias share of ``range_`` covered by ``others``."""
        hits = [_overlap(range_, other) for other in others]
        met = sum(h > 0 for h in hits)
        cardinality = 1.0 if met <= 1 else 1.0 / met
        return cardinality * sum(hits) / (range_[1] - range_[0])

    recall = np.mean(
        [
            alpha * any(_overlap(r, q) > 0 for q in predicted) + (1 - alpha) * term(r, predicted)
            for r in real
        ]
    )
    precision = np.mean([term(q, real) for q in predicted]) if predicted else 0.0
    return float(precision), float(recall)


class EventScores(NamedTuple):
    """Event-wise scores of a thresholded detector (see :func:`event_scores`)."""

    precision: float
    recall: float
    f1: float
    mean_delay: float


def event_scores(labels, predictions) -> EventScores:
    """Event-wise precision, recall, F1 and mean detection delay.

    A labelled range is *detected* if any of its steps is flagged; its delay is the number of
    steps from its start to the first flagged step inside it. A predicted range is a *true alarm*
    if it meets a labelled range. Recall is the share of labelled ranges detected, precision the
    share of predicted ranges that are true alarms (0 with no predicted range), and the mean delay
    is over the detected ranges (NaN if none is detected).

    Parameters
    ----------
    labels, predictions : array-like of shape (n_steps,), binary
        ``labels`` must hold at least one anomalous and one normal step.

    Examples
    --------
    >>> event_scores([0, 1, 1, 1, 0, 0, 1, 1], [0, 0, 1, 0, 1, 0, 0, 0])
    EventScores(precision=0.5, recall=0.5, f1=0.5, mean_delay=1.0)
    """
    y, p = _pair(labels, predictions, "predictions", binary_other=True)
    real, predicted = anomaly_ranges(y), anomaly_ranges(p)
    delays = [int(np.argmax(p[start:stop])) for start, stop in real if p[start:stop].any()]
    recall = len(delays) / len(real)
    true_alarms = sum(any(_overlap(q, r) > 0 for r in real) for q in predicted)
    precision = true_alarms / len(predicted) if predicted else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    mean_delay = float(np.mean(delays)) if delays else float("nan")
    return EventScores(float(precision), float(recall), float(f1), mean_delay)

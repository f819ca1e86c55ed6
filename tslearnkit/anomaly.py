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

from ._matrix_profile import matrix_profile
from ._validation import as_float_array, check_int, check_positive, describe

__all__ = [
    "EventScores",
    "anomaly_ranges",
    "dominant_period",
    "event_scores",
    "isolation_forest_scores",
    "mad_threshold",
    "matrix_profile",
    "pca_reconstruction_scores",
    "point_adjust",
    "pr_auc",
    "range_precision_recall",
    "rolling_zscore",
    "seasonal_residual",
    "vus_pr",
    "window_scores_to_steps",
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


def _thresholds(scores: np.ndarray, n_thresholds: int) -> np.ndarray:
    """TSB-AD's thresholds: ``n_thresholds`` order statistics of the scores, largest first."""
    ranked = np.sort(scores)[::-1]
    return ranked[np.linspace(0, len(scores) - 1, n_thresholds).astype(int)]


def _buffer_ramp(ranges, n_steps: int, width: int) -> np.ndarray:
    """The soft labels on either side of each range for buffer ``width`` (TSB-AD's ``sequencing``).

    The ``width // 2`` steps after a range ending at ``e`` (inclusive) get
    ``sqrt(1 - (t - e) / width)``, the ``width // 2`` steps before a range starting at ``s`` get
    ``sqrt(1 - (s - t) / width)``; overlapping ramps add, capped at 1.
    """
    ramp = np.zeros(n_steps)
    half = width // 2
    for start, stop in ranges:
        end = stop - 1
        after = np.arange(end + 1, min(end + half + 1, n_steps))
        ramp[after] += np.sqrt(1 - (after - end) / width)
        before = np.arange(max(start - half, 0), start)
        ramp[before] += np.sqrt(1 - (start - before) / width)
    return np.minimum(ramp, 1.0)


def _merged_buffers(ranges, n_steps: int, width: int) -> list[tuple[int, int]]:
    """Each range widened by ``width // 2`` on both sides; ranges that then overlap are merged."""
    half = width // 2
    merged: list[list[int]] = []
    for start, stop in ranges:
        lo, hi = max(start - half, 0), min(stop + half, n_steps)
        if merged and lo < merged[-1][1]:
            merged[-1][1] = hi
        else:
            merged.append([lo, hi])
    return [(lo, hi) for lo, hi in merged]


def vus_pr(labels, scores, max_buffer: int = 200, n_thresholds: int = 250) -> float:
    """Volume under the range-based precision-recall surface (Paparrizos et al., PVLDB 2022).

    The definition TSB-AD (Liu & Paparrizos, NeurIPS 2024) scores with. For each buffer width
    ``w = 0, 1, ..., max_buffer``, every labelled range is given soft edges: ``w // 2`` steps on
    either side carry a label that falls from about 1 to about 0.7, so that a detector that fires
    just before or after a range earns partial credit. At each of ``n_thresholds`` thresholds
    (order statistics of the scores), with ``R`` the buffer credit of the flagged steps outside
    the ranges and ``P`` the number of labelled steps:

    - recall = ``min((TP + R) / (P + R / 2), 1)`` times the share of (buffered, merged) ranges
      that hold a flagged step (the existence ratio);
    - precision = ``(TP + R) / (flagged steps)``.

    The range-based average precision at width ``w`` is the sum of precision times the rise in
    recall over the thresholds; VUS-PR is its mean over the widths. It depends on the scores only
    through their order.

    Parameters
    ----------
    labels : array-like of shape (n_steps,), binary, with anomalous and normal steps
    scores : array-like of shape (n_steps,), finite; higher means more anomalous
    max_buffer : int >= 0, default 200
        The widest buffer. TSB-AD passes twice the series' period as estimated by
        :func:`dominant_period` (its ``2 * find_length_rank(data)``); 200 is its default
        ``2 * slidingWindow`` with ``slidingWindow=100``.
    n_thresholds : int >= 2, default 250 (TSB-AD's ``thre``)

    Returns
    -------
    float in [0, 1]

    Examples
    --------
    >>> labels = [0, 0, 1, 1, 0, 0, 0, 0]
    >>> vus_pr(labels, [0, 0, 5, 4, 0, 0, 0, 0], max_buffer=0)  # a perfect score
    1.0
    """
    max_buffer = check_int(max_buffer, "max_buffer", minimum=0, meaning="the widest buffer")
    n_thresholds = check_int(n_thresholds, "n_thresholds", minimum=2)
    y, s = _pair(labels, scores, "scores", binary_other=False)
    n = len(y)
    if max_buffer >= n:
        raise ValueError(
            f"max_buffer ({max_buffer}) must be smaller than the series ({n} steps): wider "
            "buffers cover every step and make any score look perfect"
        )
    ranges = anomaly_ranges(y)
    thresholds = _thresholds(s, n_thresholds)
    order = np.argsort(-s, kind="stable")
    ascending = np.sort(s)
    flagged = n - np.searchsorted(ascending, thresholds, side="left")  # steps with s >= t
    hits = len(s[y]) - np.searchsorted(np.sort(s[y]), thresholds, side="left")
    positives = float(y.sum())
    volume = 0.0
    for width in range(max_buffer + 1):
        ramp = np.where(y, 0.0, _buffer_ramp(ranges, n, width))
        credit = np.concatenate([[0.0], np.cumsum(ramp[order])])[flagged]
        buffers = _merged_buffers(ranges, n, width)
        peaks = np.sort([s[lo:hi].max() for lo, hi in buffers])
        found = len(peaks) - np.searchsorted(peaks, thresholds, side="left")
        recall = np.minimum((hits + credit) / (positives + credit / 2), 1.0) * found / len(buffers)
        precision = (hits + credit) / flagged
        volume += np.sum(np.diff(np.concatenate([[0.0], recall])) * precision)
    return float(volume / (max_buffer + 1))


def dominant_period(values, max_lag: int = 400) -> int:
    """The lag of the highest local maximum of the autocorrelation, as TSB-AD estimates a period.

    TSB-AD's ``find_length_rank(data, rank=1)``: the sample autocorrelation of the first 20,000
    values up to ``max_lag``, its strict local maxima from lag 4 on, and the lag of the highest.
    When there is none, or it lies outside lags 6 to 303, TSB-AD falls back to 125, and so does
    this function. The book uses it only to set :func:`vus_pr`'s buffer as TSB-AD does.

    Examples
    --------
    >>> import numpy as np
    >>> dominant_period(np.sin(2 * np.pi * np.arange(2000) / 48))
    48
    """
    max_lag = check_int(max_lag, "max_lag", minimum=5)
    x = as_float_array(values, "values")
    if x.ndim != 1 or len(x) <= max_lag:
        raise ValueError(
            f"values must be 1-D and longer than max_lag={max_lag}, got shape {x.shape}"
        )
    if not np.isfinite(x).all():
        raise ValueError("values must be finite, got NaN or infinity")
    x = x[:20_000] - x[:20_000].mean()
    size = 1 << int(np.ceil(np.log2(2 * len(x))))
    spectrum = np.fft.rfft(x, size)
    acov = np.fft.irfft(spectrum * np.conj(spectrum), size)[: max_lag + 1]
    if acov[0] == 0:
        raise ValueError("values must not be constant")
    acf = (acov / acov[0])[3:]
    peaks = np.flatnonzero((acf[1:-1] > acf[:-2]) & (acf[1:-1] > acf[2:])) + 1
    if len(peaks) == 0:
        return 125
    best = int(peaks[np.argmax(acf[peaks])])
    return best + 3 if 3 <= best <= 300 else 125


# --- detectors --------------------------------------------------------------------------------


def _series(
    values, name: str = "values", *, min_length: int = 2, reason: str | None = None
) -> np.ndarray:
    x = as_float_array(values, name)
    if x.ndim != 1 or len(x) < min_length:
        why = f" ({reason})" if reason else ""
        raise ValueError(
            f"{name} must be 1-D with at least {min_length} steps{why}, got shape {x.shape}"
        )
    if not np.isfinite(x).all():
        raise ValueError(f"{name} must be finite, got NaN or infinity")
    return x


def window_scores_to_steps(window_scores, window: int) -> np.ndarray:
    """One score per step from one score per sliding window, as TSB-AD aligns them.

    The window starting at step ``i`` covers ``i, ..., i + window - 1``; its score goes to its
    centre, and the first and last scores are repeated to fill the ends, so ``n - window + 1``
    window scores give ``n`` step scores.

    Examples
    --------
    >>> window_scores_to_steps([1.0, 5.0, 2.0], window=3).tolist()
    [1.0, 1.0, 5.0, 2.0, 2.0]
    """
    window = check_int(window, "window", minimum=1)
    scores = _series(window_scores, "window_scores", min_length=1)
    head, tail = (window - 1) - (window - 1) // 2, (window - 1) // 2
    return np.concatenate([np.full(head, scores[0]), scores, np.full(tail, scores[-1])])


def rolling_zscore(values, window: int) -> np.ndarray:
    """``|x_t - mean| / sd`` over the ``window`` steps before ``t``: a causal baseline detector.

    The first ``window`` steps, which have no full history, score 0. A flat history (sd 0)
    gives 0 if ``x_t`` equals it, else the largest finite z-score of the series.

    Examples
    --------
    >>> rolling_zscore([1.0, 2.0, 1.0, 2.0, 9.0], window=4).round(2).tolist()
    [0.0, 0.0, 0.0, 0.0, 15.0]
    """
    window = check_int(window, "window", minimum=2)
    x = _series(values, min_length=window + 1, reason=f"window={window} plus one")
    history = np.lib.stride_tricks.sliding_window_view(x[:-1], window)  # (n - window, window)
    mean, sd = history.mean(axis=1), history.std(axis=1)
    deviation = np.abs(x[window:] - mean)
    z = np.divide(deviation, sd, out=np.zeros_like(deviation), where=sd > 0)
    flat_jump = (sd == 0) & (deviation > 0)
    z[flat_jump] = z[~flat_jump].max(initial=1.0)
    return np.concatenate([np.zeros(window), z])


def seasonal_residual(values, season: int) -> np.ndarray:
    """``|x_t - x_{t - season}|``: the seasonal-naive forecast's error as an anomaly score.

    The first ``season`` steps score 0.

    Examples
    --------
    >>> seasonal_residual([1.0, 5.0, 1.0, 5.0, 1.0, 9.0], season=2).tolist()
    [0.0, 0.0, 0.0, 0.0, 0.0, 4.0]
    """
    season = check_int(season, "season", minimum=1)
    x = _series(values, min_length=season + 1, reason=f"season={season} plus one")
    return np.concatenate([np.zeros(season), np.abs(x[season:] - x[:-season])])


def _windows(values, window: int, train_end: int):
    window = check_int(window, "window", minimum=2)
    x = _series(values, min_length=window + 1, reason=f"window={window} plus one")
    train_end = check_int(train_end, "train_end", minimum=window + 1)
    if train_end > len(x):
        raise ValueError(f"train_end must be at most the series length {len(x)}, got {train_end}")
    mean, sd = x[:train_end].mean(), x[:train_end].std()
    if sd == 0:
        raise ValueError("values must not be constant before train_end")
    windows = np.lib.stride_tricks.sliding_window_view((x - mean) / sd, window)
    return windows, windows[: train_end - window + 1], window


def isolation_forest_scores(
    values, window: int, train_end: int, *, n_estimators: int = 100, random_state=0
) -> np.ndarray:
    """Isolation forest (Liu, Ting & Zhou, ICDM 2008) on sliding windows, one score per step.

    The forest is fitted on the windows that end before ``train_end`` (values scaled by the
    training part's mean and sd) and scores every window; higher means more anomalous (the
    negated ``score_samples`` of scikit-learn). Window scores go to steps with
    :func:`window_scores_to_steps`.
    """
    from sklearn.ensemble import IsolationForest

    windows, train, window = _windows(values, window, train_end)
    n_estimators = check_int(n_estimators, "n_estimators", minimum=1)
    forest = IsolationForest(n_estimators=n_estimators, random_state=random_state).fit(train)
    return window_scores_to_steps(-forest.score_samples(windows), window)


def pca_reconstruction_scores(values, window: int, train_end: int, n_components: int) -> np.ndarray:
    """Reconstruction error of sliding windows from a PCA fitted on the training part.

    A linear autoencoder: the windows that end before ``train_end`` (values scaled by the
    training part's mean and sd) fix ``n_components`` principal directions; each window's score
    is the Euclidean distance to its projection. Window scores go to steps with
    :func:`window_scores_to_steps`.
    """
    windows, train, window = _windows(values, window, train_end)
    n_components = check_int(n_components, "n_components", minimum=1)
    if n_components >= window:
        raise ValueError(f"n_components must be below window={window}, got {n_components}")
    centre = train.mean(axis=0)
    _, _, vt = np.linalg.svd(train - centre, full_matrices=False)
    basis = vt[:n_components]  # (n_components, window)
    centred = windows - centre
    residual = centred - (centred @ basis.T) @ basis
    return window_scores_to_steps(np.linalg.norm(residual, axis=1), window)


def mad_threshold(train_scores, k: float = 5.0) -> float:
    """``median + k * 1.4826 * MAD`` of scores from normal data: a threshold set without labels.

    1.4826 makes the MAD estimate the standard deviation for Gaussian scores, so ``k`` counts
    robust standard deviations; a few anomalies among ``train_scores`` barely move it.

    Examples
    --------
    >>> round(mad_threshold([1.0, 2.0, 3.0, 4.0, 100.0], k=2), 4)
    5.9652
    """
    k = check_positive(k, "k", "robust standard deviations above the median")
    s = _series(train_scores, "train_scores", min_length=1)
    median = np.median(s)
    return float(median + k * 1.4826 * np.median(np.abs(s - median)))

"""Checks for the exercises of Chapter 7, *Anomaly detection in time series*.

- :func:`check_point_adjust` — point adjustment by hand, against
  :func:`tslearnkit.anomaly.point_adjust`;
- :func:`check_mad_threshold` — a threshold set without labels, median + k · 1.4826 · MAD of
  calibration scores, against :func:`tslearnkit.anomaly.mad_threshold`;
- :func:`check_contaminated` — the VUS-PR of an isolation forest trained on the clean start and on
  a training part that holds a labelled window, both scored on the same steps.

Each check recomputes the usual wrong answers to say which mistake was made.
"""

from __future__ import annotations

import hashlib
import math

import numpy as np

from .._validation import as_float_array, check_int, check_positive, describe
from ..anomaly import (
    anomaly_ranges,
    dominant_period,
    isolation_forest_scores,
    mad_threshold,
    point_adjust,
    pr_auc,
    vus_pr,
)
from . import ExerciseFeedback, as_number, describe_answer, passed, require, require_function

__all__ = ["check_point_adjust", "check_mad_threshold", "check_contaminated"]


def _answer(value, name: str) -> float:
    """A student's value as a finite float, or :class:`ExerciseFeedback` saying what it is."""
    try:
        number = as_number(value, name)
    except ExerciseFeedback:
        raise ExerciseFeedback(f"{name} must be one number, got {describe_answer(value)}") from None
    require(math.isfinite(number), f"{name} is {number}; it must be a finite number.")
    return number


# --- Exercise 7.1: point adjustment by hand -----------------------------------------------------


def _bits(values) -> str:
    """A binary array as a string of 0s and 1s, short enough for a message."""
    return "".join("1" if v else "0" for v in np.asarray(values, dtype=bool))


_KINDS = ["a list of 0/1 ints", "a numpy int array", "a numpy bool array", "a list of bools"]


def _as_kind(values: np.ndarray, kind: str):
    """``values`` (bool) in the form ``kind`` names: what a student's function must accept."""
    if kind == _KINDS[0]:
        return values.astype(int).tolist()
    if kind == _KINDS[1]:
        return values.astype(np.int64)
    if kind == _KINDS[2]:
        return values.astype(bool)
    return values.astype(bool).tolist()


def _point_adjust_cases():
    """Hand cases, each aimed at one mistake, then seeded random ones; (labels, flags, kind)."""
    hand = [
        # a flag inside a range, after its start
        ([0, 1, 1, 1, 1, 0, 0, 0], [0, 0, 0, 1, 0, 0, 0, 0]),
        # one flag, outside both ranges: nothing to fill, the flag stays
        ([1, 1, 0, 0, 1, 1, 1, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0, 1, 0]),
        # ranges at both ends of the series, each with a flag; a flag between them
        ([1, 1, 1, 0, 0, 1, 1], [0, 1, 0, 1, 0, 0, 1]),
        # two flags in one range, a range with none, a flag after the last range
        ([0, 1, 1, 1, 1, 0, 1, 1, 0, 0], [0, 0, 1, 0, 1, 0, 0, 0, 0, 1]),
        # no flag at all
        ([0, 0, 1, 1, 0], [0, 0, 0, 0, 0]),
    ]
    cases = [
        (np.array(labels, bool), np.array(flags, bool), _KINDS[i % 4])
        for i, (labels, flags) in enumerate(hand)
    ]
    rng = np.random.default_rng(7)
    for i in range(8):
        n = 60
        labels = np.zeros(n, bool)
        for _ in range(3):
            start = rng.integers(0, n - 10)
            labels[start : start + rng.integers(3, 11)] = True
        flags = rng.random(n) < 0.08
        cases.append((labels, flags, _KINDS[i % 4]))
    return cases


def _filled_from_first_flag(labels: np.ndarray, flags: np.ndarray) -> np.ndarray:
    out = flags.copy()
    for start, stop in anomaly_ranges(labels):
        hit = np.flatnonzero(flags[start:stop])
        if len(hit):
            out[start + hit[0] : stop] = True
    return out


def check_point_adjust(point_adjust_ex) -> None:
    """Check a function ``point_adjust_ex(labels, flags)``: point adjustment by hand.

    Every labelled range (run of 1s in ``labels``) that holds at least one flag is flagged in
    full; flags outside the labelled ranges stay as they are; the inputs are not changed. The
    function runs on hand cases and seeded random ones, given as lists and numpy arrays of 0/1
    ints and of bools, and is compared with :func:`tslearnkit.anomaly.point_adjust`.

    Parameters
    ----------
    point_adjust_ex : callable
        ``labels`` and ``flags``, binary sequences of the same length; returns the adjusted flags
        as any binary array-like of that length (bool or 0/1).

    Prints
    ------
    The confirmation ``Correct: ...`` when the answer is right.

    Raises
    ------
    TypeError
        If ``point_adjust_ex`` is not a function.
    ExerciseFeedback
        If an output is wrong; the message names the usual mistakes (ranges filled that hold no
        flag, ranges filled only from the first flag on, flags outside the ranges dropped, the
        input changed in place, a missing ``return``, a wrong length or non-binary values).

    Examples
    --------
    >>> import numpy as np
    >>> from tslearnkit.anomaly import anomaly_ranges
    >>> def point_adjust_ex(labels, flags):
    ...     adjusted = np.array(flags, dtype=bool)  # a copy
    ...     for start, stop in anomaly_ranges(labels):
    ...         if adjusted[start:stop].any():
    ...             adjusted[start:stop] = True
    ...     return adjusted
    >>> check_point_adjust(point_adjust_ex)  # doctest: +ELLIPSIS
    Correct: your point adjustment matches tslearnkit.anomaly.point_adjust on 13 cases ...
    """
    require_function(point_adjust_ex, "point_adjust_ex", "(labels, flags) -> adjusted flags")
    cases = _point_adjust_cases()
    flagged_before = flagged_after = 0
    for labels, flags, kind in cases:
        labels_in, flags_in = _as_kind(labels, kind), _as_kind(flags, kind)
        shown = f"labels {_bits(labels)} and flags {_bits(flags)} (each {kind})"
        try:
            out = point_adjust_ex(labels_in, flags_in)
        except Exception as error:
            bool_hint = (
                " (numpy refuses to subtract bool arrays: convert to int first)"
                if "bool" in kind and isinstance(error, TypeError)
                else ""
            )
            raise ExerciseFeedback(
                f"point_adjust_ex raised {type(error).__name__} ({error}) on {shown}. It must "
                f"accept lists and numpy arrays of 0/1 ints or bools: np.asarray(labels, "
                f"dtype=bool) and np.array(flags, dtype=bool) turn each of them into one "
                f"form{bool_hint}."
            ) from error
        expected = point_adjust(labels, flags)
        for name, given, original in [("labels", labels_in, labels), ("flags", flags_in, flags)]:
            now = np.asarray(given, dtype=bool)
            require(
                now.shape == original.shape and np.array_equal(now, original),
                f"On {shown}, point_adjust_ex changed its argument {name} in place: "
                f"{_bits(original)} became "
                f"{_bits(now) if now.shape == original.shape else describe(now)}. "
                f"The caller's {name} are lost; work on a copy, np.array({name}, dtype=bool), "
                f"and return the adjusted copy.",
            )
        require(
            out is not None,
            f"point_adjust_ex returned None on {shown}: add `return adjusted` at the end.",
        )
        try:
            got = as_float_array(out, "the output")
        except TypeError:
            require(
                False, f"point_adjust_ex returned {describe_answer(out)}; return a binary array."
            )
        require(
            got.shape == labels.shape,
            f"point_adjust_ex returned shape {got.shape} on {shown}; it must return one value "
            f"per step, shape {labels.shape}, like its inputs.",
        )
        require(
            np.isin(got, (0.0, 1.0)).all(),
            f"point_adjust_ex returned values such as {np.unique(got[~np.isin(got, (0.0, 1.0))])[:3]} "
            f"on {shown}; the adjusted flags must be binary (0/1 or False/True).",
        )
        got = got.astype(bool)
        if np.array_equal(got, expected):
            flagged_before += int(flags.sum())
            flagged_after += int(got.sum())
            continue
        where = f"On {shown} point_adjust_ex returns {_bits(got)}; the right answer is {_bits(expected)}"
        mistakes = [
            (
                labels | flags,
                "you flagged every labelled range, also those that hold no flag (labels | flags). "
                "A range is filled only if at least one of its steps is already flagged.",
            ),
            (
                _filled_from_first_flag(labels, flags),
                "you filled each range only from its first flag onwards. Point adjustment credits "
                "the whole range, from its first step: adjusted[start:stop] = True.",
            ),
            (
                expected & labels,
                "you dropped the flags outside the labelled ranges. Those are false alarms, and "
                "point adjustment keeps them: start from a copy of flags, not from zeros.",
            ),
            (
                labels,
                "you returned the labels. Start from a copy of flags and fill only the labelled "
                "ranges that hold a flag.",
            ),
            (
                flags,
                "you returned the flags unchanged: no range was filled. For each run of 1s in "
                "labels, (start, stop), if flags[start:stop] holds a 1, set the whole run to 1.",
            ),
        ]
        for candidate, feedback in mistakes:
            require(not np.array_equal(got, candidate), f"{where}: {feedback}")
        require(
            False,
            f"{where}. Find the runs of 1s in labels (anomaly_ranges gives them as (start, stop)); "
            f"fill each run that holds a flag; keep every other flag.",
        )
    return passed(
        f"your point adjustment matches tslearnkit.anomaly.point_adjust on {len(cases)} cases "
        f"(lists and numpy arrays, 0/1 and bool) and leaves its inputs unchanged. On them it turned "
        f"{flagged_before} flags into {flagged_after}: that inflation is what a point-adjusted score "
        f"rewards."
    )


# --- Exercise 7.2: a threshold from normal data -------------------------------------------------


def check_mad_threshold(threshold_ex, calibration, k=5) -> None:
    """Check a threshold set without labels: ``median + k * 1.4826 * MAD`` of the calibration
    scores, with MAD the median of ``|c - median|``, against
    :func:`tslearnkit.anomaly.mad_threshold` (relative tolerance 1e-6).

    Parameters
    ----------
    threshold_ex : float
        The student's threshold.
    calibration : array-like of shape (n,), n >= 2
        The detector's scores on the calibration part (finite).
    k : float > 0, default 5
        How many robust standard deviations above the median.

    Prints
    ------
    The confirmation ``Correct: ...`` when the answer is right.

    Raises
    ------
    TypeError
        If ``calibration`` is not numeric or ``k`` is not a number.
    ValueError
        If ``calibration`` is not 1-D with at least 2 finite values, or ``k`` is not positive.
    ExerciseFeedback
        If the threshold is wrong; the message names the usual mistakes (1.4826 left out, the
        standard deviation or the mean absolute deviation instead of the MAD, the mean instead of
        the median, ``k`` not applied or a different ``k``, the median left out, ``|...|`` left
        out).

    Examples
    --------
    >>> import numpy as np
    >>> c = np.array([1.0, 2.0, 3.0, 4.0, 100.0])
    >>> med = np.median(c)
    >>> check_mad_threshold(med + 5 * 1.4826 * np.median(np.abs(c - med)), c)  # doctest: +ELLIPSIS
    Correct: median 3 + 5 × 1.4826 × MAD 1 = 10.41, ...
    """
    c = as_float_array(calibration, "calibration")
    if c.ndim != 1 or len(c) < 2:
        raise ValueError(f"calibration must be 1-D with at least 2 scores, got shape {c.shape}")
    if not np.isfinite(c).all():
        raise ValueError("calibration must be finite, got NaN or infinity")
    k = check_positive(k, "k", "robust standard deviations above the median")
    got = _answer(threshold_ex, "threshold_ex")
    expected = mad_threshold(c, k)

    def close(a, b):
        return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-12)

    median, mean = float(np.median(c)), float(c.mean())
    mad = float(np.median(np.abs(c - median)))
    sd0, sd1 = float(c.std()), float(c.std(ddof=1))
    if close(got, expected):
        share, classic = float(np.mean(c > expected)), mean + k * sd0
        why = (
            ": the largest scores pull the mean and sd up, not the median and MAD"
            if classic > expected
            else ""
        )
        return passed(
            f"median {median:.4g} + {k:g} × 1.4826 × MAD {mad:.4g} = {expected:.4g}, equal to "
            f"tslearnkit.anomaly.mad_threshold; {share:.1%} of the calibration scores lie above "
            f"it. The mean + {k:g} sd rule would give {classic:.4g}{why}."
        )
    where = f"threshold_ex is {got:.6g}, but median + {k:g} × 1.4826 × MAD is {expected:.6g}"
    sd_feedback = (
        "you used the standard deviation. The MAD, median(|c - median(c)|), is what a few extreme "
        "scores barely move; np.std is pulled up by them."
    )
    mean_feedback = (
        "you centred on the mean. Use the median, np.median(c), both as the centre and inside the "
        "MAD: the mean is pulled up by a few extreme scores."
    )
    mistakes = [
        (median + k * mad, "you left out 1.4826, which turns the MAD into a standard deviation."),
        (median + k * sd0, sd_feedback),
        (median + k * sd1, sd_feedback),
        (median + k * 1.4826 * sd0, sd_feedback),
        (median + k * 1.4826 * sd1, sd_feedback),
        (mean + k * 1.4826 * float(np.median(np.abs(c - mean))), mean_feedback),
        (mean + k * 1.4826 * mad, mean_feedback),
        (
            mean + k * sd0,
            "you used mean + k × standard deviation, the rule the MAD replaces: both are pulled "
            "up by the extreme scores. Use median + k × 1.4826 × MAD.",
        ),
        (
            mean + k * sd1,
            "you used mean + k × standard deviation, the rule the MAD replaces: both are pulled "
            "up by the extreme scores. Use median + k × 1.4826 × MAD.",
        ),
        (
            median + k * 1.4826 * float(np.mean(np.abs(c - median))),
            "you used the mean absolute deviation, np.mean(|c - median|). The MAD is its median, "
            "np.median(np.abs(c - np.median(c))).",
        ),
        (median + 1.4826 * mad, f"you did not multiply by k = {k:g}."),
        (median + mad, f"you left out both k = {k:g} and 1.4826."),
        (k * 1.4826 * mad, "you left out the median: the threshold is median + k × 1.4826 × MAD."),
    ]
    for candidate, feedback in mistakes:
        require(not close(got, candidate), f"{where}: {feedback}")
    if mad > 0:
        require(
            not close(got, median),
            f"{where}: your threshold is the median itself, so your MAD was 0. Did you leave out "
            f"the absolute value? median(c - median(c)) is 0 by construction; take "
            f"np.median(np.abs(c - np.median(c))).",
        )
        other_k = (got - median) / (1.4826 * mad)
        require(
            not (other_k > 0 and abs(other_k - round(other_k, 1)) < 1e-6),
            f"{where}: that is the rule with k = {round(other_k, 1):g}; use k = {k:g}.",
        )
    require(
        False,
        f"{where}. Compute med = np.median(c), mad = np.median(np.abs(c - med)), then "
        f"med + k * 1.4826 * mad.",
    )


# --- Exercise 7.3: training data that are not clean ---------------------------------------------


def _binary_labels(y, n: int) -> np.ndarray:
    labels = as_float_array(y, "y")
    if labels.ndim != 1 or len(labels) != n:
        raise ValueError(
            f"y must be 1-D with one label per value of x ({n}), got shape {labels.shape}"
        )
    if not np.isin(labels, (0.0, 1.0)).all():
        raise ValueError("y must be binary (0/1 or False/True), got other values")
    return labels.astype(bool)


_LAST: dict = {}  # the last series' forest scores, so that a check run again answers at once


def _forest_vus(values: np.ndarray, labels: np.ndarray, window: int, clean_end: int, start: int):
    """Exercise 7.3's two forests: their scores, their VUS-PR from ``start`` on, and the buffer.

    No input validation. The last call's result is kept, keyed by the data, so that a student
    who runs the check again (or a test that runs it many times) does not refit the forests.
    """
    key = (
        hashlib.blake2b(values.tobytes()).hexdigest(),
        hashlib.blake2b(labels.tobytes()).hexdigest(),
        window,
    )
    if _LAST.get("key") != key:
        scores = {
            "vus_clean_ex": isolation_forest_scores(
                values, window, train_end=clean_end, random_state=0
            ),
            "vus_contaminated_ex": isolation_forest_scores(
                values, window, train_end=start, random_state=0
            ),
        }
        buffer = 2 * dominant_period(values)
        right = {
            name: vus_pr(labels[start:], s[start:], max_buffer=buffer) for name, s in scores.items()
        }
        _LAST.clear()
        _LAST.update(key=key, result=(scores, right, buffer))
    return _LAST["result"]


def check_contaminated(vus_clean_ex, vus_contaminated_ex, x, y, *, window: int = 288) -> None:
    """Check Exercise 7.3: an isolation forest trained on clean data and on data that are not.

    With ``start = int(0.3 * len(x))``, the exercise fits
    ``isolation_forest_scores(x, window, train_end=T, random_state=0)`` twice: with ``T`` the
    first step of the first labelled range (the clean start) and with ``T = start`` (a training
    part that holds a labelled window), and scores each with
    ``vus_pr(y[start:], scores[start:], max_buffer=2 * dominant_period(x))``, on the same steps.
    The check recomputes both (a few seconds on the machine series) and compares to 1e-9.

    Parameters
    ----------
    vus_clean_ex, vus_contaminated_ex : float
        The student's VUS-PR for the forest trained on the clean start and on the first 30%.
    x : array-like of shape (n,)
        The series (finite, more than 400 values, for :func:`~tslearnkit.anomaly.dominant_period`).
    y : array-like of shape (n,), binary
        The labels; the first labelled range must start after ``window`` steps, and ``y[start:]``
        must hold labelled and normal steps.
    window : int >= 2, default 288
        The isolation forest's window (a day of the machine's five-minute steps).

    Prints
    ------
    The confirmation ``Correct: ...`` with both values and which is higher.

    Raises
    ------
    TypeError
        If ``x`` or ``y`` is not numeric or ``window`` not an int.
    ValueError
        If ``x`` or ``y`` does not allow the exercise's computation (see above).
    ExerciseFeedback
        If a value is wrong; the message names the usual mistakes (the two values swapped, the
        same training part for both, scored on the whole series or from the first labelled step,
        another buffer such as vus_pr's default 200, the point-wise PR-AUC, the chapter's forest
        fitted up to ``fit_end = int(0.8 * T)`` reused for the clean one).
    """
    window = check_int(window, "window", minimum=2, meaning="the isolation forest's window")
    values = as_float_array(x, "x")
    if values.ndim != 1 or len(values) <= 400:
        raise ValueError(
            f"x must be 1-D with more than 400 values (dominant_period reads the "
            f"autocorrelation up to lag 400), got shape {values.shape}"
        )
    if not np.isfinite(values).all():
        raise ValueError("x must be finite, got NaN or infinity")
    labels = _binary_labels(y, len(values))
    ranges = anomaly_ranges(labels)
    if not ranges:
        raise ValueError("y holds no labelled step; the exercise needs labelled ranges")
    start, clean_end = int(0.3 * len(values)), ranges[0][0]
    for name, T in [
        ("the clean start (up to y's first labelled range)", clean_end),
        (f"the first 30% (start={start})", start),
    ]:
        if T < window + 1:
            raise ValueError(
                f"{name} holds {T} steps; the isolation forest needs more than window={window}"
            )
    if labels[start:].all() or not labels[start:].any():
        raise ValueError(
            f"y[start:] (start={start}) must hold labelled and normal steps for vus_pr"
        )
    got = {
        "vus_clean_ex": _answer(vus_clean_ex, "vus_clean_ex"),
        "vus_contaminated_ex": _answer(vus_contaminated_ex, "vus_contaminated_ex"),
    }
    scores, right, buffer = _forest_vus(values, labels, window, clean_end, start)
    trained = {
        "vus_clean_ex": f"the clean start (train_end={clean_end}, the first labelled step)",
        "vus_contaminated_ex": f"the first 30% (train_end=start={start})",
    }

    def close(a, b):
        return abs(a - b) <= 1e-9

    clean, dirty = right["vus_clean_ex"], right["vus_contaminated_ex"]
    if close(got["vus_clean_ex"], clean) and close(got["vus_contaminated_ex"], dirty):
        higher = "the clean start" if clean > dirty else "the first 30%"
        held = int(labels[:start].sum())
        return passed(
            f"trained on the clean start, the forest's VUS-PR from step {start} on is {clean:.4f}; "
            f"trained on the first 30%, which holds {held} labelled steps, {dirty:.4f}. Training "
            f"on {higher} scores higher, by {abs(clean - dirty):.4f}."
        )
    require(
        not (
            not close(clean, dirty)
            and close(got["vus_clean_ex"], dirty)
            and close(got["vus_contaminated_ex"], clean)
        ),
        f"your two values are swapped: training on the clean start (train_end={clean_end}) gives "
        f"{clean:.4f}, training on the first 30% (train_end={start}) gives {dirty:.4f}.",
    )
    forests: dict = {}

    def fitted(train_end):
        """A forest's scores for another training end, fitted once."""
        if train_end not in forests:
            forests[train_end] = isolation_forest_scores(
                values, window, train_end=train_end, random_state=0
            )
        return forests[train_end]

    for name, other in [
        ("vus_clean_ex", "vus_contaminated_ex"),
        ("vus_contaminated_ex", "vus_clean_ex"),
    ]:
        value, s = got[name], scores[name]
        if close(value, right[name]):
            continue
        where = (
            f"{name} is {value:.6f}; trained on {trained[name]} and scored on y[start:] with "
            f"max_buffer=2 * dominant_period(x) = {buffer}, the forest gets {right[name]:.6f}"
        )
        require(
            close(right[name], right[other]) or not close(value, right[other]),
            f"{where}: your value is the one for training on {trained[other]}. Fit {name}'s "
            f"forest with train_end={clean_end if name == 'vus_clean_ex' else start}.",
        )
        mistakes = [
            (
                lambda s: vus_pr(labels, s, max_buffer=buffer),
                "you scored the whole series. Score both forests on the same steps, from "
                "start = int(0.3 * len(x)) on: vus_pr(y[start:], scores[start:], ...); before "
                "start, the contaminated forest is scored on its own training data.",
            ),
            (
                lambda s: vus_pr(labels[clean_end:], s[clean_end:], max_buffer=buffer),
                f"you scored from the first labelled step, {clean_end} (as the chapter's test "
                f"part does), not from start = {start}. Score both forests on the same steps, "
                f"y[start:] and scores[start:], or the two numbers are not comparable.",
            ),
            (
                lambda s: vus_pr(labels[start:], s[start:]),
                f"you used vus_pr's default buffer, 200. Pass max_buffer=2 * dominant_period(x), "
                f"here {buffer}, as TSB-AD does.",
            ),
            (
                lambda s: vus_pr(labels, s),
                f"you scored the whole series with vus_pr's default buffer, 200. Score from start "
                f"on, y[start:] and scores[start:], with max_buffer=2 * dominant_period(x) = {buffer}.",
            ),
            (
                lambda s: vus_pr(labels[start:], s[start:], max_buffer=buffer // 2),
                f"you used max_buffer=dominant_period(x) = {buffer // 2}; the buffer is twice it, "
                f"{buffer}.",
            ),
            (
                lambda s: vus_pr(labels[start:], s[start:], max_buffer=2 * window),
                f"you used max_buffer=2 * window = {2 * window}; the buffer is twice the period "
                f"that dominant_period(x) finds, {buffer}.",
            ),
            (
                lambda s: pr_auc(labels[start:], s[start:]),
                "that is the point-wise PR-AUC. The exercise asks for VUS-PR: "
                "vus_pr(y[start:], scores[start:], max_buffer=2 * dominant_period(x)).",
            ),
            (
                lambda s: pr_auc(labels, s),
                "that is the point-wise PR-AUC of the whole series. The exercise asks for VUS-PR "
                "from start on: vus_pr(y[start:], scores[start:], max_buffer=2 * dominant_period(x)).",
            ),
        ]
        fit_end = int(0.8 * clean_end)
        if name == "vus_clean_ex" and fit_end > window:
            mistakes += [
                (
                    lambda s: vus_pr(labels[start:], fitted(fit_end)[start:], max_buffer=buffer),
                    f"you used the chapter's forest, fitted on the fitting part only "
                    f"(train_end=fit_end={fit_end}). Fit a new one on the whole clean start, "
                    f"train_end={clean_end}.",
                ),
                (
                    lambda s: vus_pr(
                        labels[clean_end:], fitted(fit_end)[clean_end:], max_buffer=buffer
                    ),
                    f"that is the chapter's own VUS-PR for the isolation forest: fitted up to "
                    f"fit_end={fit_end} and scored from the first labelled step. Fit a new forest "
                    f"with train_end={clean_end} and score it from start = {start} on.",
                ),
            ]
        for candidate, feedback in mistakes:
            require(not close(value, candidate(s)), f"{where}: {feedback}")
        require(
            False,
            f"{where}. Compute scores = isolation_forest_scores(x, {window}, train_end=T, "
            f"random_state=0) with T = {clean_end if name == 'vus_clean_ex' else start}, then "
            f"vus_pr(y[start:], scores[start:], max_buffer=2 * dominant_period(x)).",
        )

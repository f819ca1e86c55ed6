"""The checks of Chapter 7's exercises: each accepts a right answer and names each usual mistake."""

import numpy as np
import pytest
import torch

from tslearnkit.anomaly import (
    anomaly_ranges,
    dominant_period,
    isolation_forest_scores,
    pr_auc,
    vus_pr,
)
from tslearnkit.exercises import ExerciseFeedback, ch07

# --- 7.1 point adjustment ---------------------------------------------------------------------


def point_adjust_ex(labels, flags):
    adjusted = np.array(flags, dtype=bool)  # a copy
    for start, stop in anomaly_ranges(labels):
        if adjusted[start:stop].any():
            adjusted[start:stop] = True
    return adjusted


def by_loops(labels, flags):
    """Plain Python: find each run of 1s, fill it if it holds a flag; returns a list of ints."""
    labels, out = [int(v) for v in labels], [int(v) for v in flags]
    i = 0
    while i < len(labels):
        if labels[i]:
            j = i
            while j < len(labels) and labels[j]:
                j += 1
            if any(out[i:j]):
                out[i:j] = [1] * (j - i)
            i = j
        else:
            i += 1
    return out


@pytest.mark.parametrize(
    "answer",
    [
        point_adjust_ex,
        by_loops,
        lambda l, f: point_adjust_ex(l, f).astype(int),
        lambda l, f: torch.as_tensor(point_adjust_ex(l, f)),
    ],
    ids=["bool array", "list of ints", "int array", "tensor"],
)
def test_point_adjust_right(answer, capsys):
    ch07.check_point_adjust(answer)
    assert capsys.readouterr().out.startswith("Correct:")


def from_first_flag(labels, flags):
    adjusted = np.array(flags, dtype=bool)
    for start, stop in anomaly_ranges(labels):
        hits = np.flatnonzero(adjusted[start:stop])
        if len(hits):
            adjusted[start + hits[0] : stop] = True
    return adjusted


def in_place(labels, flags):
    for start, stop in anomaly_ranges(labels):
        if any(flags[start:stop]):
            for i in range(start, stop):
                flags[i] = 1
    return flags


def no_return(labels, flags):
    point_adjust_ex(labels, flags)


def with_diff(labels, flags):
    labels = np.asarray(labels)
    labels[1:] - labels[:-1]  # numpy refuses to subtract bool arrays
    return point_adjust_ex(labels, flags)


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda l, f: np.asarray(l, bool) | np.asarray(f, bool), "also those that hold no flag"),
        (from_first_flag, "only from its first flag onwards"),
        (lambda l, f: point_adjust_ex(l, f) & np.asarray(l, bool), "dropped the flags outside"),
        (lambda l, f: np.asarray(l), "returned the labels"),
        (lambda l, f: np.asarray(f), "returned the flags unchanged"),
        (in_place, "changed its argument flags in place"),
        (no_return, "returned None"),
        (lambda l, f: point_adjust_ex(l, f)[:-1], "returned shape"),
        (lambda l, f: 2 * point_adjust_ex(l, f).astype(int), "must be binary"),
        (lambda l, f: "01111000", "return a binary array"),
        (lambda l, f: ~point_adjust_ex(l, f), "Find the runs of 1s"),
        (with_diff, "raised TypeError"),
    ],
)
def test_point_adjust_mistakes(wrong, message):
    with pytest.raises(ExerciseFeedback, match=message):
        ch07.check_point_adjust(wrong)


def test_point_adjust_needs_a_function():
    with pytest.raises(TypeError, match="point_adjust_ex must be a function"):
        ch07.check_point_adjust([0, 1, 1])


# --- 7.2 a threshold from normal data ----------------------------------------------------------

RNG = np.random.default_rng(0)
CAL = np.concatenate([RNG.gamma(2.0, 1.0, 400), [25.0, 30.0, 40.0]])  # a few extreme scores
MED = np.median(CAL)
MAD = np.median(np.abs(CAL - MED))


@pytest.mark.parametrize(
    "answer", [MED + 5 * 1.4826 * MAD, np.float64(MED + 5 * 1.4826 * MAD)], ids=["float", "numpy"]
)
def test_mad_threshold_right(answer, capsys):
    ch07.check_mad_threshold(answer, CAL)
    assert capsys.readouterr().out.startswith("Correct:")


def test_mad_threshold_takes_k_lists_and_tensors(capsys):
    ch07.check_mad_threshold(torch.tensor(MED + 3 * 1.4826 * MAD), CAL.tolist(), k=3)
    assert capsys.readouterr().out.startswith("Correct:")


@pytest.mark.parametrize(
    "answer, message",
    [
        (MED + 5 * MAD, "left out 1.4826"),
        (MED + 5 * CAL.std(), "standard deviation"),
        (MED + 5 * CAL.std(ddof=1), "standard deviation"),
        (CAL.mean() + 5 * 1.4826 * np.median(np.abs(CAL - CAL.mean())), "centred on the mean"),
        (CAL.mean() + 5 * 1.4826 * MAD, "centred on the mean"),
        (CAL.mean() + 5 * CAL.std(), r"mean \+ k × standard deviation"),
        (MED + 5 * 1.4826 * np.mean(np.abs(CAL - MED)), "mean absolute deviation"),
        (MED + 1.4826 * MAD, "did not multiply by k"),
        (MED + MAD, "both k = 5 and 1.4826"),
        (5 * 1.4826 * MAD, "left out the median"),
        (MED, "absolute value"),
        (MED + 3 * 1.4826 * MAD, "k = 3; use k = 5"),
        (1.1 * (MED + 5 * 1.4826 * MAD) + 0.01, "Compute med"),
        ("7.2", "must be one number"),
        (np.array([1.0, 2.0]), "must be one number"),
        (float("nan"), "finite number"),
    ],
)
def test_mad_threshold_mistakes(answer, message):
    with pytest.raises(ExerciseFeedback, match=message):
        ch07.check_mad_threshold(answer, CAL)


@pytest.mark.parametrize(
    "calibration, k, error, message",
    [
        (CAL.reshape(-1, 1), 5, ValueError, "calibration must be 1-D"),
        ([1.0], 5, ValueError, "at least 2 scores"),
        ([1.0, np.nan, 2.0], 5, ValueError, "calibration must be finite"),
        (["a", "b"], 5, TypeError, "calibration must be numeric"),
        (CAL, 0, ValueError, "k must be a positive finite number"),
        (CAL, "5", TypeError, "k must be a positive number"),
    ],
)
def test_mad_threshold_validates_inputs(calibration, k, error, message):
    with pytest.raises(error, match=message):
        ch07.check_mad_threshold(1.0, calibration, k=k)


# --- 7.3 training data that are not clean ------------------------------------------------------

WINDOW = 24


def synthetic():
    """1,200 steps of a noisy sine (period 40) with three labelled anomalies, one in the first 30%."""
    rng = np.random.default_rng(1)
    n = 1200
    x = np.sin(2 * np.pi * np.arange(n) / 40) + 0.1 * rng.standard_normal(n)
    y = np.zeros(n, bool)
    for start, stop in [(150, 190), (600, 640), (950, 990)]:
        y[start:stop] = True
    x[160:180] += 1.5  # a bump inside the first labelled window
    x[610:630] = 0.0  # a flat stretch
    x[965:970] += 3.0  # a spike
    return x, y


X, Y = synthetic()
START = int(0.3 * len(X))
BUFFER = 2 * dominant_period(X)
SCORES = {
    "clean": isolation_forest_scores(X, WINDOW, train_end=150, random_state=0),
    "dirty": isolation_forest_scores(X, WINDOW, train_end=START, random_state=0),
    "chapter": isolation_forest_scores(X, WINDOW, train_end=int(0.8 * 150), random_state=0),
}


def answer(score, start=START, end=None, **options):
    """VUS-PR of one forest's scores from ``start`` on, with the exercise's buffer by default."""
    options.setdefault("max_buffer", BUFFER)
    return vus_pr(Y[start:end], SCORES[score][start:end], **options)


CLEAN, DIRTY = answer("clean"), answer("dirty")


def test_synthetic_series_tells_the_two_apart():
    assert abs(CLEAN - DIRTY) > 1e-3 and BUFFER != 200


def test_contaminated_right(capsys):
    ch07.check_contaminated(CLEAN, DIRTY, X, Y, window=WINDOW)
    out = capsys.readouterr().out
    assert out.startswith("Correct:") and f"{CLEAN:.4f}" in out and f"{DIRTY:.4f}" in out


def test_contaminated_accepts_pandas_and_numpy_values(capsys):
    import pandas as pd

    ch07.check_contaminated(
        np.float64(CLEAN), np.array([DIRTY]), pd.Series(X), pd.Series(Y), window=WINDOW
    )
    assert capsys.readouterr().out.startswith("Correct:")


@pytest.mark.parametrize(
    "values, message",
    [
        (lambda: (DIRTY, CLEAN), "swapped"),
        (lambda: (DIRTY, DIRTY), "the one for training on the first 30%"),
        (lambda: (answer("clean", start=0), DIRTY), "scored the whole series"),
        (lambda: (CLEAN, answer("dirty", start=0)), "scored the whole series"),
        (lambda: (answer("clean", start=150), DIRTY), "from the first labelled step, 150"),
        (lambda: (CLEAN, answer("dirty", start=150)), "from the first labelled step, 150"),
        (lambda: (answer("chapter"), DIRTY), "the chapter's forest, fitted on the fitting part"),
        (lambda: (answer("chapter", start=150), DIRTY), "the chapter's own VUS-PR"),
        (lambda: (answer("clean", max_buffer=200), DIRTY), "default buffer, 200"),
        (lambda: (CLEAN, answer("dirty", start=0, max_buffer=200)), "whole series with vus_pr's"),
        (lambda: (answer("clean", max_buffer=BUFFER // 2), DIRTY), "the buffer is twice it"),
        (lambda: (CLEAN, answer("dirty", max_buffer=2 * WINDOW)), "2 \\* window"),
        (lambda: (pr_auc(Y[START:], SCORES["clean"][START:]), DIRTY), "point-wise PR-AUC"),
        (lambda: (CLEAN, pr_auc(Y, SCORES["dirty"])), "PR-AUC of the whole series"),
        (lambda: (CLEAN, 0.5), "Compute scores"),
        (lambda: ([CLEAN, DIRTY], DIRTY), "vus_clean_ex must be one number"),
        (lambda: (CLEAN, float("nan")), "vus_contaminated_ex is nan"),
    ],
)
def test_contaminated_mistakes(values, message):
    with pytest.raises(ExerciseFeedback, match=message):
        ch07.check_contaminated(*values(), X, Y, window=WINDOW)


def test_contaminated_validates_inputs():
    early = Y.copy()
    early[10:20] = True
    cases = [
        (dict(x=X[:300], y=Y[:300]), ValueError, "more than 400 values"),
        (dict(x=np.where(np.arange(len(X)) == 5, np.nan, X)), ValueError, "x must be finite"),
        (dict(x=["a"] * len(X)), TypeError, "x must be numeric"),
        (dict(y=Y[:-1]), ValueError, "one label per value of x"),
        (dict(y=2 * Y.astype(int)), ValueError, "y must be binary"),
        (dict(y=np.zeros(len(X), bool)), ValueError, "no labelled step"),
        (dict(y=early), ValueError, "the clean start"),
        (dict(y=Y & (np.arange(len(X)) < START)), ValueError, r"y\[start:\]"),
        (dict(window=24.0), TypeError, "window must be"),
        (dict(window=1), ValueError, "window must be"),
    ]
    for changes, error, message in cases:
        arguments = dict(x=X, y=Y, window=WINDOW) | changes
        with pytest.raises(error, match=message):
            ch07.check_contaminated(CLEAN, DIRTY, **arguments)

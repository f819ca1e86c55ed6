"""The checks of Chapter 6's exercises: each accepts a right answer and names each usual mistake."""

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

from tslearnkit.exercises import ExerciseFeedback, ch06

# --- 6.1 z-normalisation ----------------------------------------------------------------------

RNG = np.random.default_rng(0)
X = RNG.uniform(0.5, 5, (8, 1)) * RNG.standard_normal((8, 30)) + RNG.uniform(-10, 10, (8, 1))


def per_series(X, ddof=0):
    return (X - X.mean(1, keepdims=True)) / X.std(1, ddof=ddof, keepdims=True)


@pytest.mark.parametrize("ddof", [0, 1])
def test_znormalized_right(ddof, capsys):
    ch06.check_znormalized(per_series(X, ddof), X)
    assert capsys.readouterr().out.startswith("Correct:")


@pytest.mark.parametrize(
    "answer, message",
    [
        ((X - X.mean(0)) / X.std(0), "axis=0"),
        ((X - X.mean()) / X.std(), "one mean and one std"),
        (X - X.mean(1, keepdims=True), "did not divide"),
        (X / X.std(1, keepdims=True), "did not subtract"),
        (per_series(X).T, r"= \(length, n_series\)"),
        (per_series(X)[:, :-1], "must have X's shape"),
        (per_series(X)[::-1], "reorder"),
        (per_series(X) * 1.1, "not 1"),
        (np.where(np.eye(8, 30) > 0, np.nan, per_series(X)), "NaN"),
        ("not an array", "numeric array"),
    ],
)
def test_znormalized_mistakes(answer, message):
    with pytest.raises(ExerciseFeedback, match=message):
        ch06.check_znormalized(answer, X)


def test_znormalized_validates_X():
    with pytest.raises(ValueError, match="X must be 2-D"):
        ch06.check_znormalized(X[0], X[0])
    with pytest.raises(TypeError, match="X must be numeric"):
        ch06.check_znormalized(X, "abc")


# --- 6.2 matched accuracy ---------------------------------------------------------------------


def matched_accuracy(y_true, y_pred):
    k = max(y_true.max(), y_pred.max()) + 1
    table = np.zeros((k, k), dtype=int)
    np.add.at(table, (y_pred, y_true), 1)
    rows, cols = linear_sum_assignment(table, maximize=True)
    return table[rows, cols].sum() / len(y_true)


def test_matched_accuracy_right(capsys):
    ch06.check_matched_accuracy(matched_accuracy)
    assert capsys.readouterr().out.startswith("Correct:")


def purity(y_true, y_pred):
    return sum(np.bincount(y_true[y_pred == c]).max() for c in np.unique(y_pred)) / len(y_true)


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda t, p: float(np.mean(t == p)), "plain accuracy"),
        (purity, "purity"),
        (lambda t, p: 100 * matched_accuracy(t, p), "percentage"),
        (lambda t, p: 1.0, "puts 0.5000"),
        (lambda t, p: "high", "must return one number"),
    ],
)
def test_matched_accuracy_mistakes(wrong, message):
    with pytest.raises(ExerciseFeedback, match=message):
        ch06.check_matched_accuracy(wrong)


def test_matched_accuracy_accepts_numpy_scalars(capsys):
    ch06.check_matched_accuracy(lambda t, p: np.float32(matched_accuracy(t, p)))
    assert capsys.readouterr().out.startswith("Correct:")


def test_matched_accuracy_needs_a_function():
    with pytest.raises(TypeError, match="matched_accuracy must be a function"):
        ch06.check_matched_accuracy(0.9)


# --- 6.3 DTW ----------------------------------------------------------------------------------


def dtw(a, b, cost=lambda u, v: (u - v) ** 2, root=True, free=False, diagonal=True):
    D = np.full((len(a) + 1, len(b) + 1), np.inf)
    D[0, 0] = 0.0
    if free:
        D[0, :] = D[:, 0] = 0.0
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            prev = [D[i - 1, j], D[i, j - 1]] + ([D[i - 1, j - 1]] if diagonal else [])
            D[i, j] = cost(a[i - 1], b[j - 1]) + min(prev)
    return float(np.sqrt(D[-1, -1]) if root else D[-1, -1])


def test_dtw_right(capsys):
    ch06.check_dtw(dtw)
    assert capsys.readouterr().out.startswith("Correct:")


def euclidean_or_dtw(a, b):
    return float(np.sqrt(((a - b) ** 2).sum())) if len(a) == len(b) else dtw(a, b)


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda a, b: dtw(a, b, root=False), "without the square root"),
        (lambda a, b: dtw(a, b, cost=lambda u, v: abs(u - v), root=False), "absolute differences"),
        (lambda a, b: dtw(a, b, cost=lambda u, v: abs(u - v)), "absolute differences"),
        (lambda a, b: dtw(a, b, free=True), r"D\[0, :\]"),
        (lambda a, b: dtw(a, b, free=True, root=False), "two things"),
        (lambda a, b: dtw(a, b, diagonal=False), "including the diagonal move"),
        (euclidean_or_dtw, "Euclidean distance"),
        (lambda a, b: dtw(a, b) + 0.5, "Fill D"),
        (lambda a, b: [dtw(a, b)], "must return one number"),
    ],
)
def test_dtw_mistakes(wrong, message):
    with pytest.raises(ExerciseFeedback, match=message):
        ch06.check_dtw(wrong)


def test_dtw_needs_a_function():
    with pytest.raises(TypeError, match="dtw must be a function"):
        ch06.check_dtw("dtw")

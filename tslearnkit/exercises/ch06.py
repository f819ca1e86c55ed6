"""Checks for the exercises of Chapter 6, *Time series clustering*.

- :func:`check_znormalized` — series z-normalised by hand, each over its own time axis;
- :func:`check_matched_accuracy` — accuracy after the best one-to-one matching of clusters to
  classes, which (like the ARI) does not change when the clusters are renamed;
- :func:`check_dtw` — DTW by dynamic programming, against :func:`tslearnkit.distances.cdist_dtw`.

Each check recomputes the usual wrong answers to say which mistake was made.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from .._validation import as_float_array, describe
from ..distances import cdist_dtw
from . import as_number, passed, require, require_function

__all__ = ["check_znormalized", "check_matched_accuracy", "check_dtw"]


# --- Exercise 6.1: z-normalise by hand ----------------------------------------------------------


def check_znormalized(X_z, X) -> None:
    """Check that ``X_z`` is ``X`` with every series z-normalised over its own time steps.

    Parameters
    ----------
    X_z : array-like of shape (n_series, length)
        The student's answer.
    X : array-like of shape (n_series, length)
        The raw series (no NaN).

    Prints
    ------
    The confirmation ``Correct: ...`` when the answer is right.

    Raises
    ------
    TypeError
        If ``X`` is not numeric.
    ValueError
        If ``X`` is not 2-D or contains NaN.
    ExerciseFeedback
        If ``X_z`` is not the per-series z-normalisation; the message says what was normalised
        instead (each time step across series, the whole array at once, mean or scale only).
    """
    X = as_float_array(X, "X")
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (n_series, length), got shape {X.shape}")
    if np.isnan(X).any():
        raise ValueError("X contains NaN; this check needs equal-length series without gaps")
    try:
        Z = as_float_array(X_z, "X_z")
    except TypeError:
        require(False, f"X_z must be a numeric array of shape {X.shape}, got {describe(X_z)}")
    n, L = X.shape
    require(
        Z.shape != (L, n),
        f"X_z has shape {Z.shape} = (length, n_series); keep X's shape {X.shape}, "
        f"one row per series (transpose it back with .T).",
    )
    require(Z.shape == X.shape, f"X_z has shape {Z.shape}; it must have X's shape {X.shape}.")
    require(
        not np.isnan(Z).any(),
        "X_z contains NaN: a series with standard deviation 0 divided by 0? "
        "None of these series is constant; check the axis of your std.",
    )
    mean = X.mean(axis=1, keepdims=True)
    right = [(X - mean) / X.std(axis=1, ddof=ddof, keepdims=True) for ddof in (0, 1)]
    if any(np.allclose(Z, r, atol=1e-6) for r in right):
        return passed(
            f"each of the {n} series has mean 0 and standard deviation 1 over its own {L} steps."
        )
    wrong = [
        (
            (X - X.mean(axis=0)) / X.std(axis=0),
            "you normalised each time step across the series (axis=0): now every column has mean 0, but the "
            "series keep their own offsets and gains. Take the mean and std of each series over its time "
            "steps, axis=1, keepdims=True.",
        ),
        (
            (X - X.mean()) / X.std(),
            "you normalised the whole array with one mean and one std: the differences between the series' "
            "offsets and gains remain. Use each series' own statistics, axis=1, keepdims=True.",
        ),
        (
            X - mean,
            "you subtracted each series' mean but did not divide by its standard deviation: the gains remain.",
        ),
        (
            X / X.std(axis=1, keepdims=True),
            "you divided by each series' standard deviation but did not subtract its mean: the offsets remain.",
        ),
    ]
    for candidate, feedback in wrong:
        require(
            not np.allclose(Z, candidate, atol=1e-6),
            f"X_z is not z-normalised per series: {feedback}",
        )
    means, stds = np.abs(Z.mean(axis=1)).max(), Z.std(axis=1)
    require(
        means < 1e-6,
        f"some series of X_z do not have mean 0 (largest |mean| {means:.3g}): subtract each "
        f"series' mean over its time steps, X.mean(axis=1, keepdims=True).",
    )
    require(
        np.allclose(stds, 1, atol=1e-2),
        f"the series of X_z have standard deviations from {stds.min():.3g} to {stds.max():.3g}, not 1: divide "
        f"by each series' std over its time steps, X.std(axis=1, keepdims=True).",
    )
    require(
        False,
        "X_z has mean 0 and std 1 per series but is not X z-normalised: did you reorder or change "
        "the series? Row i of X_z must come from row i of X.",
    )


# --- Exercise 6.2: accuracy after matching clusters to classes --------------------------------


def _matched(y_true, y_pred) -> float:
    """Accuracy under the best one-to-one map from cluster ids to classes (brute force, small k)."""
    classes, clusters = np.unique(y_true), np.unique(y_pred)
    best = 0
    for perm in itertools.permutations(classes, len(clusters)):
        mapping = dict(zip(clusters, perm))
        best = max(best, sum(mapping[p] == t for p, t in zip(y_pred, y_true)))
    return best / len(y_true)


def _purity(y_true, y_pred) -> float:
    return sum(np.bincount(y_true[y_pred == c]).max() for c in np.unique(y_pred)) / len(y_true)


def check_matched_accuracy(matched_accuracy) -> None:
    """Check a function ``matched_accuracy(y_true, y_pred)``: the share of series whose cluster,
    under the best one-to-one matching of cluster ids to classes, is their class.

    Parameters
    ----------
    matched_accuracy : callable
        ``y_true`` and ``y_pred``, integer arrays of shape ``(n,)`` with the same number of
        distinct values, both numbered 0 .. k-1; returns a float in [0, 1].

    Prints
    ------
    The confirmation ``Correct: ...`` when the answer is right.

    Raises
    ------
    ExerciseFeedback
        If a value is wrong: plain accuracy (no matching), purity (two clusters matched to one
        class), a percentage, or a value that changes when the clusters are renamed.
    """
    require_function(matched_accuracy, "matched_accuracy", "(y_true, y_pred) -> float")
    y_true = np.repeat([0, 1, 2], 4)  # 12 series, 3 classes
    cases = [
        ("a clustering equal to the classes", y_true.copy()),
        ("the same clustering with the ids renamed 0->1, 1->2, 2->0", (y_true + 1) % 3),
        (
            "a clustering that splits class 0 and merges classes 1 and 2",
            np.array([0, 0, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2]),
        ),
        ("an imperfect clustering", np.array([1, 1, 1, 0, 2, 2, 0, 2, 0, 0, 0, 1])),
    ]
    values = []
    for what, y_pred in cases:
        got = as_number(matched_accuracy(y_true.copy(), y_pred.copy()), "matched_accuracy")
        expected = _matched(y_true, y_pred)
        if abs(got - expected) < 1e-9:
            values.append(got)
            continue
        require(
            abs(got - 100 * expected) > 1e-6,
            f"matched_accuracy gives {got} for {what}: a percentage. Return a share between 0 and 1.",
        )
        require(
            abs(got - np.mean(y_true == y_pred)) > 1e-9,
            f"matched_accuracy gives {got} for {what}, the plain accuracy mean(y_true == y_pred): cluster ids "
            f"are arbitrary names, so match each cluster to a class first (the one-to-one matching with the "
            f"most series in common, e.g. scipy.optimize.linear_sum_assignment on the contingency table).",
        )
        require(
            abs(got - _purity(y_true, y_pred)) > 1e-9,
            f"matched_accuracy gives {got} for {what}, mapping each cluster to its most common class "
            f"(purity), which can send two clusters to the same class. The matching must be one-to-one: "
            f"each class gets one cluster (scipy.optimize.linear_sum_assignment).",
        )
        require(
            False,
            f"matched_accuracy gives {got} for {what}; the best one-to-one matching of clusters to "
            f"classes puts {expected:.4f} of the series in their class.",
        )
    return passed(
        f"your matched accuracy is {values[0]:.0f} for the classes themselves and for a renaming of "
        f"them, and {values[2]:.3f} (not purity's {_purity(y_true, cases[2][1]):.3f}) when two clusters "
        f"share a majority class."
    )


# --- Exercise 6.3: DTW by dynamic programming ------------------------------------------------


def _dtw(a, b, *, cost="squared", root=True, free_start=False):
    """DTW of two 1-D series, right or with one of the usual mistakes."""
    n, m = len(a), len(b)
    D = np.full((n + 1, m + 1), np.inf)
    D[0, 0] = 0.0
    if free_start:
        D[0, :] = 0.0
        D[:, 0] = 0.0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            c = (a[i - 1] - b[j - 1]) ** 2 if cost == "squared" else abs(a[i - 1] - b[j - 1])
            D[i, j] = c + min(D[i - 1, j], D[i, j - 1], D[i - 1, j - 1])
    value = D[n, m]
    return math.sqrt(value) if root else value


def check_dtw(dtw) -> None:
    """Check a function ``dtw(a, b)`` computing dynamic time warping by dynamic programming, against
    :func:`tslearnkit.distances.cdist_dtw`.

    Parameters
    ----------
    dtw : callable
        ``a`` and ``b``, 1-D float arrays (possibly of different lengths); returns a float, the
        square root of the smallest sum of squared differences along a warping path from
        ``(0, 0)`` to ``(len(a)-1, len(b)-1)``.

    Prints
    ------
    The confirmation ``Correct: ...`` when the answer is right.

    Raises
    ------
    ExerciseFeedback
        If a value differs from ``cdist_dtw``'s; the message names the usual mistakes (absolute
        instead of squared differences, no square root, a free start on the boundary, a missing
        move, the Euclidean distance).
    """
    require_function(dtw, "dtw", "(a, b) -> float")
    rng = np.random.default_rng(0)
    pairs = [
        (np.array([0.0, 1.0, 2.0, 1.0]), np.array([0.0, 0.0, 1.0, 2.0, 1.0]))
    ]  # b is a delayed by one step
    pairs += [
        (rng.standard_normal(rng.integers(4, 9)), rng.standard_normal(rng.integers(4, 9)))
        for _ in range(4)
    ]
    pairs += [
        (np.array([3.0, 0.0, 1.0, 2.0]), np.array([0.0, 1.0, 2.0, 5.0]))
    ]  # start and end must be matched
    a0, b0 = pairs[1]
    pairs += [(a0, a0 + 0.5)]  # equal lengths: the Euclidean distance is defined
    for a, b in pairs:
        got = as_number(dtw(a.copy(), b.copy()), "dtw")
        padded = np.full((2, max(len(a), len(b))), np.nan)
        padded[0, : len(a)], padded[1, : len(b)] = a, b
        expected = float(cdist_dtw(padded[:1, : len(a)], padded[1:, : len(b)])[0, 0])
        if abs(got - expected) <= 1e-6 * max(1.0, expected):
            continue
        require(
            math.isfinite(got),
            f"dtw returned {got}: no path reached the last cell. Start from D[0, 0] = 0 (the rest of row 0 "
            f"and column 0 +inf) and let every cell be reached three ways, including the diagonal move: "
            f"D[i, j] = (a[i-1] - b[j-1])**2 + min(D[i-1, j], D[i, j-1], D[i-1, j-1]).",
        )
        where = f"dtw({np.round(a, 3).tolist()}, {np.round(b, 3).tolist()}) = {got:.4f}, cdist_dtw gives {expected:.4f}"
        mistakes = [
            (
                dict(root=False),
                "you return the summed squared differences without the square root; DTW, like the "
                "Euclidean distance, is the square root of that sum.",
            ),
            (
                dict(cost="absolute", root=False),
                "you sum absolute differences |a_i - b_j|; the cost of a cell is the "
                "squared difference (a_i - b_j)**2, and DTW is the square root of "
                "the smallest sum.",
            ),
            (
                dict(cost="absolute"),
                "you sum absolute differences |a_i - b_j|; the cost of a cell is the squared "
                "difference (a_i - b_j)**2.",
            ),
            (
                dict(free_start=True),
                "your boundary lets a path start anywhere on the first row or column (you set "
                "D[0, :] and D[:, 0] to 0). Only D[0, 0] = 0; the rest of row 0 and column 0 "
                "is +inf, so every path starts by matching a[0] with b[0].",
            ),
            (
                dict(free_start=True, root=False),
                "two things: only D[0, 0] = 0 (the rest of row 0 and column 0 is "
                "+inf), and DTW is the square root of the smallest sum.",
            ),
        ]
        for options, feedback in mistakes:
            require(
                abs(got - _dtw(a, b, **options)) > 1e-6 * max(1.0, abs(got)), f"{where}: {feedback}"
            )
        if len(a) == len(b):
            require(
                abs(got - float(np.sqrt(((a - b) ** 2).sum()))) > 1e-6,
                f"{where}: that is the Euclidean distance, the diagonal path only. DTW takes the best path, "
                f"D[i, j] = (a_i - b_j)**2 + min(D[i-1, j], D[i, j-1], D[i-1, j-1]).",
            )
        require(
            False,
            f"{where}. Fill D (len(a)+1, len(b)+1) with +inf, set D[0, 0] = 0, then "
            f"D[i, j] = (a[i-1] - b[j-1])**2 + min(D[i-1, j], D[i, j-1], D[i-1, j-1]); "
            f"return sqrt(D[len(a), len(b)]).",
        )
    return passed(
        f"your DTW equals cdist_dtw on all {len(pairs)} pairs tried, series of different lengths "
        f"included (a shape delayed by one step is at distance 0)."
    )

"""Checks for the exercises of Chapter 8, *Global models, probabilistic forecasts, training across
processes*.

- :func:`check_pinball` — the mean pinball loss of one quantile level, against
  :func:`tslearnkit.evaluation.pinball_loss`;
- :func:`check_conformal` — split-conformal half-widths with numpy only, the ``k``-th smallest
  absolute residual per step with ``k = ceil((n + 1)(1 - alpha))``, against
  :func:`tslearnkit.evaluation.conformal_interval`;
- :func:`check_rank_batches` — the batches one rank trains on, as ``DistributedSampler`` and
  ``DataLoader`` give them (:func:`tslearnkit.distributed.make_loader`), and the property the
  chapter relies on: the ranks' ``k``-th batches together are the single process's ``k``-th batch.

Each check recomputes the usual wrong answers to say which mistake was made.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from .._validation import as_float_array, describe
from ..evaluation import conformal_interval, pinball_loss
from . import ExerciseFeedback, as_number, describe_answer, passed, require, require_function

__all__ = ["check_pinball", "check_conformal", "check_rank_batches"]


def _close(a: float, b: float) -> bool:
    """Equal up to a relative 1e-9 (and an absolute 1e-12 around zero)."""
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def _call_hint(error: Exception) -> str:
    """A hint for the usual exceptions of numpy code written for the exercises, or ''."""
    text = str(error)
    if isinstance(error, TypeError) and "scalar index" in text:
        return (
            " np.max(a, b) reads b as an axis: the element-wise maximum of two arrays is "
            "np.maximum(a, b)."
        )
    if isinstance(error, ValueError) and "truth value" in text:
        return (
            " Python's max(a, b) compares whole arrays: the element-wise maximum is "
            "np.maximum(a, b)."
        )
    if isinstance(error, TypeError) and "list" in text:
        return " Lists do not subtract: convert first, y = np.asarray(y, dtype=float)."
    return ""


# --- Exercise 8.1: the pinball loss -------------------------------------------------------------


def _pinball(y: np.ndarray, f: np.ndarray, q: float) -> np.ndarray:
    """The pinball loss of each point, no mean."""
    error = y - f
    return np.maximum(q * error, (q - 1) * error)


def _pinball_cases():
    """Hand cases, each telling the usual mistakes apart, then seeded random ones;
    (y, f, q, form) with ``form`` "array" or "list" (1-D only)."""
    cases = [
        # errors of both signs, q = 0.9: right 0.8, swapped 1.2, q|e| 1.8, sum 3.2, |e|/2 1.0
        (np.array([10.0, 10.0, 10.0, 10.0]), np.array([8.0, 12.0, 9.0, 13.0]), 0.9, "array"),
        (
            np.array([3.0, -1.0, 0.5, 2.0, 7.0]),
            np.array([2.0, 0.0, 0.5, 4.0, 6.5]),  # one forecast is exact
            0.1,
            "list",
        ),
        (
            np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]),
            np.array([[1.5, 1.0, 3.0], [2.0, 6.0, 7.5]]),
            0.5,
            "array",
        ),
        (np.array([0.0, 1.0, 2.0, 3.0]), np.array([1.0, 1.0, 1.0, 1.0]), 0.975, "list"),
    ]
    rng = np.random.default_rng(8)
    for i, q in enumerate([0.1, 0.25, 0.5, 0.75, 0.9, 0.975]):
        shape = (4, 12) if i % 3 == 2 else (30,)
        y = rng.normal(10.0, 3.0, shape)
        f = y + rng.normal(0.5 * (i - 2), 2.0, shape)  # biased either way, errors of both signs
        cases.append((y, f, q, "list" if i % 3 == 1 else "array"))
    return cases


def check_pinball(pinball_ex) -> None:
    """Check a function ``pinball_ex(y, f, q)``: the mean pinball loss of forecasts of one
    quantile level, ``mean(max(q * (y - f), (q - 1) * (y - f)))``.

    The function runs on hand cases and seeded random ones (1-D and 2-D numpy arrays, 1-D lists;
    ``q`` from 0.1 to 0.975) and is compared, to a relative 1e-9, with
    ``tslearnkit.evaluation.pinball_loss(y, f[..., None], [q])``.

    Parameters
    ----------
    pinball_ex : callable
        ``y`` and ``f``, observations and forecasts of one shape (numpy arrays, or lists when
        1-D), and ``q``, a float in (0, 1); returns the mean pinball loss as one number.

    Prints
    ------
    The confirmation ``Correct: ...`` when the answer is right.

    Raises
    ------
    TypeError
        If ``pinball_ex`` is not a function.
    ExerciseFeedback
        If a value is wrong; the message names the usual mistakes (``q`` and ``1 - q`` swapped,
        which is also what ``f - y`` as the error gives; ``q * |y - f|`` without the asymmetric
        max; the sum instead of the mean; half the absolute error whatever ``q``; not one
        number).

    Examples
    --------
    >>> import numpy as np
    >>> def pinball_ex(y, f, q):
    ...     error = np.asarray(y, dtype=float) - np.asarray(f, dtype=float)
    ...     return float(np.mean(np.maximum(q * error, (q - 1) * error)))
    >>> check_pinball(pinball_ex)  # doctest: +ELLIPSIS
    Correct: your pinball loss matches tslearnkit.evaluation.pinball_loss on 10 cases ...
    """
    require_function(pinball_ex, "pinball_ex", "(y, f, q) -> mean pinball loss")
    cases = _pinball_cases()
    for y, f, q, form in cases:
        y_in, f_in = (y.tolist(), f.tolist()) if form == "list" else (y.copy(), f.copy())
        kind = "lists" if form == "list" else "numpy arrays"
        shown = (
            f"y = {np.round(y, 3).tolist()}, f = {np.round(f, 3).tolist()} ({kind}), q = {q}"
            if y.ndim == 1 and len(y) <= 6
            else f"y and f of shape {y.shape} ({kind}), q = {q}"
        )
        try:
            out = pinball_ex(y_in, f_in, q)
        except Exception as error:
            raise ExerciseFeedback(
                f"pinball_ex raised {type(error).__name__} ({error}) on {shown}.{_call_hint(error)}"
            ) from error
        try:
            got = as_number(out, "pinball_ex")
        except ExerciseFeedback:
            hint = (
                " For 2-D inputs take the mean over all points: np.mean(...) with no axis."
                if y.ndim == 2 and getattr(out, "ndim", 0) >= 1
                else ""
            )
            raise ExerciseFeedback(
                f"pinball_ex must return one number, got {describe_answer(out)} on {shown}.{hint}"
            ) from None
        expected = pinball_loss(y, f[..., None], [q])
        if _close(got, expected):
            continue
        require(
            math.isfinite(got), f"pinball_ex returned {got} on {shown}; it must be a finite number."
        )
        error = y - f
        where = f"On {shown}, pinball_ex returns {got:.6g}; the mean pinball loss is {expected:.6g}"
        mistakes = [
            (
                _pinball(y, f, 1 - q).mean(),
                f"you priced under- and over-forecasts the wrong way round: q and 1 - q are "
                f"swapped (or you took f - y as the error with the same formula). With "
                f"e = y - f, a forecast below the truth (e > 0) costs q * e = {q:g} * e, one "
                f"above it costs (q - 1) * e = {1 - q:g} * |e|: np.maximum(q * e, (q - 1) * e).",
            ),
            (
                (q * np.abs(error)).mean(),
                f"you computed q * |y - f|, which prices both sides at {q:g}. The loss is "
                f"asymmetric: q * e when the forecast is below the truth, (q - 1) * e = "
                f"(1 - q) * |e| when it is above; np.maximum(q * e, (q - 1) * e) picks the one "
                f"that applies.",
            ),
            (
                _pinball(y, f, q).sum(),
                f"that is the sum of the {y.size} points' losses. Return their mean (np.mean), "
                f"which does not grow with the number of points and is what pinball_loss reports.",
            ),
            (
                0.5 * np.abs(error).mean(),
                f"that is half the absolute error, mean(|y - f|) / 2: the pinball loss at q = 0.5 "
                f"only. At q = {q:g} the two sides weigh q and 1 - q: "
                f"np.maximum(q * e, (q - 1) * e) with e = y - f.",
            ),
        ]
        for candidate, feedback in mistakes:
            require(not _close(got, float(candidate)), f"{where}: {feedback}")
        require(
            False,
            f"{where}. With e = np.asarray(y) - np.asarray(f), return "
            f"np.mean(np.maximum(q * e, (q - 1) * e)).",
        )
    y, f = np.array([10.0]), np.array([[9.0, 11.0]])
    return passed(
        f"your pinball loss matches tslearnkit.evaluation.pinball_loss on {len(cases)} cases "
        f"(1-D and 2-D, lists and arrays, q from 0.1 to 0.975). At q = 0.9 a forecast 1 below the "
        f"truth costs {_pinball(y, f[:, 0], 0.9)[0]:.1f} and one 1 above it "
        f"{_pinball(y, f[:, 1], 0.9)[0]:.1f}, so the loss is smallest at the 0.9-quantile."
    )


# --- Exercise 8.2: split-conformal half-widths --------------------------------------------------


def _check_alpha(alpha) -> float:
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real):
        raise TypeError(
            f"alpha must be a number in (0, 1) (the target miss rate, 0.1 for 90 % intervals), "
            f"got {describe(alpha)}"
        )
    if not 0 < alpha < 1:
        raise ValueError(
            f"alpha must be in (0, 1) (the target miss rate, 0.1 for 90 % intervals), got {alpha}"
        )
    return float(alpha)


def _ordinal(k: int) -> str:
    """1st, 2nd, 3rd, 4th, ..., 11th, 12th, 13th, ..., 21st, ..."""
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


def _kth(sorted_values: np.ndarray, k: int) -> np.ndarray:
    """The ``k``-th smallest (1-based) along axis 0 of sorted values; inf where ``k`` is past
    the end, the smallest where ``k < 1``."""
    n = sorted_values.shape[0]
    if k > n:
        return np.full(sorted_values.shape[1:], np.inf)
    return sorted_values[max(k, 1) - 1]


def _same(got: np.ndarray, candidate) -> bool:
    """``got`` equals ``candidate`` (broadcast) to a relative 1e-9; inf equals inf."""
    candidate = np.broadcast_to(np.asarray(candidate, dtype=float), got.shape)
    return bool(np.allclose(got, candidate, rtol=1e-9, atol=1e-12))


def check_conformal(half_width_ex, residuals, alpha) -> None:
    """Check split-conformal half-widths computed with numpy only: for each horizon step (column
    of ``residuals``), the ``k``-th smallest absolute residual, ``k = ceil((n + 1)(1 - alpha))``,
    and ``inf`` when ``k > n``; compared, to a relative 1e-9, with
    :func:`tslearnkit.evaluation.conformal_interval`.

    Parameters
    ----------
    half_width_ex : array-like of shape (H,)
        The student's half-widths, one per step (a numpy array, list or tensor).
    residuals : array-like of shape (n, H)
        The validation residuals, one row per window (finite).
    alpha : float in (0, 1)
        The target miss rate: 0.1 for 90 % intervals.

    Prints
    ------
    The confirmation ``Correct: ...`` when the answer is right.

    Raises
    ------
    TypeError
        If ``residuals`` is not numeric or ``alpha`` is not a number.
    ValueError
        If ``residuals`` is not 2-D with at least one row and finite values, or ``alpha`` is not
        in (0, 1).
    ExerciseFeedback
        If the half-widths are wrong; the message names the usual mistakes (``k = ceil(n(1 -
        alpha))`` without the ``+ 1``, ``ceil`` of a product that floating point puts just above
        a whole number, ``sorted[k]`` for the ``k``-th smallest, an interpolated
        ``np.quantile``, signed residuals, one value pooled over all steps, ``alpha`` in place
        of ``1 - alpha``, a wrong or transposed shape).

    Examples
    --------
    >>> import math
    >>> import numpy as np
    >>> r = np.random.default_rng(0).standard_normal((99, 3))
    >>> k = math.ceil((len(r) + 1) * (1 - 0.1))  # 90
    >>> check_conformal(np.sort(np.abs(r), axis=0)[k - 1], r, 0.1)  # doctest: +ELLIPSIS
    Correct: your half-widths match tslearnkit.evaluation.conformal_interval: k = ... = 90, ...
    """
    values = as_float_array(residuals, "residuals")
    if values.ndim != 2 or values.shape[0] < 1 or values.shape[1] < 1:
        raise ValueError(
            f"residuals must be 2-D (n windows, H steps) with at least one row and column, got "
            f"shape {values.shape}; for a single step use residuals.reshape(-1, 1)"
        )
    if not np.isfinite(values).all():
        raise ValueError("residuals must be finite, got NaN or infinity")
    alpha = _check_alpha(alpha)
    n, H = values.shape
    expected = conformal_interval(values, alpha)
    target = (n + 1) * (1 - alpha)
    k = math.ceil(target - 1e-9 * (n + 1))
    try:
        got = as_float_array(half_width_ex, "half_width_ex")
    except TypeError:
        raise ExerciseFeedback(
            f"half_width_ex must be an array of {H} numbers, one per step, got "
            f"{describe_answer(half_width_ex)}"
        ) from None
    require(
        not np.isnan(got).any(),
        "half_width_ex holds NaN; each half-width is a number (inf where k > n).",
    )
    absolute = np.sort(np.abs(values), axis=0)
    flat = np.sort(np.abs(values).ravel())
    pooled = [
        _kth(flat[:, None], math.ceil((n * H + 1) * (1 - alpha) - 1e-9 * (n * H + 1)))[0],
        np.quantile(np.abs(values), 1 - alpha),
    ]
    pooled_feedback = (
        f"you pooled the residuals of all {H} steps into one half-width. The errors grow with "
        f"the horizon, so each step gets its own: sort along axis 0 "
        f"(np.sort(np.abs(residuals), axis=0)) and take row k - 1."
    )
    rule = f"k = ceil((n + 1)(1 - alpha)) = ceil({n + 1} × {1 - alpha:.6g}) = {k}" + (
        f" > n = {n}, so every half-width is inf" if k > n else ""
    )
    if got.shape != (H,):
        if got.size == 1:
            require(
                not any(_same(got, p) for p in pooled),
                f"half_width_ex is one number, {got.ravel()[0]:.6g}: {pooled_feedback}",
            )
        require(
            not (got.size == H and _same(got.ravel(), expected)),
            f"half_width_ex has the right values but shape {got.shape}; return shape ({H},), one "
            f"half-width per step (e.g. .ravel()).",
        )
        require(
            got.shape != (n,),
            f"half_width_ex has shape {got.shape}, one value per window (row of residuals): you "
            f"worked along axis 1. Sort each step's n = {n} residuals, along axis 0, to get one "
            f"half-width per step, shape ({H},).",
        )
        require(
            False,
            f"half_width_ex has shape {got.shape}; residuals has shape ({n}, {H}), so it must be "
            f"({H},), one half-width per step (column).",
        )
    if _same(got, expected):
        values = [f"{v:.3g}" for v in expected]
        shown = "[" + ", ".join(values if H <= 6 else values[:3] + ["..."] + values[-2:]) + "]"
        if k > n:
            return passed(
                f"your half-widths match tslearnkit.evaluation.conformal_interval: {rule}. With "
                f"n = {n} residuals no finite half-width guarantees {1 - alpha:.0%} coverage."
            )
        return passed(
            f"your half-widths match tslearnkit.evaluation.conformal_interval: {rule}, so each "
            f"step's half-width is its {_ordinal(k)} smallest |residual| of n = {n}: {shown}. "
            f"The forecast ± half-width covers a new point with probability at least {1 - alpha:.0%} "
            f"when the residuals are exchangeable."
        )
    where = f"Your half-widths are {np.round(got, 4).tolist()[:6]}{' ...' if H > 6 else ''}; "
    where += f"{rule}, giving {np.round(expected, 4).tolist()[:6]}{' ...' if H > 6 else ''}"
    naive = math.ceil(target)
    k_without = math.ceil(n * (1 - alpha) - 1e-9 * n)
    mistakes = []
    if naive != k:
        mistakes.append(
            (
                _kth(absolute, naive),
                f"you took math.ceil({n + 1} * (1 - {alpha:g})), and floating point puts the "
                f"product at {target!r}, just above {round(target)}, so ceil gives {naive}. Round "
                f"it first: k = math.ceil(round((n + 1) * (1 - alpha), 9)).",
            )
        )
    mistakes += [
        (
            _kth(absolute, k_without),
            f"you took k = ceil(n(1 - alpha)) = {k_without}, without the + 1. "
            + (
                f"With it, k = {k} > n = {n}: no finite half-width has the finite-sample "
                f"guarantee, so return inf at every step (np.full({H}, np.inf))."
                if k > n
                else f"That is slightly too narrow and loses the finite-sample guarantee: the new "
                f"point is the (n + 1)-th, so k = ceil((n + 1)(1 - alpha)) = {k}."
            ),
        ),
        (
            _kth(absolute, k + 1),
            f"you took sorted[k], the {_ordinal(k + 1)} smallest; Python counts from 0, so the "
            f"k-th smallest is sorted[k - 1].",
        ),
    ]
    for method in ["linear", "higher", "lower", "nearest", "inverted_cdf"]:
        does = "interpolates between two residuals" if method == "linear" else "picks another one"
        mistakes.append(
            (
                np.quantile(np.abs(values), 1 - alpha, axis=0, method=method),
                f"that is np.quantile(np.abs(residuals), 1 - alpha, axis=0"
                f"{'' if method == 'linear' else f', method={method!r}'}), which "
                f"{does} instead of taking the {_ordinal(k)} smallest, "
                f"k = ceil((n + 1)(1 - alpha)): the order statistic "
                f"the guarantee is about. Sort the absolute residuals along axis 0 and take row "
                f"k - 1.",
            )
        )
    signed = np.sort(values, axis=0)
    mistakes += [
        (
            _kth(signed, k),
            "you sorted the signed residuals. The interval is forecast ± half-width, so what "
            "matters is the size of the error: sort np.abs(residuals).",
        ),
        (
            np.quantile(values, 1 - alpha, axis=0),
            "you took a quantile of the signed residuals. The interval is forecast ± half-width: "
            "sort np.abs(residuals) along axis 0 and take the k-th smallest.",
        ),
    ]
    mistakes += [(p, pooled_feedback) for p in pooled]
    k_alpha = math.ceil((n + 1) * alpha - 1e-9 * (n + 1))
    mistakes += [
        (
            candidate,
            f"you used alpha = {alpha:g} where 1 - alpha = {1 - alpha:g} belongs: that is a "
            f"{alpha:.0%} interval, not a {1 - alpha:.0%} one. k = ceil((n + 1)(1 - alpha)) = {k}.",
        )
        for candidate in [_kth(absolute, k_alpha), np.quantile(np.abs(values), alpha, axis=0)]
    ]
    for candidate, feedback in mistakes:
        require(not _same(got, candidate), f"{where}: {feedback}")
    require(
        False,
        f"{where}. Sort the absolute residuals along axis 0, np.sort(np.abs(residuals), axis=0), "
        f"and take row k - 1"
        + (" (or inf at every step when k > n)." if k <= n else "; here k > n: return inf."),
    )


# --- Exercise 8.3: each rank's batches ----------------------------------------------------------


def _rank_batches(order, rank, world_size, size, *, keep_last=False, trim=True, shards="strided"):
    """One rank's batches of ``size`` window indices, as DistributedSampler(shuffle=True,
    drop_last=True) and DataLoader(drop_last=True) give them; the options make the usual
    mistakes. ``shards``: "strided" (right), "block" (``len // world_size`` consecutive ones) or
    "array_split" (``np.array_split``)."""
    order = np.asarray(order)
    if shards == "block":
        share = len(order) // world_size
        mine = order[rank * share : (rank + 1) * share]
    elif shards == "array_split":
        mine = np.array_split(order, world_size)[rank]
    else:
        cut = len(order) - len(order) % world_size if trim else len(order)
        mine = order[:cut][rank::world_size]
    stop = len(mine) if keep_last else len(mine) - len(mine) % size
    return [mine[start : start + size] for start in range(0, stop, size)]


# (len(order), world_size, global_batch): remainders of the cut and incomplete last batches.
_BATCH_CASES = [
    (10, 1, 4),
    (22, 2, 6),
    (23, 3, 6),
    (50, 4, 8),
    (101, 3, 9),
    (37, 4, 12),
    (64, 4, 16),
    (30, 2, 30),
]


def _show(batches, limit: int = 3) -> str:
    shown = [np.asarray(b).tolist() for b in batches[:limit]]
    count = f"{len(batches)} batch{'' if len(batches) == 1 else 'es'}"
    return f"{shown}{' ...' if len(batches) > limit else ''} ({count})"


def _as_batches(out, shown: str) -> list:
    """A student's returned batches as a list of 1-D int arrays, or :class:`ExerciseFeedback`."""
    require(
        out is not None, f"batches_ex returned None on {shown}: add `return batches` at the end."
    )
    if hasattr(out, "ndim") and out.ndim == 1:
        require(
            False,
            f"batches_ex returned one flat sequence, {describe_answer(out)}, on {shown}; return "
            f"the list of this rank's batches, each an array of global_batch // world_size "
            f"window indices.",
        )
    try:
        batches = [as_float_array(b, "a batch") for b in out]
    except TypeError:
        raise ExerciseFeedback(
            f"batches_ex returned {describe_answer(out)} on {shown}; return a list of batches, "
            f"each a 1-D array (or list) of window indices."
        ) from None
    for b in batches:
        require(
            b.ndim == 1,
            f"batches_ex returned a batch of shape {b.shape} on {shown}"
            + (
                ": a single index, not a batch. Return a list of batches (arrays of indices), "
                "not one flat list of indices."
                if b.ndim == 0
                else "; each batch is a 1-D array of window indices."
            ),
        )
        require(
            np.isfinite(b).all() and (b == np.round(b)).all(),
            f"batches_ex returned a batch with values that are not whole numbers on {shown}; the "
            f"batches hold window indices taken from order.",
        )
    return [b.astype(np.int64) for b in batches]


def _equal(a: list, b: list) -> bool:
    return len(a) == len(b) and all(
        x.shape == np.shape(y) and np.array_equal(x, y) for x, y in zip(a, b)
    )


def check_rank_batches(batches_ex) -> None:
    """Check a function ``batches_ex(order, rank, world_size, global_batch)``: the batches rank
    ``rank`` of ``world_size`` trains on in one epoch.

    ``order`` is the epoch's permutation of the window indices, the same on every rank (the
    ``DistributedSampler`` of :func:`tslearnkit.distributed.make_loader` draws it with the shared
    seed). ``DistributedSampler(shuffle=True, drop_last=True)`` cuts it to
    ``len(order) - len(order) % world_size`` and gives rank ``r`` positions ``r, r + world_size,
    ...``; ``DataLoader(batch_size=global_batch // world_size, drop_last=True)`` cuts those into
    consecutive batches and drops an incomplete last one. The check runs every rank on several
    seeded permutations (1 to 4 ranks, ``global_batch`` divisible by ``world_size``), compares
    each batch, and checks that for every ``k`` the ranks' ``k``-th batches together hold the
    windows ``order[k * global_batch:(k + 1) * global_batch]``: the single process's ``k``-th
    batch.

    Parameters
    ----------
    batches_ex : callable
        ``order``, a 1-D numpy int array (a permutation), and ``rank``, ``world_size``,
        ``global_batch``, ints; returns a list of batches, each a 1-D array, list or tensor of
        ``global_batch // world_size`` window indices.

    Prints
    ------
    The confirmation ``Correct: ...`` when the answer is right.

    Raises
    ------
    TypeError
        If ``batches_ex`` is not a function.
    ExerciseFeedback
        If a rank's batches are wrong; the message names the usual mistakes (contiguous shards
        instead of every ``world_size``-th window, the global batch size on every rank, the
        incomplete last batch kept, ``world_size`` or ``rank`` ignored, ``order`` not cut to a
        multiple of ``world_size``) or says whether the ranks' ``k``-th batches still make up the
        single process's.

    Examples
    --------
    >>> def batches_ex(order, rank, world_size, global_batch):
    ...     size = global_batch // world_size
    ...     mine = order[: len(order) - len(order) % world_size][rank::world_size]
    ...     return [mine[i : i + size] for i in range(0, len(mine) - size + 1, size)]
    >>> check_rank_batches(batches_ex)  # doctest: +ELLIPSIS
    Correct: your batches match DistributedSampler + DataLoader on 8 cases ...
    """
    require_function(
        batches_ex, "batches_ex", "(order, rank, world_size, global_batch) -> list of batches"
    )
    rng = np.random.default_rng(8)
    for length, world_size, global_batch in _BATCH_CASES:
        order = rng.permutation(length)
        size = global_batch // world_size
        setting = f"len(order)={length}, world_size={world_size}, global_batch={global_batch}"
        got = []
        for rank in range(world_size):
            listed = order.tolist() if length <= 23 else "a permutation"
            shown = f"order = {listed} ({setting}), rank={rank}"
            try:
                out = batches_ex(order.copy(), rank, world_size, global_batch)
            except Exception as error:
                raise ExerciseFeedback(
                    f"batches_ex raised {type(error).__name__} ({error}) on {shown}."
                ) from error
            got.append(_as_batches(out, shown))
        right = [_rank_batches(order, r, world_size, size) for r in range(world_size)]
        if all(_equal(g, r) for g, r in zip(got, right)):
            continue
        rank = next(r for r in range(world_size) if not _equal(got[r], right[r]))
        where = (
            f"With {setting}, rank {rank} gets {_show(got[rank])} from your batches_ex; "
            f"DistributedSampler + DataLoader give {_show(right[rank])}"
        )
        round_robin = (
            "DistributedSampler deals the positions out in turn: rank r takes order[r::world_size] "
            "(after cutting order to a multiple of world_size)"
        )
        mistakes = [
            (
                [_rank_batches(order, 0, 1, global_batch)] * world_size,
                f"you ignored world_size: every rank trains on the whole permutation, in batches "
                f"of global_batch, so the {world_size} ranks repeat one another's work. "
                f"{round_robin}, in batches of global_batch // world_size = {size}.",
            ),
            (
                [_rank_batches(order, 0, 1, size)] * world_size,
                f"you ignored world_size when sharding: every rank takes the first windows of the "
                f"whole permutation, so the {world_size} ranks see the same batches. "
                f"{round_robin}.",
            ),
            (
                [_rank_batches(order, r, world_size, global_batch) for r in range(world_size)],
                f"your batches hold global_batch = {global_batch} windows on every rank, so one "
                f"step of {world_size} ranks sees {world_size * global_batch} windows, and the "
                f"update changes with world_size. Each rank takes global_batch // world_size = "
                f"{size}.",
            ),
            (
                [
                    _rank_batches(order, r, world_size, size, shards="block")
                    for r in range(world_size)
                ],
                f"each rank took a contiguous block of order (order[r * len // world_size:"
                f"(r + 1) * len // world_size]). Then the ranks' k-th batches together are not "
                f"order[k * global_batch:(k + 1) * global_batch], the single process's k-th batch, "
                f"so the updates change with world_size. {round_robin}.",
            ),
            (
                [
                    _rank_batches(order, r, world_size, size, shards="array_split")
                    for r in range(world_size)
                ],
                f"each rank took a contiguous block of order (np.array_split). Then the ranks' "
                f"k-th batches together are not order[k * global_batch:(k + 1) * global_batch], "
                f"the single process's k-th batch. {round_robin}.",
            ),
            (
                [
                    _rank_batches(order, r, world_size, size, keep_last=True)
                    for r in range(world_size)
                ],
                f"you kept the incomplete last batch. DataLoader(drop_last=True) drops it: every "
                f"batch holds global_batch // world_size = {size} windows, so every step has "
                f"the single process's batch size.",
            ),
            (
                [_rank_batches(order, r, world_size, size, trim=False) for r in range(world_size)],
                f"you did not cut order to a multiple of world_size first, so some ranks get more "
                f"batches than others (and DDP would wait for a rank that has stopped). "
                f"DistributedSampler(drop_last=True) keeps the first len(order) - len(order) % "
                f"world_size = {length - length % world_size} positions.",
            ),
            (
                [_rank_batches(order, 0, world_size, size)] * world_size,
                "every rank returns rank 0's batches: you ignored rank. Rank r takes "
                "order[r::world_size].",
            ),
        ]
        for candidate, feedback in mistakes:
            require(
                not all(_equal(g, c) for g, c in zip(got, candidate)),
                f"{where}: {feedback}",
            )
        batches = min(len(g) for g in got)
        union_holds = (
            all(len(g) == len(got[0]) for g in got)
            and all(
                np.array_equal(
                    np.sort(np.concatenate([g[j] for g in got])),
                    np.sort(order[j * global_batch : (j + 1) * global_batch]),
                )
                for j in range(batches)
            )
            and len(got[0]) == len(right[0])
        )
        require(
            not union_holds,
            f"{where}. The ranks' k-th batches together do hold order[k * global_batch:(k + 1) * "
            f"global_batch], so the updates would be right, but not on the ranks and in the "
            f"order DistributedSampler gives them: {round_robin}, then consecutive batches of "
            f"{size}.",
        )
        require(
            False,
            f"{where}. Then the ranks' k-th batches together are not the single process's k-th "
            f"batch, order[k * global_batch:(k + 1) * global_batch]. {round_robin}, then split "
            f"into consecutive batches of {size}, dropping an incomplete last one.",
        )
    return passed(
        f"your batches match DistributedSampler + DataLoader on {len(_BATCH_CASES)} cases (1 to 4 "
        f"ranks): cut to a multiple of world_size, every world_size-th window, batches of "
        f"global_batch // world_size, no incomplete batch. So for every k the ranks' k-th batches "
        f"together are order[k * global_batch:(k + 1) * global_batch], the single process's "
        f"k-th batch, and the averaged gradient does not depend on the number of processes."
    )

"""Compiled CPU kernels for DTW (numba), behind the internal API of ``tslearnkit._engine``.

The torch wavefront in :mod:`tslearnkit.distances` is the reference, the autograd path for a
tensor that requires grad, and the GPU path; these kernels are what a CPU runs otherwise.

DTW fills each pair's cumulative-cost matrix row by row, so row ``i`` depends only on row
``i - 1`` and on its own previous cell: a serial chain per pair. The kernels therefore run
``LANES`` pairs side by side. A block of pairs is stored *lane-minor*, ``x (n, d, LANES)``, so that
the innermost loop, over the lanes, is independent and contiguous and compiles to SIMD
instructions; threads take blocks. Two rows per block are kept (``O(m)`` memory per pair), and a
Sakoe-Chiba band restricts the loop bounds, so the work is about ``(2 * window + 1) / m`` of the
full matrix. Padded steps hold 0: a pair reads its answer at its own cell ``(n_p, m_p)``, which
depends on no cell beyond its lengths.

Soft-DTW stays on the torch wavefront, on a CPU too: it needs two ``exp`` and a ``log`` per
cell, which torch evaluates in SIMD and a numba loop here one at a time (a scalar kernel measured
about 2x slower than the wavefront for the matrix and 1.6x for its gradient).

Every function here takes checked, C-contiguous numpy arrays (float64 or float32, lengths int64)
and trusts them: validate before calling. Compiled on first use and cached on disk
(``cache=True``), so a fresh install pays the compile time once.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
from numba import njit

LANES = 64  # pairs per block: 16 AVX2 vectors of float64, enough independent chains per row

_jit = dict(cache=True, nogil=True, error_model="numpy")


# --- blocks of pairs ------------------------------------------------------------------------


@njit(**_jit)
def _gather(X, index, length, out):
    """``out[t, k, p] = X[index[p], t, k]`` for ``t < length``; lanes past ``len(index)`` get 0."""
    lanes = out.shape[2]
    for t in range(length):
        for k in range(X.shape[2]):
            for p in range(lanes):
                out[t, k, p] = X[index[p], t, k] if p < index.shape[0] else 0.0


@njit(**_jit)
def _load_block(X, a, n, Y, c, m):
    """A block's series, lane-minor: ``X[a]`` over ``n`` steps and ``Y[c]`` over ``m``, and
    its two rows of cumulative costs."""
    dim = X.shape[2]
    xb = np.empty((n, dim, LANES), X.dtype)
    yb = np.empty((m, dim, LANES), X.dtype)
    _gather(X, a, n, xb)
    _gather(Y, c, m, yb)
    return xb, yb, np.empty((m + 1, LANES), X.dtype), np.empty((m + 1, LANES), X.dtype)


@njit(**_jit)
def _band_limits(n_len, m_len, window, lanes, low, high):
    """Per lane, the allowed ``j - i`` (tslearn's band), and the union over the block."""
    lo_all, hi_all = 1 << 30, -(1 << 30)
    for p in range(lanes):
        delta = m_len[p] - n_len[p]
        if window < 0:  # no band
            low[p], high[p] = -(1 << 30), 1 << 30
        else:
            low[p] = min(0, delta) - window
            high[p] = max(0, delta) + window
        lo_all = min(lo_all, low[p])
        hi_all = max(hi_all, high[p])
    return lo_all, hi_all


@njit(**_jit)
def _dtw_block(xb, yb, n_len, m_len, lanes, window, prev, cur, out, moves=None):
    """Squared DTW of one block: ``xb (n, d, L)``, ``yb (m, d, L)``; ``out[p]`` for ``p < lanes``.

    With ``moves (n, m, L)`` int8, also records each cell's best predecessor for the trace-back:
    0 = (i-1, j-1), 1 = (i-1, j), 2 = (i, j-1), the first minimum winning ties (tslearn's order).
    It is a second, branch-free pass over the row (one fused loop does not compile to SIMD).
    """
    n, dim, width = xb.shape
    m = yb.shape[0]
    inf = np.inf
    low = np.empty(width, np.int64)
    high = np.empty(width, np.int64)
    # lanes past `lanes` repeat lane 0's lengths so that they never widen the band
    nl = np.empty(width, np.int64)
    ml = np.empty(width, np.int64)
    for p in range(width):
        nl[p] = n_len[p] if p < lanes else n_len[0]
        ml[p] = m_len[p] if p < lanes else m_len[0]
    lo_all, hi_all = _band_limits(nl, ml, window, width, low, high)
    uniform = True
    for p in range(width):
        if low[p] != lo_all or high[p] != hi_all:
            uniform = False
    for j in range(m + 1):
        for p in range(width):
            prev[j, p] = inf
    for p in range(width):
        prev[0, p] = 0.0
    for i in range(1, n + 1):
        jl = max(1, i + lo_all)
        jh = min(m, i + hi_all)
        for p in range(width):
            cur[jl - 1, p] = inf
        if jh < m:
            for p in range(width):
                cur[jh + 1, p] = inf
        if dim == 1:
            xi = xb[i - 1, 0]
            for j in range(jl, jh + 1):
                yj, up, left, here = yb[j - 1, 0], prev[j], cur[j - 1], cur[j]
                diagonal = prev[j - 1]
                for p in range(LANES):
                    diff = xi[p] - yj[p]
                    a = diagonal[p]
                    b = up[p]
                    c = left[p]
                    best = a if a < b else b
                    best = best if best < c else c
                    here[p] = diff * diff + best
        for j in range(jl, jh + 1):
            if dim > 1:
                for p in range(width):
                    cost = 0.0
                    for k in range(dim):
                        diff = xb[i - 1, k, p] - yb[j - 1, k, p]
                        cost += diff * diff
                    a = prev[j - 1, p]
                    b = prev[j, p]
                    c = cur[j - 1, p]
                    best = a if a < b else b
                    best = best if best < c else c
                    cur[j, p] = cost + best
            if not uniform:  # lanes whose own band excludes (i, j)
                for p in range(width):
                    if j - i < low[p] or j - i > high[p]:
                        cur[j, p] = inf
        if moves is not None:
            for j in range(jl, jh + 1):
                row = moves[i - 1, j - 1]
                for p in range(width):
                    a = prev[j - 1, p]
                    b = prev[j, p]
                    c = cur[j - 1, p]
                    row[p] = (np.int8(a > b) | np.int8(a > c)) * (np.int8(1) + np.int8(b > c))
        for p in range(lanes):
            if nl[p] == i:
                out[p] = cur[ml[p], p]
        prev, cur = cur, prev


@njit(**_jit)
def dtw_blocks(X, lx, Y, ly, ii, jj, window, first, last, out):
    """Squared DTW of the pairs ``(X[ii[q]], Y[jj[q]])`` of blocks ``first .. last - 1`` into
    ``out``.

    ``X (nx, Lx, d)``, ``Y (ny, Ly, d)`` with padding set to 0, true lengths ``lx``, ``ly``;
    ``window`` < 0 means no band. Pairs should be sorted by length so that a block's grid is not
    much larger than its longest pair. Releases the GIL: threads take disjoint block ranges.
    """
    n_pairs = ii.shape[0]
    for b in range(first, last):
        start = b * LANES
        stop = min(start + LANES, n_pairs)
        lanes = stop - start
        a, c = ii[start:stop], jj[start:stop]
        n_len, m_len = lx[a], ly[c]
        n, m = n_len.max(), m_len.max()
        xb, yb, prev, cur = _load_block(X, a, n, Y, c, m)
        _dtw_block(xb, yb, n_len, m_len, lanes, window, prev, cur, out[start:stop])


# --- DTW alignments for DBA -----------------------------------------------------------------


@njit(**_jit)
def dba_blocks(centres, X, lx, labels, members, window, first, last, sums, counts, cost):
    """One DBA round's sufficient statistics for every cluster at once.

    Aligns each series ``X[members[q]]`` with its centre ``centres[labels[members[q]]]``
    (``(k, L, d)``) and adds to ``sums (k, L, d)`` the series values aligned to each centre
    point, to ``counts (k, L)`` their number, and to ``cost (k,)`` the squared DTW. Does blocks
    ``first .. last - 1`` of ``LANES`` series; releases the GIL, so threads take disjoint block
    ranges, each with sums of its own.
    """
    k, L, dim = centres.shape
    n_pairs = members.shape[0]
    for b in range(first, last):
        start = b * LANES
        stop = min(start + LANES, n_pairs)
        lanes = stop - start
        series = members[start:stop]
        owner = labels[series]
        n_len = np.full(lanes, L, np.int64)
        m_len = lx[series]
        m = m_len.max()
        xb, yb, prev, cur = _load_block(centres, owner, L, X, series, m)
        moves = np.empty((L, m, LANES), np.int8)
        squared = np.empty(lanes, X.dtype)
        _dtw_block(xb, yb, n_len, m_len, lanes, window, prev, cur, squared, moves)
        for p in range(lanes):
            c = owner[p]
            cost[c] += squared[p]
            i, j = L, m_len[p]
            while True:  # trace back from (L, m_p) to (1, 1)
                for f in range(dim):
                    sums[c, i - 1, f] += X[series[p], j - 1, f]
                counts[c, i - 1] += 1.0
                if i == 1 and j == 1:
                    break
                if i == 1:
                    j -= 1
                elif j == 1:
                    i -= 1
                else:
                    move = moves[i - 1, j - 1, p]
                    if move == 0:
                        i -= 1
                        j -= 1
                    elif move == 1:
                        i -= 1
                    else:
                        j -= 1


# --- threads --------------------------------------------------------------------------------


def n_blocks(n_pairs):
    return (n_pairs + LANES - 1) // LANES


_pools = {}


def run_blocks(threads, n, work):
    """Call ``work(first, last)`` on ``threads`` disjoint ranges of the ``n`` blocks at once.

    Python threads, not numba's parallel layer: the kernels release the GIL, and an OpenMP pool
    that numba started would keep spinning beside torch's own and slow torch's next operations.
    The pool of each size is made once and kept.
    """
    threads = max(1, min(int(threads), n))
    if threads == 1:
        return [work(0, n)]
    bounds = [n * t // threads for t in range(threads + 1)]
    if threads not in _pools:
        _pools[threads] = ThreadPoolExecutor(threads, thread_name_prefix="tslearnkit-dtw")
    return list(_pools[threads].map(work, bounds[:-1], bounds[1:]))

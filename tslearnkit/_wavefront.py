"""The torch wavefront for DTW and soft-DTW: all pairs of a chunk, one anti-diagonal at a time.

Every cell of an anti-diagonal of a pair's cumulative-cost matrix depends only on the two
diagonals before it, so one tensor operation updates that diagonal for a whole chunk of pairs at
once. Tensors are *time-major*: a chunk of P pairs is ``x (n, P, d)`` and the second series
reversed, ``yr (m, P, d)``, so that both the cells of a diagonal and the series values they need
are contiguous slices.

This is the path chapter 6 teaches, the autograd path of soft-DTW (a hand-written backward pass)
and the GPU path. On a CPU, DTW without gradients runs on the compiled kernels of
``tslearnkit._dtw_kernels`` instead: the wavefront issues a few tensor operations per
diagonal, and on small chunks their dispatch, not the arithmetic, is the cost.

Lengths: the chunk loop decides everything it can from the CPU copies of the lengths, so that a
GPU run does not wait for the device between chunks.
"""

from __future__ import annotations

import math

import numpy as np
import torch

# Bytes of working memory per chunk of pairs (measured: benchmarks/dtw.py --chunks). One CPU thread
# is fastest when a chunk stays in its L2 cache; several threads only share an operation that has
# more than 32,768 elements, so they want big chunks; a GPU wants bigger still.
CPU_CHUNK_BYTES_ONE_THREAD = 2 * 2**20
CPU_CHUNK_BYTES_PER_THREAD = 8 * 2**20
GPU_CHUNK_BYTES = 1 * 2**30
STORED_CHUNK_BYTES = (
    128 * 2**20
)  # per CPU thread, when every diagonal is kept (DBA paths, soft-DTW backward)

# --- the anti-diagonal sweep ------------------------------------------------------------------


def _to(tensor, device):
    """A CPU tensor on ``device`` without waiting for the device (pinned when it is a GPU)."""
    if device.type == "cuda":
        return tensor.pin_memory().to(device, non_blocking=True)
    return tensor.to(device)


class _Grid:
    """The cumulative-cost matrices of a chunk of P pairs, walked one anti-diagonal at a time.

    Cell ``(i, j)`` (1-based; row 0 and column 0 are the boundary) lies on diagonal ``d = i + j``
    and is stored at row ``i`` of that diagonal's ``(n + 1, P)`` slice. Its local cost is
    ``||x[i-1] - y[j-1]||^2`` with ``y[j-1] = yr[m - j]``, so a diagonal's costs need the
    contiguous slices ``x[lo-1:hi]`` and ``yr[m-d+lo : m-d+hi+1]``.
    """

    def __init__(self, x, yr, n_len, m_len, window):
        """``n_len``, ``m_len``: each pair's true lengths, ``(P,)`` int64 *on the CPU*."""
        self.x, self.yr = x, yr  # (n, P, d), (m, P, d)
        self.n, self.P, self.dim = x.shape
        self.m = yr.shape[0]
        device = x.device
        equal = bool(((n_len == self.n) & (m_len == self.m)).all())
        # each pair's answer is cell (n_p, m_p): row n_p of diagonal n_p + m_p
        self.targets = {}
        if equal:
            self.targets[self.n + self.m] = (slice(None), self.n)
        else:
            ends = n_len + m_len
            for d in torch.unique(ends).tolist():
                pairs = torch.nonzero(ends == d)[:, 0]
                self.targets[d] = (_to(pairs, device), _to(n_len[pairs], device))
        # Sakoe-Chiba band as tslearn draws it: min(0, m-n) - r <= j - i <= max(0, m-n) + r
        self.pair_band = None
        if window is None:
            self.band = None
        elif equal:
            delta = self.m - self.n
            self.band = (min(0, delta) - window, max(0, delta) + window)
        else:
            delta = m_len - n_len
            low, high = delta.clamp(max=0) - window, delta.clamp(min=0) + window  # (P,)
            self.band = (int(low.min()), int(high.max()))
            self.pair_band = (_to(low, device), _to(high, device))
            self.rows = torch.arange(self.n + 1, device=device)
        self._cost = x.new_empty((self.n, self.P))

    def span(self, d):
        """First and last row of diagonal ``d`` inside the grid and the band (may be empty)."""
        lo, hi = max(1, d - self.m), min(self.n, d - 1)
        if self.band is not None:
            lo = max(lo, -((self.band[1] - d) // 2))  # ceil((d - high) / 2)
            hi = min(hi, (d - self.band[0]) // 2)
        return lo, hi

    def cost(self, d, lo, hi, keep_diff=False):
        """Local costs of rows lo..hi of diagonal d, ``(hi-lo+1, P)``; +inf outside a pair's band.

        With ``keep_diff`` also returns ``x_i - y_j``, ``(hi-lo+1, P, d)``, as new tensors.
        """
        xs, ys = self.x[lo - 1 : hi], self.yr[self.m - d + lo : self.m - d + hi + 1]  # (cnt, P, d)
        if keep_diff:
            diff = xs - ys
            cost = (diff * diff).sum(-1)
        elif self.dim == 1:
            cost = self._cost[: hi - lo + 1]
            torch.sub(xs[..., 0], ys[..., 0], out=cost)
            cost.mul_(cost)
        else:
            cost = self._cost[: hi - lo + 1]
            diff = xs - ys
            torch.sum(diff * diff, -1, out=cost)
        if self.pair_band is not None:
            offset = d - 2 * self.rows[lo : hi + 1, None]  # j - i, (cnt, 1)
            low, high = self.pair_band
            cost.masked_fill_((offset < low) | (offset > high), math.inf)
        return (cost, diff) if keep_diff else cost


def _sweep(grid, gamma=None, keep_all=False, workspace=None):
    """Cumulative cost ``R[n_p, m_p]`` of every pair, ``(P,)``: DTW's squared distance if
    ``gamma`` is None, else soft-DTW.

    Only three diagonals are kept, in rotation, unless ``keep_all``: then every diagonal is kept
    and returned too, ``(n + m + 1, n + 1, P)``, in ``workspace`` (a flat tensor) if it is big
    enough. Only the rows a diagonal computes and the rows just outside them are ever read back,
    so those outside rows are set to +inf instead of filling whole buffers.
    """
    n, m, P, x = grid.n, grid.m, grid.P, grid.x
    shape = (n + m + 1 if keep_all else 3, n + 1, P)
    if workspace is not None and workspace.numel() >= math.prod(shape):
        R = workspace[: math.prod(shape)].view(shape)
    else:
        R = x.new_empty(shape)
    (R[:2] if keep_all else R).fill_(math.inf)  # rows above a diagonal's span must read as +inf
    R[0, 0] = 0.0  # the empty prefix pair costs nothing
    diagonals = R.unbind(0)  # views, so that the loop only indexes a Python list
    slots = len(diagonals)
    fused = gamma is None and grid.dim == 1 and grid.pair_band is None
    x1, yr1 = x[:, :, 0], grid.yr[:, :, 0]  # (n, P), (m, P)
    out = x.new_empty(P)
    for d in range(2, n + m + 1):
        cur, prev, prev2 = (
            diagonals[d % slots],
            diagonals[(d - 1) % slots],
            diagonals[(d - 2) % slots],
        )
        lo, hi = grid.span(d)
        if lo > hi:  # no cell of this diagonal is inside the band
            cur.fill_(math.inf)
            continue
        if keep_all or lo > 1 or d == 3 or grid.band is not None:
            cur[lo - 1].fill_(math.inf)  # boundary, or a stale row: read by the next two diagonals
        if keep_all and hi < n:
            cur[hi + 1].fill_(math.inf)
        up, left, diag = (
            prev[lo - 1 : hi],
            prev[lo : hi + 1],
            prev2[lo - 1 : hi],
        )  # (i-1,j) (i,j-1) (i-1,j-1)
        if gamma is None:
            best = torch.minimum(up, left)
            torch.minimum(best, diag, out=best)
            if fused:  # univariate: cost = (x - y)^2, fused into the add
                diff = x1[lo - 1 : hi] - yr1[m - d + lo : m - d + hi + 1]  # (cnt, P)
                torch.addcmul(best, diff, diff, out=cur[lo : hi + 1])
            else:
                torch.add(best, grid.cost(d, lo, hi), out=cur[lo : hi + 1])
        else:  # soft-min: -gamma * log(sum(exp(-r / gamma)))
            soft = torch.logsumexp(torch.stack((up, left, diag)).div_(-gamma), 0)
            torch.add(grid.cost(d, lo, hi), soft, alpha=-gamma, out=cur[lo : hi + 1])
        if d in grid.targets:
            pairs, rows = grid.targets[d]
            out[pairs] = cur[rows, pairs]
    return (out, R) if keep_all else out


def _soft_backward(grid, R, gamma, grad):
    """Gradients of soft-DTW with respect to ``x`` and ``yr`` (Cuturi & Blondel 2017, Alg. 2).

    ``E[i, j] = dR[n, m] / dR[i, j]`` runs backwards over the diagonals; each successor passes on
    its own E times the soft-min weight of ``R[i, j]`` in it, ``exp((S_succ - R[i, j]) / gamma)``,
    where ``S_succ = R_succ - cost_succ`` is the successor's soft-min. Since ``dR[n, m] /
    dcost[i, j] = E[i, j]``, the input gradients follow from ``dcost / dx_i = 2 (x_i - y_j)``.
    """
    n, m, P, x = grid.n, grid.m, grid.P, grid.x
    E = x.new_zeros((3, n + 2, P))  # E of diagonals d, d+1, d+2 in rotation
    S = x.new_full((3, n + 2, P), -math.inf)  # soft-min of the same; -inf where no cell
    grad_x, grad_yr = torch.zeros_like(x), torch.zeros_like(grid.yr)
    for d in range(n + m, 1, -1):
        e_cur, s_cur = E[d % 3], S[d % 3]
        e_cur.zero_()
        s_cur.fill_(-math.inf)
        lo, hi = grid.span(d)
        if lo > hi:
            continue
        e1, s1, e2, s2 = E[(d + 1) % 3], S[(d + 1) % 3], E[(d + 2) % 3], S[(d + 2) % 3]
        cost, diff = grid.cost(d, lo, hi, keep_diff=True)  # (cnt, P), (cnt, P, dim)
        r = R[d, lo : hi + 1]  # (cnt, P)
        unreachable = torch.isinf(r)
        s_cur[lo : hi + 1] = torch.where(unreachable, -math.inf, r - cost)
        e = (
            e1[lo + 1 : hi + 2] * torch.exp((s1[lo + 1 : hi + 2] - r) / gamma)  # (i+1, j)
            + e1[lo : hi + 1] * torch.exp((s1[lo : hi + 1] - r) / gamma)  # (i, j+1)
            + e2[lo + 1 : hi + 2] * torch.exp((s2[lo + 1 : hi + 2] - r) / gamma)  # (i+1, j+1)
        )
        e = torch.where(unreachable, 0.0, e)
        if d in grid.targets:  # a pair's last cell: E = the incoming gradient
            pairs, rows = grid.targets[d]
            if isinstance(pairs, slice):
                e[rows - lo] = grad
            else:
                e[rows - lo, pairs] = grad[pairs]
        e_cur[lo : hi + 1] = e
        step = 2.0 * e.unsqueeze(-1) * diff  # (cnt, P, dim)
        grad_x[lo - 1 : hi] += step
        grad_yr[m - d + lo : m - d + hi + 1] -= step
    return grad_x, grad_yr


class _SoftDTW(torch.autograd.Function):
    """Soft-DTW of a chunk of pairs with a hand-written backward pass (the E recursion)."""

    @staticmethod
    def forward(ctx, x, yr, n_len, m_len, window, gamma):
        grid = _Grid(x, yr, n_len, m_len, window)
        if not any(ctx.needs_input_grad[:2]):
            return _sweep(grid, gamma)
        value, R = _sweep(grid, gamma, keep_all=True)
        ctx.save_for_backward(x, yr, n_len, m_len, R)
        ctx.window, ctx.gamma = window, gamma
        return value

    @staticmethod
    def backward(ctx, grad):
        x, yr, n_len, m_len, R = ctx.saved_tensors
        grid = _Grid(x, yr, n_len, m_len, ctx.window)
        grad_x, grad_yr = _soft_backward(grid, R, ctx.gamma, grad.contiguous())
        return grad_x, grad_yr, None, None, None, None


def _dtw_paths(x, yr, n_len, m_len, window, workspace=None):
    """Optimal DTW paths of a chunk of pairs, traced back from ``(n_p, m_p)`` to ``(1, 1)``.

    Returns the squared DTW ``(P,)`` and the path's cells as 1-based ``rows`` and ``cols``,
    ``(steps, P)`` each, with ``live (steps, P)`` False after a pair's path has ended. Ties go to
    the diagonal step, then to ``(i-1, j)``, as in tslearn. ``workspace``: a flat tensor reused
    for the stored diagonals if it is big enough (fresh memory costs page faults every round).
    """
    grid = _Grid(x, yr, n_len, m_len, window)
    squared, R = _sweep(grid, keep_all=True, workspace=workspace)  # R (n + m + 1, n + 1, P)
    P, width = grid.P, R.shape[1] * grid.P  # width: elements per diagonal
    pair = torch.arange(P, device=x.device)
    steps = int((n_len + m_len).max()) - 1  # a path has at most n + m - 1 cells
    n_len, m_len = _to(n_len, x.device), _to(m_len, x.device)
    where = (n_len + m_len) * width + n_len * P + pair  # flat index of cell (n_p, m_p)
    start = 2 * width + P + pair  # cell (1, 1)
    moves = torch.tensor(
        [-2 * width - P, -width - P, -width], device=x.device
    )  # (i-1,j-1) (i-1,j) (i,j-1)
    flat = R.reshape(-1)
    xp = torch  # the walk is many tiny steps: on a CPU, numpy's lower per-call cost makes it ~3x faster
    if x.device.type == "cpu":
        xp, flat, where, start, moves = (
            np,
            flat.numpy(),
            where.numpy(),
            start.numpy(),
            moves.numpy(),
        )
    trail = []
    for _ in range(steps):
        trail.append(where)
        move = flat.take(where[:, None] + moves).argmin(1)  # (P,): the first minimum wins ties
        where = xp.where(where == start, where, where + moves[move])
    trail = torch.as_tensor(xp.stack(trail), device=x.device)  # (steps, P) flat cell indices
    live = (
        torch.cumsum(trail == torch.as_tensor(start, device=x.device)[None], 0) <= 1
    )  # each cell once
    rows = trail % width // P
    return squared, rows, trail // width - rows, live


def _chunk_pairs(x_len, y_len, dim, stored, device):
    """Default number of pairs per chunk from the working memory of one pair."""
    per_pair = 8 * (3 * (x_len + 1) + 3 * x_len * dim + y_len * dim)
    if stored:
        per_pair += 8 * (x_len + y_len + 1) * (x_len + 1)
        budget = (
            GPU_CHUNK_BYTES
            if device.type == "cuda"
            else STORED_CHUNK_BYTES * torch.get_num_threads()
        )
    elif device.type == "cuda":
        budget = GPU_CHUNK_BYTES
    else:
        threads = torch.get_num_threads()
        budget = (
            CPU_CHUNK_BYTES_ONE_THREAD if threads == 1 else CPU_CHUNK_BYTES_PER_THREAD * threads
        )
    return max(1, budget // per_pair)


def _pair_values(kernel, X, lx, Y, ly, pairs, chunk_size, stored=False):
    """Run ``kernel(x, yr, n_len, m_len)`` over the pairs ``(ii, jj)`` in chunks; returns ``(n_pairs,)``.

    ``X (nx, Lx, d)`` and ``Y (ny, Ly, d)`` as from ``_check_series``. Pairs are sorted by their
    lengths first so that a chunk's grid is not much larger than its longest pair. The lengths
    and pairs are brought to the CPU once: the loop never waits for a GPU.
    """
    ii, jj = (p.cpu() for p in pairs)
    lx, ly = lx.cpu(), ly.cpu()
    device = X.device
    Xt = X.transpose(0, 1)  # (Lx, nx, d)
    Yr = Y.flip(1).transpose(0, 1)  # (Ly, ny, d), time reversed
    Lx, Ly = X.shape[1], Y.shape[1]
    varying = bool((lx != Lx).any() or (ly != Ly).any())
    order = torch.argsort(lx[ii] * (Ly + 1) + ly[jj]) if varying else None
    if order is not None:
        ii, jj = ii[order], jj[order]
    chunk = chunk_size or _chunk_pairs(Lx, Ly, X.shape[2], stored, device)
    values = []
    for start in range(0, ii.numel(), chunk):
        a, b = ii[start : start + chunk], jj[start : start + chunk]
        n_len, m_len = lx[a], ly[b]
        n, m = (int(n_len.max()), int(m_len.max())) if varying else (Lx, Ly)
        x = Xt[:n, _to(a, device)]  # (n, P, d)
        yr = Yr[Ly - m :, _to(b, device)]  # (m, P, d): y_p[j-1] = yr[m - j]
        values.append(kernel(x, yr, n_len, m_len))
    values = torch.cat(values)
    if order is not None:  # back to the input order
        values = torch.empty_like(values).index_put((_to(order, device),), values)
    return values

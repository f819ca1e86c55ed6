"""Distances between time series, batched over all pairs in torch: DTW, soft-DTW and the
shape-based distance (SBD), on CPU or GPU, equal to tslearn's on the same input.

DTW and soft-DTW fill each pair's cumulative-cost matrix one anti-diagonal at a time: every cell
of an anti-diagonal depends only on the two before it, so one tensor operation updates that
diagonal for a whole chunk of pairs at once. Tensors are *time-major*: a chunk of P pairs is
``x (n, P, d)`` and the second series reversed, ``yr (m, P, d)``, so that both the cells of a
diagonal and the series values they need are contiguous slices.

Variable-length series follow tslearn's convention: shorter series are padded at the end with NaN,
and each pair's distance uses only its true lengths.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import torch

from ._validation import check_int, describe

__all__ = ["cdist_dtw", "cdist_soft_dtw", "soft_dtw", "cdist_sbd"]

# Bytes of working memory per chunk of pairs (measured: benchmarks/dtw.py --chunks). One CPU thread
# is fastest when a chunk stays in its L2 cache; several threads only share an operation that has
# more than 32,768 elements, so they want big chunks; a GPU wants bigger still.
CPU_CHUNK_BYTES_ONE_THREAD = 2 * 2**20
CPU_CHUNK_BYTES_PER_THREAD = 8 * 2**20
GPU_CHUNK_BYTES = 1 * 2**30
STORED_CHUNK_BYTES = (
    128 * 2**20
)  # per CPU thread, when every diagonal is kept (DBA paths, soft-DTW backward)

# --- input checks ---------------------------------------------------------------------------


def _check_device(device, X):
    """The torch device to compute on: ``device``, else that of a tensor ``X``, else the CPU."""
    if device is None:
        return X.device if isinstance(X, torch.Tensor) else torch.device("cpu")
    if not isinstance(device, (str, torch.device)):
        raise TypeError(
            f"device must be a string such as 'cpu' or 'cuda', or a torch.device, got {describe(device)}"
        )
    try:
        device = torch.device(device)
    except RuntimeError:
        raise ValueError(
            f"device must name a torch device such as 'cpu' or 'cuda', got {device!r}"
        ) from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device is {str(device)!r} but CUDA is not available here; use device='cpu'"
        )
    return device


def _check_dtype(dtype):
    if dtype not in (torch.float64, torch.float32):
        raise TypeError(f"dtype must be torch.float64 or torch.float32, got {describe(dtype)}")
    return dtype


def _check_window(window):
    """The Sakoe-Chiba radius: None (no band) or an integer >= 0."""
    return check_int(window, "window", minimum=0, allow_none=True, meaning="the Sakoe-Chiba radius")


def _check_gamma(gamma):
    if isinstance(gamma, bool) or not isinstance(gamma, numbers.Real):
        raise TypeError(f"gamma must be a positive number, got {describe(gamma)}")
    if not (gamma > 0 and math.isfinite(gamma)):
        raise ValueError(
            f"gamma must be a positive finite number (the soft-min smoothing), got {gamma}"
        )
    return float(gamma)


def _check_chunk_size(chunk_size):
    return check_int(
        chunk_size, "chunk_size", minimum=1, allow_none=True, meaning="pairs per chunk"
    )


def _check_series(X, name, *, allow_padding, device, dtype, what="this distance"):
    """Check a data set of series and return ``(values, lengths)``.

    ``values`` is a ``(n_series, length, features)`` tensor on ``device`` with NaN end padding
    replaced by 0 (autograd still flows to the input), ``lengths`` the true lengths, ``(n_series,)``
    int64. NaN is allowed only as whole time steps at the end of a series, and only if
    ``allow_padding``.
    """
    if isinstance(X, torch.Tensor):
        tensor = X
    elif isinstance(X, (np.ndarray, list, tuple)):
        try:
            array = np.asarray(X)
        except ValueError:  # ragged nested lists
            raise ValueError(
                f"{name} must be a rectangular array; pad shorter series at the end with NaN"
            ) from None
        if array.dtype == object or not np.issubdtype(array.dtype, np.number):
            raise TypeError(f"{name} must be numeric, got an array of dtype {array.dtype}")
        tensor = torch.as_tensor(array)
    else:
        raise TypeError(
            f"{name} must be a numpy array, torch tensor or nested list, got {type(X).__name__}"
        )
    if tensor.dtype == torch.bool or tensor.is_complex():
        raise TypeError(f"{name} must be real-valued numbers, got dtype {tensor.dtype}")
    if tensor.ndim not in (2, 3):
        raise ValueError(
            f"{name} must be 2-D (n_series, length) or 3-D (n_series, length, features), got "
            f"{tensor.ndim} dimensions with shape {tuple(tensor.shape)}"
        )
    if 0 in tensor.shape:
        raise ValueError(
            f"{name} is empty (shape {tuple(tensor.shape)}); it needs at least one series of length >= 1"
        )
    tensor = tensor.to(device=device, dtype=dtype)
    if tensor.ndim == 2:
        tensor = tensor.unsqueeze(-1)  # (n, L, 1)
    if torch.isinf(tensor).any():
        raise ValueError(f"{name} contains infinite values")
    missing = torch.isnan(tensor)  # (n, L, d)
    step_missing = missing.all(-1)  # (n, L)
    lengths = (~step_missing).sum(1)  # (n,)
    if missing.any():
        partial = torch.nonzero(missing.any(-1) & ~step_missing)
        if len(partial):
            i, t = partial[0].tolist()
            raise ValueError(
                f"{name}[{i}] has NaN in some features but not all at time step {t}; "
                "NaN may only pad whole time steps at the end of a series"
            )
        if not allow_padding:
            i, t = torch.nonzero(step_missing)[0].tolist()
            raise ValueError(
                f"{name} contains NaN (first in series {i} at time step {t}); {what} needs "
                "equal-length series without NaN"
            )
        empty = torch.nonzero(lengths == 0)
        if len(empty):
            raise ValueError(
                f"{name}[{empty[0].item()}] is all NaN; every series needs at least one value"
            )
        positions = torch.arange(tensor.shape[1], device=device)
        inside = torch.nonzero(step_missing & (positions < lengths[:, None]))
        if len(inside):
            i, t = inside[0].tolist()
            raise ValueError(
                f"{name}[{i}] has NaN at time step {t} inside the series; NaN is allowed only at "
                "the end, as the padding of a shorter series: fill the gap first"
            )
        tensor = torch.where(missing, torch.zeros((), dtype=dtype, device=device), tensor)
    return tensor, lengths


def _check_pair(X, Y, *, allow_padding, device, dtype, what):
    """Check ``X`` and ``Y`` (None for ``X`` against itself); both as from ``_check_series``."""
    X, lx = _check_series(
        X, "X", allow_padding=allow_padding, device=device, dtype=dtype, what=what
    )
    if Y is None:
        return X, lx, None, None
    Y, ly = _check_series(
        Y, "Y", allow_padding=allow_padding, device=device, dtype=dtype, what=what
    )
    if X.shape[2] != Y.shape[2]:
        raise ValueError(
            f"Y has {Y.shape[2]} features per time step but X has {X.shape[2]}; both need the same number"
        )
    return X, lx, Y, ly


def _output(result, like):
    """A numpy array unless the caller passed a tensor."""
    return result if isinstance(like, torch.Tensor) else result.detach().cpu().numpy()


# --- the anti-diagonal sweep ------------------------------------------------------------------


class _Grid:
    """The cumulative-cost matrices of a chunk of P pairs, walked one anti-diagonal at a time.

    Cell ``(i, j)`` (1-based; row 0 and column 0 are the boundary) lies on diagonal ``d = i + j``
    and is stored at row ``i`` of that diagonal's ``(n + 1, P)`` slice. Its local cost is
    ``||x[i-1] - y[j-1]||^2`` with ``y[j-1] = yr[m - j]``, so a diagonal's costs need the
    contiguous slices ``x[lo-1:hi]`` and ``yr[m-d+lo : m-d+hi+1]``.
    """

    def __init__(self, x, yr, n_len, m_len, window):
        self.x, self.yr = x, yr  # (n, P, d), (m, P, d)
        self.n, self.P, self.dim = x.shape
        self.m = yr.shape[0]
        equal = bool(((n_len == self.n) & (m_len == self.m)).all())
        # each pair's answer is cell (n_p, m_p): row n_p of diagonal n_p + m_p
        self.targets = {}
        if equal:
            self.targets[self.n + self.m] = (slice(None), self.n)
        else:
            ends = (n_len + m_len).cpu()
            for d in torch.unique(ends).tolist():
                pairs = torch.nonzero(ends == d)[:, 0].to(x.device)
                self.targets[d] = (pairs, n_len[pairs])
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
            self.pair_band = (low, high)
            self.rows = torch.arange(self.n + 1, device=x.device)
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
    for _ in range(int((n_len + m_len).max()) - 1):  # a path has at most n + m - 1 cells
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
    lengths first so that a chunk's grid is not much larger than its longest pair.
    """
    ii, jj = pairs
    Xt = X.transpose(0, 1)  # (Lx, nx, d)
    Yr = Y.flip(1).transpose(0, 1)  # (Ly, ny, d), time reversed
    Lx, Ly = X.shape[1], Y.shape[1]
    varying = bool((lx != Lx).any() or (ly != Ly).any())
    order = torch.argsort(lx[ii] * (Ly + 1) + ly[jj]) if varying else None
    if order is not None:
        ii, jj = ii[order], jj[order]
    chunk = chunk_size or _chunk_pairs(Lx, Ly, X.shape[2], stored, X.device)
    values = []
    for start in range(0, ii.numel(), chunk):
        a, b = ii[start : start + chunk], jj[start : start + chunk]
        n_len, m_len = lx[a], ly[b]
        n, m = (int(n_len.max()), int(m_len.max())) if varying else (Lx, Ly)
        x = Xt[:n, a]  # (n, P, d)
        yr = Yr[Ly - m :, b]  # (m, P, d): y_p[j-1] = yr[m - j]
        values.append(kernel(x, yr, n_len, m_len))
    values = torch.cat(values)
    if order is not None:
        values = torch.empty_like(values).index_put((order,), values)  # back to the input order
    return values


def _all_pairs(nx, ny, symmetric, diagonal, device):
    if symmetric:
        ii, jj = torch.triu_indices(nx, nx, offset=0 if diagonal else 1, device=device)
        return ii, jj
    ii = torch.arange(nx, device=device).repeat_interleave(ny)
    jj = torch.arange(ny, device=device).repeat(nx)
    return ii, jj


def _matrix(values, pairs, nx, ny, symmetric):
    """The ``(nx, ny)`` matrix with ``values`` at ``pairs`` (mirrored if symmetric); differentiable."""
    ii, jj = pairs
    out = values.new_zeros((nx, ny)).index_put((ii, jj), values)
    if symmetric:
        out = out.index_put((jj, ii), values)
    return out


# --- public functions -----------------------------------------------------------------------


def cdist_dtw(X, Y=None, window=None, *, device=None, dtype=torch.float64, chunk_size=None):
    """Dynamic time warping distance between every series of ``X`` and every series of ``Y``.

    DTW(x, y) is the square root of the smallest sum of squared differences ``||x_i - y_j||^2``
    along a warping path from ``(0, 0)`` to ``(n-1, m-1)`` — tslearn's definition, and equal to
    ``tslearn.metrics.cdist_dtw(X, Y, sakoe_chiba_radius=window)``. All pairs are computed in
    batches on ``device``, one anti-diagonal of the cost matrices at a time; memory grows with
    ``chunk_size``, not with the number of pairs.

    Parameters
    ----------
    X : array-like or tensor of shape (n_series, length) or (n_series, length, features)
        Series of different lengths are padded at the end with NaN (tslearn's convention); each
        pair's distance uses only its true lengths. No other NaN.
    Y : same form as X with the same number of features, or None
        None computes the symmetric ``(n_series, n_series)`` matrix of ``X`` against itself,
        computing each pair once.
    window : int >= 0 or None, default None
        Sakoe-Chiba radius, tslearn's ``sakoe_chiba_radius``: cell ``(i, j)`` is allowed when
        ``min(0, m-n) - window <= j - i <= max(0, m-n) + window``. None: no constraint.
    device : str or torch.device, optional
        Where to compute; default the device of ``X`` if it is a tensor, else the CPU.
    dtype : torch.float64 or torch.float32, default torch.float64
    chunk_size : int, optional
        Pairs per batch. Default: as many as fit in about 2 MiB of working memory with one CPU
        thread (the L2 cache), 8 MiB per thread with more, 1 GiB on a GPU.

    Returns
    -------
    numpy.ndarray of shape (n_series_X, n_series_Y)
        A torch.Tensor on ``device`` instead if ``X`` is a tensor.

    Examples
    --------
    >>> cdist_dtw([[0.0, 1.0, 2.0], [0.0, 0.0, 1.0]]).round(4).tolist()
    [[0.0, 1.0], [1.0, 0.0]]
    >>> cdist_dtw([[1.0, 2.0, 3.0]], [[1.0, 2.0, np.nan]]).round(4).tolist()
    [[1.0]]
    """
    device = _check_device(device, X)
    dtype = _check_dtype(dtype)
    window = _check_window(window)
    chunk_size = _check_chunk_size(chunk_size)
    Xs, lx, Ys, ly = _check_pair(X, Y, allow_padding=True, device=device, dtype=dtype, what="DTW")
    with torch.no_grad():
        result = _cdist_dtw(Xs, lx, Ys, ly, window, chunk_size)
    return _output(result, X)


def _cdist_dtw(X, lx, Y, ly, window, chunk_size=None):
    """DTW matrix of checked inputs (``Y`` None: symmetric, diagonal 0)."""
    symmetric = Y is None
    Y, ly = (X, lx) if symmetric else (Y, ly)
    pairs = _all_pairs(len(X), len(Y), symmetric, diagonal=False, device=X.device)
    if pairs[0].numel() == 0:  # a single series against itself
        return X.new_zeros((len(X), len(Y)))

    def kernel(x, yr, n_len, m_len):
        return _sweep(_Grid(x, yr, n_len, m_len, window))

    squared = _pair_values(kernel, X, lx, Y, ly, pairs, chunk_size)
    return _matrix(squared.sqrt(), pairs, len(X), len(Y), symmetric)


def cdist_soft_dtw(
    X, Y=None, gamma=1.0, window=None, *, device=None, dtype=torch.float64, chunk_size=None
):
    """Soft-DTW (Cuturi & Blondel, 2017) between every series of ``X`` and every series of ``Y``.

    Soft-DTW replaces DTW's minimum over warping paths by the soft-minimum
    ``-gamma * log(sum(exp(-cost / gamma)))`` of the paths' summed *squared* differences. It is not
    square-rooted and not normalised, can be negative, and tends to DTW squared as gamma -> 0:
    tslearn's ``cdist_soft_dtw`` (not ``cdist_soft_dtw_normalized``), to which it is equal.
    It is differentiable: if ``X`` or ``Y`` is a tensor that requires grad, the result carries
    gradients (a hand-written backward pass, exact).

    Parameters
    ----------
    X : array-like or tensor of shape (n_series, length) or (n_series, length, features)
        NaN only as end padding of shorter series, as in :func:`cdist_dtw`.
    Y : same form as X, or None
        None: ``X`` against itself (each pair computed once, including the diagonal, which is
        not 0 for soft-DTW).
    gamma : float > 0, default 1.0
        Smoothing: small gamma is close to DTW, large gamma averages over many paths.
    window : int >= 0 or None, default None
        Sakoe-Chiba radius, as in :func:`cdist_dtw`.
    device, dtype, chunk_size
        As in :func:`cdist_dtw`. With gradients the sweep keeps every diagonal of a chunk for the
        backward pass, ``8 * (n + m + 1) * (n + 1)`` bytes per pair; the default chunk keeps that
        under about 128 MiB per CPU thread (1 GiB on a GPU).

    Returns
    -------
    numpy.ndarray of shape (n_series_X, n_series_Y)
        A torch.Tensor on ``device`` instead if ``X`` is a tensor.

    Examples
    --------
    >>> cdist_soft_dtw([[1.0, 2.0, 2.0, 3.0], [1.0, 2.0, 3.0, 4.0]], gamma=0.01).round(4).tolist()
    [[-0.011, 1.0], [1.0, 0.0]]
    """
    device = _check_device(device, X)
    dtype = _check_dtype(dtype)
    gamma = _check_gamma(gamma)
    window = _check_window(window)
    chunk_size = _check_chunk_size(chunk_size)
    Xs, lx, Ys, ly = _check_pair(
        X, Y, allow_padding=True, device=device, dtype=dtype, what="soft-DTW"
    )
    return _output(_cdist_soft_dtw(Xs, lx, Ys, ly, gamma, window, chunk_size), X)


def _cdist_soft_dtw(X, lx, Y, ly, gamma, window, chunk_size=None):
    symmetric = Y is None
    Y, ly = (X, lx) if symmetric else (Y, ly)
    pairs = _all_pairs(len(X), len(Y), symmetric, diagonal=True, device=X.device)
    stored = torch.is_grad_enabled() and (X.requires_grad or Y.requires_grad)

    def kernel(x, yr, n_len, m_len):
        return _SoftDTW.apply(x, yr, n_len, m_len, window, gamma)

    values = _pair_values(kernel, X, lx, Y, ly, pairs, chunk_size, stored=stored)
    return _matrix(values, pairs, len(X), len(Y), symmetric)


def soft_dtw(x, y, gamma=1.0, window=None):
    """Soft-DTW between matching pairs ``x[b]``, ``y[b]``: a differentiable training loss.

    Parameters
    ----------
    x : tensor or array-like of shape (batch, length) or (batch, length, features)
    y : same form as x with the same batch size (or batch 1, used for every ``x[b]``)
        and number of features; lengths may differ. NaN only as end padding.
    gamma : float > 0, default 1.0
    window : int >= 0 or None, default None
        Sakoe-Chiba radius.

    Returns
    -------
    torch.Tensor of shape (batch,)
        On the device of ``x`` (the CPU for arrays); differentiable with respect to both inputs.

    Examples
    --------
    >>> pred = torch.tensor([[1.0, 2.0, 3.0]], dtype=torch.float64, requires_grad=True)
    >>> loss = soft_dtw(pred, torch.tensor([[3.0, 4.0, -3.0]], dtype=torch.float64)).mean()
    >>> loss.backward()
    >>> round(loss.item(), 4), [round(g, 4) for g in pred.grad[0].tolist()]
    (41.1876, [-4.0001, -2.2852, 10.1643])
    """
    gamma = _check_gamma(gamma)
    window = _check_window(window)
    device = _check_device(None, x)
    dtype = (
        x.dtype
        if isinstance(x, torch.Tensor) and x.dtype in (torch.float32, torch.float64)
        else torch.float64
    )
    xs, lx, ys, ly = _check_pair(
        x, y, allow_padding=True, device=device, dtype=dtype, what="soft-DTW"
    )
    if len(ys) not in (1, len(xs)):
        raise ValueError(f"y must have the batch size of x ({len(xs)}) or 1, got {len(ys)}")
    if len(ys) == 1 and len(xs) > 1:
        ys, ly = ys.expand(len(xs), -1, -1), ly.expand(len(xs))
    index = torch.arange(len(xs), device=device)
    return _pair_values(
        lambda a, b, n_len, m_len: _SoftDTW.apply(a, b, n_len, m_len, window, gamma),
        xs,
        lx,
        ys,
        ly,
        (index, index),
        None,
        stored=torch.is_grad_enabled(),
    )


# --- shape-based distance -------------------------------------------------------------------


def _ncc_max(X, Y, *, with_shift=False, budget=64 * 2**20):
    """Largest normalised cross-correlation over all shifts, ``(nx, ny)``, via the FFT.

    ``NCC_w(x, y) = sum_t x[t + w] . y[t] / (||x|| ||y||)`` for ``w`` in ``-(Ly-1) .. Lx-1``
    (tslearn's ``normalized_cc``); 0 where a norm product is below 1e-9. With ``with_shift``
    also returns the maximising ``w``: shifting ``y`` right by ``w`` aligns it with ``x``.
    """
    nx, Lx, d = X.shape
    ny, Ly, _ = Y.shape
    size = 1 << (Lx + Ly - 2).bit_length()  # >= Lx + Ly - 1: no wrap-around
    FX = torch.fft.rfft(X, size, dim=1)  # (nx, F, d)
    FY = torch.fft.rfft(Y, size, dim=1).conj()  # (ny, F, d)
    norms = torch.linalg.vector_norm(X.flatten(1), dim=1)[:, None] * torch.linalg.vector_norm(
        Y.flatten(1), dim=1
    )
    rows = max(1, budget // (16 * FX.shape[1] * d * ny + 8 * size * ny * (d + 1)))
    best, shift = [], []
    for start in range(0, nx, rows):
        cc = torch.fft.irfft(FX[start : start + rows, None] * FY[None], size, dim=2).sum(
            -1
        )  # (b, ny, size)
        cc = torch.cat((cc[..., size - Ly + 1 :], cc[..., :Lx]), dim=-1)  # shifts -(Ly-1) .. Lx-1
        value, where = cc.max(-1)
        best.append(value)
        shift.append(where - (Ly - 1))
    norms = torch.where(norms < 1e-9, math.inf, norms)
    ncc = torch.cat(best) / norms
    return (ncc, torch.cat(shift)) if with_shift else ncc


def cdist_sbd(X, Y=None, *, device=None, dtype=torch.float64):
    """Shape-based distance (Paparrizos & Gravano, 2015) between all series of ``X`` and ``Y``.

    ``SBD(x, y) = 1 - max_w NCC_w(x, y)``: one minus the largest cross-correlation over all
    shifts ``w``, normalised by ``||x|| ||y||`` (computed with the FFT). It lies in [0, 2], is 0
    for a series and any shifted copy, and ignores scaling; use it on z-normalised series, as
    k-Shape does. Equal to ``1 - tslearn.metrics.cdist_normalized_cc``. Multivariate series are
    correlated over all features at once (tslearn's convention). A series whose norm is 0 has
    SBD 1 to everything.

    Parameters
    ----------
    X : array-like or tensor of shape (n_series, length) or (n_series, length, features)
        No NaN: SBD needs complete series (``Y`` may have another length).
    Y : same form as X, or None
        None: the symmetric matrix of ``X`` against itself, with zeros on the diagonal.
    device, dtype
        As in :func:`cdist_dtw`.

    Returns
    -------
    numpy.ndarray of shape (n_series_X, n_series_Y)
        A torch.Tensor on ``device`` instead if ``X`` is a tensor.

    Examples
    --------
    >>> x = np.sin(np.linspace(0, 6, 50))
    >>> cdist_sbd([x], [np.roll(x, 5), -x, 3 * x + 1]).round(2).tolist()
    [[0.05, 0.5, 0.09]]
    """
    device = _check_device(device, X)
    dtype = _check_dtype(dtype)
    Xs, _, Ys, _ = _check_pair(X, Y, allow_padding=False, device=device, dtype=dtype, what="SBD")
    with torch.no_grad():
        if Ys is None:
            sbd = 1.0 - _ncc_max(Xs, Xs)
            upper = torch.triu(sbd, 1)
            nonzero = torch.linalg.vector_norm(Xs.flatten(1), dim=1) >= 1e-9**0.5
            sbd = upper + upper.T + torch.diag((~nonzero).to(dtype))
        else:
            sbd = 1.0 - _ncc_max(Xs, Ys)
    return _output(sbd, X)

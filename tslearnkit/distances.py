"""Distances between time series: DTW, soft-DTW and the shape-based distance (SBD), for all pairs
at once, on CPU or GPU, equal to tslearn's on the same input.

DTW runs on two engines. On a CPU, compiled kernels (numba) run blocks of pairs side by side in
SIMD lanes, with threads over blocks and a Sakoe-Chiba band that shrinks the loops, not only the
answer. The torch *wavefront* fills each pair's cumulative-cost matrix one anti-diagonal at a
time, a chunk of pairs per tensor operation: chapter 6 builds it, and it is the GPU path and the
autograd path of soft-DTW. ``engine="torch"`` asks for it on a CPU too.

Variable-length series follow tslearn's convention: shorter series are padded at the end with NaN,
and each pair's distance uses only its true lengths.
"""

from __future__ import annotations

import numpy as np  # noqa: F401 (the examples use it)
import torch

from . import _engine as E
from ._validation import as_float_array

__all__ = ["cdist_dtw", "cdist_soft_dtw", "dtw_path", "soft_dtw", "cdist_sbd"]

# --- public functions -----------------------------------------------------------------------


def cdist_dtw(X, Y=None, window=None, *, device=None, dtype=None, chunk_size=None, engine="auto"):
    """Dynamic time warping distance between every series of ``X`` and every series of ``Y``.

    DTW(x, y) is the square root of the smallest sum of squared differences ``||x_i - y_j||^2``
    along a warping path from ``(0, 0)`` to ``(n-1, m-1)`` — tslearn's definition, and equal to
    ``tslearn.metrics.cdist_dtw(X, Y, sakoe_chiba_radius=window)``. On a CPU, compiled kernels
    compute blocks of 64 pairs at once in SIMD lanes, with ``torch.get_num_threads()`` threads
    over the blocks; on a GPU (or with ``engine="torch"``) the torch wavefront computes chunks of
    pairs one anti-diagonal at a time. Memory grows with the block or chunk, not with the number
    of pairs. The first call in a fresh install compiles the kernels (seconds), cached on disk.

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
    dtype : torch.float64, torch.float32 or None
        None: the dtype of a floating-point tensor ``X``, else float64 on a CPU and float32 on a
        GPU.
    chunk_size : int, optional
        Pairs per batch of the torch wavefront. Default: as many as fit in about 2 MiB of working
        memory with one CPU thread (the L2 cache), 8 MiB per thread with more, 1 GiB on a GPU.
    engine : {"auto", "compiled", "torch"}, default "auto"
        "auto": the compiled kernels on a CPU, the wavefront on a GPU. "compiled" needs a CPU.

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
    device = E.check_device(device, X)
    dtype = E.check_dtype(dtype, device, X)
    window = E.check_window(window)
    chunk_size = E.check_chunk_size(chunk_size)
    engine = E.check_engine(engine, device)
    Xs, lx, Ys, ly = E.check_pair(X, Y, allow_padding=True, device=device, dtype=dtype, what="DTW")
    with torch.no_grad():
        result = E.cdist_dtw(Xs, lx, Ys, ly, window, engine, chunk_size)
    return E.output(result, X)


def cdist_soft_dtw(X, Y=None, gamma=1.0, window=None, *, device=None, dtype=None, chunk_size=None):
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
    device = E.check_device(device, X)
    dtype = E.check_dtype(dtype, device, X)
    gamma = E.check_gamma(gamma)
    window = E.check_window(window)
    chunk_size = E.check_chunk_size(chunk_size)
    Xs, lx, Ys, ly = E.check_pair(
        X, Y, allow_padding=True, device=device, dtype=dtype, what="soft-DTW"
    )
    return E.output(E.cdist_soft_dtw(Xs, lx, Ys, ly, gamma, window, chunk_size), X)


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
    if y is None:
        raise TypeError(
            "y must be series (a tensor or array of shape (B, L) or (B, L, d)), got None"
        )
    gamma = E.check_gamma(gamma)
    window = E.check_window(window)
    device = E.check_device(None, x)
    dtype = (
        x.dtype
        if isinstance(x, torch.Tensor) and x.dtype in (torch.float32, torch.float64)
        else torch.float64
    )
    xs, lx, ys, ly = E.check_pair(
        x, y, allow_padding=True, device=device, dtype=dtype, what="soft-DTW"
    )
    if len(ys) not in (1, len(xs)):
        raise ValueError(f"y must have the batch size of x ({len(xs)}) or 1, got {len(ys)}")
    if len(ys) == 1 and len(xs) > 1:
        ys, ly = ys.expand(len(xs), -1, -1), ly.expand(len(xs))
    index = torch.arange(len(xs), device=device)
    return E.soft_dtw_pairs(xs, lx, ys, ly, (index, index), gamma, window)


def dtw_path(x, y, window=None):
    """The optimal warping path of one pair, its DTW distance and its table of cumulative costs.

    For pictures and teaching: plain dynamic programming on one pair, in numpy (use
    :func:`cdist_dtw` for many pairs). The path, the distance and the band are those of
    ``cdist_dtw`` and of ``tslearn.metrics.dtw_path``; of several optimal paths, ties are broken
    towards the diagonal step, then the step that advances ``x``.

    Parameters
    ----------
    x : array-like of shape (n,) or (n, features)
    y : array-like of shape (m,) or (m, features), the same number of features; no NaN
    window : int >= 0 or None, default None
        Sakoe-Chiba radius, as in :func:`cdist_dtw`.

    Returns
    -------
    path : list of (i, j) tuples
        From ``(0, 0)`` to ``(n - 1, m - 1)``; ``x[i]`` is matched with ``y[j]``.
    distance : float
        The square root of the summed squared differences along the path.
    cost : numpy.ndarray of shape (n, m)
        ``cost[i, j]``: the smallest summed squared difference of a path from ``(0, 0)`` to
        ``(i, j)``; ``inf`` outside the band.

    Examples
    --------
    >>> path, distance, _ = dtw_path([0.0, 1.0, 2.0], [0.0, 0.0, 1.0, 2.0])
    >>> path, distance
    ([(0, 0), (0, 1), (1, 2), (2, 3)], 0.0)
    """
    window = E.check_window(window)
    a, b = (_one_series(v, name) for v, name in ((x, "x"), (y, "y")))
    if a.shape[1] != b.shape[1]:
        raise ValueError(
            f"x and y must have the same number of features, got {a.shape[1]} and {b.shape[1]}"
        )
    n, m = len(a), len(b)
    squared = ((a[:, None, :] - b[None, :, :]) ** 2).sum(-1)  # (n, m)
    i, j = np.indices((n, m))
    if window is not None:  # cdist_dtw's band: min(0, m-n) - w <= j - i <= max(0, m-n) + w
        outside = (j - i < min(0, m - n) - window) | (j - i > max(0, m - n) + window)
        squared = np.where(outside, np.inf, squared)
    cost = np.full((n + 1, m + 1), np.inf)
    cost[0, 0] = 0.0
    for r in range(1, n + 1):
        for c in range(1, m + 1):
            cost[r, c] = squared[r - 1, c - 1] + min(
                cost[r - 1, c - 1], cost[r - 1, c], cost[r, c - 1]
            )
    path, r, c = [(n - 1, m - 1)], n, m
    while (r, c) != (1, 1):
        steps = ((r - 1, c - 1), (r - 1, c), (r, c - 1))  # diagonal first on ties
        r, c = min(steps, key=lambda rc: cost[rc])
        path.append((r - 1, c - 1))
    return path[::-1], float(np.sqrt(cost[n, m])), cost[1:, 1:]


def _one_series(values, name):
    """One series as a finite float64 array of shape (length, features)."""
    array = as_float_array(values, name)
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2 or len(array) == 0:
        raise ValueError(
            f"{name} must have shape (length,) or (length, features) with length >= 1, "
            f"got shape {np.shape(values)}"
        )
    if not np.isfinite(array).all():
        raise ValueError(f"{name} must be finite (no NaN padding for one pair), got NaN or inf")
    return array


# --- shape-based distance -------------------------------------------------------------------


def cdist_sbd(X, Y=None, *, device=None, dtype=None):
    """Shape-based distance (Paparrizos & Gravano, 2015) between all series of ``X`` and ``Y``.

    ``SBD(x, y) = 1 - max_w NCC_w(x, y)``: one minus the largest cross-correlation over all
    shifts ``w``, normalised by ``||x|| ||y||`` (computed with the FFT). It lies in [0, 2], is 0
    for a series and any positive multiple of it, and small, not 0, for a shifted copy: the
    shifted-out part no longer overlaps (0.05 for a shift of 5 of 50 steps in the example). It
    ignores scaling, not offsets; use it on z-normalised series, as k-Shape does. Equal to ``1 - tslearn.metrics.cdist_normalized_cc``. Multivariate series are
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
    device = E.check_device(device, X)
    dtype = E.check_dtype(dtype, device, X)
    Xs, _, Ys, _ = E.check_pair(X, Y, allow_padding=False, device=device, dtype=dtype, what="SBD")
    with torch.no_grad():
        if Ys is None:
            sbd = 1.0 - E.ncc_max(Xs, Xs)
            upper = torch.triu(sbd, 1)
            nonzero = torch.linalg.vector_norm(Xs.flatten(1), dim=1) >= 1e-9**0.5
            sbd = upper + upper.T + torch.diag((~nonzero).to(dtype))
        else:
            sbd = 1.0 - E.ncc_max(Xs, Ys)
    return E.output(sbd, X)

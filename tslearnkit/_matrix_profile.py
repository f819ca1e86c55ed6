"""The matrix profile of a series (self-join, z-normalised Euclidean distance) in PyTorch.

For each subsequence of a series, the distance to its nearest neighbour among the series' other
subsequences, leaving out the trivial matches that overlap it: a low value marks a motif (a shape
that recurs), a high value a discord (a shape seen nowhere else, a candidate anomaly).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import torch

from ._engine import check_device
from ._validation import check_int, describe

__all__ = ["matrix_profile"]

# Diagonals of the distance matrix computed together: one step fills a tile of DIAGONALS x block
# entries, 2 MiB in float64 by default. Measured on 2 CPU cores (22,695 points): 128 diagonals a
# little faster than 64, as fast as 256 with half the memory; 512 slower.
DIAGONALS = 128


def _series(values, device: torch.device) -> torch.Tensor:
    """``values`` as a float64 1-D tensor on ``device``, or an error naming ``values``."""
    if isinstance(values, torch.Tensor):
        if values.is_complex() or values.is_quantized:
            raise TypeError(f"values must be real numbers, got a tensor of dtype {values.dtype}")
        array = values.detach()
    else:
        if isinstance(values, pd.Series):
            if not pd.api.types.is_numeric_dtype(values.dtype):
                raise TypeError(f"values must be numeric, got a Series of dtype {values.dtype}")
            values = values.to_numpy(dtype=np.float64, na_value=np.nan)
        try:
            array = np.asarray(values)
        except ValueError:  # a ragged nested list
            raise ValueError(
                f"values must be 1-D (one series of numbers), got {describe(values)}"
            ) from None
        if array.dtype.kind not in "biuf":
            raise TypeError(f"values must be numeric, got dtype {array.dtype}")
        array = torch.tensor(array, dtype=torch.float64)  # a copy: the input stays untouched
    if array.ndim != 1:
        raise ValueError(f"values must be 1-D (one series), got shape {tuple(array.shape)}")
    x = array.to(device=device, dtype=torch.float64)
    finite = torch.isfinite(x)
    if not bool(finite.all()):
        where = int(torch.nonzero(~finite)[0, 0])
        raise ValueError(
            f"values must be finite, got {float(x[where])} at index {where}; "
            "fill or drop the gaps first"
        )
    return x


def _windowed_moments(x: torch.Tensor, window: int, count: int, chunk: int):
    """Mean and population standard deviation of the first ``count`` subsequences of length
    ``window`` (two passes, ``chunk`` subsequences at a time, so memory stays chunk x window)."""
    U = x.unfold(0, window, 1)[:count]
    mean, std = x.new_empty(count), x.new_empty(count)
    for start in range(0, count, chunk):
        rows = U[start : start + chunk]
        m = rows.mean(1)
        mean[start : start + chunk] = m
        std[start : start + chunk] = (rows - m[:, None]).square_().mean(1).sqrt_()
    return mean, std


def matrix_profile(
    values, window: int, *, exclusion: int | None = None, block: int = 2048, device=None
) -> np.ndarray:
    """The matrix profile: each subsequence's z-normalised distance to its nearest neighbour.

    Parameters
    ----------
    values : array-like, pandas Series or torch.Tensor, shape (n,)
        One series of finite real numbers.
    window : int
        The subsequence length ``m``, from 3 to ``n // 2``.
    exclusion : int, optional
        The exclusion zone: subsequences ``i`` and ``j`` with ``|i - j| <= exclusion`` overlap
        too much to count as neighbours (trivial matches). Default ``ceil(window / 4)``, stumpy's
        default. At most ``n - window - 1``; where every other subsequence of a row lies inside
        the zone (``exclusion`` above about half the number of subsequences) the row is inf.
    block : int, default 2048
        Entries of each diagonal of the distance matrix computed in one step, 128 diagonals at a
        time: the working memory is about ``128 * block * 8`` bytes (2 MiB by default) on top of
        a few vectors of length ``n``. Larger blocks mean fewer, larger steps (on a GPU,
        ``2**16`` or more).
    device : str or torch.device, optional
        Where to compute, in float64; default the device of ``values`` if it is a tensor, else
        the CPU.

    Returns
    -------
    numpy.ndarray of float64, shape (n - window + 1,)
        Entry ``i``: the smallest z-normalised Euclidean distance between subsequence
        ``values[i : i + window]`` and any ``values[j : j + window]`` with
        ``|i - j| > exclusion``: between 0 and ``2 * sqrt(window)``, or inf where no subsequence
        lies outside the exclusion zone.

    Notes
    -----
    The matrix profile of Yeh et al., "Matrix Profile I: All Pairs Similarity Joins for Time
    Series", ICDM 2016. The z-normalised distance of two subsequences with Pearson correlation
    ``r`` is ``sqrt(2 * window * (1 - r))``. Constant subsequences follow stumpy's convention: two
    constant subsequences are at distance 0, a constant and a non-constant one at
    ``sqrt(window)`` (correlation 1/2); a subsequence is constant when all its values are equal.
    The result matches the first column of ``stumpy.stump(values, window)`` (for the default
    exclusion) to about 1e-11 on the NAB series of ``tslearnkit.datasets.load_nab``. As the
    distance comes from ``1 - r``, one near 0 (a pair with the same shape) is exact only to about
    ``sqrt(2 * window * 1e-16)``, some 1e-7.

    The computation runs along the diagonals of the distance matrix, not by matrix products:
    along a diagonal, the covariance of subsequences ``i`` and ``i + k`` follows from that of
    ``i - 1`` and ``i - 1 + k`` in a few operations (the centred update of Zimmerman et al., SoCC
    2019, that stumpy's ``stump`` uses too), computed here for a tile of 128 diagonals by
    ``block`` steps with a cumulative sum. The work is about ``n**2 / 2`` such updates whatever
    the window; each tile starts from covariances computed exactly, so rounding errors build up
    over at most ``block`` steps. Each distance is counted for both of its subsequences (the
    matrix is symmetric), so only the diagonals above the exclusion zone are computed. A
    blockwise matrix product of z-normalised subsequences was measured too: its work grows with
    the window (``n**2 * window``): on 2 CPU cores it took about 5 times as long for a window of
    288 (22,695 points, 0.8 s here), twice as long for 48 and about as long for 24.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.sin(np.linspace(0, 20 * np.pi, 1000))
    >>> x[500:520] += 0.5  # a bump no other period has
    >>> profile = matrix_profile(x, 50)
    >>> profile.shape, profile.dtype
    ((951,), dtype('float64'))
    >>> 470 < int(profile.argmax()) < 520
    True
    """
    device = check_device(device, values)
    x = _series(values, device)
    length = x.numel()
    if length < 6:
        raise ValueError(
            f"values must have at least 6 points (the window must be between 3 and "
            f"len(values) // 2), got {length}"
        )
    if isinstance(window, bool) or not isinstance(window, (int, np.integer)):
        raise TypeError(
            f"window must be an integer (the subsequence length), got {describe(window)}"
        )
    m = int(window)
    if not 3 <= m <= length // 2:
        raise ValueError(f"window must be between 3 and len(values) // 2 = {length // 2}, got {m}")
    n = length - m + 1  # the number of subsequences
    e = check_int(
        exclusion, "exclusion", minimum=0, allow_none=True, meaning="the exclusion zone |i - j|"
    )
    if e is None:
        e = math.ceil(m / 4)
    if e > n - 2:
        raise ValueError(
            f"exclusion must be at most len(values) - window - 1 = {n - 2}, else no pair of "
            f"subsequences lies outside the exclusion zone; got {e}"
        )
    block = check_int(block, "block", minimum=1, meaning="diagonal entries per step")

    seg, d = min(block, n), min(DIAGONALS, n)
    mean, std = _windowed_moments(x, m, n, block)
    constant = _constant(x, m, n)
    inv = torch.where(constant | (std == 0), 0.0, 1.0 / std)

    # Along diagonal k, S(i, i + k) = sum_t (x[i+t] - mean[i]) (x[i+k+t] - mean[i+k]) changes
    # from (i - 1, i - 1 + k) by c * (p[i] p[i+k] - q[i] q[i+k]) with c = (m - 1) / m,
    # p[j] = x[j+m-1] - mean1[j], q[j] = x[j-1] - mean1[j] and mean1[j] the mean of x[j : j+m-1]
    # (the m - 1 values the windows j - 1 and j share). Vectors are padded with zeros past n.
    pad = n + seg + 2 * d
    mean1, _ = _windowed_moments(x, m - 1, n, block)
    p, q, cp, cq, inv_ext = (x.new_zeros(pad) for _ in range(5))
    p[1:n] = x[m:length] - mean1[1:n]
    q[1:n] = x[: n - 1] - mean1[1:n]
    c = (m - 1) / m
    cp[:n], cq[:n] = c * p[:n], c * q[:n]
    inv_ext[:n] = inv
    U = x.unfold(0, m, 1)

    # best[i]: the largest m * correlation of subsequence i with one outside its zone so far.
    best = x.new_full((n + seg + d,), -math.inf)
    # A tile: d diagonals k0 + r by seg steps i = s0 + t, in a buffer whose rows are padded with
    # -inf, so that a view with row stride W - 1 lines up each entry under its column i + k.
    W = seg + d
    buffer = x.new_full((d, W), -math.inf)
    tile = buffer[:, :seg]
    by_column = buffer.view(-1).as_strided((d, seg + d - 1), (W - 1, 1))
    reach = torch.arange(seg, device=device)[None, :] + torch.arange(d, device=device)[:, None]
    for k0 in range(e + 1, n, d):
        for s0 in range(0, n - k0, seg):
            o = k0 + s0  # the column of the tile's first entry
            torch.mul(cp.as_strided((d, seg), (1, 1), o), p[s0 : s0 + seg], out=tile)
            tile.addcmul_(cq.as_strided((d, seg), (1, 1), o), q[s0 : s0 + seg], value=-1.0)
            # the first step of each diagonal: its covariance computed exactly
            rows = min(d, n - o)
            centred = U[s0] - mean[s0]
            tile[:rows, 0] = (U[o : o + rows] - mean[o : o + rows, None]) @ centred
            tile[rows:, 0] = 0.0
            tile.cumsum_(1)
            tile.mul_(inv_ext[s0 : s0 + seg]).mul_(inv_ext.as_strided((d, seg), (1, 1), o))
            if o + seg + d - 2 >= n:  # entries past the end of the series
                tile.masked_fill_(reach >= n - o, -math.inf)
            torch.maximum(best[s0 : s0 + seg], tile.amax(0), out=best[s0 : s0 + seg])
            span = best[o : o + seg + d - 1]
            torch.maximum(span, by_column.amax(0), out=span)
    corr = best[:n] / m

    # Constant subsequences (inv 0 made their correlations 0 above): 1 with another constant
    # one, 1/2 with a non-constant one, as stumpy has it.
    index = torch.arange(n, device=device)
    counts = torch.cat([constant.new_zeros(1, dtype=torch.int64), constant.cumsum(0)])
    left, right = (index - e).clamp(min=0), (index + e + 1).clamp(max=n)
    constant_outside = (counts[left] + counts[n] - counts[right]) > 0
    any_outside = (left > 0) | (right < n)
    corr = torch.where(constant_outside, torch.clamp(corr, min=0.5), corr)
    corr = torch.where(
        constant,
        torch.where(constant_outside, 1.0, torch.where(any_outside, 0.5, -math.inf)),
        corr,
    )
    corr = corr.clamp(max=1.0)
    profile = torch.sqrt(torch.clamp(2.0 * m * (1.0 - corr), min=0.0))
    return profile.cpu().numpy()


def _constant(x: torch.Tensor, window: int, count: int) -> torch.Tensor:
    """Whether each of the first ``count`` subsequences has all its values equal."""
    changes = torch.cat([x.new_zeros(1, dtype=torch.int64), (x[1:] != x[:-1]).cumsum(0)])
    return changes[window - 1 : window - 1 + count] == changes[:count]

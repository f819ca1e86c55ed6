"""Barycenters of time series: the series that minimises the summed DTW, soft-DTW or soft-DTW
divergence to a set of series, as ``tslearn.barycenters`` computes them.

- :func:`dtw_barycenter_averaging` (DBA, Petitjean et al. 2011): the minimiser of the summed squared
  DTW, by repeated alignment and averaging; the centre update of DTW k-means.
- :func:`softdtw_barycenter` (Cuturi & Blondel 2017): the minimiser of the summed soft-DTW by
  L-BFGS on its gradient; with ``divergence=True`` the minimiser of the summed soft-DTW
  *divergence* (Blondel, Mensch & Vert 2021), the centre update of soft-DTW k-means.

The private functions here work on every cluster of a labelled data set at once, on checked
``(n_series, length, features)`` tensors (``tslearnkit._engine``); :mod:`tslearnkit.clustering`
calls them.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import torch
import torch.nn.functional as F

from . import _engine as E
from ._validation import as_float_array, check_int, describe

__all__ = ["dtw_barycenter_averaging", "softdtw_barycenter"]

# --- helpers shared with tslearnkit.clustering ------------------------------------------------


def _check_tol(tol):
    """``tol`` as a float, or a ValueError naming it: a finite number >= 0."""
    if (
        isinstance(tol, bool)
        or not isinstance(tol, numbers.Real)
        or not (tol >= 0 and math.isfinite(tol))
    ):
        raise ValueError(f"tol must be a finite number >= 0, got {tol!r}")
    return float(tol)


def _as_output(centres, like):
    """Centres ``(k, L, d)`` as the caller's kind: numpy unless ``like`` is a tensor, and
    ``(k, L)`` if ``like`` was 2-D (univariate series without a feature axis)."""
    like_ndim = like.ndim if isinstance(like, torch.Tensor) else np.ndim(like)
    out = centres[..., 0] if like_ndim == 2 else centres
    return out if isinstance(like, torch.Tensor) else out.detach().cpu().numpy()


def _resample(series, length):
    """Linear interpolation of a ``(l, d)`` series onto ``length`` equally spaced points."""
    if series.shape[0] == length:
        return series
    if series.shape[0] == 1:
        return series.expand(length, -1)
    return F.interpolate(series.T[None], size=length, mode="linear", align_corners=True)[0].T


def _full_lengths(centres):
    """The lengths ``(k,)`` of centres without padding: all ``centres.shape[1]``."""
    return torch.full((len(centres),), centres.shape[1], dtype=torch.long, device=centres.device)


def _join(*parts):
    """Sets of series ``(values (n_i, L_i, d), lengths (n_i,))`` as one set, end-padded with 0 to
    the longest: ``(values, lengths, starts)``, ``starts[i]`` the index of part ``i``'s first
    series. Differentiable: one call of the wavefront can then take pairs from every part (a call
    costs per anti-diagonal, whatever its number of pairs)."""
    longest = max(values.shape[1] for values, _ in parts)
    values = torch.cat([F.pad(v, (0, 0, 0, longest - v.shape[1])) for v, _ in parts])
    lengths = torch.cat([lengths for _, lengths in parts])
    starts = np.cumsum([0] + [len(v) for v, _ in parts[:-1]]).tolist()
    return values, lengths, starts


def _self_soft_dtw(X, lx, gamma, window):
    """``soft-DTW(x_i, x_i)`` of every series, ``(n_series,)``: the diagonal pairs ``(i, i)``."""
    index = torch.arange(len(X), device=X.device)
    return E.soft_dtw_pairs(X, lx, X, lx, (index, index), gamma, window)


# --- DBA ----------------------------------------------------------------------------------------


def _dba(X, lx, labels, centres, max_iter, tol, window):
    """DTW barycenter averaging (Petitjean et al., 2011) of every cluster at once, in place.

    Each round aligns every series with its cluster's centre by DTW and replaces each point of the
    centre by the mean of all the series values aligned to it. A cluster stops, as in tslearn,
    once its mean squared DTW changes by less than ``tol`` or grows.
    """
    k, L, dim = centres.shape
    sizes = torch.bincount(labels, minlength=k).to(X.dtype)
    active = sizes > 0
    previous = torch.full((k,), math.inf, dtype=X.dtype, device=X.device)
    workspace = None
    if X.device.type != "cpu":  # the wavefront's stored diagonals, reused: no fresh pages
        most = min(len(X), E._wavefront._chunk_pairs(L, X.shape[1], dim, True, X.device))
        workspace = X.new_empty((L + X.shape[1] + 1) * (L + 1) * most)
    for _ in range(max_iter):
        members = torch.nonzero(active[labels])[:, 0]
        sums, counts, cost = E.dba_statistics(X, lx, labels, members, centres, window, workspace)
        cost = cost.to(X.device) / sizes.clamp(min=1)
        sums, counts = sums.to(X.device), counts.to(X.device)
        update = active[:, None] & (counts > 0)
        centres[update] = (sums / counts[..., None].clamp(min=1))[update]
        done = ((previous - cost).abs() < tol) | (previous < cost)
        previous = torch.where(active, cost, previous)
        active &= ~done
        if not active.any():
            break
    return centres


# --- soft-DTW -----------------------------------------------------------------------------------


def _softdtw_barycenters(
    X, lx, labels, centres, gamma, max_iter, tol, window, divergence=False, self_x=None
):
    """Soft-DTW barycenters of every cluster at once by L-BFGS-B, from ``centres (k, L, d)``.

    The objective is the sum over the clusters (which do not interact) of

    - ``sum_i soft-DTW(z_k, x_i)`` (Cuturi & Blondel 2017; tslearn's), or, with ``divergence``,
    - ``sum_i D(z_k, x_i)`` with the soft-DTW divergence ``D(z, x) = soft-DTW(z, x) -
      (soft-DTW(z, z) + soft-DTW(x, x)) / 2`` (Blondel, Mensch & Vert 2021, section 4), i.e.
      ``sum_i soft-DTW(z_k, x_i) - (n_k / 2) soft-DTW(z_k, z_k)`` plus a constant; the gradient
      of ``soft-DTW(z, z)`` flows through both of its arguments.

    ``self_x``: ``soft-DTW(x_i, x_i)`` of every series (computed if None), the constant that makes
    the divergence objective the summed divergence itself (about >= 0), so that L-BFGS-B's relative
    stopping rule ``tol`` is relative to it. Clusters without members keep their centres.
    """
    from scipy.optimize import minimize

    shape, index = centres.shape, torch.arange(len(X), device=X.device)
    centre_len = _full_lengths(centres)
    sizes = torch.bincount(labels, minlength=shape[0]).to(X.dtype)
    used = torch.nonzero(sizes > 0)[:, 0]
    constant = 0.0
    if divergence:
        if self_x is None:
            with torch.no_grad():
                self_x = _self_soft_dtw(X, lx, gamma, window)
        constant = 0.5 * float(self_x.sum())

    X = X.detach()  # the gradient is the centres' only

    @torch.enable_grad()  # also inside k-means, which runs without gradients
    def objective(flat):
        Z = torch.tensor(flat.reshape(shape), dtype=X.dtype, device=X.device, requires_grad=True)
        if not divergence:
            loss = E.soft_dtw_pairs(Z, centre_len, X, lx, (labels, index), gamma, window).sum()
        else:  # the pairs (z_k, x_i) and (z_k, z_k) in one call
            Y, ly, (z0, x0) = _join((Z, centre_len), (X, lx))
            pairs = (torch.cat((labels, used)), torch.cat((x0 + index, z0 + used)))
            values = E.soft_dtw_pairs(Z, centre_len, Y, ly, pairs, gamma, window)
            weights = torch.cat((torch.ones_like(labels, dtype=X.dtype), -0.5 * sizes[used]))
            loss = (weights * values).sum() - constant
        loss.backward()
        return loss.item(), Z.grad.cpu().numpy().ravel()

    start = centres.detach().cpu().numpy().ravel()
    result = minimize(
        objective, start, method="L-BFGS-B", jac=True, tol=tol, options={"maxiter": max_iter}
    )
    return torch.tensor(result.x.reshape(shape), dtype=X.dtype, device=X.device)


# --- the public functions -------------------------------------------------------------------------


def _barycenter_inputs(X, init, device, method):
    Xs, lx = E.check_series(
        X, "X", allow_padding=True, device=device, dtype=torch.float64, what=method
    )
    if init is None:
        padded = torch.where(
            torch.arange(Xs.shape[1], device=device)[None, :, None] < lx[:, None, None],
            Xs,
            math.nan,
        )
        return Xs, lx, torch.nanmean(padded, 0)[None]  # (1, L, d): the pointwise mean
    init = init if isinstance(init, torch.Tensor) else as_float_array(init, "init")
    Z, _ = E.check_series(
        init[None], "init", allow_padding=False, device=device, dtype=torch.float64, what=method
    )
    if Z.shape[0] != 1 or Z.shape[2] != Xs.shape[2]:
        raise ValueError(
            f"init must be one series of shape (length,) or (length, {Xs.shape[2]}), got shape "
            f"{tuple(Z.shape)[1:]}"
        )
    return Xs, lx, Z.clone()


def _one_barycenter(X, init, max_iter, tol, window, device, method, solve):
    """Check the arguments shared by the two barycenter functions, run ``solve`` on all of ``X``
    as one cluster, and return the barycenter in the input's type."""
    device = E.check_device(device, X)
    max_iter = check_int(max_iter, "max_iter", minimum=1)
    tol = _check_tol(tol)
    window = E.check_window(window)
    Xs, lx, Z = _barycenter_inputs(X, init, device, method)
    labels = torch.zeros(len(Xs), dtype=torch.long, device=device)
    Z = solve(Xs, lx, labels, Z, max_iter, tol, window)
    return _as_output(Z, X)[0]


def dtw_barycenter_averaging(X, init=None, max_iter=30, tol=1e-5, window=None, *, device=None):
    """DBA: the series that minimises the sum of squared DTW distances to the series of ``X``.

    Petitjean et al. (2011): align every series with the current barycenter by DTW, replace each
    barycenter point by the mean of the values aligned to it, and repeat until the mean squared
    DTW changes by less than ``tol`` (or grows). The same algorithm and stopping rule as
    ``tslearn.barycenters.dtw_barycenter_averaging``; all alignments of a round are computed at once.

    Parameters
    ----------
    X : array-like or tensor of shape (n_series, length) or (n_series, length, features)
        NaN only as end padding of shorter series.
    init : array-like of shape (length_b,) or (length_b, features), optional
        Starting barycenter (and its length); default the pointwise mean of ``X`` (ignoring padding).
    max_iter : int >= 1, default 30
    tol : float >= 0, default 1e-5
    window : int >= 0 or None
        Sakoe-Chiba radius of the alignments.
    device : str or torch.device, optional

    Returns
    -------
    numpy.ndarray of shape (length_b,) or (length_b, features)
        A tensor if ``X`` is one.

    Examples
    --------
    >>> dtw_barycenter_averaging([[1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 4.0, 5.0]], max_iter=5).round(3).tolist()
    [1.0, 2.0, 3.5, 4.5]
    """
    return _one_barycenter(X, init, max_iter, tol, window, device, "DBA", torch.no_grad()(_dba))


def softdtw_barycenter(
    X, gamma=1.0, init=None, max_iter=50, tol=1e-3, window=None, *, divergence=False, device=None
):
    """The series that minimises the summed soft-DTW (or, with ``divergence=True``, the summed
    soft-DTW divergence) to the series of ``X``, found with L-BFGS-B from the gradient of soft-DTW.

    By default this is Cuturi & Blondel's (2017) soft-DTW barycenter, equal to
    ``tslearn.barycenters.softdtw_barycenter``. Soft-DTW is not a dissimilarity, though: it is
    negative for close series once ``gamma`` is not small against the squared differences, and
    ``soft-DTW(z, z)`` is lowest for smooth ``z``, so its barycenter is pulled towards smooth
    series. ``divergence=True`` minimises instead the sum of the soft-DTW divergences (Blondel,
    Mensch & Vert 2021) ``D(z, x) = soft-DTW(z, x) - (soft-DTW(z, z) + soft-DTW(x, x)) / 2``,
    which is 0 for ``z = x`` and positive otherwise (in practice: see the Notes of
    :class:`~tslearnkit.clustering.TimeSeriesKMeans`); that is the centre update of
    ``TimeSeriesKMeans(metric="softdtw")``.

    Parameters
    ----------
    X : array-like or tensor of shape (n_series, length) or (n_series, length, features)
        NaN only as end padding of shorter series.
    gamma : float > 0, default 1.0
        The soft-min smoothing, in the units of the summed squared differences
        (see :func:`tslearnkit.clustering.suggest_gamma`).
    init : array-like of shape (length_b,) or (length_b, features), optional
        Starting point (and length); default the pointwise mean of ``X`` (ignoring padding).
    max_iter : int >= 1, default 50
        L-BFGS iterations.
    tol : float >= 0, default 1e-3
        L-BFGS-B's ``ftol`` and ``gtol``: it stops once a step lowers the objective by less than
        ``tol`` times its size (at least 1), or the largest gradient entry is below ``tol``.
    window : int >= 0 or None
        Sakoe-Chiba radius.
    divergence : bool, default False
        False: the soft-DTW barycenter (tslearn's). True: the soft-DTW divergence barycenter.
    device : str or torch.device, optional

    Returns
    -------
    numpy.ndarray of shape (length_b,) or (length_b, features)
        A tensor if ``X`` is one.

    Examples
    --------
    >>> softdtw_barycenter([[0.0, 1.0, 2.0], [0.0, 1.0, 2.0]], gamma=0.01).round(2).tolist()
    [0.0, 1.0, 2.0]
    >>> softdtw_barycenter([[0.0, 1.0, 2.0], [0.0, 1.0, 2.0]], gamma=1.0, divergence=True).round(2).tolist()
    [0.0, 1.0, 2.0]
    """
    gamma = E.check_gamma(gamma)
    if not isinstance(divergence, (bool, np.bool_)):
        raise TypeError(f"divergence must be True or False, got {describe(divergence)}")

    def solve(Xs, lx, labels, Z, max_iter, tol, window):
        return _softdtw_barycenters(
            Xs, lx, labels, Z, gamma, max_iter, tol, window, divergence=bool(divergence)
        )

    method = "the soft-DTW divergence" if divergence else "soft-DTW"
    return _one_barycenter(X, init, max_iter, tol, window, device, method, solve)

"""Clustering whole time series: k-means with the Euclidean, DTW or soft-DTW geometry, and k-Shape.

Scikit-learn conventions: ``__init__`` only stores the parameters; ``fit`` checks them and the
data, then sets ``labels_``, ``cluster_centers_``, ``inertia_`` and ``n_iter_``. Distances are
computed for all pairs at once with :mod:`tslearnkit.distances`, on CPU or GPU.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ._validation import check_int, describe
from . import _engine as E

__all__ = ["TimeSeriesKMeans", "KShape", "dtw_barycenter_averaging", "softdtw_barycenter"]

METRICS = ("euclidean", "dtw", "softdtw")

# --- helpers ----------------------------------------------------------------------------------


def _check_tol(tol):
    if (
        isinstance(tol, bool)
        or not isinstance(tol, numbers.Real)
        or not (tol >= 0 and math.isfinite(tol))
    ):
        raise ValueError(f"tol must be a finite number >= 0, got {tol!r}")
    return float(tol)


def _check_random_state(random_state):
    try:
        return check_random_state(random_state)
    except ValueError:
        raise ValueError(
            f"random_state must be None, an integer or a numpy RandomState, got {describe(random_state)}"
        ) from None


def _resample(series, length):
    """Linear interpolation of a ``(l, d)`` series onto ``length`` equally spaced points."""
    if series.shape[0] == length:
        return series
    if series.shape[0] == 1:
        return series.expand(length, -1)
    return F.interpolate(series.T[None], size=length, mode="linear", align_corners=True)[0].T


def _as_output(centres, like_ndim, like):
    """Centres ``(k, L, d)`` as the caller's kind: numpy unless a tensor came in, ``(k, L)`` for 2-D input."""
    out = centres[..., 0] if like_ndim == 2 else centres
    return out if isinstance(like, torch.Tensor) else out.detach().cpu().numpy()


def _input_ndim(X):
    return np.ndim(X) if not isinstance(X, torch.Tensor) else X.ndim


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


def _softdtw_barycenters(X, lx, labels, centres, gamma, max_iter, tol, window):
    """Soft-DTW barycenters of every cluster: L-BFGS on the sum over clusters of
    ``sum_i soft-DTW(centre_k, x_i)`` (the clusters do not interact), from ``centres``."""
    from scipy.optimize import minimize

    shape, index = centres.shape, torch.arange(len(X), device=X.device)
    centre_len = torch.full((shape[0],), shape[1], dtype=torch.long, device=X.device)

    def objective(flat):
        Z = torch.tensor(flat.reshape(shape), dtype=X.dtype, device=X.device, requires_grad=True)
        values = E.soft_dtw_pairs(Z, centre_len, X, lx, (labels, index), gamma, window)
        loss = values.sum()
        loss.backward()
        return loss.item(), Z.grad.cpu().numpy().ravel()

    start = centres.detach().cpu().numpy().ravel()
    result = minimize(
        objective, start, method="L-BFGS-B", jac=True, tol=tol, options={"maxiter": max_iter}
    )
    return torch.tensor(result.x.reshape(shape), dtype=X.dtype, device=X.device)


def _barycenter_inputs(X, init, device, metric_name):
    Xs, lx = E.check_series(
        X, "X", allow_padding=True, device=device, dtype=torch.float64, what=metric_name
    )
    if init is None:
        padded = torch.where(
            torch.arange(Xs.shape[1], device=device)[None, :, None] < lx[:, None, None],
            Xs,
            math.nan,
        )
        return Xs, lx, torch.nanmean(padded, 0)[None]  # (1, L, d): the pointwise mean
    Z, lz = E.check_series(
        init, "init", allow_padding=False, device=device, dtype=torch.float64, what=metric_name
    )
    if Z.shape[0] != 1 or Z.shape[2] != Xs.shape[2]:
        raise ValueError(
            f"init must be one series of shape (length,) or (length, {Xs.shape[2]}), got shape {tuple(Z.shape)[1:]}"
        )
    return Xs, lx, Z.clone()


def _prepare_init(init):
    """A single series ``(L,)`` or ``(L, d)`` as the one-series data set ``(1, L[, d])``."""
    if init is None:
        return None
    array = init if isinstance(init, torch.Tensor) else np.asarray(init, dtype=np.float64)
    return array[None]


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


def softdtw_barycenter(X, gamma=1.0, init=None, max_iter=50, tol=1e-3, window=None, *, device=None):
    """The series that minimises the sum of soft-DTW values to the series of ``X`` (Cuturi &
    Blondel, 2017), found with L-BFGS-B from the gradient of :func:`~tslearnkit.distances.cdist_soft_dtw`,
    as ``tslearn.barycenters.softdtw_barycenter`` does.

    Parameters
    ----------
    X : array-like or tensor of shape (n_series, length) or (n_series, length, features)
        NaN only as end padding of shorter series.
    gamma : float > 0, default 1.0
    init : array-like of shape (length_b,) or (length_b, features), optional
        Starting point (and length); default the pointwise mean of ``X`` (ignoring padding).
    max_iter : int >= 1, default 50
        L-BFGS iterations.
    tol : float >= 0, default 1e-3
    window : int >= 0 or None
    device : str or torch.device, optional

    Returns
    -------
    numpy.ndarray of shape (length_b,) or (length_b, features)
        A tensor if ``X`` is one.

    Examples
    --------
    >>> softdtw_barycenter([[0.0, 1.0, 2.0], [0.0, 1.0, 2.0]], gamma=0.01).round(2).tolist()
    [0.0, 1.0, 2.0]
    """
    gamma = E.check_gamma(gamma)

    def solve(Xs, lx, labels, Z, max_iter, tol, window):
        return _softdtw_barycenters(Xs, lx, labels, Z, gamma, max_iter, tol, window)

    return _one_barycenter(X, init, max_iter, tol, window, device, "soft-DTW", solve)


def _one_barycenter(X, init, max_iter, tol, window, device, method, solve):
    """Check the arguments shared by the two barycenter functions, run ``solve`` on all of ``X``
    as one cluster, and return the barycenter in the input's type."""
    device = E.check_device(device, X)
    max_iter = check_int(max_iter, "max_iter", minimum=1)
    tol = _check_tol(tol)
    window = E.check_window(window)
    Xs, lx, Z = _barycenter_inputs(X, _prepare_init(init), device, method)
    labels = torch.zeros(len(Xs), dtype=torch.long, device=device)
    Z = solve(Xs, lx, labels, Z, max_iter, tol, window)
    return _as_output(Z, _input_ndim(X), X)[0]


# --- k-means ----------------------------------------------------------------------------------


class TimeSeriesKMeans(ClusterMixin, BaseEstimator):
    """k-means for time series with the Euclidean, DTW or soft-DTW geometry.

    Each round assigns every series to its closest centre and moves each centre to the
    barycenter of its series: the arithmetic mean ("euclidean"), the DBA barycenter ("dtw",
    Petitjean et al. 2011) or the soft-DTW barycenter ("softdtw", Cuturi & Blondel 2017). Centres
    start from k-means++ with the chosen metric. A cluster left empty is re-seeded with the series
    farthest from its own centre. Follows tslearn's ``TimeSeriesKMeans``.

    Parameters
    ----------
    n_clusters : int >= 1, default 3
    metric : {"euclidean", "dtw", "softdtw"}, default "euclidean"
        "dtw" and "softdtw" accept series of different lengths (NaN end padding); "euclidean"
        needs equal lengths and no NaN.
    max_iter : int >= 1, default 50
        Rounds of assignment and update.
    n_init : int >= 1, default 1
        Runs from different k-means++ starts; the one with the lowest inertia is kept.
    random_state : int, numpy RandomState or None
    device : str or torch.device, optional
        Where distances and barycenters are computed; default the CPU (or the device of a tensor X).
    window : int >= 0 or None
        Sakoe-Chiba radius for "dtw" and "softdtw".
    gamma : float > 0, default 1.0
        Soft-DTW smoothing ("softdtw" only).
    tol : float >= 0, default 1e-6
        Stop when the inertia changes by less than this between rounds.
    max_iter_barycenter : int >= 1, default 30
        Rounds of DBA or L-BFGS iterations for each barycenter update (tslearn uses 30 DBA rounds,
        and ``max_iter_barycenter=100`` L-BFGS iterations by default).

    Attributes
    ----------
    cluster_centers_ : numpy.ndarray of shape (n_clusters, length) or (n_clusters, length, features)
        The input's number of dimensions; a tensor if X was one.
    labels_ : numpy.ndarray of shape (n_series,)
        Index of each series' closest centre.
    inertia_ : float
        As in tslearn: the mean over the series of the squared distance to the closest centre
        (tslearn divides the sum by the number of series). For "softdtw", the mean soft-DTW value,
        already on a squared scale (tslearn squares it, which breaks on negative values).
    n_iter_ : int
        Rounds run by the kept initialisation.

    Notes
    -----
    With the same ``random_state`` the k-means++ start, and so the result, is tslearn's for "dtw"
    (tslearn seeds "euclidean" through scikit-learn instead). On a CPU, DBA rounds are many small
    tensor operations: two torch threads help only on an otherwise idle machine, and on a 2-core
    machine shared with other busy processes they can be many times slower than one; there, call
    ``torch.set_num_threads(1)`` first (``benchmarks/dtw.py`` measures both).

    Examples
    --------
    >>> X = np.array([[0.0, 0.0, 1.0, 0.0], [0.0, 1.0, 0.0, 0.0], [5.0, 5.0, 5.0, 6.0], [5.0, 6.0, 5.0, 5.0]])
    >>> km = TimeSeriesKMeans(n_clusters=2, metric="dtw", random_state=0).fit(X)
    >>> bool(km.labels_[0] == km.labels_[1]), bool(km.labels_[0] == km.labels_[2])
    (True, False)
    """

    def __init__(
        self,
        n_clusters=3,
        metric="euclidean",
        max_iter=50,
        n_init=1,
        random_state=None,
        device=None,
        window=None,
        gamma=1.0,
        tol=1e-6,
        max_iter_barycenter=30,
    ):
        self.n_clusters = n_clusters
        self.metric = metric
        self.max_iter = max_iter
        self.n_init = n_init
        self.random_state = random_state
        self.device = device
        self.window = window
        self.gamma = gamma
        self.tol = tol
        self.max_iter_barycenter = max_iter_barycenter

    # checks ------------------------------------------------------------------------------------

    def _check_params(self, X):
        if not isinstance(self.metric, str) or self.metric not in METRICS:
            raise ValueError(
                f"metric must be one of {', '.join(map(repr, METRICS))}, got {self.metric!r}"
            )
        check_int(self.n_clusters, "n_clusters", minimum=1)
        check_int(self.max_iter, "max_iter", minimum=1)
        check_int(self.n_init, "n_init", minimum=1)
        check_int(self.max_iter_barycenter, "max_iter_barycenter", minimum=1)
        _check_tol(self.tol)
        E.check_window(self.window)
        E.check_gamma(self.gamma)
        return E.check_device(self.device, X)

    def _check_X(self, X, device):
        what = "metric='euclidean'" if self.metric == "euclidean" else f"metric={self.metric!r}"
        return E.check_series(
            X,
            "X",
            allow_padding=self.metric != "euclidean",
            device=device,
            dtype=torch.float64,
            what=what,
        )

    # the steps ---------------------------------------------------------------------------------

    def _distances(self, X, lx, centres):
        """Distances ``(n_series, n_centres)``: Euclidean, DTW, or soft-DTW values."""
        lc = torch.full((len(centres),), centres.shape[1], dtype=torch.long, device=X.device)
        with torch.no_grad():
            if self.metric == "euclidean":
                return torch.cdist(
                    X.flatten(1), centres.flatten(1), compute_mode="donot_use_mm_for_euclid_dist"
                )
            if self.metric == "dtw":
                return E.cdist_dtw(X, lx, centres, lc, self.window)
            return E.cdist_soft_dtw(X, lx, centres, lc, self.gamma, self.window)

    def _squared(self, distances):
        """Distances on the squared scale used by k-means++ and the inertia."""
        return distances.clamp(min=0) if self.metric == "softdtw" else distances**2

    def _series(self, X, lx, index, length):
        return _resample(X[index, : lx[index]], length)

    def _kmeans_plusplus(self, X, lx, rng):
        """k-means++ seeding with the chosen metric, as tslearn's ``_k_init_metric``."""
        n, L, _ = X.shape
        k = self.n_clusters
        trials = 2 + int(np.log(k))
        chosen = [int(rng.randint(n))]
        closest = (
            self._squared(self._distances(X, lx, self._series(X, lx, chosen[0], L)[None]))[:, 0]
            .cpu()
            .numpy()
        )
        potential = closest.sum()
        for _ in range(1, k):
            draws = rng.random_sample(trials) * potential
            candidates = np.clip(np.searchsorted(np.cumsum(closest), draws), None, n - 1)
            centres = torch.stack([self._series(X, lx, int(c), L) for c in candidates])
            to_candidates = (
                self._squared(self._distances(X, lx, centres)).T.cpu().numpy()
            )  # (trials, n)
            to_candidates = np.minimum(closest, to_candidates)
            best = int(np.argmin(to_candidates.sum(1)))
            potential, closest = to_candidates[best].sum(), to_candidates[best]
            chosen.append(int(candidates[best]))
        return torch.stack([self._series(X, lx, c, L) for c in chosen])  # (k, L, d)

    def _assign(self, X, lx, centres):
        """Labels and distances; an empty cluster takes the series farthest from its centre."""
        distances = self._distances(X, lx, centres)  # (n, k)
        labels = distances.argmin(1)
        counts = torch.bincount(labels, minlength=len(centres))
        for empty in torch.nonzero(counts == 0)[:, 0].tolist():
            own = distances[torch.arange(len(X), device=X.device), labels]
            far = int(torch.where(counts[labels] > 1, own, -math.inf).argmax())
            counts[labels[far]] -= 1
            counts[empty] += 1
            labels[far] = empty
            centres[empty] = self._series(X, lx, far, centres.shape[1])
            distances[:, empty] = self._distances(X, lx, centres[empty : empty + 1])[:, 0]
        return labels, distances

    def _inertia(self, distances, labels):
        return float(
            self._squared(distances[torch.arange(len(labels), device=labels.device), labels]).mean()
        )

    def _update(self, X, lx, labels, centres):
        if self.metric == "euclidean":
            sums = torch.zeros_like(centres).index_add_(0, labels, X)
            counts = torch.bincount(labels, minlength=len(centres)).clamp(min=1)
            return sums / counts[:, None, None]
        if self.metric == "dtw":
            with torch.no_grad():
                return _dba(
                    X, lx, labels, centres.clone(), self.max_iter_barycenter, 1e-5, self.window
                )
        return _softdtw_barycenters(
            X, lx, labels, centres, self.gamma, self.max_iter_barycenter, 1e-3, self.window
        )

    def _fit_one(self, X, lx, rng):
        centres = self._kmeans_plusplus(X, lx, rng)
        previous = math.inf
        for iteration in range(1, self.max_iter + 1):
            labels, distances = self._assign(X, lx, centres)
            inertia = self._inertia(distances, labels)
            centres = self._update(X, lx, labels, centres)
            if abs(previous - inertia) < self.tol:
                break
            previous = inertia
        labels, distances = self._assign(X, lx, centres)  # labels of the final centres
        return centres, labels, self._inertia(distances, labels), iteration

    # public API --------------------------------------------------------------------------------

    def fit(self, X, y=None):
        """Cluster ``X``.

        Parameters
        ----------
        X : array-like or tensor of shape (n_series, length) or (n_series, length, features)
        y : ignored

        Returns
        -------
        self
        """
        device = self._check_params(X)
        Xs, lx = self._check_X(X, device)
        if self.n_clusters > len(Xs):
            raise ValueError(
                f"n_clusters ({self.n_clusters}) must be <= the number of series in X ({len(Xs)})"
            )
        rng = _check_random_state(self.random_state)
        best = None
        for _ in range(self.n_init):
            run = self._fit_one(Xs, lx, rng)
            if best is None or run[2] < best[2]:
                best = run
        centres, labels, self.inertia_, self.n_iter_ = best
        self.cluster_centers_ = _as_output(centres, _input_ndim(X), X)
        self.labels_ = labels.cpu().numpy()
        self._centres = centres
        return self

    def predict(self, X):
        """Index of the closest centre for each series of ``X``, shape (n_series,)."""
        check_is_fitted(self, "cluster_centers_")
        device = self._check_params(X)
        Xs, lx = self._check_X(X, device)
        centres = self._centres.to(device)
        if Xs.shape[2] != centres.shape[2]:
            raise ValueError(
                f"X has {Xs.shape[2]} features per time step but was fitted with {centres.shape[2]}"
            )
        if self.metric == "euclidean" and Xs.shape[1] != centres.shape[1]:
            raise ValueError(
                f"X has series of length {Xs.shape[1]} but metric='euclidean' was fitted on length "
                f"{centres.shape[1]}; use metric='dtw' for series of other lengths"
            )
        return self._distances(Xs, lx, centres).argmin(1).cpu().numpy()


# --- k-Shape ----------------------------------------------------------------------------------


def _znormalize(X, eps=1e-8):
    """Each series and feature to mean 0 and standard deviation 1 over time; constant -> 0."""
    mean = X.mean(1, keepdim=True)
    std = X.std(1, keepdim=True, correction=0)
    return (X - mean) / torch.where(std < eps, 1.0, std)


def _shape_extraction(members, centre):
    """k-Shape's centroid of ``members (n, L, d)``: align them to ``centre (L, d)`` by their best
    SBD shift, then take, per feature, the unit vector of largest Rayleigh quotient of
    ``Q^T S Q`` with ``S = X^T X`` and ``Q = I - 1/L`` (Paparrizos & Gravano 2015, Alg. 2)."""
    n, L, d = members.shape
    if float(torch.linalg.vector_norm(centre)) > 0:
        _, shift = E.ncc_max(centre[None], members, with_shift=True)  # (1, n)
        source = torch.arange(L)[None, :] - shift[0][:, None]  # aligned[t] = member[t - shift]
        inside = (source >= 0) & (source < L)
        aligned = members[torch.arange(n)[:, None], source.clamp(0, L - 1)] * inside[..., None]
    else:  # the paper's first round: nothing to align to yet
        aligned = members
    Q = torch.eye(L, dtype=members.dtype) - 1.0 / L
    shape = []
    for f in range(d):
        S = aligned[:, :, f].T @ aligned[:, :, f]  # (L, L)
        vector = torch.linalg.eigh(Q.T @ S @ Q).eigenvectors[:, -1]  # (L,), largest eigenvalue
        # both +v and -v maximise the quotient: keep the one closer to the aligned series
        plus = torch.linalg.vector_norm(aligned - vector[:, None], dim=(1, 2)).sum()
        minus = torch.linalg.vector_norm(aligned + vector[:, None], dim=(1, 2)).sum()
        shape.append(-vector if minus < plus else vector)
    return torch.stack(shape, -1)  # (L, d)


class KShape(ClusterMixin, BaseEstimator):
    """k-Shape clustering (Paparrizos & Gravano, 2015): k-means with the shape-based distance.

    Each round assigns every series to the centroid of smallest SBD (:func:`~tslearnkit.distances.cdist_sbd`)
    and replaces each centroid by the *shape extraction* of its cluster: the members are shifted to
    align with the old centroid, and the new one is the leading eigenvector of their centred
    Gram matrix. Every series is z-normalised (mean 0, standard deviation 1 per feature) before
    fitting and predicting, as k-Shape assumes (tslearn's KShape needs z-normalised input too).
    Equal-length series only, no NaN. Starts from randomly chosen series, as tslearn does; stops
    when the inertia changes by less than ``tol`` or grows (then the previous centroids are kept).

    Parameters
    ----------
    n_clusters : int >= 1, default 3
    max_iter : int >= 1, default 100
    n_init : int >= 1, default 1
        Runs from different random starts; the lowest inertia is kept.
    random_state : int, numpy RandomState or None
    tol : float >= 0, default 1e-6

    Attributes
    ----------
    cluster_centers_ : numpy.ndarray of shape (n_clusters, length) or (n_clusters, length, features)
        z-normalised centroids.
    labels_ : numpy.ndarray of shape (n_series,)
    inertia_ : float
        Mean over the series of the squared SBD to the closest centroid (tslearn's definition).
    n_iter_ : int

    Examples
    --------
    >>> t = np.linspace(0, 4 * np.pi, 60)
    >>> waves = [np.sin(t + s) for s in (0, 0.5, -0.5)] + [((t + s) % 2 < 1) * 1.0 for s in (0, 0.5, -0.5)]
    >>> KShape(n_clusters=2, random_state=0).fit(np.array(waves)).labels_.tolist()
    [1, 1, 1, 0, 0, 0]
    """

    def __init__(self, n_clusters=3, max_iter=100, n_init=1, random_state=None, tol=1e-6):
        self.n_clusters = n_clusters
        self.max_iter = max_iter
        self.n_init = n_init
        self.random_state = random_state
        self.tol = tol

    def _check_X(self, X):
        Xs, _ = E.check_series(
            X,
            "X",
            allow_padding=False,
            device=torch.device("cpu"),
            dtype=torch.float64,
            what="KShape",
        )
        return _znormalize(Xs)

    def _assign(self, X, centres):
        distances = 1.0 - E.ncc_max(X, centres)  # (n, k) SBD
        labels = distances.argmin(1)
        counts = torch.bincount(labels, minlength=len(centres))
        for empty in torch.nonzero(counts == 0)[:, 0].tolist():  # re-seed with the farthest series
            own = distances[torch.arange(len(X), device=X.device), labels]
            far = int(torch.where(counts[labels] > 1, own, -math.inf).argmax())
            counts[labels[far]] -= 1
            counts[empty] += 1
            labels[far] = empty
            centres[empty] = X[far]
            distances[:, empty] = 1.0 - E.ncc_max(X, X[far : far + 1])[:, 0]
        inertia = float((distances[torch.arange(len(X), device=X.device), labels] ** 2).mean())
        return labels, inertia

    def _fit_one(self, X, rng):
        centres = X[rng.choice(len(X), self.n_clusters, replace=False)].clone()  # (k, L, d)
        labels, inertia = self._assign(X, centres)
        previous = math.inf
        for iteration in range(1, self.max_iter + 1):
            old = centres.clone()
            for k in range(self.n_clusters):
                centres[k] = _shape_extraction(X[labels == k], centres[k])
            centres = _znormalize(centres)
            labels, inertia = self._assign(X, centres)
            if abs(previous - inertia) < self.tol or inertia > previous:
                centres = old
                labels, inertia = self._assign(X, centres)
                break
            previous = inertia
        return centres, labels, inertia, iteration

    def fit(self, X, y=None):
        """Cluster ``X`` (z-normalised here first); returns self."""
        for name in ("n_clusters", "max_iter", "n_init"):
            check_int(getattr(self, name), name, minimum=1)
        _check_tol(self.tol)
        Xs = self._check_X(X)
        if self.n_clusters > len(Xs):
            raise ValueError(
                f"n_clusters ({self.n_clusters}) must be <= the number of series in X ({len(Xs)})"
            )
        rng = _check_random_state(self.random_state)
        best = None
        with torch.no_grad():
            for _ in range(self.n_init):
                run = self._fit_one(Xs, rng)
                if best is None or run[2] < best[2]:
                    best = run
        centres, labels, self.inertia_, self.n_iter_ = best
        self._centres = centres
        self.cluster_centers_ = _as_output(centres, _input_ndim(X), X)
        self.labels_ = labels.numpy()
        return self

    def predict(self, X):
        """Index of the centroid of smallest SBD for each series of ``X`` (z-normalised first)."""
        check_is_fitted(self, "cluster_centers_")
        Xs = self._check_X(X)
        if Xs.shape[1:] != self._centres.shape[1:]:
            raise ValueError(
                f"X has series of shape {tuple(Xs.shape[1:])} (length, features) but KShape was fitted on "
                f"{tuple(self._centres.shape[1:])}; k-Shape needs equal lengths"
            )
        return (1.0 - E.ncc_max(Xs, self._centres)).argmin(1).numpy()

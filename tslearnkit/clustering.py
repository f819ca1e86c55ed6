"""Clustering whole time series: k-means (Euclidean, DTW, soft-DTW), k-Shape and k-medoids.

Scikit-learn conventions: ``__init__`` only stores the parameters; ``fit`` checks them and the
data, then sets ``labels_``, ``cluster_centers_``, ``inertia_`` and ``n_iter_``. Both estimators
share one k-means loop (several starts, the best one kept, empty clusters re-seeded); each supplies
its distance, its centre update and its input check. Distances are computed for all pairs at once
by ``tslearnkit._engine``, on CPU or GPU; the centre updates are the barycenters of
:mod:`tslearnkit.barycenters`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from . import _engine as E
from ._validation import as_float_array, check_int, check_positive, describe
from .barycenters import (
    _dba,
    _softdtw_barycenters,
    _as_output,
    _check_tol,
    dtw_barycenter_averaging,
    _full_lengths,
    _join,
    _resample,
    _self_soft_dtw,
    softdtw_barycenter,
)

__all__ = [
    "KMedoids",
    "KShape",
    "TimeSeriesKMeans",
    "dtw_barycenter_averaging",
    "softdtw_barycenter",
    "suggest_gamma",
]

METRICS = ("euclidean", "dtw", "softdtw")

# --- helpers ----------------------------------------------------------------------------------


def _check_random_state(random_state):
    try:
        return check_random_state(random_state)
    except ValueError:
        raise ValueError(
            f"random_state must be None, an integer or a numpy RandomState, got {describe(random_state)}"
        ) from None


def _check_gamma(gamma):
    """A soft-DTW ``gamma``: a positive number, or "auto" (returned as is)."""
    if isinstance(gamma, str):
        if gamma != "auto":
            raise ValueError(f"gamma must be a positive number or 'auto', got {gamma!r}")
        return gamma
    return E.check_gamma(gamma)


# --- choosing soft-DTW's gamma ----------------------------------------------------------------


def _suggest_gamma(X, lx, fraction, window, n_pairs, rng):
    n = len(X)
    if n < 2:
        raise ValueError(
            "X has 1 series; suggest_gamma needs at least 2 to measure the DTW between them"
        )
    if n * (n - 1) // 2 <= n_pairs:  # every pair
        ii, jj = torch.triu_indices(n, n, offset=1)
    else:  # a random sample of pairs of distinct series
        first = rng.randint(n, size=n_pairs)
        second = (first + 1 + rng.randint(n - 1, size=n_pairs)) % n
        ii, jj = torch.from_numpy(first), torch.from_numpy(second)
    ii, jj = ii.to(X.device), jj.to(X.device)
    with torch.no_grad():
        squared = E.dtw_squared(X, lx, X, lx, (ii, jj), window)
    per_step = squared.cpu() / ((lx[ii] + lx[jj]).cpu().to(squared.dtype) / 2)
    typical = float(per_step.mean())
    if not typical > 0:
        raise ValueError(
            "the series of X are all equal under DTW (the DTW between any two is 0), so they set "
            "no scale for gamma; give gamma as a number"
        )
    return fraction * typical


def suggest_gamma(X, fraction=0.1, *, window=None, n_pairs=1000, random_state=0, device=None):
    """A soft-DTW ``gamma`` on the scale of the data: ``fraction`` times the typical squared
    difference per aligned time step, ``mean over pairs (x, y) of DTW(x, y)^2 / l``, where ``l``
    is the mean length of the two series.

    Soft-DTW replaces DTW's minimum over alignments of the *summed* squared differences by a soft
    minimum at temperature ``gamma``: an alignment that costs ``gamma`` more than the best one
    weighs ``e^-1`` of it. So ``gamma`` is in the units of the squared differences, and the same
    number smooths everything for series measured in kilometres and almost nothing for the same
    series in millimetres. Tied to the cost of one aligned step of two typical series, it means
    the same on every data set (multiplying ``X`` by ``c`` multiplies the suggestion by ``c**2``);
    with ``fraction=0.1`` an alignment that costs one typical step more than the best weighs
    ``e^-10`` of it, so soft-DTW stays close to DTW while becoming smooth. The mean, not the
    median: with clusters in the data the values of the pairs are bimodal (close pairs within a
    cluster, far ones across), and the median jumps between the modes (on halves of UCR's Trace,
    from 0.14 to 0.97, where the mean stays within 0.83-0.87).
    ``TimeSeriesKMeans(metric="softdtw", gamma="auto")`` uses this with its defaults.

    Parameters
    ----------
    X : array-like or tensor of shape (n_series, length) or (n_series, length, features)
        At least 2 series; NaN only as end padding of shorter series.
    fraction : float > 0, default 0.1
    window : int >= 0 or None
        Sakoe-Chiba radius of the DTW alignments (use the one soft-DTW will use).
    n_pairs : int >= 1, default 1000
        All pairs if there are at most this many, else this many random pairs of distinct series.
    random_state : int, numpy RandomState or None, default 0
        Draws the pairs (only when sampling).
    device : str or torch.device, optional

    Returns
    -------
    float

    Examples
    --------
    >>> X = np.array([[0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 2.0], [0.0, 0.0, 0.0, -2.0]])
    >>> suggest_gamma(X), suggest_gamma(10 * X)  # 0.1 * mean(4/4, 4/4, 16/4); 100 times that
    (0.2, 20.0)
    """
    device = E.check_device(device, X)
    fraction = check_positive(fraction, "fraction", "of the squared difference per step")
    window = E.check_window(window)
    n_pairs = check_int(n_pairs, "n_pairs", minimum=1)
    rng = _check_random_state(random_state)
    Xs, lx = E.check_series(
        X, "X", allow_padding=True, device=device, dtype=torch.float64, what="suggest_gamma"
    )
    return _suggest_gamma(Xs, lx, fraction, window, n_pairs, rng)


# --- the k-means loop shared by both estimators -----------------------------------------------


@dataclass
class _Data:
    """The checked series of one fit: values ``(n, L, d)`` with end padding 0, their lengths, and
    what the distance precomputes once per fit (soft-DTW: its gamma and ``soft-DTW(x_i, x_i)``)."""

    values: torch.Tensor
    lengths: torch.Tensor
    gamma: float | None = None
    self_values: torch.Tensor | None = None


class _Run(NamedTuple):
    centres: torch.Tensor
    labels: torch.Tensor
    inertia: float
    n_iter: int
    history: list


class _KMeansBase(ClusterMixin, BaseEstimator):
    """k-means bookkeeping written once: several starts and the one of least inertia kept, the
    rounds of assignment and centre update, empty clusters re-seeded with the series farthest
    from its centre, and the fitted attributes.

    A subclass supplies ``_check_params`` (returns the device), ``_check_X`` (returns the checked
    ``(values, lengths)``), ``_init_centres``, ``_distances`` (series x centres, on the distance's
    own scale), ``_squared`` (those on the objective's scale), ``_update`` (new centres, a new
    tensor), ``_stop`` (the stopping rule) and ``_check_predict``; ``_prepare`` may precompute.
    """

    # hooks with a default ---------------------------------------------------------------------

    def _prepare(self, X, lx, fitting):
        return _Data(X, lx)

    def _squared(self, distances):
        return distances**2

    def _as_centre(self, data, index, length):
        """Series ``index`` as a centre of ``length`` steps (resampled if it is shorter)."""
        return _resample(data.values[index, : data.lengths[index]], length)

    # the loop ---------------------------------------------------------------------------------

    def _assign(self, data, centres):
        """Labels and distances ``(n, k)``; an empty cluster takes the series farthest from its
        centre (among clusters with more than one series), which becomes its centre (in place)."""
        n = len(data.values)
        distances = self._distances(data, centres)
        labels = distances.argmin(1)
        counts = torch.bincount(labels, minlength=len(centres))
        for empty in torch.nonzero(counts == 0)[:, 0].tolist():
            own = distances[torch.arange(n, device=labels.device), labels]
            far = int(torch.where(counts[labels] > 1, own, -math.inf).argmax())
            counts[labels[far]] -= 1
            counts[empty] += 1
            labels[far] = empty
            centres[empty] = self._as_centre(data, far, centres.shape[1])
            distances[:, empty] = self._distances(data, centres[empty : empty + 1])[:, 0]
        return labels, distances

    def _inertia(self, distances, labels):
        own = distances[torch.arange(len(labels), device=labels.device), labels]
        return float(self._squared(own).mean())

    def _fit_one(self, data, rng):
        """One start: assign, then rounds of update and assignment until ``_stop`` says so."""
        centres = self._init_centres(data, rng)
        labels, distances = self._assign(data, centres)
        history = [self._inertia(distances, labels)]
        for iteration in range(1, self.max_iter + 1):
            new = self._update(data, labels, centres)
            new_labels, distances = self._assign(data, new)
            history.append(self._inertia(distances, new_labels))
            decision = self._stop(iteration, history, labels, new_labels)
            if decision == "revert":  # keep the previous round's centres and labels
                history.pop()
                break
            centres, labels = new, new_labels
            if decision == "keep":
                break
        return _Run(centres, labels, history[-1], iteration, history)

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
        with torch.no_grad():  # the soft-DTW barycenters turn gradients on for themselves
            data = self._prepare(Xs.detach(), lx, fitting=True)
            best = None
            for _ in range(self.n_init):
                run = self._fit_one(data, rng)
                if best is None or run.inertia < best.inertia:
                    best = run
        self._centres = best.centres
        self.cluster_centers_ = _as_output(best.centres, X)
        self.labels_ = best.labels.cpu().numpy()
        self.inertia_ = best.inertia
        self.n_iter_ = best.n_iter
        self.inertia_history_ = best.history
        self._fitted(data)
        return self

    def _fitted(self, data):
        """Attributes a subclass sets from the fit's data."""

    def predict(self, X):
        """Index of the closest centre for each series of ``X``, shape (n_series,)."""
        check_is_fitted(self, "cluster_centers_")
        device = self._check_params(X)
        Xs, lx = self._check_X(X, device)
        centres = self._centres.to(device)
        self._check_predict(Xs, centres)
        with torch.no_grad():
            data = self._prepare(Xs.detach(), lx, fitting=False)
            return self._distances(data, centres).argmin(1).cpu().numpy()


# --- k-means ----------------------------------------------------------------------------------


class TimeSeriesKMeans(_KMeansBase):
    """k-means for time series with the Euclidean, DTW or soft-DTW geometry.

    Each round assigns every series to its closest centre and moves each centre to the
    barycenter of its series: the arithmetic mean ("euclidean"), the DBA barycenter ("dtw",
    Petitjean et al. 2011) or the soft-DTW divergence barycenter ("softdtw"). Centres start from
    k-means++ with the chosen metric. A cluster left empty is re-seeded with the series farthest
    from its own centre. Follows tslearn's ``TimeSeriesKMeans`` for "euclidean" and "dtw".

    "softdtw" clusters with the soft-DTW *divergence* (Blondel, Mensch & Vert 2021)
    ``D(x, y) = soft-DTW(x, y) - (soft-DTW(x, x) + soft-DTW(y, y)) / 2``. Soft-DTW itself
    (Cuturi & Blondel 2017) is no dissimilarity: for z-normalised series and ``gamma`` near 1 it
    is negative for most pairs, and ``soft-DTW(x, x)`` varies from series to series as much as the
    gaps between classes (it is lowest for smooth series). The divergence is 0 for ``x = y`` and
    positive for other pairs (up to the caveat in the Notes); assignment, k-means++ and the
    inertia use it, and each centre minimises the summed divergence to its members
    (``softdtw_barycenter(..., divergence=True)``, by L-BFGS).

    Parameters
    ----------
    n_clusters : int >= 1, default 3
    metric : {"euclidean", "dtw", "softdtw"}, default "euclidean"
        "dtw" and "softdtw" accept series of different lengths (NaN end padding); "euclidean"
        needs equal lengths and no NaN.
    max_iter : int >= 1, default 50
        Rounds of centre update and assignment.
    n_init : int >= 1, default 1
        Runs from different k-means++ starts; the one with the lowest inertia is kept.
    random_state : int, numpy RandomState or None
    device : str or torch.device, optional
        Where distances and barycenters are computed; default the CPU (or the device of a tensor X).
    window : int >= 0 or None
        Sakoe-Chiba radius for "dtw" and "softdtw".
    gamma : float > 0 or "auto", default 1.0
        Soft-DTW smoothing ("softdtw" only). A number is used as is; it is in the units of the
        summed squared differences, so a good size depends on the data's scale. "auto" takes
        :func:`suggest_gamma` of the data (0.1 times the mean squared DTW per aligned step), which
        scales with the data; the value used is ``gamma_``.
    tol : float >= 0, default 1e-6
        "euclidean", "dtw": stop when the inertia changes by less than ``tol`` between rounds
        (tslearn's rule). "softdtw": stop when no label changes, or when the objective (the mean
        divergence to the closest centre) changes by less than ``tol`` times its previous value.
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
        The mean over the series of the squared distance to the closest centre (tslearn divides
        the sum by the number of series too). For "softdtw", the mean soft-DTW divergence to the
        closest centre, already on a squared scale and >= 0 (see the Notes; tslearn squares raw
        soft-DTW values, which breaks on the negative ones).
    n_iter_ : int
        Rounds run by the kept start.
    inertia_history_ : list of float
        The kept start's inertia after its first assignment and after each round; for "softdtw"
        it never rises (each round lowers the summed divergence twice: centres, then labels).
    gamma_ : float or None
        The soft-DTW gamma used ("softdtw"), None for the other metrics.

    Notes
    -----
    With the same ``random_state`` the k-means++ start, and so the result, is tslearn's for "dtw"
    (tslearn seeds "euclidean" through scikit-learn instead). On a CPU, DBA rounds are many small
    tensor operations: two torch threads help only on an otherwise idle machine, and on a 2-core
    machine shared with other busy processes they can be many times slower than one; there, call
    ``torch.set_num_threads(1)`` first (``benchmarks/dtw.py`` measures both).

    Blondel et al. (2021) prove the divergence >= 0 when ``exp(-cost / gamma)`` meets a
    positive-definiteness condition, which the squared Euclidean cost meets only approximately.
    On data sets it is positive for every pair of distinct series, but an optimiser can find
    slightly negative values when ``gamma`` is large against the squared differences (for a
    20-step random walk ``x`` at ``gamma=1``, ``min_z D(z, x)`` is about -0.04, against
    ``soft-DTW(x, x)`` of -18); with a ``window``, series of different lengths get bands of
    different widths and it can be clearly negative. Nothing is clamped, except that k-means++
    draws its seeds with weights ``max(D, 0)``: rounding can leave a series' divergence to itself
    at -1e-12 or so, and a weight must not be negative.

    Examples
    --------
    >>> X = np.array([[0.0, 0.0, 1.0, 0.0], [0.0, 1.0, 0.0, 0.0], [5.0, 5.0, 5.0, 6.0], [5.0, 6.0, 5.0, 5.0]])
    >>> km = TimeSeriesKMeans(n_clusters=2, metric="dtw", random_state=0).fit(X)
    >>> bool(km.labels_[0] == km.labels_[1]), bool(km.labels_[0] == km.labels_[2])
    (True, False)
    >>> sk = TimeSeriesKMeans(n_clusters=2, metric="softdtw", gamma="auto", random_state=0).fit(X)
    >>> sk.labels_.tolist() == km.labels_.tolist(), sk.inertia_ >= 0
    (True, True)
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
        _check_gamma(self.gamma)
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

    def _check_predict(self, X, centres):
        if X.shape[2] != centres.shape[2]:
            raise ValueError(
                f"X has {X.shape[2]} features per time step but was fitted with {centres.shape[2]}"
            )
        if self.metric == "euclidean" and X.shape[1] != centres.shape[1]:
            raise ValueError(
                f"X has series of length {X.shape[1]} but metric='euclidean' was fitted on length "
                f"{centres.shape[1]}; use metric='dtw' for series of other lengths"
            )

    # the steps ---------------------------------------------------------------------------------

    def _prepare(self, X, lx, fitting):
        """Soft-DTW: gamma (from the data for "auto", when fitting) and ``soft-DTW(x_i, x_i)``."""
        if self.metric != "softdtw":
            return _Data(X, lx)
        if not fitting:
            gamma = self.gamma_
        elif self.gamma == "auto":
            gamma = _suggest_gamma(X, lx, 0.1, self.window, 1000, np.random.RandomState(0))
        else:
            gamma = float(self.gamma)
        return _Data(X, lx, gamma, _self_soft_dtw(X, lx, gamma, self.window))

    def _fitted(self, data):
        self.gamma_ = data.gamma

    def _distances(self, data, centres):
        """Distances ``(n_series, n_centres)``: Euclidean, DTW, or the soft-DTW divergence."""
        X, lx = data.values, data.lengths
        lc = _full_lengths(centres)
        if self.metric == "euclidean":
            return torch.cdist(
                X.flatten(1), centres.flatten(1), compute_mode="donot_use_mm_for_euclid_dist"
            )
        if self.metric == "dtw":
            return E.cdist_dtw(X, lx, centres, lc, self.window)
        # soft-DTW(x_i, c_j) and soft-DTW(c_j, c_j) (per call: the centres move) in one call
        n, k = len(X), len(centres)
        Y, ly, (x0, c0) = _join((X, lx), (centres, lc))
        rows = torch.cat((x0 + torch.arange(n).repeat_interleave(k), c0 + torch.arange(k)))
        cols = torch.cat((torch.arange(k).repeat(n), torch.arange(k)))
        values = E.soft_dtw_pairs(Y, ly, centres, lc, (rows, cols), data.gamma, self.window)
        cross, own = values[: n * k].view(n, k), values[n * k :]
        return cross - 0.5 * data.self_values[:, None] - 0.5 * own[None, :]

    def _squared(self, distances):
        """Distances on the objective's scale: squared, or the divergence as it is."""
        return distances if self.metric == "softdtw" else distances**2

    def _init_centres(self, data, rng):
        """k-means++ seeding with the chosen metric, as tslearn's ``_k_init_metric``."""
        n, L, _ = data.values.shape
        k = self.n_clusters
        trials = 2 + int(np.log(k))

        def weights(centres):  # (n, c); max(D, 0): rounding may leave D(x, x) at -1e-12
            return np.maximum(self._squared(self._distances(data, centres)).cpu().numpy(), 0.0)

        chosen = [int(rng.randint(n))]
        closest = weights(self._as_centre(data, chosen[0], L)[None])[:, 0]
        potential = closest.sum()
        for _ in range(1, k):
            draws = rng.random_sample(trials) * potential
            candidates = np.clip(np.searchsorted(np.cumsum(closest), draws), None, n - 1)
            centres = torch.stack([self._as_centre(data, int(c), L) for c in candidates])
            to_candidates = np.minimum(closest, weights(centres).T)  # (trials, n)
            best = int(np.argmin(to_candidates.sum(1)))
            potential, closest = to_candidates[best].sum(), to_candidates[best]
            chosen.append(int(candidates[best]))
        return torch.stack([self._as_centre(data, c, L) for c in chosen])  # (k, L, d)

    def _update(self, data, labels, centres):
        X, lx = data.values, data.lengths
        if self.metric == "euclidean":
            sums = torch.zeros_like(centres).index_add_(0, labels, X)
            counts = torch.bincount(labels, minlength=len(centres)).clamp(min=1)
            return sums / counts[:, None, None]
        if self.metric == "dtw":
            return _dba(X, lx, labels, centres.clone(), self.max_iter_barycenter, 1e-5, self.window)
        return _softdtw_barycenters(
            X,
            lx,
            labels,
            centres,
            data.gamma,
            self.max_iter_barycenter,
            1e-3,
            self.window,
            divergence=True,
            self_x=data.self_values,
        )

    def _stop(self, iteration, history, old_labels, labels):
        """ "euclidean", "dtw": tslearn's rule, one round late (it compares the inertia before
        the last update with the one before that). "softdtw": labels unchanged, or the objective
        changed by less than ``tol`` times its previous value."""
        if self.metric == "softdtw":
            previous, current = history[-2], history[-1]
            if torch.equal(old_labels, labels) or abs(previous - current) < self.tol * abs(
                previous
            ):
                return "keep"
            return None
        earlier = history[-3] if len(history) >= 3 else math.inf
        return "keep" if abs(earlier - history[-2]) < self.tol else None


# --- k-Shape ----------------------------------------------------------------------------------


def _znormalize(X, eps=1e-8):
    """Each series and feature to mean 0 and standard deviation 1 over time; constant -> 0."""
    mean = X.mean(1, keepdim=True)
    std = X.std(1, keepdim=True, correction=0)
    return (X - mean) / torch.where(std < eps, 1.0, std)


def _shape_extraction(members, centre):
    """k-Shape's centroid of ``members (n, L, d)``: align them to ``centre (L, d)`` by their best
    SBD shift, then take, per feature, the unit vector of largest Rayleigh quotient of
    ``Q^T S Q`` with ``S = X^T X`` and ``Q = I - 1/L`` (Paparrizos & Gravano 2015, Alg. 2): the
    leading eigenvector of the centred ``L x L`` scatter matrix of the aligned members."""
    n, L, d = members.shape
    if float(torch.linalg.vector_norm(centre)) > 0:
        _, shift = E.ncc_max(centre[None], members, with_shift=True)  # (1, n)
        source = torch.arange(L)[None, :] - shift[0][:, None]  # aligned[t] = member[t - shift]
        inside = (source >= 0) & (source < L)
        aligned = members[torch.arange(n)[:, None], source.clamp(0, L - 1)] * inside[..., None]
    else:  # the paper's first round: nothing to align to yet
        aligned = members
    shape = []
    for f in range(d):
        # Q^T S Q = (X Q)^T (X Q), and X Q centres each aligned series over time: the leading
        # eigenvector is the leading right singular vector of the centred (n, L) matrix, which
        # costs O(n L min(n, L)) instead of the O(L^3) of an eigendecomposition of Q^T S Q
        centred = aligned[:, :, f] - aligned[:, :, f].mean(1, keepdim=True)
        vector = torch.linalg.svd(centred, full_matrices=False).Vh[0]  # (L,)
        # both +v and -v maximise the quotient: keep the one closer to the aligned series
        plus = torch.linalg.vector_norm(aligned - vector[:, None], dim=(1, 2)).sum()
        minus = torch.linalg.vector_norm(aligned + vector[:, None], dim=(1, 2)).sum()
        shape.append(-vector if minus < plus else vector)
    return torch.stack(shape, -1)  # (L, d)


class KShape(_KMeansBase):
    """k-Shape clustering (Paparrizos & Gravano, 2015): k-means with the shape-based distance.

    Each round assigns every series to the centroid of smallest SBD (:func:`~tslearnkit.distances.cdist_sbd`)
    and replaces each centroid by the *shape extraction* of its cluster: the members are shifted to
    align with the old centroid, and the new one is the leading eigenvector of the centred
    ``L x L`` scatter matrix of the aligned members. Every series is z-normalised (mean 0,
    standard deviation 1 per feature) before
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
    inertia_history_ : list of float
        The kept start's inertia after its first assignment and after each kept round.

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

    def _check_params(self, X):
        for name in ("n_clusters", "max_iter", "n_init"):
            check_int(getattr(self, name), name, minimum=1)
        _check_tol(self.tol)
        return torch.device("cpu")

    def _check_X(self, X, device):
        Xs, lx = E.check_series(
            X, "X", allow_padding=False, device=device, dtype=torch.float64, what="KShape"
        )
        return _znormalize(Xs), lx

    def _check_predict(self, X, centres):
        if X.shape[1:] != centres.shape[1:]:
            raise ValueError(
                f"X has series of shape {tuple(X.shape[1:])} (length, features) but KShape was "
                f"fitted on {tuple(centres.shape[1:])}; k-Shape needs equal lengths"
            )

    def _distances(self, data, centres):
        return 1.0 - E.ncc_max(data.values, centres)  # (n, k) SBD

    def _init_centres(self, data, rng):
        return data.values[rng.choice(len(data.values), self.n_clusters, replace=False)].clone()

    def _update(self, data, labels, centres):
        new = centres.clone()
        for k in range(self.n_clusters):
            new[k] = _shape_extraction(data.values[labels == k], centres[k])
        return _znormalize(new)

    def _stop(self, iteration, history, old_labels, labels):
        """From the second round on: keep the previous centroids once the inertia grows or changes
        by less than ``tol``."""
        if iteration == 1:
            return None
        previous, current = history[-2], history[-1]
        return "revert" if abs(previous - current) < self.tol or current > previous else None


# --- k-medoids --------------------------------------------------------------------------------

MEDOID_METRICS = ("precomputed", "euclidean", "dtw")


def _check_distance_matrix(D, name="X"):
    """A square, finite, non-negative matrix of float64, or an error naming ``name``."""
    D = as_float_array(D, name)
    if D.ndim != 2 or D.shape[0] != D.shape[1] or D.shape[0] == 0:
        raise ValueError(
            f"{name} must be a square (n_series, n_series) matrix of distances with "
            f"metric='precomputed', got shape {D.shape}"
        )
    if not np.isfinite(D).all():
        raise ValueError(f"{name} must hold finite distances, got NaN or infinity")
    if (D < 0).any():
        raise ValueError(f"{name} must hold distances >= 0, got a minimum of {D.min()}")
    tolerance = 1e-9 * max(1.0, float(D.max()))
    if np.abs(np.diag(D)).max() > tolerance:
        raise ValueError(
            f"{name} must have zeros on its diagonal (each series' distance to itself), got "
            f"{np.abs(np.diag(D)).max():g}: is it a matrix of distances between the same series?"
        )
    if np.abs(D - D.T).max() > tolerance:
        i, j = np.unravel_index(np.argmax(np.abs(D - D.T)), D.shape)
        raise ValueError(
            f"{name} must be symmetric: {name}[{i}, {j}] = {D[i, j]:g} but {name}[{j}, {i}] = "
            f"{D[j, i]:g}"
        )
    return D


class KMedoids(ClusterMixin, BaseEstimator):
    """k-medoids by PAM (Kaufman & Rousseeuw 1990) on any matrix of distances, such as DTW's.

    The centre of a cluster is one of its series, the *medoid*: the member whose summed distance
    to the others is smallest. Nothing is averaged, so any dissimilarity serves, and a matrix
    computed once (``cdist_dtw(X)``) serves every ``k`` and every start. PAM minimises the summed
    distance from each series to its medoid (distances, not squared ones): after the start, each
    pass makes the single swap of a medoid with a non-medoid that lowers it most, until no swap
    lowers it. Each pass costs ``O(k n^2)``.

    Parameters
    ----------
    n_clusters : int >= 1, default 3
    metric : {"precomputed", "euclidean", "dtw"}, default "precomputed"
        "precomputed": ``fit`` takes an ``(n_series, n_series)`` matrix of distances. "euclidean"
        and "dtw": ``fit`` takes the series and computes the matrix (``cdist_dtw`` with
        ``window``; NaN end padding allowed for "dtw").
    init : {"k-medoids++", "build"}, default "k-medoids++"
        "k-medoids++": medoids drawn as k-means++ draws its seeds, with weights the squared
        distance to the nearest medoid so far (random, so ``n_init`` and ``random_state``
        matter). "build": PAM's deterministic greedy start.
    n_init : int >= 1, default 1
        Starts (with "k-medoids++"); the lowest objective is kept.
    max_iter : int >= 1, default 100
        Swap passes per start.
    random_state : int, numpy RandomState or None
    window : int >= 0 or None
        Sakoe-Chiba radius for "dtw".

    Attributes
    ----------
    medoid_indices_ : numpy.ndarray of shape (n_clusters,)
        Positions of the medoids among the fitted series.
    cluster_centers_ : numpy.ndarray or None
        The medoid series (None with "precomputed").
    labels_ : numpy.ndarray of shape (n_series,)
        Index of each series' closest medoid.
    inertia_ : float
        The objective: the mean distance from each series to its medoid.
    n_iter_ : int
        Swap passes run by the kept start.

    Examples
    --------
    >>> D = np.array([[0, 1, 9, 9], [1, 0, 9, 9], [9, 9, 0, 2], [9, 9, 2, 0]], dtype=float)
    >>> km = KMedoids(n_clusters=2, init="build").fit(D)
    >>> km.labels_.tolist(), km.inertia_
    ([0, 0, 1, 1], 0.75)
    """

    def __init__(
        self,
        n_clusters=3,
        metric="precomputed",
        init="k-medoids++",
        n_init=1,
        max_iter=100,
        random_state=None,
        window=None,
    ):
        self.n_clusters = n_clusters
        self.metric = metric
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.random_state = random_state
        self.window = window

    def _check_params(self):
        check_int(self.n_clusters, "n_clusters", minimum=1)
        check_int(self.n_init, "n_init", minimum=1)
        check_int(self.max_iter, "max_iter", minimum=1)
        check_int(
            self.window, "window", minimum=0, allow_none=True, meaning="the Sakoe-Chiba radius"
        )
        if not isinstance(self.metric, str) or self.metric not in MEDOID_METRICS:
            raise ValueError(f"metric must be one of {MEDOID_METRICS}, got {self.metric!r}")
        if not isinstance(self.init, str) or self.init not in ("k-medoids++", "build"):
            raise ValueError(f"init must be 'k-medoids++' or 'build', got {self.init!r}")

    def _matrix(self, X, Y=None):
        from .distances import cdist_dtw

        if self.metric == "precomputed":
            return _check_distance_matrix(X)
        window = 0 if self.metric == "euclidean" else self.window  # radius 0 is Euclidean
        return cdist_dtw(X, Y, window=window)

    def fit(self, X, y=None):
        """Cluster ``X``: a distance matrix ("precomputed") or the series.

        Returns
        -------
        self
        """
        self._check_params()
        D = self._matrix(X)
        n = len(D)
        if self.n_clusters > n:
            raise ValueError(
                f"n_clusters ({self.n_clusters}) must be <= the number of series in X ({n})"
            )
        rng = _check_random_state(self.random_state)
        best = None
        for _ in range(self.n_init if self.init == "k-medoids++" else 1):
            start = (
                _build(D, self.n_clusters)
                if self.init == "build"
                else _plusplus(D, self.n_clusters, rng)
            )
            medoids, n_iter = _pam_swap(D, start, self.max_iter)
            cost = float(D[:, medoids].min(axis=1).mean())
            if best is None or cost < best[1] - 1e-12:
                best = (medoids, cost, n_iter)
        medoids, self.inertia_, self.n_iter_ = best
        order = np.argsort(medoids)  # clusters numbered by their medoid's position
        self.medoid_indices_ = medoids[order]
        self.labels_ = D[:, self.medoid_indices_].argmin(axis=1)
        self.cluster_centers_ = (
            None
            if self.metric == "precomputed"
            else np.asarray(X.detach().cpu() if isinstance(X, torch.Tensor) else X)[
                self.medoid_indices_
            ]
        )
        return self

    def predict(self, X):
        """Index of the closest medoid for each series of ``X``.

        With "precomputed", ``X`` holds the distances from the new series to the *fitted* series,
        shape ``(n_new, n_fitted)``; otherwise the new series.
        """
        check_is_fitted(self, "medoid_indices_")
        self._check_params()
        if self.metric == "precomputed":
            if isinstance(X, torch.Tensor):
                X = X.detach().cpu().numpy()
            D = as_float_array(X, "X")
            n_fitted = len(self.labels_)
            if D.ndim != 2 or D.shape[1] != n_fitted:
                raise ValueError(
                    f"X must hold the distances to the {n_fitted} fitted series, shape "
                    f"(n_new, {n_fitted}), got shape {D.shape}"
                )
            if not np.isfinite(D).all() or (D < 0).any():
                raise ValueError("X must hold finite distances >= 0, got NaN, infinity or < 0")
            return D[:, self.medoid_indices_].argmin(axis=1)
        return self._matrix(X, self.cluster_centers_).argmin(axis=1)


def _plusplus(D, k, rng):
    """k-medoids++: the first medoid uniformly, each next with weight (distance to nearest)^2."""
    medoids = [int(rng.randint(len(D)))]
    nearest = D[:, medoids[0]].copy()
    for _ in range(1, k):
        weights = nearest**2
        total = weights.sum()
        if total <= 0:  # every series sits on a medoid: take any other
            choice = int(rng.choice(np.setdiff1d(np.arange(len(D)), medoids)))
        else:
            choice = int(rng.choice(len(D), p=weights / total))
        medoids.append(choice)
        nearest = np.minimum(nearest, D[:, choice])
    return np.array(medoids)


def _build(D, k):
    """PAM's BUILD: the series of least summed distance, then greedily the one that lowers the
    objective most."""
    medoids = [int(D.sum(axis=0).argmin())]
    nearest = D[:, medoids[0]].copy()
    for _ in range(1, k):
        gain = np.maximum(nearest[:, None] - D, 0).sum(axis=0)  # per candidate
        gain[medoids] = -1.0
        choice = int(gain.argmax())
        medoids.append(choice)
        nearest = np.minimum(nearest, D[:, choice])
    return np.array(medoids)


def _pam_swap(D, medoids, max_iter):
    """PAM's SWAP: each pass makes the best improving (medoid, non-medoid) swap."""
    medoids = medoids.copy()
    n_iter = 0
    for n_iter in range(1, max_iter + 1):
        to_medoids = D[:, medoids]  # (n, k)
        order = np.argsort(to_medoids, axis=1)
        first = to_medoids[np.arange(len(D)), order[:, 0]]
        second = (
            to_medoids[np.arange(len(D)), order[:, 1]]
            if len(medoids) > 1
            else np.full(len(D), np.inf)
        )
        best_delta, best_swap = -1e-12 * max(first.sum(), 1.0), None
        for m in range(len(medoids)):
            without = np.where(order[:, 0] == m, second, first)  # (n,) cost if m leaves
            delta = np.minimum(D, without[:, None]).sum(axis=0) - first.sum()  # per candidate h
            delta[medoids] = np.inf
            h = int(delta.argmin())
            if delta[h] < best_delta:
                best_delta, best_swap = delta[h], (m, h)
        if best_swap is None:
            break
        medoids[best_swap[0]] = best_swap[1]
    return medoids, n_iter

"""Tests for tslearnkit.barycenters: the soft-DTW divergence barycenter, the re-exports from
tslearnkit.clustering and the input checks (DBA and the plain soft-DTW barycenter are compared
with tslearn in tests/test_clustering.py)."""

import numpy as np
import pytest
import torch

from tslearnkit import barycenters, clustering
from tslearnkit.barycenters import softdtw_barycenter
from tslearnkit.distances import cdist_soft_dtw

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def walks(shape, seed):
    return np.random.default_rng(seed).standard_normal(shape).cumsum(axis=1)


def summed_divergence(z, X, gamma):
    """sum_i D(z, x_i) from the public soft-DTW matrix: the definition, computed independently."""
    cross = cdist_soft_dtw(z[None], X, gamma=gamma)[0]
    own_z = cdist_soft_dtw(z[None], gamma=gamma)[0, 0]
    own_x = np.diag(cdist_soft_dtw(X, gamma=gamma))
    return float(np.sum(cross - 0.5 * own_z - 0.5 * own_x))


def test_clustering_re_exports_the_barycenters():
    assert clustering.softdtw_barycenter is barycenters.softdtw_barycenter
    assert clustering.dtw_barycenter_averaging is barycenters.dtw_barycenter_averaging


def test_divergence_barycenter_of_one_series_is_that_series():
    # D(z, x) = 0 at z = x, > 0 nearby; plain soft-DTW prefers a smoother z instead
    x = walks((1, 20), 0)
    start = x[0] + np.random.default_rng(1).normal(0, 0.3, 20)
    z = softdtw_barycenter(x, gamma=0.3, init=start, max_iter=300, tol=1e-10, divergence=True)
    np.testing.assert_allclose(z, x[0], atol=1e-4)
    plain = softdtw_barycenter(x, gamma=0.3, init=start, max_iter=300, tol=1e-10)
    assert np.abs(plain - x[0]).max() > 0.1


def test_divergence_can_dip_below_zero_when_gamma_is_large():
    # Blondel et al. (2021) prove D >= 0 under a condition on the cost that the squared Euclidean
    # cost does not meet exactly: minimising D(z, x) over z finds slightly negative values (the
    # docstrings say so); at a smaller gamma the minimum is x itself
    x = walks((1, 20), 0)
    start = x[0] + np.random.default_rng(1).normal(0, 0.3, 20)
    z = softdtw_barycenter(x, gamma=1.0, init=start, max_iter=300, tol=1e-10, divergence=True)
    own_x = cdist_soft_dtw(x, gamma=1.0)[0, 0]
    assert -0.1 < summed_divergence(z, x, 1.0) < -1e-3 and abs(own_x) > 10


def test_divergence_barycenter_minimises_the_summed_divergence():
    X, gamma = walks((6, 15), 4), 1.0
    z_div = softdtw_barycenter(X, gamma=gamma, max_iter=100, divergence=True)
    z_plain = softdtw_barycenter(X, gamma=gamma, max_iter=100)
    mean = X.mean(0)
    assert summed_divergence(z_div, X, gamma) < summed_divergence(z_plain, X, gamma)
    assert summed_divergence(z_div, X, gamma) < summed_divergence(mean, X, gamma)
    assert summed_divergence(z_div, X, gamma) >= 0


def test_divergence_objective_gradient_matches_finite_differences():
    # the gradient flows through both sides of the (z, z) pair: compare with central differences
    from tslearnkit import _engine as E

    X = torch.tensor(walks((3, 8), 5))
    lx = torch.full((3,), 8)
    z = torch.tensor(walks((1, 8), 6), requires_grad=True)
    lz = torch.full((1,), 8)

    def objective(z):
        Y, ly, (z0, x0) = barycenters._join((z[..., None], lz), (X[..., None], lx))
        pairs = (torch.zeros(4, dtype=torch.long), torch.tensor([x0, x0 + 1, x0 + 2, z0]))
        values = E.soft_dtw_pairs(z[..., None], lz, Y, ly, pairs, 0.7, None)
        return values[:3].sum() - 1.5 * values[3]

    objective(z).backward()
    step, numeric = 1e-6, []
    for t in range(8):
        e = torch.zeros_like(z)
        e[0, t] = step
        with torch.no_grad():
            numeric.append(float(objective(z + e) - objective(z - e)) / (2 * step))
    np.testing.assert_allclose(z.grad[0].numpy(), numeric, rtol=1e-5, atol=1e-7)


def test_divergence_barycenter_variable_lengths_and_tensors():
    X = walks((5, 12), 7)
    X[1, 9:] = np.nan  # end padding
    z = softdtw_barycenter(torch.tensor(X), gamma=0.5, max_iter=20, divergence=True)
    assert isinstance(z, torch.Tensor) and z.shape == (12,) and not torch.isnan(z).any()


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(divergence="yes"), TypeError, "divergence must be True or False, got 'yes'"),
        (dict(gamma=-1.0), ValueError, "gamma must be a positive finite number"),
        (dict(max_iter=0), ValueError, "max_iter must be a positive integer, got 0"),
        (dict(tol=-1.0), ValueError, "tol must be a finite number >= 0, got -1.0"),
        (dict(init=np.zeros((4, 2))), ValueError, r"init must be one series of shape \(length,\)"),
    ],
)
def test_bad_input_is_named(kwargs, error, match):
    with pytest.raises(error, match=match):
        softdtw_barycenter(walks((3, 6), 0), **kwargs)

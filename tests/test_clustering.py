"""Tests for tslearnkit.clustering: barycenters against tslearn, k-means and k-Shape on Trace and
CBF with seeded ARI floors, scikit-learn behaviour and input checks."""

import warnings

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.cluster import KMeans
from sklearn.exceptions import NotFittedError
from sklearn.metrics import adjusted_rand_score

from tslearnkit.clustering import (
    KMedoids,
    KShape,
    TimeSeriesKMeans,
    dtw_barycenter_averaging,
    softdtw_barycenter,
    suggest_gamma,
)
from tslearnkit.datasets import load_trace, make_cbf
from tslearnkit.distances import cdist_dtw, cdist_soft_dtw
from tslearnkit.preprocessing import znormalize

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # tslearn warns that h5py is missing
    from tslearn import barycenters as ts_bary
    from tslearn.clustering import TimeSeriesKMeans as TsKMeans
    from tslearn.utils import to_time_series_dataset

cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def trace():
    X, y = load_trace()
    return znormalize(X), y


@pytest.fixture(scope="module")
def cbf():
    X, y = make_cbf(n_per_class=30, length=128, random_state=0)
    return znormalize(X), y


def walks(shape, seed):
    return np.random.default_rng(seed).standard_normal(shape).cumsum(axis=1)


# --- barycenters -----------------------------------------------------------------------------


def test_dba_matches_tslearn_from_the_same_start():
    X = walks((12, 30), 0)
    init = walks((1, 30), 1)[0]
    expected = ts_bary.dtw_barycenter_averaging(X, init_barycenter=init[:, None])[:, 0]
    np.testing.assert_allclose(dtw_barycenter_averaging(X, init=init), expected, atol=1e-10)
    expected = ts_bary.dtw_barycenter_averaging(X, metric_params={"sakoe_chiba_radius": 3})[:, 0]
    np.testing.assert_allclose(dtw_barycenter_averaging(X, window=3), expected, atol=1e-10)


def test_dba_multivariate_and_variable_lengths_match_tslearn():
    Xm = walks((8, 20, 2), 2)
    np.testing.assert_allclose(
        dtw_barycenter_averaging(Xm), ts_bary.dtw_barycenter_averaging(Xm), atol=1e-10
    )
    rng = np.random.default_rng(3)
    Xv = to_time_series_dataset(
        [rng.standard_normal(int(rng.integers(10, 25))).cumsum() for _ in range(8)]
    )
    got = dtw_barycenter_averaging(Xv[..., 0], max_iter=10)
    np.testing.assert_allclose(
        got, ts_bary.dtw_barycenter_averaging(Xv, max_iter=10)[:, 0], atol=1e-10
    )


def test_softdtw_barycenter_matches_tslearn():
    X = walks((6, 15), 4)
    expected = ts_bary.softdtw_barycenter(X, gamma=1.0, max_iter=30)[:, 0]
    np.testing.assert_allclose(softdtw_barycenter(X, gamma=1.0, max_iter=30), expected, atol=1e-6)


# --- k-means ---------------------------------------------------------------------------------


def test_dtw_kmeans_on_trace(trace):
    X, y = trace
    km = TimeSeriesKMeans(
        n_clusters=4, metric="dtw", max_iter=2, max_iter_barycenter=5, random_state=0
    ).fit(X)
    assert adjusted_rand_score(y, km.labels_) >= 0.6  # published: about 0.66
    assert km.cluster_centers_.shape == (4, 275) and km.n_iter_ <= 2
    np.testing.assert_array_equal(km.predict(X), km.labels_)


def test_dtw_kmeans_matches_tslearn():
    X, _ = make_cbf(n_per_class=6, length=40, random_state=5)
    ours = TimeSeriesKMeans(n_clusters=3, metric="dtw", max_iter=5, random_state=0).fit(X)
    theirs = TsKMeans(n_clusters=3, metric="dtw", max_iter=5, random_state=0).fit(X)
    np.testing.assert_array_equal(ours.labels_, theirs.labels_)
    np.testing.assert_allclose(ours.cluster_centers_, theirs.cluster_centers_[..., 0], atol=1e-8)
    assert ours.n_iter_ == theirs.n_iter_


def test_euclidean_and_softdtw_kmeans_on_cbf(cbf):
    X, y = cbf
    km = TimeSeriesKMeans(n_clusters=3, metric="euclidean", n_init=3, random_state=0).fit(X)
    reference = KMeans(n_clusters=3, n_init=3, random_state=0).fit(X)
    assert km.inertia_ == pytest.approx(
        reference.inertia_ / len(X), rel=1e-9
    )  # tslearn's mean, same optimum
    assert km.inertia_ == pytest.approx(
        np.mean(np.min(((X[:, None] - km.cluster_centers_[None]) ** 2).sum(-1), 1))
    )
    assert (
        adjusted_rand_score(y, km.labels_) >= 0.2
    )  # Euclidean k-means is poor on CBF: ARI about 0.23
    small, y_small = (
        X[::3, ::2],
        y[::3],
    )  # 30 series of length 64 keep the soft-DTW barycenters quick
    sk = TimeSeriesKMeans(
        n_clusters=3,
        metric="softdtw",
        gamma=0.5,
        max_iter=3,
        max_iter_barycenter=10,
        random_state=0,
    ).fit(small)
    assert adjusted_rand_score(y_small, sk.labels_) >= 0.4


def test_dtw_kmeans_variable_lengths_and_multivariate():
    X, y = make_cbf(n_per_class=10, length=60, random_state=1, variable_length=True)
    km = TimeSeriesKMeans(
        n_clusters=3, metric="dtw", max_iter=3, max_iter_barycenter=5, random_state=0
    ).fit(X)
    assert km.cluster_centers_.shape == (3, 60) and not np.isnan(km.cluster_centers_).any()
    assert adjusted_rand_score(y, km.labels_) >= 0.3
    X3 = np.stack([X, 2 * X], axis=-1)  # (n, L, 2)
    km3 = TimeSeriesKMeans(
        n_clusters=3, metric="dtw", max_iter=2, max_iter_barycenter=3, random_state=0
    ).fit(X3)
    assert km3.cluster_centers_.shape == (3, 60, 2)
    assert km3.predict(X3[:4]).shape == (4,)


def test_empty_cluster_is_reseeded():
    X = np.repeat(np.sin(np.linspace(0, 3, 20))[None], 4, axis=0)
    X[3] += 5.0  # three equal series, one far away: k-means++ can only find two distinct centres
    km = TimeSeriesKMeans(n_clusters=3, metric="euclidean", random_state=0).fit(X)
    assert sorted(set(km.labels_.tolist())) == [0, 1, 2]


def test_sklearn_conventions():
    X, _ = make_cbf(n_per_class=5, length=32, random_state=2)
    km = TimeSeriesKMeans(n_clusters=2, metric="dtw", max_iter=2, random_state=0)
    assert vars(clone(km)) == vars(km)  # __init__ only stores parameters
    labels = km.fit_predict(X)
    np.testing.assert_array_equal(labels, km.labels_)
    assert isinstance(km.inertia_, float) and km.inertia_ >= 0
    t = torch.tensor(X)
    assert isinstance(
        TimeSeriesKMeans(n_clusters=2, max_iter=2, random_state=0).fit(t).cluster_centers_,
        torch.Tensor,
    )


# --- soft-DTW k-means -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_cbf():
    X, y = make_cbf(n_per_class=8, length=32, random_state=6)
    return znormalize(X), y


def divergences(X, centres, gamma):
    """D(x_i, c_j) from the public soft-DTW matrices: the definition, computed independently."""
    own_x = np.diag(cdist_soft_dtw(X, gamma=gamma))
    own_c = np.diag(cdist_soft_dtw(centres, gamma=gamma))
    return cdist_soft_dtw(X, centres, gamma=gamma) - 0.5 * own_x[:, None] - 0.5 * own_c[None]


def softdtw_kmeans(**params):
    defaults = dict(n_clusters=3, metric="softdtw", gamma=0.5, max_iter_barycenter=5)
    return TimeSeriesKMeans(**(defaults | params))


def test_softdtw_kmeans_clusters_with_the_divergence(small_cbf):
    X, y = small_cbf
    km = softdtw_kmeans(max_iter=5, random_state=0).fit(X)
    D = divergences(X, km.cluster_centers_, 0.5)
    scale = np.abs(np.diag(cdist_soft_dtw(X, gamma=0.5))).max()
    assert D.min() >= -1e-9 * scale  # >= 0 up to rounding
    np.testing.assert_array_equal(km.labels_, D.argmin(1))
    assert km.inertia_ == pytest.approx(D.min(1).mean(), rel=1e-9)
    assert km.inertia_ > 0.1  # the old soft-DTW k-means clamped at 0 reported exactly 0 here
    np.testing.assert_array_equal(km.predict(X), km.labels_)
    assert km.gamma_ == 0.5 and adjusted_rand_score(y, km.labels_) >= 0.5


def test_softdtw_kmeans_rounds_follow_max_iter_and_lower_the_objective(small_cbf):
    X, _ = small_cbf
    runs = {m: softdtw_kmeans(max_iter=m, random_state=6).fit(X) for m in (1, 2, 10)}
    assert runs[1].n_iter_ == 1 and runs[2].n_iter_ == 2
    assert runs[10].n_iter_ > 2  # clamped soft-DTW stopped after 2 rounds whatever max_iter
    for m, km in runs.items():
        history = np.array(km.inertia_history_)
        assert km.n_iter_ <= m and len(history) == km.n_iter_ + 1
        assert history[-1] == km.inertia_
        assert (np.diff(history) <= 1e-9 * history[0]).all()  # never rises
    # the same start: a longer fit repeats the shorter one's rounds, then goes lower
    np.testing.assert_allclose(runs[10].inertia_history_[:3], runs[2].inertia_history_, rtol=1e-12)
    assert runs[10].inertia_ < runs[2].inertia_ < runs[1].inertia_


def test_softdtw_kmeans_n_init_keeps_the_best_start(small_cbf):
    X, _ = small_cbf
    params = dict(max_iter=2, max_iter_barycenter=2)
    rng = np.random.RandomState(3)  # consumed start after start, as inside one fit
    singles = [softdtw_kmeans(**params, random_state=rng).fit(X).inertia_ for _ in range(3)]
    best = softdtw_kmeans(**params, n_init=3, random_state=np.random.RandomState(3)).fit(X)
    assert len(set(singles)) > 1 and best.inertia_ == min(singles)


def test_suggest_gamma_scales_with_the_data():
    X, _ = make_cbf(n_per_class=5, length=30, random_state=7)
    gamma = suggest_gamma(X)
    assert suggest_gamma(3.0 * X) == pytest.approx(9.0 * gamma, rel=1e-12)
    assert suggest_gamma(X + 4.0) == pytest.approx(gamma, rel=1e-9)  # DTW ignores a common offset
    assert suggest_gamma(X, fraction=0.5) == pytest.approx(5.0 * gamma, rel=1e-12)
    D = cdist_dtw(X)
    upper = np.triu_indices(len(X), 1)
    assert gamma == pytest.approx(0.1 * np.mean(D[upper] ** 2 / 30), rel=1e-12)
    sampled = suggest_gamma(X, n_pairs=40, random_state=0)  # 40 random pairs of the 105
    assert sampled == suggest_gamma(X, n_pairs=40, random_state=0)
    assert 0.5 * gamma < sampled < 2 * gamma
    km = softdtw_kmeans(gamma="auto", max_iter=2, max_iter_barycenter=2, random_state=0).fit(X)
    assert km.gamma_ == gamma
    assert km.inertia_ >= 0


def test_softdtw_kmeans_variable_lengths():
    X, _ = make_cbf(n_per_class=6, length=30, random_state=1, variable_length=True)
    km = softdtw_kmeans(gamma="auto", max_iter=3, max_iter_barycenter=3, random_state=0).fit(X)
    assert km.cluster_centers_.shape == (3, 30) and not np.isnan(km.cluster_centers_).any()
    assert km.inertia_ >= 0 and km.predict(X[:5]).shape == (5,)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(fraction=0), ValueError, "fraction must be a positive finite number .*, got 0"),
        (dict(fraction="a"), TypeError, "fraction must be a positive number .*, got 'a'"),
        (dict(n_pairs=0), ValueError, "n_pairs must be a positive integer, got 0"),
        (dict(window=-1), ValueError, "window must be None or an integer >= 0"),
        (dict(random_state="a"), ValueError, "random_state must be None, an integer"),
    ],
)
def test_suggest_gamma_bad_input_is_named(kwargs, error, match):
    with pytest.raises(error, match=match):
        suggest_gamma(np.random.default_rng(0).standard_normal((4, 6)), **kwargs)


def test_suggest_gamma_needs_two_different_series():
    with pytest.raises(ValueError, match="X has 1 series; suggest_gamma needs at least 2"):
        suggest_gamma(np.zeros((1, 5)))
    with pytest.raises(ValueError, match="all equal under DTW"):
        suggest_gamma(np.ones((3, 5)))


# --- k-Shape ---------------------------------------------------------------------------------


def test_kshape_on_cbf(cbf):
    X, y = cbf
    ks = KShape(n_clusters=3, n_init=2, random_state=1).fit(X)
    assert adjusted_rand_score(y, ks.labels_) >= 0.5  # published: about 0.73
    np.testing.assert_array_equal(ks.predict(X), ks.labels_)
    centres = ks.cluster_centers_
    np.testing.assert_allclose(centres.mean(1), 0.0, atol=1e-10)
    np.testing.assert_allclose(centres.std(1), 1.0, atol=1e-10)
    # z-normalisation inside: scaling and shifting the input changes nothing
    np.testing.assert_array_equal(
        KShape(n_clusters=3, random_state=1).fit(3 * X + 1).labels_,
        KShape(n_clusters=3, random_state=1).fit(X).labels_,
    )


def test_kshape_multivariate():
    X, _ = make_cbf(n_per_class=5, length=40, random_state=3)
    X3 = np.stack([X, -X], axis=-1)
    ks = KShape(n_clusters=2, random_state=0).fit(X3)
    assert ks.cluster_centers_.shape == (2, 40, 2)
    assert ks.predict(X3).shape == (15,)


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize("model", [TimeSeriesKMeans(), KShape()])
def test_predict_before_fit(model):
    with pytest.raises(NotFittedError, match="fit"):
        model.predict(np.zeros((2, 5)))


def nan_inside():
    X = np.random.default_rng(0).standard_normal((6, 10))
    X[2, 4] = np.nan
    return X


def end_padded():
    X = np.random.default_rng(0).standard_normal((6, 10))
    X[1, 7:] = np.nan
    return X


@pytest.mark.parametrize(
    "model, X, error, match",
    [
        (
            TimeSeriesKMeans(n_clusters=7),
            np.zeros((6, 5)),
            ValueError,
            r"n_clusters \(7\) must be <= the number of series in X \(6\)",
        ),
        (
            TimeSeriesKMeans(n_clusters=0),
            np.zeros((6, 5)),
            ValueError,
            "n_clusters must be a positive integer, got 0",
        ),
        (
            TimeSeriesKMeans(n_clusters=2.5),
            np.zeros((6, 5)),
            TypeError,
            "n_clusters must be an integer",
        ),
        (KShape(n_clusters=9), np.zeros((6, 5)), ValueError, r"n_clusters \(9\) must be <="),
        (
            KShape(n_clusters=0),
            np.zeros((6, 5)),
            ValueError,
            "n_clusters must be a positive integer",
        ),
        (
            TimeSeriesKMeans(metric="cosine"),
            np.zeros((6, 5)),
            ValueError,
            "metric must be one of 'euclidean', 'dtw', 'softdtw', got 'cosine'",
        ),
        (
            TimeSeriesKMeans(metric="softdtw", gamma=0),
            np.zeros((6, 5)),
            ValueError,
            "gamma must be a positive",
        ),
        (
            TimeSeriesKMeans(metric="softdtw", gamma="big"),
            np.zeros((6, 5)),
            ValueError,
            "gamma must be a positive number or 'auto', got 'big'",
        ),
        (
            TimeSeriesKMeans(metric="softdtw", gamma=[1.0]),
            np.zeros((6, 5)),
            TypeError,
            "gamma must be a positive number \\(the soft-min smoothing\\), got",
        ),
        (
            TimeSeriesKMeans(metric="dtw", window=-2),
            np.zeros((6, 5)),
            ValueError,
            "window must be None or an integer >= 0",
        ),
        (
            TimeSeriesKMeans(max_iter=0),
            np.zeros((6, 5)),
            ValueError,
            "max_iter must be a positive integer",
        ),
        (
            TimeSeriesKMeans(n_init=0),
            np.zeros((6, 5)),
            ValueError,
            "n_init must be a positive integer",
        ),
        (
            TimeSeriesKMeans(tol=-1.0),
            np.zeros((6, 5)),
            ValueError,
            "tol must be a finite number >= 0",
        ),
        (
            TimeSeriesKMeans(metric="euclidean"),
            end_padded(),
            ValueError,
            "X contains NaN .*metric='euclidean' needs equal-length series",
        ),
        (
            TimeSeriesKMeans(metric="dtw"),
            nan_inside(),
            ValueError,
            r"X\[2\] has NaN at time step 4 inside the series",
        ),
        (KShape(), end_padded(), ValueError, "X contains NaN .*KShape needs equal-length series"),
        (TimeSeriesKMeans(), np.zeros((0, 5)), ValueError, "X is empty"),
        (KShape(), np.zeros((3, 0)), ValueError, "X is empty"),
        (TimeSeriesKMeans(), np.zeros(5), ValueError, "X must be 2-D"),
        (
            TimeSeriesKMeans(random_state="seed"),
            np.zeros((6, 5)),
            ValueError,
            "random_state must be None, an integer",
        ),
        (
            KShape(random_state=-1),
            np.zeros((6, 5)),
            ValueError,
            "random_state must be None, an integer",
        ),
    ],
)
def test_bad_input_is_named(model, X, error, match):
    with pytest.raises(error, match=match):
        model.fit(X)


def test_dtw_kmeans_accepts_end_padding_but_predict_checks_shapes():
    X = end_padded()
    km = TimeSeriesKMeans(n_clusters=2, metric="dtw", max_iter=2, random_state=0).fit(X)
    assert km.predict(X[:, :8]).shape == (6,)  # DTW compares series of other lengths
    with pytest.raises(ValueError, match="X has 2 features per time step but was fitted with 1"):
        km.predict(np.zeros((2, 10, 2)))
    euclid = TimeSeriesKMeans(n_clusters=2, random_state=0).fit(np.nan_to_num(X))
    with pytest.raises(ValueError, match="length 8 but metric='euclidean' was fitted on length 10"):
        euclid.predict(np.zeros((2, 8)))
    ks = KShape(n_clusters=2, random_state=0).fit(np.nan_to_num(X))
    with pytest.raises(ValueError, match="k-Shape needs equal lengths"):
        ks.predict(np.zeros((2, 8)))


# --- GPU -------------------------------------------------------------------------------------


@cuda
def test_gpu_kmeans_matches_cpu():
    X, _ = make_cbf(n_per_class=8, length=48, random_state=4, variable_length=True)
    for metric in ("dtw", "softdtw"):
        params = dict(
            n_clusters=3, metric=metric, max_iter=3, max_iter_barycenter=5, random_state=0
        )
        cpu = TimeSeriesKMeans(**params).fit(X)
        gpu = TimeSeriesKMeans(**params, device="cuda").fit(X)
        np.testing.assert_array_equal(gpu.labels_, cpu.labels_)
        np.testing.assert_allclose(gpu.cluster_centers_, cpu.cluster_centers_, atol=1e-6)


# --- k-medoids ---------------------------------------------------------------------------------


def _cost(D, medoids):
    return D[:, list(medoids)].min(axis=1).mean()


@pytest.mark.parametrize("seed", range(5))
def test_kmedoids_is_a_swap_optimum_near_the_global_one(seed):
    from itertools import combinations

    rng = np.random.default_rng(seed)
    points = rng.standard_normal((12, 2))
    D = np.sqrt(((points[:, None] - points[None]) ** 2).sum(-1))
    best = min(_cost(D, m) for m in combinations(range(12), 3))
    for init in ("build", "k-medoids++"):
        km = KMedoids(3, init=init, n_init=5, random_state=seed).fit(D)
        medoids = km.medoid_indices_.tolist()
        assert km.inertia_ == pytest.approx(_cost(D, medoids), rel=1e-12)
        for i in range(3):  # PAM stops where no single swap lowers the objective
            for h in set(range(12)) - set(medoids):
                swapped = medoids[:i] + [h] + medoids[i + 1 :]
                assert _cost(D, swapped) >= km.inertia_ - 1e-12
        assert km.inertia_ <= 1.05 * best
        assert np.array_equal(km.labels_, D[:, km.medoid_indices_].argmin(1))
        assert np.all(np.diff(km.medoid_indices_) > 0)  # numbered by medoid position
    assert KMedoids(3, n_init=30, random_state=0).fit(D).inertia_ == pytest.approx(best)


def test_kmedoids_on_dtw_equals_precomputed_and_predicts():
    X, y = make_cbf(n_per_class=10, length=48, random_state=0)
    X = znormalize(X)
    D = cdist_dtw(X)
    a = KMedoids(3, random_state=0).fit(D)
    b = KMedoids(3, metric="dtw", random_state=0).fit(X)
    assert np.array_equal(a.labels_, b.labels_) and a.inertia_ == pytest.approx(b.inertia_)
    assert np.array_equal(b.cluster_centers_, X[b.medoid_indices_]) and a.cluster_centers_ is None
    assert np.array_equal(b.predict(X), b.labels_)
    assert np.array_equal(a.predict(D), a.labels_)
    assert adjusted_rand_score(y, a.labels_) > 0.3
    e = KMedoids(3, metric="euclidean", init="build").fit(X)
    De = np.sqrt(((X[:, None] - X[None]) ** 2).sum(-1))
    assert np.array_equal(e.labels_, KMedoids(3, init="build").fit(De).labels_)


def test_kmedoids_one_cluster_is_the_most_central_series():
    D = np.array([[0, 1, 2], [1, 0, 1], [2, 1, 0]], dtype=float)
    km = KMedoids(1).fit(D)
    assert km.medoid_indices_.tolist() == [1] and km.inertia_ == pytest.approx(2 / 3)


@pytest.mark.parametrize(
    "kwargs, X, error, match",
    [
        (
            {},
            np.ones((3, 4)),
            ValueError,
            r"X must be a square \(n_series, n_series\).*got shape \(3, 4\)",
        ),
        ({}, np.array([[0, np.nan], [1, 0]]), ValueError, "X must hold finite distances"),
        ({}, np.array([[0, -1.0], [-1, 0]]), ValueError, "X must hold distances >= 0"),
        ({}, [["a", "b"], ["c", "d"]], TypeError, "X must be numeric"),
        (
            {"n_clusters": 4},
            np.zeros((3, 3)),
            ValueError,
            r"n_clusters \(4\) must be <= the number",
        ),
        ({"n_clusters": 0}, np.zeros((3, 3)), ValueError, "n_clusters must be a positive integer"),
        ({"metric": "cosine"}, np.zeros((3, 3)), ValueError, "metric must be one of"),
        (
            {"init": "random"},
            np.zeros((3, 3)),
            ValueError,
            "init must be 'k-medoids\\+\\+' or 'build'",
        ),
        ({"n_init": 1.5}, np.zeros((3, 3)), TypeError, "n_init must be an integer"),
        ({"window": -1}, np.zeros((3, 3)), ValueError, "window must be None or an integer >= 0"),
        ({"random_state": "x"}, np.zeros((3, 3)), ValueError, "random_state must be None"),
    ],
)
def test_kmedoids_bad_input(kwargs, X, error, match):
    with pytest.raises(error, match=match):
        KMedoids(**{"n_clusters": 2, **kwargs}).fit(X)


def test_kmedoids_predict_checks_the_shape():
    km = KMedoids(2, init="build").fit(np.array([[0, 1, 9], [1, 0, 9], [9, 9, 0]], dtype=float))
    with pytest.raises(ValueError, match=r"distances to the 3 fitted series.*got shape \(2, 2\)"):
        km.predict(np.zeros((2, 2)))
    with pytest.raises(NotFittedError):
        KMedoids(2).predict(np.zeros((2, 2)))

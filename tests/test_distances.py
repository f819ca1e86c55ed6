"""Tests for tslearnkit.distances: DTW, soft-DTW and SBD against tslearn, gradients, input checks."""

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from tslearnkit.datasets import make_cbf
from tslearnkit import _engine as E
from tslearnkit.distances import cdist_dtw, cdist_sbd, cdist_soft_dtw, soft_dtw
from tslearnkit.preprocessing import unpad, znormalize

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # tslearn warns that h5py is missing
    from tslearn import metrics as ts
    from tslearn.metrics.cycc import normalized_cc
    from tslearn.utils import to_time_series_dataset

cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")


def _version(text: str) -> tuple[int, int]:
    return tuple(int(part) for part in text.split(".")[:2])


# tslearn as the reference for windowed and PyTorch soft-DTW needs 0.10 (soft_dtw's
# sakoe_chiba_radius, its pytorch backend's gradients); the package itself needs only 0.6.
import tslearn  # noqa: E402

tslearn_010 = pytest.mark.skipif(
    _version(tslearn.__version__) < (0, 10), reason="the reference needs tslearn >= 0.10"
)

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def random_data(n, length, d, seed):
    shape = (n, length) if d is None else (n, length, d)
    return np.random.default_rng(seed).standard_normal(shape).cumsum(axis=1)


def tslearn_pairwise(metric, A, B, **kwargs):
    """tslearn's pairwise value on each pair of *unpadded* series (lists of arrays)."""
    return np.array([[metric(a, b, **kwargs) for b in B] for a in A])


# --- DTW -------------------------------------------------------------------------------------


@pytest.mark.parametrize("d", [None, 3])
@pytest.mark.parametrize("window", [None, 0, 1, 3, 40])
def test_cdist_dtw_matches_tslearn(d, window):
    X, Y = random_data(6, 15, d, 0), random_data(5, 11, d, 1)
    np.testing.assert_allclose(
        cdist_dtw(X, Y, window=window),
        ts.cdist_dtw(X, Y, sakoe_chiba_radius=window),
        rtol=1e-12,
        atol=1e-12,
    )
    np.testing.assert_allclose(
        cdist_dtw(X, window=window),
        ts.cdist_dtw(X, sakoe_chiba_radius=window),
        rtol=1e-12,
        atol=1e-12,
    )


@pytest.mark.parametrize("window", [None, 0, 2, 10])
def test_cdist_dtw_variable_lengths_match_tslearn_on_unpadded_series(window):
    X, _ = make_cbf(n_per_class=3, length=40, random_state=0, variable_length=True)
    Y, _ = make_cbf(n_per_class=2, length=30, random_state=1, variable_length=True)
    expected = tslearn_pairwise(ts.dtw, unpad(X), unpad(Y), sakoe_chiba_radius=window)
    np.testing.assert_allclose(cdist_dtw(X, Y, window=window), expected, rtol=1e-12)
    expected_self = tslearn_pairwise(ts.dtw, unpad(X), unpad(X), sakoe_chiba_radius=window)
    np.testing.assert_allclose(cdist_dtw(X, window=window), expected_self, rtol=1e-12, atol=1e-12)


def test_cdist_dtw_multivariate_variable_lengths():
    rng = np.random.default_rng(3)
    series = [rng.standard_normal((int(rng.integers(2, 14)), 2)) for _ in range(7)]
    padded = to_time_series_dataset(series)  # NaN end padding, (7, max_length, 2)
    for window in (None, 1):
        expected = tslearn_pairwise(ts.dtw, series, series[:3], sakoe_chiba_radius=window)
        np.testing.assert_allclose(
            cdist_dtw(padded, padded[:3], window=window), expected, rtol=1e-12
        )


@settings(max_examples=25, deadline=None)
@given(
    lengths=st.lists(st.integers(1, 9), min_size=1, max_size=4),
    other=st.lists(st.integers(1, 9), min_size=1, max_size=3),
    window=st.one_of(st.none(), st.integers(0, 4)),
    seed=st.integers(0, 2**16),
)
@pytest.mark.parametrize("engine", ["compiled", "torch"])
def test_cdist_dtw_any_lengths_and_window(engine, lengths, other, window, seed):
    rng = np.random.default_rng(seed)
    A = [rng.standard_normal(n) for n in lengths]
    B = [rng.standard_normal(n) for n in other]
    got = cdist_dtw(
        to_time_series_dataset(A)[..., 0],
        to_time_series_dataset(B)[..., 0],
        window=window,
        engine=engine,
    )
    np.testing.assert_allclose(
        got, tslearn_pairwise(ts.dtw, A, B, sakoe_chiba_radius=window), rtol=1e-12, atol=1e-12
    )


def test_cdist_dtw_chunks_tensors_and_dtypes():
    X = random_data(9, 20, None, 4)
    expected = ts.cdist_dtw(X)
    for chunk_size in (1, 5, 1000):  # the wavefront's chunks
        np.testing.assert_allclose(
            cdist_dtw(X, chunk_size=chunk_size, engine="torch"), expected, rtol=1e-12, atol=1e-12
        )
    out = cdist_dtw(torch.tensor(X))
    assert isinstance(out, torch.Tensor) and out.dtype == torch.float64
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12, atol=1e-12)
    single = cdist_dtw(X, dtype=torch.float32)
    assert single.dtype == np.float32
    np.testing.assert_allclose(single, expected, rtol=1e-4, atol=1e-4)
    D = cdist_dtw(X)
    np.testing.assert_array_equal(D, D.T)
    np.testing.assert_array_equal(np.diag(D), 0.0)
    assert cdist_dtw(X[:1]).tolist() == [[0.0]]


# --- the two engines ------------------------------------------------------------------------


@pytest.mark.parametrize("d", [None, 2])
@pytest.mark.parametrize("window", [None, 0, 3, 12])
def test_engines_agree_with_tslearn_over_many_blocks(d, window):
    """More pairs than one block of lanes, lengths that vary inside a block, X against Y."""
    rng = np.random.default_rng(7)
    shape = (1,) if d is None else (d,)
    series = [rng.standard_normal((int(rng.integers(5, 40)),) + shape) for _ in range(90)]
    padded = to_time_series_dataset(series)
    if d is None:
        padded = padded[..., 0]
    expected = ts.cdist_dtw(padded, padded[:7], sakoe_chiba_radius=window)
    for engine in ("compiled", "torch"):
        got = cdist_dtw(padded, padded[:7], window=window, engine=engine)
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    symmetric = cdist_dtw(padded, window=window, engine="compiled")
    np.testing.assert_allclose(
        symmetric, ts.cdist_dtw(padded, sakoe_chiba_radius=window), rtol=1e-12, atol=1e-12
    )


def test_compiled_engine_is_the_same_with_two_threads():
    X = random_data(130, 33, None, 5)
    one = cdist_dtw(X, window=4)
    torch.set_num_threads(2)  # the fixture restores one thread
    np.testing.assert_array_equal(cdist_dtw(X, window=4), one)


def test_compiled_engine_float32_and_tensors():
    X = random_data(70, 25, 2, 6)
    expected = ts.cdist_dtw(X)
    single = cdist_dtw(torch.tensor(X, dtype=torch.float32))  # the tensor's dtype by default
    assert single.dtype == torch.float32
    np.testing.assert_allclose(single.numpy(), expected, rtol=1e-4, atol=1e-4)
    assert cdist_dtw(torch.tensor(X)).dtype == torch.float64


def test_dba_statistics_engines_agree():
    X, _ = make_cbf(n_per_class=30, length=40, random_state=2, variable_length=True)
    Xs, lx = E.check_series(
        X, "X", allow_padding=True, device=torch.device("cpu"), dtype=torch.float64
    )
    labels = torch.arange(len(Xs)) % 3
    members = torch.arange(len(Xs))[::2].contiguous()
    centres = Xs[[0, 1, 2], :35].clone()
    for window in (None, 3):
        fast = E.dba_statistics(Xs, lx, labels, members, centres, window, engine="compiled")
        slow = E.dba_statistics(Xs, lx, labels, members, centres, window, engine="torch")
        for a, b in zip(fast, slow):
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12, atol=1e-12)


def test_default_dtype_by_device():
    cpu, gpu = torch.device("cpu"), torch.device("cuda")
    assert E.check_dtype(None, cpu) == torch.float64
    assert E.check_dtype(None, gpu) == torch.float32
    assert E.check_dtype(None, gpu, torch.zeros(2, dtype=torch.float64)) == torch.float64
    assert E.check_dtype(torch.float64, gpu) == torch.float64


def test_compiled_engine_needs_a_cpu():
    with pytest.raises(ValueError, match="engine='compiled' runs on the CPU but device is 'cuda'"):
        E.check_engine("compiled", torch.device("cuda"))


# --- soft-DTW --------------------------------------------------------------------------------


@pytest.mark.parametrize("gamma", [0.01, 0.1, 1.0, 10.0])
@pytest.mark.parametrize("d", [None, 2])
def test_cdist_soft_dtw_matches_tslearn(gamma, d):
    X, Y = random_data(5, 12, d, 5), random_data(4, 9, d, 6)
    np.testing.assert_allclose(  # atol: entries near zero differ in the 13th decimal
        cdist_soft_dtw(X, Y, gamma=gamma),
        ts.cdist_soft_dtw(X, Y, gamma=gamma),
        rtol=1e-10,
        atol=1e-10,
    )
    np.testing.assert_allclose(
        cdist_soft_dtw(X, gamma=gamma), ts.cdist_soft_dtw(X, gamma=gamma), rtol=1e-10, atol=1e-10
    )


@tslearn_010
def test_cdist_soft_dtw_window_and_variable_lengths_match_tslearn():
    X, _ = make_cbf(n_per_class=2, length=30, random_state=2, variable_length=True)
    for window in (None, 0, 3):
        expected = tslearn_pairwise(
            ts.soft_dtw, unpad(X), unpad(X), gamma=0.5, sakoe_chiba_radius=window
        )
        np.testing.assert_allclose(
            cdist_soft_dtw(X, gamma=0.5, window=window), expected, rtol=1e-10
        )


def test_soft_dtw_gradcheck():
    rng = np.random.default_rng(7)
    X = torch.tensor(rng.standard_normal((3, 5, 2)), requires_grad=True)
    Y = torch.tensor(rng.standard_normal((2, 4, 2)), requires_grad=True)
    assert torch.autograd.gradcheck(lambda a, b: cdist_soft_dtw(a, b, gamma=0.7), (X, Y))
    assert torch.autograd.gradcheck(lambda a: cdist_soft_dtw(a, gamma=0.3, window=1), (X,))
    padded = torch.tensor(rng.standard_normal((3, 6)))
    padded[0, 4:] = torch.nan
    padded[2, 3:] = torch.nan
    padded.requires_grad_(True)
    assert torch.autograd.gradcheck(
        lambda a: cdist_soft_dtw(a, gamma=0.5, window=1).nan_to_num(), (padded,)
    )


@tslearn_010
def test_soft_dtw_loss_and_gradient_match_tslearn():
    x = torch.tensor([[1.0, 2.0, 3.0], [0.0, 1.0, 1.0]], dtype=torch.float64, requires_grad=True)
    y = torch.tensor([[3.0, 4.0, -3.0, 1.0]], dtype=torch.float64)  # batch 1: used for every x
    loss = soft_dtw(x, y, gamma=1.0)
    assert loss.shape == (2,)
    loss.sum().backward()
    for b in range(2):
        xb = x[b].detach().clone()[:, None].requires_grad_(True)
        expected = ts.soft_dtw(xb, y[0][:, None], gamma=1.0, be="pytorch")
        expected.backward()
        assert loss[b].item() == pytest.approx(expected.item(), rel=1e-10)
        np.testing.assert_allclose(x.grad[b].numpy(), xb.grad[:, 0].numpy(), rtol=1e-8)


# --- SBD -------------------------------------------------------------------------------------


@pytest.mark.parametrize("d", [None, 2])
def test_cdist_sbd_matches_tslearn(d):
    X = znormalize(random_data(6, 25, d, 8))
    Y = znormalize(random_data(4, 25, d, 9))
    X3, Y3 = (X, Y) if d else (X[..., None], Y[..., None])
    # tslearn's normalized_cc, pair by pair (its parallel cdist_normalized_cc takes long to compile)
    expected = 1 - tslearn_pairwise(lambda a, b: normalized_cc(a, b).max(), X3, Y3)
    np.testing.assert_allclose(cdist_sbd(X, Y), expected, atol=1e-12)
    expected_self = 1 - tslearn_pairwise(lambda a, b: normalized_cc(a, b).max(), X3, X3)
    D = cdist_sbd(X)
    np.testing.assert_allclose(D, expected_self, atol=1e-12)
    np.testing.assert_array_equal(D, D.T)
    np.testing.assert_array_equal(np.diag(D), 0.0)


def test_sbd_ignores_shift_and_scale():
    x = np.sin(np.linspace(0, 4 * np.pi, 64))
    shifted = np.concatenate([np.zeros(5), x[:-5]])
    D = cdist_sbd([x], [3 * x, shifted, np.zeros(64)])
    assert D[0, 0] == pytest.approx(0.0, abs=1e-12)
    assert D[0, 1] < 0.1
    assert D[0, 2] == 1.0  # a zero series correlates with nothing


# --- input checks ----------------------------------------------------------------------------


def nan_inside():
    X = np.zeros((2, 5))
    X[1, 2] = np.nan
    return X


def nan_in_one_feature():
    X = np.zeros((2, 5, 2))
    X[0, 4, 1] = np.nan
    return X


@pytest.mark.parametrize(
    "call, error, match",
    [
        (
            lambda: cdist_dtw(nan_inside()),
            ValueError,
            r"X\[1\] has NaN at time step 2 inside the series",
        ),
        (
            lambda: cdist_dtw(nan_in_one_feature()),
            ValueError,
            r"X\[0\] has NaN in some features but not all",
        ),
        (lambda: cdist_dtw(np.full((2, 3), np.nan)), ValueError, r"X\[0\] is all NaN"),
        (lambda: cdist_dtw(np.array([[1.0, np.inf]])), ValueError, "X contains infinite values"),
        (
            lambda: cdist_sbd([[1.0, 2.0, np.nan]]),
            ValueError,
            "X contains NaN .*SBD needs equal-length series",
        ),
        (
            lambda: cdist_dtw(np.zeros((3, 4)), np.zeros((2, 4, 2))),
            ValueError,
            "Y has 2 features .* X has 1",
        ),
        (
            lambda: cdist_soft_dtw(np.zeros((3, 4, 3)), np.zeros((2, 4))),
            ValueError,
            "Y has 1 features .* X has 3",
        ),
        (lambda: cdist_dtw(np.zeros((0, 4))), ValueError, r"X is empty \(shape \(0, 4\)\)"),
        (lambda: cdist_dtw(np.zeros((3, 4)), np.zeros((2, 0))), ValueError, "Y is empty"),
        (lambda: cdist_dtw(np.zeros(4)), ValueError, "X must be 2-D .* got 1 dimensions"),
        (
            lambda: cdist_sbd(np.zeros((2, 3, 4, 5))),
            ValueError,
            "X must be 2-D .* got 4 dimensions",
        ),
        (
            lambda: cdist_dtw("series"),
            TypeError,
            "X must be a numpy array, torch tensor or nested list, got str",
        ),
        (lambda: cdist_dtw([["a", "b"]]), TypeError, "X must be numeric"),
        (
            lambda: cdist_dtw(np.zeros((2, 3), dtype=bool)),
            TypeError,
            "X must be numeric, got an array of dtype bool",
        ),
        (
            lambda: cdist_dtw(torch.zeros((2, 3), dtype=torch.bool)),
            TypeError,
            "X must be real-valued",
        ),
        (lambda: cdist_dtw([[1.0, 2.0], [1.0]]), ValueError, "X must be a rectangular array; pad"),
        (
            lambda: cdist_soft_dtw(np.zeros((2, 3)), gamma=0),
            ValueError,
            "gamma must be a positive finite number",
        ),
        (
            lambda: cdist_soft_dtw(np.zeros((2, 3)), gamma=-1.0),
            ValueError,
            "gamma must be a positive",
        ),
        (
            lambda: cdist_soft_dtw(np.zeros((2, 3)), gamma="1"),
            TypeError,
            "gamma must be a positive number",
        ),
        (
            lambda: soft_dtw(np.zeros((2, 3)), np.zeros((2, 3)), gamma=0.0),
            ValueError,
            "gamma must be",
        ),
        (
            lambda: cdist_dtw(np.zeros((2, 3)), window=-1),
            ValueError,
            r"window must be None or an integer >= 0 .* got -1",
        ),
        (
            lambda: cdist_dtw(np.zeros((2, 3)), window=1.5),
            TypeError,
            "window must be None or an integer",
        ),
        (
            lambda: cdist_soft_dtw(np.zeros((2, 3)), window=True),
            TypeError,
            "window must be None or an integer",
        ),
        (
            lambda: cdist_dtw(np.zeros((2, 3)), chunk_size=0),
            ValueError,
            "chunk_size must be None or a positive",
        ),
        (
            lambda: cdist_dtw(np.zeros((2, 3)), device="gpu0"),
            ValueError,
            "device must name a torch device",
        ),
        (lambda: cdist_dtw(np.zeros((2, 3)), device=3), TypeError, "device must be a string"),
        (
            lambda: cdist_dtw(np.zeros((2, 3)), dtype=torch.int64),
            TypeError,
            "dtype must be torch.float64, torch.float32 or None",
        ),
        (
            lambda: soft_dtw(np.zeros((3, 4)), np.zeros((2, 4))),
            ValueError,
            r"y must have the batch size of x \(3\) or 1",
        ),
    ],
)
def test_bad_input_is_named(call, error, match):
    with pytest.raises(error, match=match):
        call()


@pytest.mark.skipif(
    torch.cuda.is_available(), reason="checks the message on a machine without CUDA"
)
def test_cuda_requested_without_cuda():
    with pytest.raises(ValueError, match="device is 'cuda' but CUDA is not available"):
        cdist_dtw(np.zeros((2, 3)), device="cuda")


# --- GPU -------------------------------------------------------------------------------------


@cuda
def test_gpu_matches_cpu():
    X, _ = make_cbf(n_per_class=4, length=50, random_state=3, variable_length=True)
    Y = random_data(5, 30, None, 10)
    for window in (None, 4):
        gpu = cdist_dtw(torch.tensor(X, device="cuda"), Y, window=window)
        assert gpu.device.type == "cuda"
        np.testing.assert_allclose(gpu.cpu().numpy(), cdist_dtw(X, Y, window=window), rtol=1e-12)
    np.testing.assert_allclose(
        cdist_soft_dtw(X, Y, gamma=0.5, device="cuda", dtype=torch.float64),
        cdist_soft_dtw(X, Y, gamma=0.5),
        rtol=1e-10,
    )
    single = cdist_dtw(X, Y, device="cuda")  # float32 by default on a GPU
    assert single.dtype == np.float32
    np.testing.assert_allclose(single, cdist_dtw(X, Y), rtol=1e-4, atol=1e-4)
    Z = znormalize(Y)
    np.testing.assert_allclose(cdist_sbd(Z, device="cuda"), cdist_sbd(Z), atol=1e-12)
    x = torch.tensor(Y[:2], device="cuda", requires_grad=True)
    soft_dtw(x, torch.tensor(Y[2:4], device="cuda")).sum().backward()
    x_cpu = torch.tensor(Y[:2], requires_grad=True)
    soft_dtw(x_cpu, torch.tensor(Y[2:4])).sum().backward()
    np.testing.assert_allclose(x.grad.cpu().numpy(), x_cpu.grad.numpy(), rtol=1e-9)


# --- dtw_path ------------------------------------------------------------------------------------


@pytest.mark.parametrize("window", [None, 0, 2, 5])
def test_dtw_path_matches_cdist_dtw_and_tslearn(window):
    from tslearn.metrics import dtw_path as ts_dtw_path

    from tslearnkit.distances import dtw_path

    rng = np.random.default_rng(window or 0)
    for n, m in [(20, 20), (15, 22), (22, 15)]:
        x, y = rng.standard_normal(n), rng.standard_normal(m)
        path, distance, cost = dtw_path(x, y, window=window)
        assert distance == pytest.approx(cdist_dtw(x[None], y[None], window=window)[0, 0])
        ts_path, ts_distance = ts_dtw_path(x, y, sakoe_chiba_radius=window)
        assert distance == pytest.approx(ts_distance)
        # the path's own cost is the distance, and it moves by (1,0), (0,1) or (1,1)
        assert path[0] == (0, 0) and path[-1] == (n - 1, m - 1)
        steps = np.diff(np.array(path), axis=0)
        assert set(map(tuple, steps)) <= {(1, 0), (0, 1), (1, 1)}
        assert np.sqrt(sum((x[i] - y[j]) ** 2 for i, j in path)) == pytest.approx(distance)
        assert cost.shape == (n, m) and cost[-1, -1] == pytest.approx(distance**2)


@pytest.mark.parametrize(
    "x, y, kwargs, error, match",
    [
        ([], [1.0], {}, ValueError, r"x must have shape \(length,\).*got shape \(0,\)"),
        ([1.0, np.nan], [1.0], {}, ValueError, "x must be finite"),
        ([1.0], np.ones((2, 2)), {}, ValueError, "same number of features, got 1 and 2"),
        (["a"], [1.0], {}, TypeError, "x must be numeric"),
        ([1.0], [1.0], {"window": -1}, ValueError, "window"),
    ],
)
def test_dtw_path_bad_input(x, y, kwargs, error, match):
    from tslearnkit.distances import dtw_path

    with pytest.raises(error, match=match):
        dtw_path(x, y, **kwargs)


def test_soft_dtw_needs_y():
    with pytest.raises(TypeError, match="y must be series"):
        soft_dtw(torch.zeros(2, 5), None)

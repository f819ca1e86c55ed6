"""The internal API of the DTW family: input checks, engine choice and the operations that
:mod:`tslearnkit.distances`, :mod:`tslearnkit.barycenters` and :mod:`tslearnkit.clustering` call.

Two engines compute DTW: compiled CPU kernels (``tslearnkit._dtw_kernels``, numba) and the
torch wavefront (``tslearnkit._wavefront``), which is also the GPU path and the autograd path
of soft-DTW. ``engine="auto"`` takes the compiled kernels for DTW on a CPU and the wavefront
otherwise. Functions here take checked inputs: ``(n_series, length, features)`` tensors with end
padding set to 0 and the true lengths beside them.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from . import _wavefront
from ._validation import check_int, check_positive, describe

ENGINES = ("auto", "compiled", "torch")

# --- input checks ---------------------------------------------------------------------------


def check_device(device, X):
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


def check_dtype(dtype, device, X=None):
    """``dtype``; by default that of a floating-point tensor ``X``, else float64 on a CPU and
    float32 on a GPU (where float64 runs at a fraction of the speed)."""
    if dtype is None:
        if isinstance(X, torch.Tensor) and X.dtype in (torch.float32, torch.float64):
            return X.dtype
        return torch.float32 if device.type == "cuda" else torch.float64
    if dtype not in (torch.float64, torch.float32):
        raise TypeError(
            f"dtype must be torch.float64, torch.float32 or None, got {describe(dtype)}"
        )
    return dtype


def check_window(window):
    """The Sakoe-Chiba radius: None (no band) or an integer >= 0."""
    return check_int(window, "window", minimum=0, allow_none=True, meaning="the Sakoe-Chiba radius")


def check_gamma(gamma):
    return check_positive(gamma, "gamma", "the soft-min smoothing")


def check_chunk_size(chunk_size):
    return check_int(
        chunk_size, "chunk_size", minimum=1, allow_none=True, meaning="pairs per chunk"
    )


def check_series(X, name, *, allow_padding, device, dtype, what="this distance"):
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


def check_pair(X, Y, *, allow_padding, device, dtype, what):
    """Check ``X`` and ``Y`` (None for ``X`` against itself); both as from ``check_series``."""
    X, lx = check_series(X, "X", allow_padding=allow_padding, device=device, dtype=dtype, what=what)
    if Y is None:
        return X, lx, None, None
    Y, ly = check_series(Y, "Y", allow_padding=allow_padding, device=device, dtype=dtype, what=what)
    if X.shape[2] != Y.shape[2]:
        raise ValueError(
            f"Y has {Y.shape[2]} features per time step but X has {X.shape[2]}; both need the same number"
        )
    return X, lx, Y, ly


def output(result, like):
    """A numpy array unless the caller passed a tensor."""
    return result if isinstance(like, torch.Tensor) else result.detach().cpu().numpy()


# --- engines ------------------------------------------------------------------------------


def check_engine(engine, device):
    """``engine`` checked against ``device``: "compiled" runs on a CPU only."""
    if not isinstance(engine, str) or engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(map(repr, ENGINES))}, got {engine!r}")
    if engine == "compiled" and device.type != "cpu":
        raise ValueError(
            f"engine='compiled' runs on the CPU but device is {str(device)!r}; use engine='torch' "
            "or 'auto' on a GPU"
        )
    return engine


def compiled(engine, device):
    """Whether DTW runs on the compiled kernels."""
    return engine == "compiled" or (engine == "auto" and device.type == "cpu")


def _numpy(tensor):
    return np.ascontiguousarray(tensor.detach().cpu().numpy())


def _kernels():
    from . import _dtw_kernels  # numba: imported on first use, not with the package

    return _dtw_kernels


def all_pairs(nx, ny, symmetric, diagonal, device):
    """Pair indices ``(ii, jj)``: the upper triangle if ``symmetric``, else every pair."""
    if symmetric:
        ii, jj = torch.triu_indices(nx, nx, offset=0 if diagonal else 1, device=device)
        return ii, jj
    ii = torch.arange(nx, device=device).repeat_interleave(ny)
    jj = torch.arange(ny, device=device).repeat(nx)
    return ii, jj


def to_matrix(values, pairs, nx, ny, symmetric):
    """The ``(nx, ny)`` matrix with ``values`` at ``pairs`` (mirrored if symmetric); differentiable."""
    ii, jj = pairs
    out = values.new_zeros((nx, ny)).index_put((ii, jj), values)
    if symmetric:
        out = out.index_put((jj, ii), values)
    return out


def dtw_squared(X, lx, Y, ly, pairs, window, engine="auto", chunk_size=None):
    """Squared DTW of the pairs ``(X[ii], Y[jj])``, ``(n_pairs,)``, on ``X``'s device."""
    if not compiled(engine, X.device):
        return _wavefront._pair_values(
            lambda x, yr, n_len, m_len: _wavefront._sweep(
                _wavefront._Grid(x, yr, n_len, m_len, window)
            ),
            X,
            lx,
            Y,
            ly,
            pairs,
            chunk_size,
        )
    kernels = _kernels()
    lx_, ly_ = _numpy(lx), _numpy(ly)
    ii, jj = _numpy(pairs[0]), _numpy(pairs[1])
    order = None
    if (lx_ != X.shape[1]).any() or (ly_ != Y.shape[1]).any():  # blocks of similar lengths
        order = np.argsort(lx_[ii] * (Y.shape[1] + 1) + ly_[jj], kind="stable")
        ii, jj = ii[order], jj[order]
    Xn, Yn = _numpy(X), _numpy(Y)
    squared = np.empty(len(ii), Xn.dtype)
    band = -1 if window is None else window
    kernels.run_blocks(
        torch.get_num_threads(),
        kernels.n_blocks(len(ii)),
        lambda first, last: kernels.dtw_blocks(
            Xn, lx_, Yn, ly_, ii, jj, band, first, last, squared
        ),
    )
    if order is not None:
        squared[order] = squared.copy()
    return torch.from_numpy(squared).to(X.device)


def cdist_dtw(X, lx, Y, ly, window, engine="auto", chunk_size=None):
    """DTW matrix of checked inputs (``Y`` None: symmetric, diagonal 0)."""
    symmetric = Y is None
    Y, ly = (X, lx) if symmetric else (Y, ly)
    pairs = all_pairs(len(X), len(Y), symmetric, diagonal=False, device=X.device)
    if pairs[0].numel() == 0:  # a single series against itself
        return X.new_zeros((len(X), len(Y)))
    squared = dtw_squared(X, lx, Y, ly, pairs, window, engine, chunk_size)
    return to_matrix(squared.sqrt(), pairs, len(X), len(Y), symmetric)


def soft_dtw_pairs(X, lx, Y, ly, pairs, gamma, window, chunk_size=None):
    """Soft-DTW of the pairs ``(X[ii], Y[jj])``, ``(n_pairs,)``, differentiable (the wavefront)."""
    stored = torch.is_grad_enabled() and (X.requires_grad or Y.requires_grad)
    return _wavefront._pair_values(
        lambda x, yr, n_len, m_len: _wavefront._SoftDTW.apply(x, yr, n_len, m_len, window, gamma),
        X,
        lx,
        Y,
        ly,
        pairs,
        chunk_size,
        stored=stored,
    )


def cdist_soft_dtw(X, lx, Y, ly, gamma, window, chunk_size=None):
    """Soft-DTW matrix of checked inputs (``Y`` None: symmetric, the diagonal computed)."""
    symmetric = Y is None
    Y, ly = (X, lx) if symmetric else (Y, ly)
    pairs = all_pairs(len(X), len(Y), symmetric, diagonal=True, device=X.device)
    values = soft_dtw_pairs(X, lx, Y, ly, pairs, gamma, window, chunk_size)
    return to_matrix(values, pairs, len(X), len(Y), symmetric)


def dba_statistics(X, lx, labels, members, centres, window, workspace=None, engine="auto"):
    """One DBA round's sums for every cluster at once: align each series ``X[members]`` with its
    centre ``centres[labels[members]]`` by DTW and return ``sums (k, L, d)`` of the series values
    aligned to each centre point, ``counts (k, L)`` and ``cost (k,)``, the summed squared DTW.

    On a CPU the compiled kernel does the alignments and the sums in one pass; on a GPU the
    wavefront traces the paths of chunks of pairs. ``workspace``: the wavefront's reused memory.
    """
    k, L, dim = centres.shape
    if compiled(engine, X.device):
        kernels = _kernels()
        args = (_numpy(centres), _numpy(X), _numpy(lx), _numpy(labels), _numpy(members))
        band = -1 if window is None else window

        def work(first, last):  # each thread adds into sums of its own
            dtype = args[1].dtype
            out = (np.zeros((k, L, dim), dtype), np.zeros((k, L), dtype), np.zeros(k, dtype))
            kernels.dba_blocks(*args, band, first, last, *out)
            return out

        parts = kernels.run_blocks(torch.get_num_threads(), kernels.n_blocks(len(members)), work)
        sums, counts, cost = (sum(part[i] for part in parts) for i in range(3))
        return torch.from_numpy(sums), torch.from_numpy(counts), torch.from_numpy(cost)
    most = min(len(X), _wavefront._chunk_pairs(L, X.shape[1], dim, True, X.device))
    chunk = -(-len(members) // -(-len(members) // most))  # equal chunks of at most `most`
    sums = X.new_zeros((k * L, dim))
    counts = X.new_zeros(k * L)
    cost = X.new_zeros(k)
    lengths = lx.cpu()
    members_cpu = members.cpu()
    for start in range(0, len(members), chunk):
        series = members[start : start + chunk]
        owner = labels[series]
        m_len = lengths[members_cpu[start : start + chunk]]
        m = int(m_len.max())
        x = centres[owner].transpose(0, 1).contiguous()  # (L, P, d): the centre is the row series
        yr = X[series, :m].flip(1).transpose(0, 1).contiguous()  # (m, P, d)
        n_len = torch.full((len(series),), L, dtype=torch.long)
        squared, rows, cols, live = _wavefront._dtw_paths(x, yr, n_len, m_len, window, workspace)
        cost.index_add_(0, owner, squared)
        values = X[series[None, :].expand_as(cols)[live], cols[live] - 1]  # (cells, d)
        slots = (owner[None, :] * L + rows - 1)[live]  # (cells,)
        sums.index_add_(0, slots, values)
        counts.index_add_(0, slots, torch.ones_like(slots, dtype=X.dtype))
    return sums.view(k, L, dim), counts.view(k, L), cost


# --- the shape-based distance's core --------------------------------------------------------


def ncc_max(X, Y, *, with_shift=False, budget=64 * 2**20):
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

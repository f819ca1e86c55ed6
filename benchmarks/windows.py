"""Memory and time of `make_windows` (a strided view) against the two common ways of cutting
windows: a Python loop that copies each window, and numpy's `sliding_window_view` made contiguous.

Run: .venv/bin/python benchmarks/windows.py [--steps 87600 --input-length 168 --features 4]
"""

import argparse
import time

import numpy as np
import torch

from tslearnkit.preprocessing import make_windows


def loop_copy(series: np.ndarray, input_length: int, horizon: int = 1):
    n = len(series) - input_length - horizon + 1
    X = np.stack([series[i : i + input_length] for i in range(n)])  # (N, L, F), a copy
    y = np.stack([series[i + input_length : i + input_length + horizon, 0] for i in range(n)])
    return torch.from_numpy(X), torch.from_numpy(y)


def numpy_copy(series: np.ndarray, input_length: int, horizon: int = 1):
    view = np.lib.stride_tricks.sliding_window_view(
        series[:-horizon], input_length, axis=0
    )  # (N, F, L)
    X = np.ascontiguousarray(view.transpose(0, 2, 1))  # (N, L, F), a copy
    y = np.lib.stride_tricks.sliding_window_view(series[input_length:, 0], horizon)
    return torch.from_numpy(X), torch.from_numpy(np.ascontiguousarray(y))


def footprint(X: torch.Tensor, y: torch.Tensor) -> int:
    """Bytes held by the storages behind X and y (counted once if shared)."""
    storages = {X.untyped_storage().data_ptr(): X.untyped_storage().nbytes()}
    storages[y.untyped_storage().data_ptr()] = y.untyped_storage().nbytes()
    return sum(storages.values())


def best_time(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=87_600, help="series length (10 years hourly)")
    parser.add_argument("--input-length", type=int, default=168, help="window length (one week)")
    parser.add_argument("--features", type=int, default=4)
    args = parser.parse_args()
    series = (
        np.random.default_rng(0).standard_normal((args.steps, args.features)).astype(np.float32)
    )
    L = args.input_length
    rows = []
    for name, fn in [
        ("make_windows (view)", lambda: make_windows(series, L)),
        ("python loop copy", lambda: loop_copy(series, L)),
        ("sliding_window_view copy", lambda: numpy_copy(series, L)),
    ]:
        X, y = fn()
        rows.append((name, footprint(X, y), best_time(fn)))
    ref_bytes, ref_time = rows[0][1], rows[0][2]
    print(
        f"series: {args.steps} steps x {args.features} features (float32, {series.nbytes / 1e6:.1f} MB), "
        f"input_length {L}"
    )
    print(f"{'method':28s} {'memory MB':>10s} {'x view':>8s} {'time ms':>9s} {'x view':>8s}")
    for name, nbytes, seconds in rows:
        print(
            f"{name:28s} {nbytes / 1e6:10.1f} {nbytes / ref_bytes:8.1f} {seconds * 1e3:9.1f} "
            f"{seconds / ref_time:8.1f}"
        )


if __name__ == "__main__":
    main()

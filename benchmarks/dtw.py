"""DTW in tslearnkit against its peers, in one run: speed ratios against tslearn and dtaidistance
for a DTW distance matrix and for DTW k-means, agreement of the numbers, and peak memory.

Run: .venv/bin/python benchmarks/dtw.py            (CPU; about 3 minutes on 2 cores)
     .venv/bin/python benchmarks/dtw.py --device cuda   (adds the GPU rows)
     .venv/bin/python benchmarks/dtw.py --chunks        (also times chunk sizes, for the default)

Every time is the best of ``--repeat`` runs after a warm-up (numba compiles tslearn's kernels on
first use). dtaidistance's DTW is, like tslearn's, the square root of the summed squared
differences along the best path; the script checks that all three agree.
"""

import argparse
import os
import time
import warnings

import numpy as np
import torch
from sklearn.metrics import adjusted_rand_score

from tslearnkit.clustering import TimeSeriesKMeans
from tslearnkit.datasets import load_trace
from tslearnkit.distances import cdist_dtw
from tslearnkit.preprocessing import znormalize

warnings.filterwarnings("ignore", message="h5py not installed")


def best_time(fn, repeat):
    """Best wall time of ``repeat`` calls and the last result."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def with_threads(threads, fn):
    old = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        return fn()
    finally:
        torch.set_num_threads(old)


def peak_rss_increase_mib(fn):
    """Peak resident memory above the current level while ``fn`` runs, in MiB (Linux: VmHWM reset)."""

    def status(key):
        with open("/proc/self/status") as fh:
            return next(int(line.split()[1]) for line in fh if line.startswith(key)) / 1024

    try:
        before = status("VmRSS")
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")  # resets VmHWM to the current RSS
    except OSError:
        return float("nan"), fn()
    result = fn()
    return status("VmHWM") - before, result


def table(title, rows, header):
    print(f"\n## {title}")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print(
            "  ".join(
                str(cell).rjust(w) if i else str(cell).ljust(w)
                for i, (cell, w) in enumerate(zip(row, widths))
            )
        )


def bench_matrix(args):
    from dtaidistance import dtw as dtai
    from tslearn.metrics import cdist_dtw as ts_cdist_dtw

    X = np.random.default_rng(0).standard_normal((args.n_series, args.length))
    ts_cdist_dtw(X[:3])  # numba warm-up
    dtai.distance_matrix_fast(X[:3])
    with_threads(1, lambda: cdist_dtw(X[:20]))
    runs = {
        "tslearn cdist_dtw (numba, n_jobs=None)": lambda: ts_cdist_dtw(X),
        "tslearn cdist_dtw (numba, n_jobs=2)": lambda: ts_cdist_dtw(X, n_jobs=2),
        "dtaidistance distance_matrix_fast (C, parallel=False)": lambda: dtai.distance_matrix_fast(
            X, parallel=False
        ),
        "dtaidistance distance_matrix_fast (C, parallel=True)": lambda: dtai.distance_matrix_fast(
            X, parallel=True
        ),
    }
    for threads in args.threads:
        runs[f"tslearnkit cdist_dtw (torch, {threads} thread{'s' * (threads > 1)})"] = (
            lambda t=threads: with_threads(t, lambda: cdist_dtw(X))
        )
    times, results = {}, {}
    for name, fn in runs.items():
        times[name], results[name] = best_time(fn, args.repeat)
    ours = min(t for n, t in times.items() if n.startswith("tslearnkit"))
    rows = [(name, f"{t:.3f}", f"{t / ours:.2f}x") for name, t in times.items()]
    table(
        f"cdist_dtw: {args.n_series} series x length {args.length}, float64, CPU "
        f"({os.cpu_count()} cores)",
        rows,
        ("implementation", "seconds", "time / tslearnkit best"),
    )
    reference = results["tslearn cdist_dtw (numba, n_jobs=None)"]
    print("max |difference| from tslearn (n_jobs=None):")
    for name, r in results.items():
        if "n_jobs=None" not in name:
            print(f"  {name}: {np.abs(np.asarray(r) - reference).max():.1e}")
    speedup = times["tslearn cdist_dtw (numba, n_jobs=None)"] / ours
    print(
        f"speed-up of tslearnkit (best thread count) over tslearn: {speedup:.2f}x "
        f"(target >= 2x: {'met' if speedup >= 2 else 'NOT met'})"
    )


def bench_kmeans(args):
    from tslearn.clustering import TimeSeriesKMeans as TsKMeans

    X, y = load_trace()
    X = znormalize(X)
    params = dict(n_clusters=4, metric="dtw", max_iter=args.kmeans_iter, n_init=1, random_state=0)
    TsKMeans(**{**params, "max_iter": 1}).fit(X[:10])  # numba warm-up
    rows, times = [], {}
    candidates = {"tslearn TimeSeriesKMeans": lambda: TsKMeans(**params).fit(X)}
    for threads in args.threads:
        candidates[f"tslearnkit TimeSeriesKMeans ({threads} thread{'s' * (threads > 1)})"] = (
            lambda t=threads: with_threads(t, lambda: TimeSeriesKMeans(**params).fit(X))
        )
    for name, fn in candidates.items():
        times[name], model = best_time(fn, args.kmeans_repeat)
        rows.append(
            [
                name,
                f"{times[name]:.2f}",
                None,
                f"{adjusted_rand_score(y, model.labels_):.3f}",
                model.n_iter_,
                f"{model.inertia_:.4f}",
            ]
        )
    ours = min(t for n, t in times.items() if n.startswith("tslearnkit"))
    for row in rows:
        row[2] = f"{times[row[0]] / ours:.2f}x"
    table(
        f"TimeSeriesKMeans(metric='dtw') on Trace (200 x 275, z-normalised), n_clusters=4, "
        f"max_iter={args.kmeans_iter}, n_init=1, random_state=0",
        rows,
        ("implementation", "seconds", "time / tslearnkit best", "ARI", "n_iter_", "inertia_"),
    )
    speedup = times["tslearn TimeSeriesKMeans"] / ours
    print(
        f"speed-up over tslearn: {speedup:.2f}x (target >= 2x with ARI >= 0.6: "
        f"{'met' if speedup >= 2 and float(rows[-1][3]) >= 0.6 else 'NOT met'})"
    )


def bench_memory(args):
    n, length = args.memory_series, 256
    X = np.random.default_rng(1).standard_normal((n, length))
    naive = n * (n - 1) / 2 * length * length * 8 / 2**30
    start = time.perf_counter()
    peak, D = peak_rss_increase_mib(lambda: with_threads(args.memory_threads, lambda: cdist_dtw(X)))
    seconds = time.perf_counter() - start
    rows = [
        (
            f"cdist_dtw(X), X {n} x {length}, CPU, {args.memory_threads} thread(s)",
            f"{seconds:.1f}",
            f"{peak:.0f} MiB",
            f"{D.nbytes / 2**20:.0f} MiB",
            f"{naive:.0f} GiB",
        )
    ]
    table(
        f"Peak memory: the {n} x {n} DTW matrix of series of length {length} "
        f"({n * (n - 1) // 2:,} pairs)",
        rows,
        ("run", "seconds", "peak RSS increase", "result matrix", "all cost matrices at once"),
    )


def bench_gpu(args):
    from tslearn.metrics import cdist_dtw as ts_cdist_dtw

    n, length = 1000, 256
    X = np.random.default_rng(2).standard_normal((n, length))
    Xg = torch.as_tensor(X, device="cuda")
    cdist_dtw(Xg[:50])
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()

    def on_gpu():
        D = cdist_dtw(Xg)
        torch.cuda.synchronize()
        return D

    gpu_time, D = best_time(on_gpu, args.repeat)
    gpu_peak = torch.cuda.max_memory_allocated() / 2**20
    # tslearn on all 499,500 pairs takes minutes: time a subset and scale by the number of pairs
    sub = args.gpu_tslearn_series
    ts_cdist_dtw(X[:3])
    ts_time, ref = best_time(lambda: ts_cdist_dtw(X[:sub]), 1)
    scale = (n * (n - 1) / 2) / (sub * (sub - 1) / 2)
    agree = np.abs(D[:sub, :sub].cpu().numpy() - ref).max()
    rows = [
        (
            f"tslearnkit cdist_dtw on {torch.cuda.get_device_name()}",
            f"{gpu_time:.2f}",
            f"{gpu_peak:.0f} MiB",
            "1.00x",
        ),
        (
            f"tslearn cdist_dtw, CPU ({sub} series timed, x{scale:.0f} pairs)",
            f"{ts_time * scale:.1f}",
            "",
            f"{ts_time * scale / gpu_time:.1f}x",
        ),
    ]
    table(
        f"GPU: cdist_dtw of {n} series of length {length} (float64)",
        rows,
        ("implementation", "seconds", "peak GPU memory", "time / GPU"),
    )
    print(f"max |difference| from tslearn on the timed subset: {agree:.1e}")


def bench_chunks(args):
    X = np.random.default_rng(0).standard_normal((args.n_series, args.length))
    rows = []
    for threads in args.threads:
        for chunk in (128, 256, 512, 1024, 2048, 4096, None):
            t, _ = best_time(
                lambda: with_threads(threads, lambda: cdist_dtw(X, chunk_size=chunk)), args.repeat
            )
            rows.append((threads, chunk or "default", f"{t:.3f}"))
    table(
        f"cdist_dtw chunk sizes: {args.n_series} x {args.length}, CPU",
        rows,
        ("threads", "chunk_size", "seconds"),
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--device", default="cpu", choices=["cpu", "cuda"], help="cuda adds the GPU rows"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="timed runs per measurement (best is kept)"
    )
    parser.add_argument(
        "--threads", type=int, nargs="+", default=[1, 2], help="torch CPU thread counts to time"
    )
    parser.add_argument("--n-series", type=int, default=200)
    parser.add_argument("--length", type=int, default=128)
    parser.add_argument("--kmeans-iter", type=int, default=10, help="max_iter of both k-means")
    parser.add_argument("--kmeans-repeat", type=int, default=1)
    parser.add_argument(
        "--memory-series", type=int, default=1000, help="series in the peak-memory run"
    )
    parser.add_argument(
        "--memory-threads", type=int, default=1, help="torch threads in the peak-memory run"
    )
    parser.add_argument(
        "--gpu-tslearn-series", type=int, default=150, help="series tslearn is timed on (GPU rows)"
    )
    parser.add_argument("--skip", nargs="*", default=[], choices=["matrix", "kmeans", "memory"])
    parser.add_argument("--chunks", action="store_true", help="also time chunk sizes")
    args = parser.parse_args()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"torch {torch.__version__}, {os.cpu_count()} CPU cores, default threads {torch.get_num_threads()}, "
        f"load average before the run {load:.2f} (other processes slow every row, unevenly)"
    )
    if "matrix" not in args.skip:
        bench_matrix(args)
    if "kmeans" not in args.skip:
        bench_kmeans(args)
    if args.chunks:
        bench_chunks(args)
    if "memory" not in args.skip:
        bench_memory(args)
    if args.device == "cuda":
        if not torch.cuda.is_available():
            raise SystemExit("--device cuda: CUDA is not available on this machine")
        bench_gpu(args)


if __name__ == "__main__":
    main()

"""The matrix profile in tslearnkit against stumpy's ``stump``, in one run: the time on the three
NAB series of ``tslearnkit.datasets.load_nab`` and the largest difference between the profiles.

Run: .venv-bench/bin/python benchmarks/matrix_profile.py            (a minute or two on 2 cores)
     .venv-bench/bin/python benchmarks/matrix_profile.py --quick    (the first 2,000 points)

stumpy lives in .venv-bench with the DTW peers (benchmarks/requirements-peers.txt). The results
go to benchmarks/results/matrix_profile.md and matrix_profile.json (``--out``);
benchmarks/README.md describes them. Every time is the best of ``--repeat`` runs after a warm-up
call. stumpy compiles its numba kernels on its first call: that call, on a short series, is
timed on its own and reported as the compile cost. Each implementation runs with 1 thread and
with all the machine's cores: ``torch.set_num_threads`` for tslearnkit, ``numba.set_num_threads``
for stumpy. tslearnkit's rows are timed before stumpy first runs in the process: once numba's
threads have run, torch's own can slow down on a small machine (see benchmarks/README.md).
"""

import argparse
import json
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import torch
from _common import _seconds, best_time, machine

from tslearnkit._matrix_profile import matrix_profile
from tslearnkit.datasets import load_nab

warnings.filterwarnings("ignore", message=".*unsafe cast from uint64 to int64")  # numba

ROOT = Path(__file__).resolve().parent.parent
SERIES = {  # name: window (a day of the series' sampling, a day of hourly data, a day at 5 min)
    "nyc_taxi": 48,
    "ambient_temperature_system_failure": 24,
    "machine_temperature_system_failure": 288,
}
AGREE = 1e-8  # the largest difference from stumpy's profile allowed
TARGET_SECONDS = 5.0  # machine temperature (22,695 points, window 288) on the machine's cores


def interleaved(runs, repeat, label):
    """Best wall time and last result of each of ``runs`` (key: fn), timed in ``repeat`` rounds
    of one call each, so that a burst of load elsewhere slows one round of every run rather
    than every call of one."""
    times = {key: [] for key in runs}
    results = {}
    for _ in range(repeat):
        for key, fn in runs.items():
            start = time.perf_counter()
            results[key] = fn()
            times[key].append(time.perf_counter() - start)
    for key, spent in times.items():
        print(f"  {label} {key}: {' '.join(f'{t:.3f}' for t in spent)} s", flush=True)
    return {key: (min(times[key]), results[key]) for key in runs}


def with_torch_threads(threads, fn):
    old = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        return fn()
    finally:
        torch.set_num_threads(old)


COLUMNS = {  # key: (heading, format, right-aligned)
    "series": ("series", str, False),
    "points": ("points", lambda v: f"{v:,}", True),
    "window": ("window", str, True),
    "implementation": ("implementation", str, False),
    "threads": ("threads", str, True),
    "seconds": ("seconds", _seconds, True),
    "pairs_per_s": ("pairs/s", lambda v: f"{v / 1e6:,.0f} M", True),
    "ratio": ("time / tslearnkit best", lambda v: f"{v:.2f}x", True),
    "max_diff": ("max abs diff from stumpy", lambda v: f"{v:.1e}", True),
}


def table(rows, columns):
    heads = [COLUMNS[c][0] for c in columns]
    body = [[COLUMNS[c][1](r[c]) if r.get(c) is not None else "" for c in columns] for r in rows]
    widths = [max(len(r[i]) for r in [heads, *body]) for i in range(len(columns))]
    right = [COLUMNS[c][2] for c in columns]

    def line(cells):
        return (
            "| "
            + " | ".join(c.rjust(w) if r else c.ljust(w) for c, w, r in zip(cells, widths, right))
            + " |"
        )

    rule = "|".join("-" * (w + 1) + (":" if r else "-") for w, r in zip(widths, right))
    return "\n".join([line(heads), f"|{rule}|", *map(line, body)])


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per row (best is kept)")
    parser.add_argument(
        "--threads",
        type=int,
        nargs="+",
        default=sorted({1, os.cpu_count() or 1}),
        help="thread counts to time (torch for tslearnkit, numba for stumpy)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="the first 2,000 points, repeat 1: a smoke test"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="results folder (default benchmarks/results; with --quick a temporary folder)",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.repeat = 1
    if args.out is None:
        quick = Path(tempfile.gettempdir()) / "tslearnkit-bench-quick"
        args.out = quick if args.quick else ROOT / "benchmarks" / "results"
    return args


def main(argv=None):
    args = parse_args(argv)
    info = machine(("torch", "numpy", "numba", "stumpy"))
    python = os.path.relpath(sys.executable, ROOT) if sys.executable else "python"
    command = " ".join([python, "benchmarks/matrix_profile.py", *sys.argv[1:]])
    print(
        f"{info['cpu']}, {info['cores']} cores; load average before the run "
        f"{' / '.join(f'{x:.2f}' for x in info['load_average'])}\n"
        + ", ".join(f"{k} {v}" for k, v in info["versions"].items()),
        flush=True,
    )
    data = {}
    for name, window in SERIES.items():
        x = load_nab(name)["value"].to_numpy()
        data[name] = (x[:2000] if args.quick else x, window)

    # tslearnkit first, before numba's threads ever run in this process
    matrix_profile(data["nyc_taxi"][0][:1000], 24)  # warm-up: torch's thread pool
    ours = interleaved(
        {
            (name, threads): lambda x=x, w=window, t=threads: with_torch_threads(
                t, lambda: matrix_profile(x, w)
            )
            for name, (x, window) in data.items()
            for threads in args.threads
        },
        args.repeat,
        "tslearnkit",
    )

    import numba
    import stumpy

    warm_up = data["ambient_temperature_system_failure"][0][:500]
    start = time.perf_counter()
    stumpy.stump(warm_up, 24)  # numba compiles stump's kernels
    first_call = time.perf_counter() - start
    second_call, _ = best_time(lambda: stumpy.stump(warm_up, 24), 1)
    compile_s = first_call - second_call
    print(f"  stumpy's first call (compiles): {first_call:.1f} s; then {second_call:.3f} s")

    def stump(x, window, threads):
        default = numba.get_num_threads()
        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
        try:
            return stumpy.stump(x, window)
        finally:
            numba.set_num_threads(default)

    theirs = interleaved(
        {
            (name, threads): lambda x=x, w=window, t=threads: stump(x, w, t)
            for name, (x, window) in data.items()
            for threads in args.threads
        },
        args.repeat,
        "stumpy",
    )

    rows = []
    for name, (x, window) in data.items():
        n_sub = len(x) - window + 1
        pairs = n_sub * (n_sub - 1) / 2
        reference = np.asarray(theirs[name, args.threads[0]][1][:, 0], dtype=np.float64)
        series_rows = []
        for threads in args.threads:
            seconds, profile = ours[name, threads]
            series_rows.append(
                dict(
                    implementation="tslearnkit matrix_profile",
                    threads=threads,
                    seconds=seconds,
                    max_diff=float(np.abs(profile - reference).max()),
                )
            )
        for threads in args.threads:
            seconds = theirs[name, threads][0]
            series_rows.append(
                dict(implementation="stumpy.stump", threads=threads, seconds=seconds)
            )
        best = min(
            r["seconds"] for r in series_rows if r["implementation"].startswith("tslearnkit")
        )
        for row in series_rows:
            row.update(
                series=name, points=len(x), window=window, pairs_per_s=pairs / row["seconds"]
            )
            row["ratio"] = row["seconds"] / best
        rows += series_rows

    worst = max(r["max_diff"] for r in rows if "max_diff" in r)
    machine_rows = [
        r
        for r in rows
        if r["series"] == "machine_temperature_system_failure"
        and r["implementation"].startswith("tslearnkit")
    ]
    fastest = min(r["seconds"] for r in machine_rows)
    targets = [
        dict(
            target=f"tslearnkit's profile equals stumpy's first column to <= {AGREE:.0e}",
            met=bool(worst <= AGREE),
            value=f"largest difference {worst:.1e}",
        ),
        dict(
            target=f"machine temperature ({machine_rows[0]['points']:,} points, window 288) in "
            f"under {TARGET_SECONDS:.0f} s",
            met=bool(fastest < TARGET_SECONDS),
            value=f"{fastest:.2f} s",
        ),
    ]

    load = " / ".join(f"{v:.2f}" for v in info["load_average"])
    info["load_average_after"] = list(os.getloadavg()) if hasattr(os, "getloadavg") else []
    load_after = " / ".join(f"{v:.2f}" for v in info["load_average_after"])
    versions = ", ".join(f"{k} {v}" for k, v in info["versions"].items())
    columns = ["series", "points", "window", "implementation", "threads", "seconds"]
    columns += ["pairs_per_s", "ratio", "max_diff"]
    md = [
        "# Matrix profile: tslearnkit against stumpy",
        "",
        f"Written by `benchmarks/matrix_profile.py` on {info['date']}: run it again rather than "
        "edit this file (README.md beside the script says how).",
        "",
        f"- Machine: {info['cpu']}, {info['cores']} cores, {info['memory_gib']:.0f} GiB; "
        f"{info['platform']}",
        f"- Load average before the run (1 / 5 / 15 min): {load}; after: {load_after}",
        f"- Python {info['python']}; {versions}",
        f"- tslearnkit at commit {info['commit']}",
        f"- Command: `{command}`",
        f"- Each time is the best of {args.repeat} run(s) after a warm-up, the runs of a table "
        "taken in rounds (one call of every row per round); pairs/s counts the "
        "distinct pairs of subsequences, n (n - 1) / 2 for n subsequences; the ratio is the time "
        "over tslearnkit's best time on the same series (above 1: slower than tslearnkit).",
        "- The self-join matrix profile, z-normalised Euclidean distance, stumpy's default "
        "exclusion zone ceil(window / 4); the difference is the largest over the series of "
        "|tslearnkit's profile - stumpy.stump(values, window)[:, 0]|.",
    ]
    if args.quick:
        md.append("- **--quick: the first 2,000 points, a smoke test; its timings mean nothing.**")
    md += [
        "",
        "## Time and agreement",
        "",
        table(rows, columns),
        "",
        f"- stumpy compiles its kernels on its first call in a process: {compile_s:.1f} s "
        f"(first call {first_call:.1f} s on 500 points, the second {second_call:.3f} s), not in "
        "the times above.",
        "- tslearnkit's rows ran before stumpy's in the process, with torch's intra-op threads; "
        "stumpy's with numba's.",
        "",
        "## Targets",
        "",
        *[f"- {'met' if t['met'] else 'NOT met'}: {t['target']} ({t['value']})" for t in targets],
        "",
    ]
    result = dict(
        machine=info,
        command=command,
        args={k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        stumpy_compile=dict(
            first_call_s=first_call, second_call_s=second_call, compile_s=compile_s
        ),
        rows=rows,
        targets=targets,
    )
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "matrix_profile.md").write_text("\n".join(md))
    (args.out / "matrix_profile.json").write_text(json.dumps(result, indent=1) + "\n")
    print("\n" + "\n".join(md[md.index("## Time and agreement") :]))
    print(f"wrote {args.out / 'matrix_profile.md'} and {args.out / 'matrix_profile.json'}")


if __name__ == "__main__":
    main()

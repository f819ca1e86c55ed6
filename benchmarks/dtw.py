"""DTW in tslearnkit against every serious peer, in one run: tslearn, dtaidistance and aeon on the
DTW distance matrix (full, with a Sakoe-Chiba band, variable lengths), DTW k-means and soft-DTW
(values and gradient), with the agreement of the numbers and the compile cost of the kernels.

Run: make bench                                          (sets up .venv-bench, then runs this)
     .venv-bench/bin/python benchmarks/dtw.py            (CPU; minutes on 2 cores)
     .venv-bench/bin/python benchmarks/dtw.py --quick    (tiny sizes: a smoke test, under a minute)
     .venv-bench/bin/python benchmarks/dtw.py --device cuda   (adds the GPU section)

The peers live in .venv-bench, not in the book's .venv: aeon 1.6 caps pandas below 3.1 and numba
below 0.64, whose numpy must be below 2.4 (benchmarks/requirements-peers.txt). The results go to
benchmarks/results/dtw.md and dtw.json (``--out``); benchmarks/README.md describes the sections.
Every time is the best of ``--repeat`` runs after a warm-up on a few series (numba compiles on
first use); cells/s is the number of cost-matrix cells of the distinct pairs the task needs
(inside the band where there is one) over the time, the same count for every implementation.
tslearnkit's torch-engine rows are timed in a fresh process (see run_fresh). Conventions of the
peers, checked against tslearn in every row:

- dtaidistance: the square root of the summed squared differences, like tslearn; its ``window``
  allows ``|i - j| < window``, so tslearn's radius ``w`` is ``window=w + 1``. Only the upper
  triangle of its matrix is used (older versions leave the lower one at inf).
- aeon: the summed squared differences, not square-rooted (the script takes the square root);
  its ``window`` is a fraction of the length, the radius being ``int(window * length)``, so the
  script passes ``(w + 0.5) / length``. Its soft-DTW is ``abs()`` of the value and plain DTW on
  identical series (the diagonal): compared off the diagonal, in absolute value.
"""

import argparse
import importlib
import importlib.metadata
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
import warnings
from pathlib import Path

import numba
import numpy as np
import torch
from _common import _seconds, best_time, machine
from sklearn.metrics import adjusted_rand_score

from tslearnkit.clustering import TimeSeriesKMeans
from tslearnkit.datasets import load_trace
from tslearnkit.distances import cdist_dtw, cdist_soft_dtw
from tslearnkit.preprocessing import znormalize

warnings.filterwarnings("ignore", message="h5py not installed")
warnings.filterwarnings("ignore", message=".*unsafe cast from uint64 to int64")  # aeon's numba

ROOT = Path(__file__).resolve().parent.parent
PEERS = ("tslearn", "dtaidistance", "aeon")
EXACT = 1e-12  # tslearnkit's DTW must equal tslearn's to this


def with_threads(threads, fn):
    old = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        return fn()
    finally:
        torch.set_num_threads(old)


def peak_rss_increase_mib(fn):
    """Peak resident memory above the current level while ``fn`` runs, in MiB (Linux: VmHWM)."""

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


def as_numpy(result):
    if isinstance(result, torch.Tensor):
        return result.detach().cpu().numpy()
    return np.asarray(result)


def upper_symmetric(M):
    """The symmetric matrix from the strict upper triangle of ``M`` (dtaidistance's layout)."""
    upper = np.triu(np.asarray(M), 1)
    return upper + upper.T


def plural(threads):
    return f"{threads} thread{'s' * (threads != 1)}"


def band_cells(n, m, window):
    """Cells of an ``n x m`` cost matrix inside tslearn's Sakoe-Chiba band of radius ``window``."""
    if window is None:
        return n * m
    j = np.arange(m)[None, :] - np.arange(n)[:, None]
    low, high = min(0, m - n) - window, max(0, m - n) + window
    return int(((j >= low) & (j <= high)).sum())


def peer(name):
    """The imported peer module, or None (the reason goes into the report)."""
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        MISSING[name] = str(exc)
        return None


MISSING = {}


# --- the report: tables printed as they finish, written as markdown and JSON ------------------


def _cells(v):
    return f"{v / 1e6:,.0f} M" if v >= 1e6 else f"{v:,.0f}"


def _ratio(v):
    return f"{v:.2f}x"


def _diff(v):
    return f"{v:.1e}"


def _plain(v):
    return str(v)


def _float4(v):
    return f"{v:.4f}"


COLUMNS = {  # key: (heading, format)
    "implementation": ("implementation", _plain),
    "threads": ("threads", _plain),
    "seconds": ("seconds", _seconds),
    "cells_per_s": ("cells/s", _cells),
    "ratio": ("time / tslearnkit best", _ratio),
    "max_diff": ("max abs diff from tslearn", _diff),
    "window": ("band radius", _plain),
    "ari": ("ARI vs y", lambda v: f"{v:.3f}"),
    "n_iter": ("n_iter_", _plain),
    "inertia": ("inertia_", _float4),
    "same_labels": ("labels = tslearn's", lambda v: "yes" if v else "no"),
    "run": ("run", _plain),
    "import_s": ("import s", _seconds),
    "first_call_s": ("first cdist_dtw s", _seconds),
    "second_call_s": ("second call s", _seconds),
    "peak": ("peak memory", _plain),
    "chunk_size": ("chunk_size", _plain),
    "engine": ("engine", _plain),
}


TEXT_COLUMNS = {"implementation", "run", "window"}  # left-aligned


class Section:
    def __init__(self, key, title, columns):
        self.key, self.title, self.columns = key, title, columns
        self.rows, self.notes = [], []

    def add(self, **row):
        self.rows.append(row)
        label = self.columns[0]
        shown = ", ".join(
            f"{COLUMNS[k][0]} {COLUMNS[k][1](v)}" for k, v in row.items() if k != label
        )
        print(f"  {row[label]}: {shown}", flush=True)
        return row

    def note(self, text):
        self.notes.append(text)

    def markdown(self):
        heads = [COLUMNS[c][0] for c in self.columns]
        body = [
            [COLUMNS[c][1](row[c]) if row.get(c) is not None else "" for c in self.columns]
            for row in self.rows
        ]
        widths = [max(len(r[i]) for r in [heads, *body]) for i in range(len(heads))]

        left = [c in TEXT_COLUMNS for c in self.columns]

        def line(cells):
            padded = [c.ljust(w) if lft else c.rjust(w) for c, w, lft in zip(cells, widths, left)]
            return "| " + " | ".join(padded) + " |"

        rule = "|".join("-" * (w + 1) + ("-" if lft else ":") for w, lft in zip(widths, left))
        out = [f"## {self.title}", "", line(heads), f"|{rule}|"]
        out += [line(r) for r in body]
        out += [""] + [f"- {n}" for n in self.notes] + ([""] if self.notes else [])
        return "\n".join(out)


class Report:
    def __init__(self, args):
        self.args = args
        self.sections, self.targets = [], []
        self.exact = []  # (what, tslearnkit's largest difference from tslearn)
        self.machine = machine(("torch", "numpy", "numba", "scikit-learn", *PEERS))
        self.machine["torch_threads"] = torch.get_num_threads()
        python = os.path.relpath(sys.executable, ROOT) if sys.executable else "python"
        self.command = " ".join([python, "benchmarks/dtw.py", *sys.argv[1:]])

    def section(self, key, title, columns):
        print(f"\n## {title}", flush=True)
        self.sections.append(Section(key, title, columns))
        return self.sections[-1]

    def target(self, text, met, value):
        self.targets.append(dict(target=text, met=bool(met), value=value))

    def markdown(self):
        m = self.machine
        versions = ", ".join(f"{k} {v}" for k, v in m["versions"].items())
        load = " / ".join(f"{x:.2f}" for x in m["load_average"])
        head = [
            "# DTW: tslearnkit against its peers",
            "",
            f"Written by `benchmarks/dtw.py` on {m['date']}: run it again rather than edit this "
            "file (README.md beside the script says how).",
            "",
            f"- Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']:.0f} GiB; "
            f"{m['platform']}",
            f"- Load average before the run (1 / 5 / 15 min): {load}",
            f"- Python {m['python']}; {versions}",
            f"- tslearnkit at commit {m['commit']}",
            f"- Command: `{self.command}`",
            f"- Each time is the best of {self.args.repeat} run(s) after a warm-up; cells/s counts "
            "the cost-matrix cells of the distinct pairs the task needs (inside the band where "
            "there is one), the same for every implementation; the ratio is the time over "
            "tslearnkit's best time in the same table (above 1: slower than tslearnkit).",
        ]
        if self.args.quick:
            head.append(
                "- **--quick: tiny sizes, a smoke test; its timings and targets mean nothing.**"
            )
        if MISSING:
            head += [f"- Not installed, rows left out: {k} ({v})" for k, v in MISSING.items()]
        targets = ["## Targets", ""] + [
            f"- {'met' if t['met'] else 'NOT met'}: {t['target']} ({t['value']})"
            for t in self.targets
        ]
        return "\n".join(head + [""] + [s.markdown() for s in self.sections] + targets) + "\n"

    def as_json(self):
        return dict(
            machine=self.machine,
            command=self.command,
            args=vars(self.args),
            missing_peers=MISSING,
            sections=[
                dict(key=s.key, title=s.title, columns=s.columns, rows=s.rows, notes=s.notes)
                for s in self.sections
            ],
            targets=self.targets,
        )

    def write(self, out):
        out.mkdir(parents=True, exist_ok=True)
        (out / "dtw.md").write_text(self.markdown())
        (out / "dtw.json").write_text(json.dumps(self.as_json(), indent=1, default=_json) + "\n")
        print(f"\nwrote {out / 'dtw.md'} and {out / 'dtw.json'}")


def _json(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON: {value!r}")


# --- timing a table of implementations -------------------------------------------------------


def run_rows(section, runs, data, cells, repeat, reference=None):
    """Time each run on ``data`` and add its row, in the order given.

    ``runs``: dicts with ``name``, ``threads``, ``fn`` (data -> result) or ``precomputed``
    (seconds, result), and optionally ``reference=True`` (tslearn: timed first, the others are
    compared with its result), ``compare`` (result, reference -> max abs difference) and
    ``repeat``. A peer that fails leaves a note.
    """
    for run in sorted(runs, key=lambda r: not r.get("reference", False)):
        try:
            if "precomputed" in run:  # timed in the fresh process (see run_fresh)
                seconds, result = run["precomputed"]
            else:
                run["fn"](data[:4])  # warm-up: numba compiles, thread pools start
                reps = run.get("repeat", repeat)
                seconds, result = best_time(lambda fn=run["fn"]: fn(data), reps)
        except Exception as exc:  # a peer's API change must not end the run
            if run["name"].startswith("tslearnkit"):
                raise
            section.note(f"{run['name']} failed: {type(exc).__name__}: {exc}")
            print(f"  {run['name']} FAILED: {exc}", flush=True)
            continue
        result = as_numpy(result)
        if run.get("reference"):
            reference = result
        compare = run.get("compare", lambda r, ref: float(np.abs(r - ref).max()))
        run["row"] = section.add(
            implementation=run["name"],
            threads=run["threads"],
            seconds=seconds,
            cells_per_s=cells / seconds,
            max_diff=compare(result, reference) if reference is not None else None,
        )
    section.rows[:] = [run["row"] for run in runs if "row" in run]  # back in the given order
    ours = min(r["seconds"] for r in section.rows if r["implementation"].startswith("tslearnkit"))
    for row in section.rows:
        row["ratio"] = row["seconds"] / ours


def kit_runs(thread_counts, window=None):
    """tslearnkit's compiled engine, timed in this process."""
    return [
        dict(
            name="tslearnkit cdist_dtw, compiled (numba)",
            threads=str(threads),
            nthreads=threads,
            fn=lambda X, t=threads: with_threads(
                t, lambda: cdist_dtw(X, window=window, engine="compiled")
            ),
        )
        for threads in thread_counts
    ]


def fresh_runs(state, name, prefix, thread_counts):
    """Rows of tslearnkit's torch engine, timed in the fresh process (see run_fresh)."""
    return [
        dict(name=name, threads=str(t), precomputed=state["fresh"][f"{prefix}/{t}"])
        for t in thread_counts
    ]


def peer_dtw_runs(length, window=None, serial=True, parallel=True, ragged=False):
    """tslearn, dtaidistance and aeon computing the DTW matrix of ``X`` (NaN end padding)."""
    cores = str(os.cpu_count())
    tslearn_metrics = peer("tslearn.metrics")
    dtai = peer("dtaidistance.dtw") if peer("dtaidistance") else None
    aeon = peer("aeon.distances") if peer("aeon") else None
    runs = []
    ts_cdist = tslearn_metrics.cdist_dtw
    for n_jobs, threads in ((None, "1"), (-1, cores)):
        if n_jobs is None or parallel:  # n_jobs=None always: the reference
            runs.append(
                dict(
                    name=f"tslearn cdist_dtw (n_jobs={n_jobs})",
                    threads=threads,
                    reference=n_jobs is None,
                    fn=lambda X, j=n_jobs: ts_cdist(X, sakoe_chiba_radius=window, n_jobs=j),
                )
            )

    def series_list(X, as_2d):
        out = []
        for x in X:
            x = x[: int(np.sum(~np.isnan(x)))] if ragged else x
            out.append(np.ascontiguousarray(x[None, :] if as_2d else x, dtype=np.float64))
        return out

    if dtai is not None:
        dtai_window = None if window is None else window + 1  # |i - j| < window

        def dtai_fn(X, par):
            data = series_list(X, False) if ragged else np.ascontiguousarray(X, dtype=np.float64)
            return upper_symmetric(
                dtai.distance_matrix_fast(data, window=dtai_window, parallel=par)
            )

        for par, threads in ((False, "1"), (True, f"{cores} (OpenMP)")):
            if (par and parallel) or (not par and serial):
                runs.append(
                    dict(
                        name=f"dtaidistance distance_matrix_fast (parallel={par})",
                        threads=threads,
                        fn=lambda X, p=par: dtai_fn(X, p),
                    )
                )
    if aeon is not None:
        aeon_window = None if window is None else (window + 0.5) / length  # int(w * n) = radius

        def aeon_fn(X, n_jobs):
            data = series_list(X, True) if ragged else np.ascontiguousarray(X, dtype=np.float64)
            return np.sqrt(aeon.dtw_pairwise_distance(data, window=aeon_window, n_jobs=n_jobs))

        for n_jobs, threads in ((1, "1"), (-1, cores)):
            if (n_jobs == 1 and serial) or (n_jobs == -1 and parallel):
                runs.append(
                    dict(
                        name=f"aeon dtw_pairwise_distance (n_jobs={n_jobs})",
                        threads=threads,
                        fn=lambda X, j=n_jobs: aeon_fn(X, j),
                    )
                )
    return runs


def exactness(report, section, what):
    worst = max(
        (r["max_diff"] for r in section.rows if r["implementation"].startswith("tslearnkit")),
        default=float("nan"),
    )
    report.exact.append((what, worst))
    section.note(
        f"tslearnkit's largest difference from tslearn: {worst:.1e} (must be <= {EXACT:.0e})"
    )


# --- tslearnkit's torch rows, in a fresh process ----------------------------------------------
#
# Once numba's OpenMP threads have run in a process (tslearnkit's compiled kernels, aeon, tslearn's
# SoftDTWLossPyTorch), torch's own OpenMP threads can slow down by one or two orders of magnitude
# on a small machine: two OpenMP runtimes, each with a thread per core. So tslearnkit's torch-engine
# rows are timed in a fresh process in which no numba code has run, and section 5b times one of
# them again in this process, after numba's threads, to show the effect.


def datasets(args):
    n, length = args.n_series, args.length
    rng = np.random.default_rng(3)
    lengths = rng.integers(length // 2, length + 1, size=n)
    varlen = np.full((n, length), np.nan)
    for i, size in enumerate(lengths):
        varlen[i, :size] = rng.standard_normal(size)
    return {
        "matrix": np.random.default_rng(0).standard_normal((n, length)),
        "varlen": varlen,
        "soft": np.random.default_rng(4).standard_normal((args.soft_series, length)),
    }


def torch_jobs(args):
    top, jobs = max(args.threads), []
    if "matrix" not in args.skip:
        jobs += [dict(id=f"matrix/{t}", kind="dtw", data="matrix", threads=t) for t in args.threads]
    if "varlen" not in args.skip:
        jobs += [dict(id=f"varlen/{top}", kind="dtw", data="varlen", threads=top)]
    if "soft" not in args.skip:
        for kind in ("soft", "soft_grad"):
            for t in args.threads:
                jobs.append(dict(id=f"{kind}/{t}", kind=kind, data="soft", threads=t))
    if args.chunks:
        for t in args.threads:
            for c in CHUNKS:
                jobs.append(
                    dict(id=f"chunks/{t}/{c}", kind="dtw", data="matrix", threads=t, chunk=c)
                )
    return jobs


CHUNKS = (128, 256, 512, 1024, 2048, 4096, None)


def kit_soft_grad(X, gamma):
    Xt = torch.tensor(X, dtype=torch.float64, requires_grad=True)
    cdist_soft_dtw(Xt, gamma=gamma).sum().backward()
    return Xt.grad


def torch_job(job, X, gamma):
    if job["kind"] == "dtw":
        return cdist_dtw(X, engine="torch", chunk_size=job.get("chunk"))
    if job["kind"] == "soft":
        return cdist_soft_dtw(X, gamma=gamma)
    return kit_soft_grad(X, gamma)


def run_fresh(args, data):
    """Time the torch jobs in a fresh process: {job id: (seconds, result)}."""
    jobs = torch_jobs(args)
    if not jobs:
        return {}
    print("\ntslearnkit's torch-engine rows, in a fresh process (no numba threads):", flush=True)
    with tempfile.TemporaryDirectory(prefix="dtw-bench-") as folder:
        folder = Path(folder)
        for name, X in data.items():
            np.save(folder / f"{name}.npy", X)
        plan = dict(jobs=jobs, repeat=args.repeat, gamma=args.gamma)
        (folder / "plan.json").write_text(json.dumps(plan))
        subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--worker", str(folder)], check=True
        )
        times = json.loads((folder / "times.json").read_text())
        return {
            job["id"]: (times[job["id"]], np.load(folder / f"result{k}.npy"))
            for k, job in enumerate(jobs)
        }


def worker(folder):
    """The fresh process of run_fresh: times the jobs of ``folder/plan.json``."""
    folder = Path(folder)
    plan = json.loads((folder / "plan.json").read_text())
    times = {}
    for k, job in enumerate(plan["jobs"]):
        X = np.load(folder / f"{job['data']}.npy")

        def call(data, job=job):
            return with_threads(job["threads"], lambda: torch_job(job, data, plan["gamma"]))

        call(X[:4])  # warm-up
        seconds, result = best_time(lambda call=call, X=X: call(X), plan["repeat"])
        np.save(folder / f"result{k}.npy", as_numpy(result))
        times[job["id"]] = seconds
        print(f"  {job['id']} ({plural(job['threads'])}): {seconds:.3f} s", flush=True)
    (folder / "times.json").write_text(json.dumps(times))


# --- the sections ------------------------------------------------------------------------------

DTW_COLUMNS = ["implementation", "threads", "seconds", "cells_per_s", "ratio", "max_diff"]


def bench_matrix(report, args, state):
    n, length = args.n_series, args.length
    X = state["data"]["matrix"]
    section = report.section(
        "matrix",
        f"1. DTW matrix, {n} series x {length} steps (float64), X against itself, no band",
        DTW_COLUMNS,
    )
    runs = kit_runs(args.threads)
    runs += fresh_runs(state, "tslearnkit cdist_dtw, torch wavefront", "matrix", args.threads)
    runs += peer_dtw_runs(length)
    pairs = n * (n - 1) // 2
    run_rows(section, runs, X, pairs * length * length, args.repeat)
    for run in runs[: len(args.threads)]:
        state["full_compiled"][run["nthreads"]] = run["row"]["seconds"]
    exactness(report, section, "full matrix")


def bench_band(report, args, state):
    n, length = args.n_series, args.length
    X = state["data"]["matrix"]
    section = report.section(
        "band",
        f"2. DTW matrix with a Sakoe-Chiba band, {n} series x {length} steps (float64)",
        ["window", *DTW_COLUMNS],
    )
    pairs = n * (n - 1) // 2
    top = max(args.threads)
    speedups = {}
    for fraction in args.bands:
        w = max(0, round(fraction * length))
        print(f"  radius {w} ({fraction:.0%} of {length}):", flush=True)
        runs = kit_runs(args.threads, window=w)
        runs += peer_dtw_runs(length, window=w, serial=False)
        sub = Section("band", "", DTW_COLUMNS)
        run_rows(sub, runs, X, pairs * band_cells(length, length, w), args.repeat)
        for row in sub.rows:
            section.rows.append({"window": f"{w} ({fraction:.0%})", **row})
        section.notes += sub.notes
        if top not in state["full_compiled"]:
            state["full_compiled"][top], _ = best_time(
                lambda: with_threads(top, lambda: cdist_dtw(X, engine="compiled")), args.repeat
            )
        band_time = next(r["row"]["seconds"] for r in runs if r.get("nthreads") == top)
        speedups[fraction] = state["full_compiled"][top] / band_time
        section.note(
            f"radius {w} ({fraction:.0%}): tslearnkit compiled, {plural(top)}, "
            f"the time without a band is {speedups[fraction]:.2f}x the time with it"
        )
    exactness(report, section, "band")
    if 0.10 in speedups:
        report.target(
            "a 10% band makes tslearnkit's compiled DTW >= 3.5x faster than no band",
            speedups[0.10] >= 3.5,
            f"{speedups[0.10]:.2f}x, {plural(top)}",
        )


def bench_varlen(report, args, state):
    n, length = args.n_series, args.length
    X = state["data"]["varlen"]
    lengths = (~np.isnan(X)).sum(axis=1)
    section = report.section(
        "varlen",
        f"3. Variable lengths: {n} series of {length // 2} to {length} steps (NaN end padding), "
        "no band",
        DTW_COLUMNS,
    )
    runs = kit_runs(args.threads)
    top = max(args.threads)
    runs += fresh_runs(state, "tslearnkit cdist_dtw, torch wavefront", "varlen", [top])
    runs += peer_dtw_runs(length, ragged=True)
    total, squares = lengths.sum(), (lengths.astype(np.int64) ** 2).sum()
    cells = int(total) ** 2 // 2 - int(squares) // 2  # sum over pairs i < j of n_i * n_j
    run_rows(section, runs, X, cells, args.repeat)
    section.note(
        "tslearn and tslearnkit take the NaN-padded array; dtaidistance a list of 1-D arrays; "
        "aeon a list of (1, length) arrays"
    )
    exactness(report, section, "variable lengths")


def bench_kmeans(report, args, state):
    from tslearn.clustering import TimeSeriesKMeans as TsKMeans

    X, y = load_trace()
    if args.quick:
        X, y = X[::10], y[::10]
    X = znormalize(X)
    params = dict(n_clusters=4, metric="dtw", max_iter=args.kmeans_iter, n_init=1, random_state=0)
    section = report.section(
        "kmeans",
        f"4. DTW k-means on Trace ({X.shape[0]} x {X.shape[1]}, z-normalised): n_clusters=4, "
        f"max_iter={args.kmeans_iter}, n_init=1, random_state=0",
        [
            "implementation",
            "threads",
            "seconds",
            "ratio",
            "ari",
            "n_iter",
            "inertia",
            "same_labels",
        ],
    )
    warm = {**params, "max_iter": 1}
    TsKMeans(**warm).fit(X[:10])  # numba warm-up
    for threads in args.threads:
        with_threads(threads, lambda: TimeSeriesKMeans(**warm).fit(X[:10]))
    candidates = [("tslearn TimeSeriesKMeans", "1", lambda: TsKMeans(**params).fit(X))]
    for threads in args.threads:
        candidates.append(
            (
                "tslearnkit TimeSeriesKMeans",
                str(threads),
                lambda t=threads: with_threads(t, lambda: TimeSeriesKMeans(**params).fit(X)),
            )
        )
    aeon_clustering = peer("aeon.clustering") if peer("aeon") else None
    if aeon_clustering is not None and hasattr(aeon_clustering, "TimeSeriesKMeans"):
        aeon_params = dict(
            n_clusters=4,
            distance="dtw",
            averaging_method="ba",
            max_iter=args.kmeans_iter,
            n_init=1,
            random_state=0,
            n_jobs=-1,
        )

        def aeon_fit(data, p=aeon_params):
            return aeon_clustering.TimeSeriesKMeans(**p).fit(data[:, None, :])

        try:
            aeon_fit(X, {**aeon_params, "max_iter": 1})  # all of the data: numba compiles paths
            # that a few series leave out (60 s on the first run of a fresh install)
            candidates.append(
                ("aeon TimeSeriesKMeans (DBA)", str(os.cpu_count()), lambda: aeon_fit(X))
            )
        except Exception as exc:  # noqa: BLE001 (a peer failing leaves a note)
            section.note(f"aeon TimeSeriesKMeans failed: {type(exc).__name__}: {exc}")
    reference = None
    for name, threads, fn in candidates:
        seconds, model = best_time(fn, args.kmeans_repeat)
        labels = np.asarray(model.labels_)
        reference = labels if reference is None else reference
        section.add(
            implementation=name,
            threads=threads,
            seconds=seconds,
            ari=adjusted_rand_score(y, labels),
            n_iter=int(getattr(model, "n_iter_", -1)),
            inertia=float(getattr(model, "inertia_", float("nan"))),
            same_labels=bool(np.array_equal(labels, reference)),
        )
    ours = [r for r in section.rows if r["implementation"].startswith("tslearnkit")]
    best = min(r["seconds"] for r in ours)
    for row in section.rows:
        row["ratio"] = row["seconds"] / best
    speedup = section.rows[0]["seconds"] / best
    section.note(
        "inertia_: tslearn's and tslearnkit's are the mean over series of the squared DTW "
        "distance to the nearest centre; aeon's is the sum (its DTW is not square-rooted), about "
        "n_series times as large. aeon starts from its own random centres (init='random') and "
        "averages with its own DBA, so its labels need not match"
    )
    report.target(
        "DTW k-means >= 8x faster than tslearn's",
        speedup >= 8,
        f"{speedup:.2f}x, tslearnkit's best thread count",
    )
    same = all(r["same_labels"] for r in ours)
    report.target(
        "DTW k-means labels identical to tslearn's", same, "all thread counts" if same else "differ"
    )


def bench_soft(report, args, state):
    tslearn_metrics = peer("tslearn.metrics")
    n, length, gamma = args.soft_series, args.length, args.gamma
    X = state["data"]["soft"]
    pairs = n * (n + 1) // 2  # the diagonal too: soft-DTW(x, x) is not 0
    cells = pairs * length * length
    section = report.section(
        "soft",
        f"5a. Soft-DTW matrix, {n} series x {length} steps (float64), gamma={gamma}",
        DTW_COLUMNS,
    )
    runs = fresh_runs(state, "tslearnkit cdist_soft_dtw (torch)", "soft", args.threads)
    runs.append(
        dict(
            name="tslearn cdist_soft_dtw",
            threads="1",
            reference=True,
            fn=lambda X: tslearn_metrics.cdist_soft_dtw(X, gamma=gamma),
        )
    )
    aeon = peer("aeon.distances") if peer("aeon") else None
    if aeon is not None and hasattr(aeon, "soft_dtw_pairwise_distance"):
        off = ~np.eye(n, dtype=bool)

        def aeon_compare(result, ref):
            return float(np.abs(result[off] - np.abs(ref[off])).max())

        for n_jobs, threads in ((1, "1"), (-1, str(os.cpu_count()))):
            runs.append(
                dict(
                    name=f"aeon soft_dtw_pairwise_distance (n_jobs={n_jobs})",
                    threads=threads,
                    compare=aeon_compare,
                    fn=lambda X, j=n_jobs: aeon.soft_dtw_pairwise_distance(
                        np.ascontiguousarray(X), gamma=gamma, n_jobs=j
                    ),
                )
            )
        section.note(
            "aeon: compared off the diagonal with |tslearn's value| (aeon returns abs() of "
            "soft-DTW, and plain DTW, 0, on the diagonal)"
        )
    run_rows(section, runs, X, cells, args.repeat)
    ours = max(r["max_diff"] for r in section.rows if r["implementation"].startswith("tslearnkit"))
    section.note(f"tslearnkit's largest difference from tslearn: {ours:.1e}")

    grad = report.section(
        "soft_grad",
        f"5b. Soft-DTW gradient: d/dX of cdist_soft_dtw(X).sum(), {n} x {length}, gamma={gamma}",
        DTW_COLUMNS,
    )
    rows_checked = min(3, n)

    def tslearn_loss_grad(X, chunk=256):
        """tslearn's SoftDTWLossPyTorch over the pairs i <= j, weighted 2 off the diagonal."""
        loss_fn = tslearn_metrics.SoftDTWLossPyTorch(gamma=gamma)
        Xt = torch.tensor(X[:, :, None], dtype=torch.float64, requires_grad=True)
        ii, jj = np.triu_indices(len(X))
        weight = torch.where(torch.as_tensor(ii == jj), 1.0, 2.0).double()
        for start in range(0, len(ii), chunk):
            i, j = ii[start : start + chunk], jj[start : start + chunk]
            (weight[start : start + chunk] * loss_fn(Xt[i], Xt[j])).sum().backward()
        return Xt.grad[:, :, 0]

    def reference_rows(X):
        """tslearn's SoftDTW and SquaredEuclidean, pair by pair (float64), for the first rows:
        d/dx_i of sum_ab sdtw(x_a, x_b) = 2 sum_j d/dx_i sdtw(x_i, x_j) (soft-DTW is symmetric)."""
        out = np.zeros((rows_checked, X.shape[1]))
        for i in range(rows_checked):
            for j in range(len(X)):
                out[i] += 2 * pair_grad(X[i], X[j])
        return out

    def pair_grad(x, y):
        D = tslearn_metrics.SquaredEuclidean(x[:, None], y[:, None])
        sdtw = tslearn_metrics.SoftDTW(D, gamma=gamma)
        sdtw.compute()
        return D.jacobian_product(sdtw.grad())[:, 0]

    pair_grad(X[0], X[1])  # numba compiles tslearn's kernels
    start = time.perf_counter()
    reference = reference_rows(X)
    per_pair = (time.perf_counter() - start) / (rows_checked * n)
    runs = fresh_runs(state, "tslearnkit cdist_soft_dtw + backward", "soft_grad", args.threads)
    if hasattr(tslearn_metrics, "SoftDTWLossPyTorch"):
        runs.append(
            dict(
                name="tslearn SoftDTWLossPyTorch + backward",
                threads=f"{numba.get_num_threads()} (numba)",
                fn=tslearn_loss_grad,
            )
        )
    top = max(args.threads)

    def after_numba(X):
        with_threads(top, lambda: cdist_dtw(X[:8], engine="compiled"))  # numba's threads run
        return with_threads(top, lambda: kit_soft_grad(X, gamma))

    runs.append(
        dict(
            name="tslearnkit cdist_soft_dtw + backward, after numba's threads ran in the process",
            threads=str(top),
            fn=after_numba,
            repeat=1,  # 20x slower than in a fresh process has been seen: once is enough
        )
    )
    for run in runs:
        run["compare"] = lambda g, ref: float(np.abs(g[:rows_checked] - ref).max())
    run_rows(grad, runs, X, cells, args.repeat, reference=reference)
    fresh = state["fresh"][f"soft_grad/{top}"][0]
    grad.note(
        f"the last row: tslearnkit's compiled kernels (numba's OpenMP threads) ran first in the "
        f"same process, as in a notebook that computes DTW then trains; {plural(top)}: "
        f"{grad.rows[-1]['seconds'] / fresh:.1f}x the time in a fresh process"
    )
    grad.note(
        f"max abs diff: on the first {rows_checked} rows of the gradient, from tslearn's SoftDTW "
        f"and SquaredEuclidean classes pair by pair in float64 ({per_pair * 1e3:.2f} ms per pair "
        f"for value and gradient, a Python loop; largest gradient entry "
        f"{np.abs(reference).max():.1f})"
    )
    grad.note(
        "tslearn's SoftDTWLossPyTorch stores its cost matrices through torch.Tensor, which is "
        "float32: its gradient agrees only to float32 precision"
    )


COMPILE_PROBE = textwrap.dedent(
    """
    import json, time
    start = time.perf_counter()
    import numpy as np, torch
    from tslearnkit.distances import cdist_dtw
    imported = time.perf_counter()
    X = np.random.default_rng(0).standard_normal((16, 32))
    cdist_dtw(X, engine="compiled")
    first = time.perf_counter()
    cdist_dtw(X, engine="compiled")
    second = time.perf_counter()
    print(json.dumps(dict(import_s=imported - start, first_call_s=first - imported,
                          second_call_s=second - first)))
    """
)


def bench_compile(report, args, state):
    section = report.section(
        "compile",
        "6. Compile cost of the compiled kernels: cdist_dtw(16 x 32) in a fresh process",
        ["run", "import_s", "first_call_s", "second_call_s"],
    )
    with tempfile.TemporaryDirectory(prefix="numba-cache-") as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        times = {}
        for run in ("fresh process, empty numba cache", "fresh process, cache warm"):
            proc = subprocess.run(
                [sys.executable, "-c", COMPILE_PROBE],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if proc.returncode:
                raise RuntimeError(f"compile probe failed:\n{proc.stderr}")
            times[run] = json.loads(proc.stdout.strip().splitlines()[-1])
            section.add(run=run, **times[run])
    cold, warm = times.values()
    compile_s = cold["first_call_s"] - warm["first_call_s"]
    section.note(
        f"compiling costs about {compile_s:.1f} s once per install (cache=True keeps the machine "
        "code on disk); the cache-warm first call includes loading it"
    )


def bench_memory(report, args, state):
    n, length = args.memory_series, 256
    X = np.random.default_rng(1).standard_normal((n, length))
    naive = n * (n - 1) / 2 * length * length * 8 / 2**30
    section = report.section(
        "memory",
        f"Peak memory: the {n} x {n} DTW matrix of series of length {length} "
        f"({n * (n - 1) // 2:,} pairs; all cost matrices at once would be {naive:.0f} GiB)",
        ["implementation", "threads", "seconds", "peak"],
    )
    for engine in ("compiled",):  # the torch engine here would run after numba's threads
        start = time.perf_counter()
        peak, D = peak_rss_increase_mib(
            lambda e=engine: with_threads(args.memory_threads, lambda: cdist_dtw(X, engine=e))
        )
        section.add(
            implementation=f"tslearnkit cdist_dtw, {engine}",
            threads=str(args.memory_threads),
            seconds=time.perf_counter() - start,
            peak=f"{peak:.0f} MiB above the start (result {D.nbytes / 2**20:.0f} MiB)",
        )


def bench_chunks(report, args, state):
    section = report.section(
        "chunks",
        f"chunk_size of the torch wavefront: {args.n_series} x {args.length}, CPU (timed in the "
        "fresh process)",
        ["threads", "chunk_size", "seconds"],
    )
    for threads in args.threads:
        for chunk in CHUNKS:
            seconds, _ = state["fresh"][f"chunks/{threads}/{chunk}"]
            section.add(threads=str(threads), chunk_size=chunk or "default", seconds=seconds)


def bench_gpu(report, args, state):
    from tslearn.metrics import cdist_dtw as ts_cdist_dtw

    n, length = args.gpu_series, 256
    X = np.random.default_rng(2).standard_normal((n, length))
    # tslearn on all the pairs takes minutes: time a subset and scale by the number of pairs
    sub = min(args.gpu_tslearn_series, n)
    ts_cdist_dtw(X[:3])
    ts_time, ref = best_time(lambda: ts_cdist_dtw(X[:sub]), 1)
    scale = (n * (n - 1) / 2) / (sub * (sub - 1) / 2)
    cells = n * (n - 1) // 2 * length * length
    section = report.section(
        "gpu",
        f"GPU: cdist_dtw of {n} series of length {length}",
        ["implementation", "seconds", "cells_per_s", "ratio", "peak", "max_diff"],
    )
    gpu_times = {}
    for dtype in (torch.float64, torch.float32):  # float32: the default on a GPU
        Xg = torch.as_tensor(X, device="cuda", dtype=dtype)
        cdist_dtw(Xg[:50])
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()

        def on_gpu(Xg=Xg):
            D = cdist_dtw(Xg)
            torch.cuda.synchronize()
            return D

        gpu_times[dtype], D = best_time(on_gpu, args.repeat)
        section.add(
            implementation=f"tslearnkit cdist_dtw on {torch.cuda.get_device_name()}, "
            f"{str(dtype).removeprefix('torch.')}",
            seconds=gpu_times[dtype],
            cells_per_s=cells / gpu_times[dtype],
            peak=f"{torch.cuda.max_memory_allocated() / 2**20:.0f} MiB GPU",
            max_diff=float(np.abs(D[:sub, :sub].double().cpu().numpy() - ref).max()),
        )
    section.add(
        implementation=f"tslearn cdist_dtw, CPU, float64 ({sub} series timed, x{scale:.0f} pairs)",
        seconds=ts_time * scale,
        cells_per_s=cells / (ts_time * scale),
    )
    best = min(gpu_times.values())
    for row in section.rows:
        row["ratio"] = row["seconds"] / best


SECTIONS = {
    "matrix": bench_matrix,
    "band": bench_band,
    "varlen": bench_varlen,
    "kmeans": bench_kmeans,
    "soft": bench_soft,
    "compile": bench_compile,
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"], help="cuda: GPU rows")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per row (best is kept)")
    parser.add_argument(
        "--threads", type=int, nargs="+", default=[1, 2], help="torch CPU thread counts to time"
    )
    parser.add_argument(
        "--quick", action="store_true", help="tiny sizes, repeat 1: a smoke test (about 40 s)"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="results folder (default benchmarks/results; with --quick a temporary folder)",
    )
    parser.add_argument("--n-series", type=int, default=200)
    parser.add_argument("--length", type=int, default=128)
    parser.add_argument("--bands", type=float, nargs="+", default=[0.05, 0.10])
    parser.add_argument("--soft-series", type=int, default=100)
    parser.add_argument("--gamma", type=float, default=1.0)
    parser.add_argument("--kmeans-iter", type=int, default=10, help="max_iter of every k-means")
    parser.add_argument("--kmeans-repeat", type=int, default=1)
    parser.add_argument(
        "--skip",
        nargs="*",
        default=None,
        choices=list(SECTIONS),
        help="sections to leave out (default none; with --quick: compile, whose two fresh "
        "processes and compilation take 15 s whatever the sizes; --quick --skip runs all)",
    )
    parser.add_argument("--memory", action="store_true", help="also the peak-memory section")
    parser.add_argument("--memory-series", type=int, default=1000)
    parser.add_argument("--memory-threads", type=int, default=1)
    parser.add_argument("--chunks", action="store_true", help="also time chunk sizes (torch)")
    parser.add_argument("--gpu-series", type=int, default=1000)
    parser.add_argument("--gpu-tslearn-series", type=int, default=150)
    parser.add_argument("--worker", help=argparse.SUPPRESS)  # the fresh process of run_fresh
    args = parser.parse_args(argv)
    if args.skip is None:
        args.skip = ["compile"] if args.quick else []
    if args.quick:
        args.n_series, args.length, args.soft_series = 12, 32, 8
        args.kmeans_iter, args.repeat = 2, 1
        args.memory_series, args.gpu_series, args.gpu_tslearn_series = 60, 60, 20
    if args.out is None:
        quick = Path(tempfile.gettempdir()) / "tslearnkit-bench-quick"
        args.out = quick if args.quick else ROOT / "benchmarks" / "results"
    return args


def main(argv=None):
    args = parse_args(argv)
    if args.worker:
        return worker(args.worker)
    if args.device == "cuda" and not torch.cuda.is_available():
        raise SystemExit("--device cuda: CUDA is not available on this machine")
    if peer("tslearn") is None:
        raise SystemExit("tslearn is the reference and is missing: run `make bench`")
    report = Report(args)
    m = report.machine
    print(
        f"{m['cpu']}, {m['cores']} cores; load average before the run "
        f"{' / '.join(f'{x:.2f}' for x in m['load_average'])} (other processes slow every row, "
        f"unevenly)\n{', '.join(f'{k} {v}' for k, v in m['versions'].items())}"
    )
    data = datasets(args)
    state = {"full_compiled": {}, "data": data, "fresh": run_fresh(args, data)}
    benches = [bench for key, bench in SECTIONS.items() if key not in args.skip]
    benches += [bench_chunks] * args.chunks + [bench_memory] * args.memory
    benches += [bench_gpu] * (args.device == "cuda")
    for bench in benches:
        start = time.perf_counter()
        bench(report, args, state)
        print(f"  (section done in {time.perf_counter() - start:.1f} s)", flush=True)
    if report.exact:
        worst = max(d for _, d in report.exact)
        report.targets.insert(
            0,
            dict(
                target=f"tslearnkit's DTW equals tslearn's to <= {EXACT:.0e} in every row",
                met=bool(worst <= EXACT),
                value=f"largest difference {worst:.1e}",
            ),
        )
    report.write(args.out)
    print("\n" + report.markdown().split("## Targets", 1)[1].strip())


if __name__ == "__main__":
    main()

"""What the benchmark scripts share: timing, the machine's description, number formatting.

The scripts run as ``python benchmarks/NAME.py``, so this folder is on ``sys.path`` and they import
it as ``_common``.
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import subprocess
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def best_time(fn, repeat):
    """Best wall time of ``repeat`` calls and the last result."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def machine(packages):
    """The machine, the versions of ``packages`` and the commit, for a results file."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next(ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name"))
    except (OSError, StopIteration):
        pass
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError, AttributeError):
        memory = float("nan")
    versions = {}
    for name in packages:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    try:
        commit = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    except OSError:
        commit = ""
    return dict(
        date=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        cpu=cpu,
        cores=os.cpu_count(),
        memory_gib=memory,
        platform=platform.platform(),
        load_average=list(os.getloadavg()) if hasattr(os, "getloadavg") else [],
        python=platform.python_version(),
        versions=versions,
        commit=commit or "unknown",
    )


def _seconds(v):
    return f"{v:.3g}" if v < 1 else f"{v:.2f}" if v < 100 else f"{v:.1f}"

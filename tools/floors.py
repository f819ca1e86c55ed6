"""The floors job: the unit tests with every dependency at the lowest version pyproject.toml allows.

A declared floor (``scikit-learn>=1.4``) is a promise that the package works with that release.
This script keeps the promise tested: it reads the core dependencies and the ``[notebooks]``
extra from ``pyproject.toml``, turns each ``>=X`` into ``==X`` (torch stays at the release the
book pins, ``torch==2.13.0``), installs them into a fresh virtual environment with the test
tools, builds and installs the package there with the lowest ``setuptools`` the build system
declares, and runs the unit tests and doctests there (not the notebooks or the book, whose
tools are pinned in requirements.txt).

    python tools/floors.py            # into _build/floors (deleted and rebuilt)
    python tools/floors.py --list     # only print the floor pins

Exit status: pytest's.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TORCH = "torch==2.13.0"  # the one torch the book is built with (a CPU build on the machine's disk)
# The tools the unit tests run with; they are not dependencies of the package, so no floors.
# IPython: the glue helpers run inside a notebook's kernel, which brings it.
TEST_TOOLS = [
    "pytest>=7.4",
    "pytest-xdist>=3.3",
    "hypothesis>=6.90",
    "dieboldmariano>=1.1",
    "ipython>=8",
]
# Tests of the book's build (notebooks, pages, student editions) need the pinned book tools.
BOOK_TESTS = ["tests/test_book.py", "tests/test_browser.py", "tests/test_student_edition.py"]


def floor_pin(requirement: str) -> str:
    """``name>=X,<Y`` (with an optional comment or marker) to ``name==X``; torch to ``TORCH``."""
    spec = requirement.split(";")[0].strip()
    name = re.match(r"[A-Za-z0-9_.\-\[\]]+", spec).group(0)
    if name.split("[")[0].lower() == "torch":
        return TORCH
    lowest = re.search(r">=\s*([0-9][^,\s]*)", spec)
    if lowest is None:
        raise SystemExit(f"{requirement!r} in pyproject.toml declares no floor (>=): add one")
    return f"{name}=={lowest.group(1)}"


def floors() -> tuple[list[str], str]:
    """The floor pins of the package's dependencies and the build system's setuptools."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    requirements = project["project"]["dependencies"]
    requirements += project["project"]["optional-dependencies"]["notebooks"]
    build = [r for r in project["build-system"]["requires"] if r.startswith("setuptools")]
    return [floor_pin(r) for r in requirements], floor_pin(build[0])


def run(command: list[str], **kwargs) -> None:
    print("+", " ".join(command), flush=True)
    subprocess.run(command, check=True, **kwargs)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "floors")
    parser.add_argument("--list", action="store_true", help="print the floor pins and stop")
    args = parser.parse_args(argv)
    pins, setuptools_pin = floors()
    if args.list:
        print("\n".join([*pins, setuptools_pin]))
        return 0
    out = args.out.resolve()
    if out == ROOT or out in ROOT.parents or not out.is_relative_to(ROOT / "_build"):
        parser.error(f"--out must be a folder inside {ROOT / '_build'} (it is deleted), got {out}")
    shutil.rmtree(out, ignore_errors=True)
    # Build the wheel with the lowest setuptools the build system allows, in a venv of its own
    # (torch itself needs a newer setuptools at run time).
    build_venv = out / "build-venv"
    run([sys.executable, "-m", "venv", str(build_venv)])
    build_python = str(build_venv / "bin" / "python")
    quiet = ["--quiet", "--disable-pip-version-check"]
    run([build_python, "-m", "pip", "install", *quiet, setuptools_pin, "wheel"])
    run(
        [build_python, "-m", "pip", "wheel", *quiet, "--no-deps", "--no-build-isolation"]
        + ["--wheel-dir", str(out / "dist"), str(ROOT)]
    )
    (wheel,) = (out / "dist").glob("tslearnkit-*.whl")
    venv = out / "venv"
    run([sys.executable, "-m", "venv", str(venv)])
    python = str(venv / "bin" / "python")
    pip = [python, "-m", "pip", "install", *quiet]
    run([*pip, *pins, *TEST_TOOLS])
    run([*pip, "--no-deps", str(wheel)])  # the wheel installs beside the floors
    run([python, "-m", "pip", "list", "--format=freeze", *quiet[1:]])
    # The unit tests and doctests of the checkout, with the floors' libraries (`python -m pytest`
    # from the checkout imports its own tslearnkit: the code the wheel above was built from).
    ignore = [f"--ignore={t}" for t in BOOK_TESTS]
    command = [python, "-m", "pytest", "-q", "-n", "2", "-p", "no:cacheprovider"]
    result = subprocess.run(
        [*command, "-m", "not browser", *ignore, "tests", "tslearnkit"], cwd=ROOT
    )
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())

"""Run chapters against the package as a Colab reader gets it: a built wheel, installed
(not editable) into a fresh virtual environment with only the light ``[notebooks]`` extra the
Colab cell installs, plus the Jupyter kernel that Colab (or a reader's Jupyter) provides.

A file missing from the wheel (a dataset, a module) or a dependency the package uses but does not
declare fails here, where the editable development install would hide it. Every module that any
chapter imports is imported in that environment, and Jupyter Book, Sphinx and myst-nb must be
absent from it, so a chapter that needs the book's build tools fails here too. The versions are held
to the book's pinned environment (``-c requirements.txt``: constraints pin versions, they add no
package). The chapters run under nbval, from a copy outside the repository, in a kernel of the
fresh environment; the test process blocks the network as everywhere in the tests.

Run: make test-wheel      (or: .venv/bin/python tools/wheel_parity.py [chapters...])
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CHAPTERS = [
    "01_time_series_with_pandas",
    "02_preparing_sequences",
    "03_baselines_and_metrics",
]
KERNEL = "tslearnkit-wheel"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))

# Each import the chapters' package code needs, from the installed copy; and the data files.
SMOKE = """
import json, sys
from pathlib import Path
import tslearnkit
from tslearnkit import datasets
where = Path(tslearnkit.__file__).resolve()
assert Path(sys.prefix).resolve() in where.parents, f"tslearnkit imported from {where}, not the wheel"
datasets.load_co2(); datasets.load_co2(raw=True); datasets.load_seattle_weather(); datasets.load_trace()
import importlib, importlib.util
for name in sys.argv[1:]:  # every module the chapters import
    importlib.import_module(name)
for name in ("jupyter_book", "sphinx", "myst_nb"):  # the book's build tools: not for readers
    assert importlib.util.find_spec(name) is None, f"{name} is installed by the [notebooks] extra"
print(json.dumps({"version": tslearnkit.__version__, "file": str(where)}))
"""


def chapter_imports(paths):
    """The top-level modules that the chapters' code cells import."""
    found = set()
    for path in paths:
        for cell in json.loads(Path(path).read_text())["cells"]:
            if cell["cell_type"] == "code":
                src = "".join(cell["source"])
                found |= set(re.findall(r"^\s*(?:from|import)\s+(\w+)", src, re.M))
    return sorted(found)


def run(cmd, **kwargs):
    print("+", " ".join(str(c) for c in cmd), flush=True)
    return subprocess.run([str(c) for c in cmd], check=True, **kwargs)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "chapters", nargs="*", default=DEFAULT_CHAPTERS, help="notebook names without .ipynb"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "wheel")
    args = parser.parse_args()
    out = args.out.resolve()
    # The folder is deleted and rebuilt: refuse one that holds the checkout or anything else of
    # value (the checkout itself, a parent of it, the home folder, the root).
    if out == ROOT or out in ROOT.parents or out == Path.home() or out == Path(out.anchor):
        parser.error(
            f"--out {args.out} would delete {out}; give a build folder such as _build/wheel"
        )
    if (
        out.exists()
        and any(out.iterdir())
        and not (out / "dist").exists()
        and out.parent != ROOT / "_build"
    ):
        parser.error(
            f"--out {args.out} is a non-empty folder this script did not write; give an empty "
            "or new folder (it is deleted and rebuilt)"
        )
    shutil.rmtree(out, ignore_errors=True)
    (out / "notebooks").mkdir(parents=True)

    # 1. the wheel, built in an isolated environment from pyproject.toml alone
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--wheel-dir",
            out / "dist",
            ROOT,
        ]
    )
    (wheel,) = (out / "dist").glob("tslearnkit-*.whl")

    # 2. a fresh environment with the wheel and its declared dependencies (the Colab cell's extra)
    env_dir = out / "venv"
    venv.create(env_dir, with_pip=True, clear=True)
    python = env_dir / "bin" / "python"
    run(
        [
            python,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-c",
            ROOT / "requirements.txt",
            f"{wheel}[notebooks]",
            "ipykernel",  # the kernel: Colab's own, or the reader's Jupyter
        ]
    )
    run([python, "-m", "pip", "check"])
    info = json.loads(
        run(
            [python, "-c", SMOKE, *chapter_imports(NOTEBOOKS)],
            cwd=out,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    print(f"tslearnkit {info['version']} from {info['file']}")

    # 3. the chapters under nbval, in a kernel of that environment
    run(
        [
            python,
            "-m",
            "ipykernel",
            "install",
            "--prefix",
            env_dir,
            "--name",
            KERNEL,
            "--display-name",
            KERNEL,
        ]
    )
    copies = []
    for name in args.chapters:
        source = ROOT / "notebooks" / f"{name}.ipynb"
        if not source.exists():
            parser.error(f"no chapter notebooks/{name}.ipynb")
        copies.append(shutil.copy(source, out / "notebooks"))
    env = {**os.environ, "JUPYTER_PATH": str(env_dir / "share" / "jupyter")}
    run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "--nbval-lax",
            "--nbval-kernel-name",
            KERNEL,
            "--rootdir",
            ROOT,
            "-c",
            ROOT / "pyproject.toml",
            *copies,
        ],
        cwd=ROOT,
        env=env,
    )


if __name__ == "__main__":
    main()

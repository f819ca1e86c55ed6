"""Write the student edition of every chapter into _build/student/: the same notebook without its
solutions, its outputs and its hidden check cell.

A solution is a cell tagged ``solution``. A code solution becomes a stub that keeps the cell's
leading comment lines (the exercise's label and hint) and raises ``NotImplementedError``; a
markdown solution becomes a prompt for a written answer. The notebook still runs top to bottom
up to the first exercise.

Run: make student      (or: .venv/bin/python tools/student_edition.py [notebooks...] [--out DIR])
"""

import argparse
import copy
from pathlib import Path

import nbformat

STUB = 'raise NotImplementedError("{label}: replace this line with your solution{hint}")'


def _leading_comments(source: str) -> list[str]:
    lines = []
    for line in source.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line)
    return lines


def student_cell(cell):
    """The student's version of a solution cell."""
    cell = copy.deepcopy(cell)
    tags = [
        t for t in cell.metadata.get("tags", []) if t not in ("solution", "hide-input", "hide-cell")
    ]
    cell.metadata["tags"] = tags + ["exercise"]
    if cell.cell_type == "markdown":
        cell.source = "*Write your answer here.*"
        return cell
    comments = _leading_comments(cell.source)
    label = comments[0].lstrip("# ").split(":")[0] if comments else "Exercise"
    hint = " ".join(c.lstrip("# ") for c in comments if "hint" in c.lower())
    hint = f" ({hint})" if hint else ""
    cell.source = "\n".join(
        comments + [STUB.format(label=label.replace('"', "'"), hint=hint.replace('"', "'"))]
    )
    cell.outputs, cell.execution_count = [], None
    return cell


def student_notebook(nb):
    """A copy of ``nb`` without solutions, outputs or the hidden check cell."""
    nb = copy.deepcopy(nb)
    cells = []
    for i, cell in enumerate(nb.cells):
        tags = cell.metadata.get("tags", [])
        if i == len(nb.cells) - 1 and cell.cell_type == "code" and "remove-cell" in tags:
            continue  # the chapter's hidden check cell asserts the solved notebook's claims
        if "solution" in tags:
            cell = student_cell(cell)
        elif cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cells.append(cell)
    nb.cells = cells
    return nb


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, default=Path("_build/student"))
    args = parser.parse_args()
    paths = args.notebooks or sorted(Path("notebooks").glob("[0-9][0-9]_*.ipynb"))
    args.out.mkdir(parents=True, exist_ok=True)
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        n = sum("solution" in c.metadata.get("tags", []) for c in nb.cells)
        nbformat.write(student_notebook(nb), args.out / path.name)
        print(f"{args.out / path.name}: {n} solutions removed")


if __name__ == "__main__":
    main()

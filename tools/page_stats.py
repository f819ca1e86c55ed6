"""What a reader sees of each chapter's code: visible lines over 80 and 88 characters, visible
``glue`` calls, and the median and longest visible cell.

A cell is visible unless it is tagged ``remove-cell`` or ``remove-input`` (a ``hide-cell``
solution is collapsed but one click away, so it counts).

Run: .venv/bin/python tools/page_stats.py [notebooks...]
"""

import json
import re
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HIDDEN = {"remove-cell", "remove-input"}


def visible_code(path):
    """The source of each code cell of ``path`` that a reader of the book sees."""
    for cell in json.loads(Path(path).read_text())["cells"]:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if cell["cell_type"] == "code" and not tags & HIDDEN:
            yield "".join(cell["source"])


def stats(path):
    cells = list(visible_code(path))
    lines = [line for src in cells for line in src.splitlines()]
    lengths = [len(src.splitlines()) for src in cells]
    return {
        "chapter": Path(path).stem[:2],
        "visible lines": len(lines),
        ">80": sum(len(line) > 80 for line in lines),
        ">88": sum(len(line) > 88 for line in lines),
        "widest": max((len(line) for line in lines), default=0),
        "glue calls": sum(len(re.findall(r"\bglue\w*\(", src)) for src in cells),
        "median cell": statistics.median(lengths) if lengths else 0,
        "longest cell": max(lengths, default=0),
        "cells >25": sum(n > 25 for n in lengths),
    }


def main(paths):
    paths = paths or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    rows = [stats(p) for p in paths]
    keys = list(rows[0])
    print("| " + " | ".join(keys) + " |")
    print("|" + "---|" * len(keys))
    for row in rows:
        print("| " + " | ".join(str(row[k]) for k in keys) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])

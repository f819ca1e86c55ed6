"""The student edition: solutions removed (no text leaks), the notebook runs up to the first
exercise and stops there with a hint."""

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from student_edition import student_notebook  # noqa: E402

SOLUTION = "answer = sum(range(10))  # the secret"


def toy_notebook():
    v4 = nbformat.v4
    solution = v4.new_code_cell(
        "# Exercise 9.1: add up 0..9\n# Hint: use sum and range\n" + SOLUTION
    )
    solution.metadata["tags"] = ["solution", "hide-input"]
    written = v4.new_markdown_cell("Because the future is unknown.")
    written.metadata["tags"] = ["solution"]
    check = v4.new_code_cell(
        "from tslearnkit.exercises import require\nrequire(answer == 45, 'not 45')"
    )
    hidden = v4.new_code_cell("assert True")
    hidden.metadata["tags"] = ["remove-cell"]
    nb = v4.new_notebook(cells=[v4.new_code_cell("x = 1"), solution, written, check, hidden])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    return nb


def test_student_notebook_has_no_solution_text():
    student = student_notebook(toy_notebook())
    text = nbformat.writes(student)
    assert "the secret" not in text and "sum(range(10))" not in text
    assert "Because the future" not in text
    assert "Hint: use sum and range" in text  # the hint stays
    assert len(student.cells) == 4  # the hidden check cell is gone
    assert all(c.get("outputs", []) == [] for c in student.cells if c.cell_type == "code")


def test_student_notebook_runs_to_the_first_exercise(tmp_path):
    student = student_notebook(toy_notebook())
    client = NotebookClient(
        student, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    with pytest.raises(
        CellExecutionError, match="Exercise 9.1: replace this line .*Hint: use sum and range"
    ):
        client.execute()
    assert student.cells[0].execution_count == 1  # the cells before the exercise ran


def test_solved_notebook_passes_its_check(tmp_path):
    nb = toy_notebook()
    NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()


def test_make_student_writes_every_chapter(tmp_path):
    out = tmp_path / "student"
    subprocess.run(
        [sys.executable, str(ROOT / "tools" / "student_edition.py"), "--out", str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    chapters = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert sorted(p.name for p in out.glob("*.ipynb")) == chapters
    for name in chapters:
        original = nbformat.read(ROOT / "notebooks" / name, as_version=4)
        student = nbformat.read(out / name, as_version=4)
        student_lines = {line for c in student.cells for line in c.source.splitlines()}
        # A line of a solution leaks if the student edition has it and no other cell does
        # (formatted code repeats generic lines such as "print(" or ")").
        elsewhere = {
            line
            for c in original.cells
            if "solution" not in c.metadata.get("tags", [])
            for line in c.source.splitlines()
        }
        for cell in original.cells:
            if "solution" in cell.metadata.get("tags", []):
                for line in cell.source.splitlines():
                    if line.strip() and not line.startswith("#") and line not in elsewhere:
                        assert line not in student_lines, f"{name}: solution line leaks: {line}"


def test_student_edition_of_chapter_1_runs_to_its_first_exercise(tmp_path):
    """The real thing: chapter 1 without its solutions runs every cell before Exercise 1.1 and
    stops there with the exercise's label and hint."""
    original = nbformat.read(ROOT / "notebooks" / "01_time_series_with_pandas.ipynb", as_version=4)
    student = student_notebook(original)
    first = next(i for i, c in enumerate(student.cells) if "exercise" in c.metadata.get("tags", []))
    label = student.cells[first].source.splitlines()[0].lstrip("# ").split(":")[0]
    client = NotebookClient(
        student, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    with pytest.raises(CellExecutionError) as stopped:
        client.execute()
    assert stopped.value.ename == "NotImplementedError"
    assert re.match(
        rf"{re.escape(label)}: replace this line with your solution \(Hint: .+\)",
        stopped.value.evalue,
    )
    code_before = [c for c in student.cells[:first] if c.cell_type == "code"]
    assert code_before and all(c.execution_count is not None for c in code_before), (
        "a cell before the exercise did not run"
    )
    assert all(o.output_type != "error" for c in code_before for o in c.outputs)
    assert all(
        c.execution_count is None for c in student.cells[first + 1 :] if c.cell_type == "code"
    )

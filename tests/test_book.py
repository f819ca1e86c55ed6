"""The book's conventions, checked on the committed notebooks and configuration files."""

import json
import re
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
REPO_URL = CONFIG["repository"]["url"]


def cells(path):
    return json.loads(path.read_text())["cells"]


def source(cell):
    return "".join(cell["source"])


def tags(cell):
    return cell.get("metadata", {}).get("tags", [])


def toc_files():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc["parts"]:
        files += [chapter["file"] for chapter in part["chapters"]]
    return files


def test_every_chapter_is_in_the_toc_and_exists():
    files = toc_files()
    for nb in NOTEBOOKS:
        assert f"notebooks/{nb.stem}" in files, f"{nb.name} is not in _toc.yml"
    for f in files:
        assert any((ROOT / f).with_suffix(s).exists() for s in (".md", ".ipynb")), (
            f"_toc.yml lists missing {f}"
        )


HIDDEN = {"remove-cell", "remove-input"}
MAX_LINE = 79  # notebooks/ruff.toml; the rendered code column fits about 84 (book/_ext/static)
MAX_CELL = 25  # lines of a visible code cell, unless tagged "listing" (the listing is the point)


def visible_code(nb):
    """The code cells a reader of the book sees (a collapsed hide-cell solution counts)."""
    return [c for c in cells(nb) if c["cell_type"] == "code" and not HIDDEN & set(tags(c))]


def test_repository_url_is_set_in_one_place():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["urls"]["Homepage"] == REPO_URL
    for nb in NOTEBOOKS:
        assert f"git+{REPO_URL}" in source(cells(nb)[0]), (
            f"{nb.name}: the Colab cell must install from {REPO_URL}"
        )


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_colab_cell_installs_the_light_extra(nb):
    """Colab gets the package with what running a chapter needs, not Jupyter Book and Sphinx."""
    assert '"tslearnkit[notebooks] @ git+' in source(cells(nb)[0])


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_glued_numbers_can_be_formatted(nb):
    """A value the prose formats as a number ({glue:text}`key:.2f`) is saved as a plain number
    (np.float64(0.4) would fail to format in the built page)."""
    import ast

    saved = {}
    for c in cells(nb):
        for out in c.get("outputs", []):
            scrap = out.get("metadata", {}).get("scrapbook")
            if scrap:
                data = out["data"]
                saved[scrap["name"]] = "".join(data.get(scrap["mime_prefix"] + "text/plain", ""))
    text = "\n".join(source(c) for c in cells(nb) if c["cell_type"] == "markdown")
    bad = []
    for key, spec in re.findall(r"\{glue:text\}`([\w.-]+):([^`]*[eEfFgGn%d])`", text):
        try:
            float(ast.literal_eval(saved.get(key, "")))
        except (ValueError, SyntaxError, TypeError):
            bad.append(f"{key} = {saved.get(key)!r}")
    assert not bad, f"{nb.name}: glued values the prose formats as numbers: {bad}"


def test_the_notebooks_extra_is_light():
    """[notebooks] is what running a chapter needs (no book tooling); [book] builds on it."""
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    names = [re.match(r"[\w.\[\]-]+", req).group(0).lower() for req in extras["notebooks"]]
    heavy = [n for n in names if n.startswith(("jupyter-book", "myst", "sphinx", "ipykernel"))]
    assert not heavy, f"the [notebooks] extra pulls the book's build tools: {heavy}"
    assert "tslearnkit[notebooks]" in extras["book"]


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_bookkeeping_is_out_of_sight(nb):
    """glue calls live in hidden cells; visible cells are short and fit the code column."""
    problems = []
    for number, c in enumerate(visible_code(nb), 1):
        text = source(c)
        where = f"visible code cell {number} ({text.strip().splitlines()[0][:40] if text.strip() else ''!r})"
        if re.search(r"\bglue(_values)?\(", text):
            problems.append(f"{where} calls glue: move it to a hidden cell (tag remove-cell)")
        if "myst_nb" in text:
            problems.append(f"{where} imports myst_nb: use tslearnkit.utils.glue_values")
        wide = [line for line in text.splitlines() if len(line) > MAX_LINE]
        if wide:
            problems.append(
                f"{where} has {len(wide)} line(s) over {MAX_LINE} characters: {wide[0]!r}"
            )
        if len(text.splitlines()) > MAX_CELL and "listing" not in tags(c):
            problems.append(
                f"{where} has {len(text.splitlines())} lines (at most {MAX_CELL}): split it"
            )
    assert not problems, f"{nb.name}:\n  " + "\n  ".join(problems)
    assert sum("listing" in tags(c) for c in visible_code(nb)) <= 2, (
        "at most two long listings a chapter"
    )


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_conventions(nb):
    all_cells = cells(nb)
    first, last = all_cells[0], all_cells[-1]
    # 1. first cell: the Colab install cell, which does nothing elsewhere
    assert first["cell_type"] == "code" and 'if "google.colab" in sys.modules:' in source(first)
    # 2. last cell: the hidden check cell that asserts the chapter's claims
    assert last["cell_type"] == "code" and "remove-cell" in tags(last) and "assert" in source(last)
    # 3. committed executed, in order, without errors
    code = [c for c in all_cells if c["cell_type"] == "code"]
    assert [c["execution_count"] for c in code] == list(range(1, len(code) + 1)), (
        "restart and run all"
    )
    for c in code:
        for out in c.get("outputs", []):
            assert out["output_type"] != "error", f"{nb.name}: saved error output"
            text = "".join(out.get("text", ""))
            assert "Warning" not in text, f"{nb.name}: a warning in the saved outputs: {text[:200]}"
    # 4. every number in the prose is glued: each glue key used in markdown is defined in code
    used = set()
    for c in all_cells:
        if c["cell_type"] == "markdown":
            used |= set(re.findall(r"\{glue(?::\w+)?\}`([\w.-]+)", source(c)))
    defined = {
        out["metadata"]["scrapbook"]["name"]
        for c in code
        for out in c.get("outputs", [])
        if "scrapbook" in out.get("metadata", {})
    }
    assert used <= defined, (
        f"{nb.name}: glue keys used but not in the saved outputs: {sorted(used - defined)}"
    )
    # 5. at least one plot
    assert any("image/png" in out.get("data", {}) for c in code for out in c.get("outputs", [])), (
        "no figure"
    )


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_first_cell_checks_the_package_version(nb):
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    found = re.search(r'check_version\("([\d.]+)"\)', source(cells(nb)[0]))
    assert found, f"{nb.name}: the first cell must call tslearnkit.utils.check_version"
    assert version.startswith(found.group(1) + "."), (
        f"{nb.name} is written for {found.group(1)}, the package is {version}"
    )


EXERCISE = re.compile(r"^### Exercise (\d+)\.(\d+): \S", re.M)


def exercises(nb):
    """Each exercise's heading cell and the cells up to the next heading."""
    found, current = [], None
    for c in cells(nb):
        if c["cell_type"] == "markdown" and source(c).lstrip().startswith("## "):
            current = None  # a new section ends the last exercise
        if c["cell_type"] == "markdown" and EXERCISE.search(source(c)):
            current = (EXERCISE.search(source(c)), [])
            found.append(current)
        elif current is not None:
            current[1].append(c)
    return found


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_exercises_for_the_classroom(nb):
    """3 to 5 numbered exercises, each with a solution that students do not see and, in each
    chapter, at least one answer checked by a tslearnkit.exercises function."""
    chapter = int(nb.name[:2])
    found = exercises(nb)
    assert 3 <= len(found) <= 5, f"{nb.name}: {len(found)} exercises, want 3 to 5"
    assert [(int(m.group(1)), int(m.group(2))) for m, _ in found] == [
        (chapter, k) for k in range(1, len(found) + 1)
    ]
    for heading, body in found:
        label = f"Exercise {heading.group(1)}.{heading.group(2)}"
        solutions = [c for c in body if "solution" in tags(c)]
        assert solutions, f"{nb.name}: {label} has no cell tagged 'solution'"
        for c in solutions:
            if c["cell_type"] == "code":
                assert "hide-cell" in tags(c), (
                    f"{nb.name}: {label}'s solution must be collapsed (tag hide-cell)"
                )
                assert source(c).startswith(f"# {label}:"), (
                    f"{nb.name}: {label}'s solution must start '# {label}: ...'"
                )
            else:
                assert "{dropdown}" in source(c), (
                    f"{nb.name}: {label}'s written solution must be in a dropdown"
                )
    checks = [
        c
        for _, body in found
        for c in body
        if c["cell_type"] == "code"
        and "solution" not in tags(c)
        and re.search(rf"ch{chapter:02d}\.check_\w+\(", source(c))
    ]
    assert checks, (
        f"{nb.name}: no exercise answer is checked with tslearnkit.exercises.ch{chapter:02d}"
    )


def test_teaching_page_lists_every_exercise():
    """book/teaching.md's table of exercises matches the chapters: number, title, level, checks."""
    expected = []
    for nb in NOTEBOOKS:
        for heading, body in exercises(nb):
            intro = source(next(c for c in cells(nb) if heading.group(0) in source(c)))
            level = re.search(r"\*((?:Warm-up|Practice|Open-ended)[^*]*?)\.?\*", intro)
            assert level, f"{heading.group(0)}: the task must start with its level, e.g. *Warm-up.*"
            checks = [
                m
                for c in body
                if c["cell_type"] == "code" and "solution" not in tags(c)
                for m in re.findall(r"(ch\d\d\.check_\w+)\(", source(c))
            ]
            title = intro.split(heading.group(0)[:-1], 1)[1].splitlines()[0].strip()
            expected.append(
                (
                    f"{heading.group(1)}.{heading.group(2)}",
                    title,
                    level.group(1),
                    ", ".join(f"`{c}`" for c in dict.fromkeys(checks)) or "written answer",
                )
            )
    page = (ROOT / "book" / "teaching.md").read_text()
    rows = [
        tuple(part.strip() for part in line.strip("|").split(" | "))
        for line in page.splitlines()
        if re.match(r"\| \d+\.\d+ \|", line)
    ]
    assert rows == expected


def _markdown_of_chapters():
    return "\n".join(
        source(c) for nb in NOTEBOOKS for c in cells(nb) if c["cell_type"] == "markdown"
    )


def test_every_reference_is_cited_by_a_chapter():
    keys = set(re.findall(r"^@\w+\{([^,]+),", (ROOT / "book" / "references.bib").read_text(), re.M))
    cited = set()
    for group in re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", _markdown_of_chapters()):
        cited |= {re.sub(r"\{[^}]*\}", "", key).strip() for key in group.split(",")}
    assert cited <= keys, f"cited but not in references.bib: {sorted(cited - keys)}"
    assert keys <= cited, f"in references.bib but cited by no chapter: {sorted(keys - cited)}"


def test_chapters_link_the_glossary():
    glossary = (ROOT / "book" / "glossary.md").read_text()
    terms = set(
        re.findall(r"^(\S[^\n]*)\n(?=  |\S[^\n]*\n  )", glossary.split("```{glossary}")[1], re.M)
    )
    for nb in NOTEBOOKS:
        text = "\n".join(source(c) for c in cells(nb) if c["cell_type"] == "markdown")
        used = {
            m.group(2) or m.group(1)
            for m in re.finditer(r"\{term\}`([^`<]+?)(?:\s*<([^>]+)>)?`", text)
        }
        assert len(used) >= 3, f"{nb.name} links only {sorted(used)} to the glossary"
        assert used <= terms, f"{nb.name} links terms the glossary lacks: {sorted(used - terms)}"

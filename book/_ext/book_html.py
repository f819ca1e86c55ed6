"""Small fixes to the HTML that Jupyter Book 1.x writes.

- Each script is included once per page. Sphinx 7.4 can register a body-only script (such as
  sphinx-thebe's ``const THEBE_JS_URL = ...``) twice, once with the file name ``None`` and once
  with ``''``; declaring a ``const`` twice is a JavaScript error on every page.
- The colour theme has a default (light), so a first-time visitor's browser logs no
  "invalid theme mode" error.
- The book's stylesheet, ``static/book.css``: code sized so that a formatted line fits the column.
"""

from pathlib import Path

STATIC = Path(__file__).resolve().parent / "static"


def _dedupe_scripts(app, pagename, templatename, context, doctree):
    seen, unique = set(), []
    for script in context.get("script_files", []):
        attributes = getattr(script, "attributes", {}) or {}
        key = (
            getattr(script, "filename", script) or "",
            tuple(sorted((k, str(v)) for k, v in attributes.items())),
        )
        if key not in seen:
            seen.add(key)
            unique.append(script)
    if "script_files" in context:
        context["script_files"] = unique
    context.setdefault("default_mode", "light")


def _add_static(app):
    app.config.html_static_path.append(str(STATIC))


def setup(app):
    app.connect("builder-inited", _add_static)
    app.add_css_file("book.css")
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

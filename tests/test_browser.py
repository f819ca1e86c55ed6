"""Browser test of the built HTML book: every page loads in headless Chromium without a JavaScript
error, its internal links and images resolve, each chapter shows its figures, no code block is
cut off, and formulas are typeset by the book's own MathJax; screenshots saved.

Run after `make test-book`:  .venv/bin/python -m pytest -m browser tests/test_browser.py
(`--book-html PATH` points at another build). The pages are served from 127.0.0.1 and every other
request is blocked and fails the page, as on a machine without network: the book must be
complete offline, MathJax included (it is served from _static/mathjax, not a CDN).
Screenshots of the front page and of each chapter, 1280 px wide, go to _build/screenshots/.
"""

import functools
import html.parser
import http.server
import json
import os
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_HTML = "_build/stored/_build/html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
SKIP_DIRS = {"_static", "_sources", "_images"}
CHAPTER = re.compile(r"^notebooks/(\d\d_[^/]+)\.html$")
REMOVED_TAGS = {"remove-cell", "remove-output"}
WIDTH = 1280
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# What a page may ask of the network at load time: nothing (a request that leaves 127.0.0.1 would
# be missing offline, so it fails the page).
EXPECTED_EXTERNAL = ()
_current = {"page": None}  # the page being tested, for the requests blocked while it loads


# --------------------------------------------------------------------------- the built book
def _html_dir(config):
    option = config.getoption("--book-html")
    if option is None:
        return ROOT / DEFAULT_HTML
    return (Path(config.invocation_params.dir) / option).resolve()


def _pages(html_dir):
    """Every built page of the book, as paths relative to the build (index.html first)."""
    pages = sorted(
        p.relative_to(html_dir).as_posix()
        for p in html_dir.rglob("*.html")
        if not SKIP_DIRS & set(p.relative_to(html_dir).parts)
    )
    return sorted(pages, key=lambda p: p != "index.html")


def pytest_generate_tests(metafunc):
    if "book_page" in metafunc.fixturenames:
        html_dir = _html_dir(metafunc.config)
        pages = _pages(html_dir) if (html_dir / "index.html").is_file() else ["<no build>"]
        metafunc.parametrize("book_page", pages)


@pytest.fixture(scope="module")
def html_dir(request):
    path = _html_dir(request.config)
    if not (path / "index.html").is_file():
        pytest.fail(
            f"no built book at {path} (no index.html): run `make test-book` first, "
            "or pass --book-html PATH",
            pytrace=False,
        )
    return path


class _Anchors(html.parser.HTMLParser):
    """The ids of a page (and the names of its <a name=...>), its <meta http-equiv=refresh>."""

    def __init__(self):
        super().__init__()
        self.ids, self.refresh = set(), None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])
        if tag == "meta" and (attrs.get("http-equiv") or "").lower() == "refresh":
            self.refresh = (attrs.get("content") or "").partition("url=")[2].strip() or None


@functools.lru_cache(maxsize=None)
def _anchors(path):
    parser = _Anchors()
    parser.feed(Path(path).read_text(encoding="utf-8", errors="replace"))
    return parser


def _expected_figures(notebook):
    """How many figures a chapter page must show: the image/png outputs of the notebook's cells
    not tagged remove-cell/remove-output (glued outputs are stored under another MIME type and
    shown where they are referenced), plus each {glue:figure} / {glue} reference to a glued PNG."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    shown, glued = 0, set()
    for cell in nb["cells"]:
        removed = REMOVED_TAGS & set(cell.get("metadata", {}).get("tags", []))
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "image/png" in data and not removed:
                shown += 1
            if any(k.endswith("record/image/png") for k in data):
                glued.add(out.get("metadata", {}).get("scrapbook", {}).get("name"))
    text = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    refs = re.findall(r"\{glue(?::figure|:any)?\}[`\s]*([\w.-]+)", text)
    return shown + sum(name in glued for name in refs)


# --------------------------------------------------------------------------- server and browser
class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server(html_dir):
    handler = functools.partial(_Quiet, directory=str(html_dir))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


def _chromium():
    for name in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


@pytest.fixture(scope="module")
def blocked(request):
    """External requests blocked, {url: {pages}}: summarised at the end of the run."""
    urls = {}
    yield urls
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.getplugin("capturemanager")
    if reporter and capture and urls:
        with capture.global_and_fixture_disabled():
            reporter.write_line(
                f"\nbrowser: {len(urls)} external request(s) blocked (no network; "
                "expected, not an error):"
            )
            for url, pages in sorted(urls.items()):
                reporter.write_line(f"  {url}  (from {len(pages)} page(s))")


@pytest.fixture(scope="module")
def context(server, blocked):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the browser test needs playwright: pip install -e '.[test]'", pytrace=False)
    executable = _chromium()
    with sync_playwright() as p:
        try:
            browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        except Exception as exc:  # noqa: BLE001 - say what to install
            pytest.fail(
                f"cannot start Chromium ({executable or 'playwright default'}): "
                f"{str(exc).splitlines()[0]}; install it (apt-get install -y chromium) "
                "or set CHROMIUM=/path/to/chrome",
                pytrace=False,
            )
        ctx = browser.new_context(viewport={"width": WIDTH, "height": 900})
        ctx.set_default_timeout(20_000)

        def block(route):  # no network: every request not to the local server fails
            blocked.setdefault(route.request.url, set()).add(_current["page"])
            route.abort("internetdisconnected")

        # A regex route is matched inside Playwright's driver: local requests never wait on Python.
        ctx.route(re.compile("^(?!" + re.escape(server) + ")"), block)
        yield ctx
        ctx.close()
        browser.close()


# --------------------------------------------------------------------------- the test
_WAIT_IMAGES = """async () => {
  for (const img of document.images) img.loading = "eager";
  await Promise.all([...document.images].map(img => img.complete ? null :
      new Promise(done => { img.addEventListener("load", done); img.addEventListener("error", done);
                            setTimeout(done, 5000); })));
}"""

_COLLECT = """() => ({
  links: [...document.querySelectorAll("a[href]")].map(a => [a.getAttribute("href"), a.href]),
  images: [...document.images].map(img => ({src: img.currentSrc || img.src,
      raw: img.getAttribute("src"), ok: img.complete && img.naturalWidth > 0,
      figure: !!img.closest("article.bd-article, main, [role=main]")
              && (img.currentSrc || img.src).includes("/_images/")})),
})"""


# Every code block of the article, collapsed solutions opened: [first widest line] of those wider
# than their box (cut off, so the reader would have to scroll sideways).
_OVERFLOWING_CODE = """() => {
  document.querySelectorAll("details").forEach(d => { d.open = true; });
  return [...document.querySelectorAll("article.bd-article pre")]
    .filter(pre => pre.scrollWidth > pre.clientWidth)
    .map(pre => ({width: pre.scrollWidth, box: pre.clientWidth,
                  input: !!pre.closest(".cell_input"),
                  line: pre.innerText.split("\\n").reduce((a, b) => b.length > a.length ? b : a, "")}));
}"""

# After MathJax has typeset the page: the formulas Sphinx marked, and those MathJax rendered.
_MATHS = """async () => {
  const marked = document.querySelectorAll("article.bd-article .math").length;
  if (!marked) return {marked, typeset: 0, mathjax: null};
  const start = Date.now();
  while (!(window.MathJax && MathJax.startup && MathJax.startup.promise) && Date.now() - start < 10000)
    await new Promise(done => setTimeout(done, 50));
  if (window.MathJax && MathJax.startup) await MathJax.startup.promise;
  const script = document.querySelector("script[src*='mathjax']");
  return {marked, typeset: document.querySelectorAll("article.bd-article mjx-container").length,
          mathjax: script ? script.src : null};
}"""


def _is_local(url, base):
    return url.startswith(base)


def _local_file(html_dir, url):
    path = unquote(urlsplit(url).path).lstrip("/")
    target = (html_dir / path).resolve()
    if target.is_dir():
        target = target / "index.html"
    return target


def _rel(path, html_dir):
    return path.relative_to(html_dir).as_posix() if path.is_relative_to(html_dir) else str(path)


def test_page(book_page, html_dir, server, context, blocked):
    """Load one page of the book and check what a reader would meet there."""
    problems, http_errors = [], set()
    _current["page"] = book_page
    page = context.new_page()
    page.on("pageerror", lambda exc: problems.append(f"JavaScript error: {exc}"))

    def on_console(msg):
        if msg.type != "error":
            return
        if msg.text.startswith("Failed to load resource"):
            return  # reported below with its URL if local; recorded by the route if external
        problems.append(f"console error: {msg.text} ({(msg.location or {}).get('url', '')})")

    def on_response(resp):
        if _is_local(resp.url, server) and resp.status >= 400:
            http_errors.add(resp.url)
            problems.append(
                f"local resource answered HTTP {resp.status}: {resp.url[len(server) :]}"
            )

    def on_failed(req):
        if _is_local(req.url, server) and req.url not in http_errors:
            problems.append(
                f"local resource failed to load: {req.url[len(server) :]} ({req.failure})"
            )

    def on_request(req):
        if not _is_local(req.url, server) and not req.url.startswith(EXPECTED_EXTERNAL):
            problems.append(f"needs the network (blocked, so missing offline): {req.url}")

    page.on("console", on_console)
    page.on("request", on_request)
    page.on("response", on_response)
    page.on("requestfailed", on_failed)
    url = server + ("" if book_page == "index.html" else book_page)
    page.goto(url, wait_until="load")
    refresh = _anchors(str(html_dir / book_page)).refresh
    if refresh:  # index.html sends the reader on to the front page
        target = _local_file(html_dir, urljoin(server + book_page, refresh))
        page.wait_for_url(server + target.relative_to(html_dir).as_posix())
        page.wait_for_load_state("load")
    page.evaluate(_WAIT_IMAGES)
    found = page.evaluate(_COLLECT)

    # Links inside the book resolve to a file, and a #fragment to an id on that page.
    for raw, href in sorted(set(map(tuple, found["links"]))):
        if not _is_local(href, server):
            continue
        target = _local_file(html_dir, href)
        if not target.is_file():
            problems.append(f"broken link {raw!r}: no file {_rel(target, html_dir)}")
            continue
        fragment = unquote(urlsplit(href).fragment)
        if fragment and target.suffix == ".html" and fragment not in _anchors(str(target)).ids:
            problems.append(f"broken link {raw!r}: no id {fragment!r} in {_rel(target, html_dir)}")

    # Images inside the book load.
    for img in found["images"]:
        if _is_local(img["src"], server) and not img["ok"]:
            problems.append(f"image does not load: {img['raw']!r}")

    # A chapter shows its figures.
    chapter = CHAPTER.match(book_page)
    if chapter:
        notebook = ROOT / "notebooks" / f"{chapter.group(1)}.ipynb"
        rendered = sum(img["ok"] and img["figure"] for img in found["images"])
        expected = _expected_figures(notebook) if notebook.is_file() else 1
        if rendered < max(expected, 1):
            problems.append(
                f"{rendered} figure(s) rendered in the main content, expected "
                f"{max(expected, 1)} (the image/png outputs of {notebook.name} "
                "in cells not tagged remove-cell/remove-output)"
            )
        # The launch button opens this notebook on Colab; the download button gets the .ipynb.
        hrefs = {href for _, href in found["links"]}
        ipynb = f"notebooks/{chapter.group(1)}.ipynb"
        if not any(
            h.startswith("https://colab.research.google.com/") and h.endswith(ipynb) for h in hrefs
        ):
            problems.append(f"no Colab launch button for {ipynb}")
        if not any(_is_local(h, server) and h.endswith(f"_sources/{ipynb}") for h in hrefs):
            problems.append(f"no download button for {ipynb}")
        # No code block is cut off at 1280 px: inputs, printed outputs, solutions opened.
        for block in page.evaluate(_OVERFLOWING_CODE):
            kind = "code cell" if block["input"] else "code block or output"
            problems.append(
                f"{kind} cut off ({block['width']} px of text in a {block['box']} px box): "
                f"{block['line'][:100]!r}"
            )

    # Formulas are typeset by the book's own MathJax (served locally: nothing leaves 127.0.0.1).
    maths = page.evaluate(_MATHS)
    if maths["marked"]:
        if not (maths["mathjax"] or "").startswith(server):
            problems.append(f"MathJax is not served by the book: {maths['mathjax']}")
        if maths["typeset"] < maths["marked"]:
            problems.append(
                f"{maths['typeset']} of {maths['marked']} formulas typeset by MathJax "
                "(the rest show as TeX source)"
            )

    if chapter or book_page == "index.html":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = chapter.group(1) if chapter else "front_page"
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    page.close()

    if problems:
        pytest.fail(f"{book_page}:\n  " + "\n  ".join(dict.fromkeys(problems)), pytrace=False)

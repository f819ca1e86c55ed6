# The two commands of the book: `make book` builds the HTML book, `make test` runs every test.
# Each sets up .venv on first use (Python 3.11+, the pinned requirements.txt, tslearnkit editable).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
JB     := $(BIN)/jupyter-book
JB_FLAGS := -W -n --keep-going
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all book test test-unit test-floors test-notebooks test-book test-wheel test-browser test-gpu \
	notebooks page format student bench clean help
all: help

help:
	@echo "The two commands:"
	@echo "  make book            execute the notebooks and build the HTML book into _build/html"
	@echo "  make test            all of the test-* targets below but test-gpu, in that order"
	@echo "The parts of make test:"
	@echo "  make test-unit       code formatted (ruff), unit tests, doctests and the book's conventions"
	@echo "  make test-floors     the unit tests with every dependency at its declared minimum version"
	@echo "  make test-notebooks  every chapter under nbval, network blocked"
	@echo "  make test-book       build the book from the notebooks' stored outputs (no execution)"
	@echo "  make test-wheel      chapters run from the built wheel with only the [notebooks] extra"
	@echo "  make test-browser    the built book in headless Chromium (after test-book)"
	@echo "  make test-gpu        the unit tests and the notebooks under nbval on a CUDA GPU"
	@echo "For authors and teachers:"
	@echo "  make notebooks       re-execute every chapter in place and save its outputs"
	@echo "  make page NB=notebooks/03_baselines_and_metrics.ipynb"
	@echo "                       rebuild one chapter's page from its stored outputs (seconds)"
	@echo "  make format          format the package, tests, tools and notebooks with ruff"
	@echo "  make student         write the student editions (no solutions) into _build/student"
	@echo "  make bench           DTW against tslearn, dtaidistance and aeon, the matrix profile against"
	@echo "                       stumpy, in .venv-bench (set up on first use): writes"
	@echo "                       benchmarks/results/{dtw,matrix_profile}.{md,json};"
	@echo "                       BENCH_ARGS=--quick for a smoke test (an idle machine for real timings)"
	@echo "  make clean           remove build outputs (keeps .venv)"

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Python 3.11 or newer is needed; run: make PYTHON=python3.11 ..."; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

book: $(STAMP)
	rm -rf book/generated  # autosummary's pages, written anew from the docstrings
	$(JB) build . $(JB_FLAGS)
	@echo "The book is in _build/html/index.html"

test: test-unit test-floors test-notebooks test-book test-wheel test-browser

test-unit: $(STAMP)
	$(BIN)/ruff format --check --quiet . || { echo "code is not formatted: run make format"; exit 1; }
	$(BIN)/python -m pytest -m "not browser" tests tslearnkit

# The declared minimum versions (pyproject.toml's >=) installed in a fresh venv under _build/floors,
# the package built there with the lowest setuptools allowed, and the unit tests run with them.
test-floors: $(STAMP)
	$(BIN)/python tools/floors.py

# Formatting: the package at 100 characters, the notebooks at 79 (notebooks/ruff.toml), so that
# every line of a chapter fits the book's code column.
format: $(STAMP)
	$(BIN)/ruff format .

# nbval runs every chapter in a fresh kernel with network access blocked (tests/offline);
# printed outputs are compared only in cells tagged `nbval-check-output`.
test-notebooks: $(STAMP)
	$(BIN)/python -m pytest --nbval-lax --nbval-current-env -n 2 --dist loadscope notebooks

# Build the book from the notebooks' stored outputs (no execution): a broken page, a missing
# glue key or a bad cross-reference fails here.
test-book: _build/config-stored.yml
	rm -rf book/generated _build/stored  # a full build: an incremental one can keep stale sidebars
	$(JB) build . $(JB_FLAGS) --config _build/config-stored.yml --path-output _build/stored

# The book's configuration with execution off (build from the stored outputs).
_build/config-stored.yml: _config.yml $(STAMP)
	@mkdir -p _build
	sed -e 's/^\(  *execute_notebooks:\).*/\1 "off"/' -e 's|^\(  *book_html:\) book/_ext|\1 $(CURDIR)/book/_ext|' \
	  _config.yml > $@  # local extension paths are relative to the config file
	grep -q 'execute_notebooks: "off"' $@
	grep -q 'book_html: /' $@

# One chapter's page from its stored outputs, for the edit-and-look loop: _build/page/.../html.
page: _build/config-stored.yml
	@test -n "$(NB)" || { echo "usage: make page NB=notebooks/NN_name.ipynb"; exit 1; }
	$(JB) build $(NB) --config _build/config-stored.yml --path-output _build/page

# Colab parity: build the wheel, install it (not editable) with only its declared dependencies
# into a fresh venv, and run chapters there under nbval: catches missing data and undeclared deps.
test-wheel: $(STAMP)
	$(BIN)/python tools/wheel_parity.py

# The book as a reader sees it: headless Chromium loads every page built by test-book and fails
# on a JavaScript error, a broken internal link or a chapter without its figures; screenshots of
# the chapters go to _build/screenshots/. Installs Chromium with apt-get if it is missing.
test-browser: $(STAMP)
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || \
	  { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium; }
	$(BIN)/python -m pytest -m browser tests/test_browser.py

# On a CUDA machine: the same unit tests (the GPU ones run instead of being skipped) and the same
# nbval suite, with every notebook on the GPU (get_device() picks CUDA). Tolerances for GPU
# nondeterminism: book/setup.md, "On a GPU".
test-gpu: $(STAMP)
	@$(BIN)/python -c 'import sys, torch; sys.exit(not torch.cuda.is_available())' || \
	  { echo "make test-gpu needs a CUDA GPU that PyTorch can see (torch.cuda.is_available() is False)"; exit 1; }
	$(BIN)/python -m pytest -m "not browser" tests tslearnkit
	$(BIN)/python -m pytest --nbval-lax --nbval-current-env notebooks

# For teachers: every chapter without its solutions, runnable up to the first exercise.
student: $(STAMP)
	$(BIN)/python tools/student_edition.py --out _build/student

# For authors: chapters are committed executed; this refreshes their outputs in place.
notebooks: $(STAMP)
	$(BIN)/python tools/run_notebooks.py

# The benchmarks against their peers (benchmarks/README.md): DTW against tslearn, dtaidistance and
# aeon, the matrix profile against stumpy. Their own environment, .venv-bench: the book's pins plus
# the peers (aeon without its numba and pandas caps: see the peers file).
BENCH       := .venv-bench
BENCH_STAMP := $(BENCH)/.installed
BENCH_ARGS  ?=

$(BENCH_STAMP): benchmarks/requirements-peers.txt pyproject.toml requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Python 3.11 or newer is needed; run: make PYTHON=python3.11 ..."; exit 1; }
	test -x $(BENCH)/bin/python || $(PYTHON) -m venv $(BENCH)
	$(BENCH)/bin/python -m pip install --quiet -r requirements.txt
	$(BENCH)/bin/python -m pip install --quiet --no-deps -e .
	$(BENCH)/bin/python -m pip install --quiet -r benchmarks/requirements-peers.txt
	$(BENCH)/bin/python -m pip install --quiet --no-deps "aeon>=1.0,<1.7"
	touch $@

bench: $(BENCH_STAMP)
	$(BENCH)/bin/python benchmarks/dtw.py $(BENCH_ARGS)
	$(BENCH)/bin/python benchmarks/matrix_profile.py $(BENCH_ARGS)

clean:
	rm -rf _build book/generated .pytest_cache

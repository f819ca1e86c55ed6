# The two commands of the book: `make book` builds the HTML book, `make test` runs every test.
# Each sets up .venv on first use (Python 3.11+, the pinned requirements.txt, tslearnkit editable).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
JB     := $(BIN)/jupyter-book
JB_FLAGS := -W -n --keep-going

.PHONY: all book test test-unit test-notebooks test-book notebooks student clean help
all: help

help:
	@echo "make book   execute the notebooks and build the HTML book into _build/html"
	@echo "make test   unit tests, doctests, the notebooks under nbval, and a build from stored outputs"
	@echo "make student  write the student editions (no solutions) into _build/student"
	@echo "make notebooks  re-execute every chapter in place and save its outputs (for authors)"
	@echo "make clean  remove build outputs (keeps .venv)"

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

test: test-unit test-notebooks test-book

test-unit: $(STAMP)
	$(BIN)/python -m pytest tests tslearnkit

# nbval runs every chapter in a fresh kernel with network access blocked (tests/offline);
# printed outputs are compared only in cells tagged `nbval-check-output`.
test-notebooks: $(STAMP)
	$(BIN)/python -m pytest --nbval-lax --nbval-current-env -n 2 --dist loadscope notebooks

# Build the book from the notebooks' stored outputs (no execution): a broken page, a missing
# glue key or a bad cross-reference fails here.
test-book: $(STAMP)
	@mkdir -p _build
	rm -rf book/generated
	sed 's/^\(  *execute_notebooks:\).*/\1 "off"/' _config.yml > _build/config-stored.yml
	grep -q 'execute_notebooks: "off"' _build/config-stored.yml
	$(JB) build . $(JB_FLAGS) --config _build/config-stored.yml --path-output _build/stored

# For teachers: every chapter without its solutions, runnable up to the first exercise.
student: $(STAMP)
	$(BIN)/python tools/student_edition.py --out _build/student

# For authors: chapters are committed executed; this refreshes their outputs in place.
notebooks: $(STAMP)
	$(BIN)/python tools/run_notebooks.py

clean:
	rm -rf _build book/generated .pytest_cache

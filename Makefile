# MLP ABC: every command a reader, an instructor or a maintainer needs.
#
#   make book    build the website into _build/html (open _build/html/index.html)
#   make test    run every test: package, strict nbval over every chapter,
#                the book build with warnings as errors, the browser check
#
# Each target creates (or reuses) the virtual environment .venv and installs
# what it needs, pinned by constraints.txt.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.mlpabc-installed
JOBS   ?= 2
SANITIZE := mlpabc/coursework/nbval_sanitize.cfg
NBVAL  := --nbval --nbval-current-env --nbval-sanitize-with $(SANITIZE) --nbval-cell-timeout 600
CHAPTERS ?=

.PHONY: help env book test test-package test-chapters test-book test-browser execute bench bench-smoke lab clean lint

help:
	@sed -n '1,12p' Makefile

# -- environment -------------------------------------------------------------
$(STAMP): pyproject.toml constraints.txt scripts/ipython_kernel_config.py
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=24"
	$(PY) -m pip install --quiet -c constraints.txt -e ".[all]"
	$(PY) scripts/setup_kernel.py
	@touch $(STAMP)

env: $(STAMP)

# -- the website ---------------------------------------------------------------
book: $(STAMP)
	$(VENV)/bin/jupyter-book build . -W --keep-going
	@echo "The website is in _build/html: open _build/html/index.html in a browser (it works offline)."

# -- tests ---------------------------------------------------------------------
test: test-package test-chapters test-book test-browser

test-package: $(STAMP)
	$(PY) -m pytest tests mlpabc --doctest-modules -n $(JOBS) --dist loadfile -m "not browser" -q

test-chapters: $(STAMP)
	$(PY) -m pytest chapters $(NBVAL) -n $(JOBS) --dist loadfile -q

test-book: $(STAMP)
	rm -rf _build/html
	$(VENV)/bin/jupyter-book build . -W --keep-going --quiet

test-browser: $(STAMP)
	$(PY) -m pytest tests/test_website.py -m browser -q

# lint and format check (ruff, configured in pyproject.toml); not yet part of `make test`
lint: $(STAMP)
	$(VENV)/bin/ruff check mlpabc tests benchmarks scripts
	$(VENV)/bin/ruff format --check mlpabc tests benchmarks scripts

# -- maintenance ---------------------------------------------------------------
execute: $(STAMP)
	$(PY) scripts/execute_chapters.py $(CHAPTERS)

bench: $(STAMP)
	$(PY) -m benchmarks

bench-smoke: $(STAMP)
	$(PY) -m benchmarks --smoke

lab: $(STAMP)
	$(VENV)/bin/jupyter lab chapters

clean:
	rm -rf _build

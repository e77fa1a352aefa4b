# MLP ABC: every command a reader, an instructor or a maintainer needs.
#
#   make book    build the website into _build/html (open _build/html/index.html);
#                the Chinese edition (中文版) into _build/html/zh
#   make translations  after an English edit: re-extract and merge the Chinese catalogs
#   make test    run every test: lint (ruff), package, strict nbval over every chapter,
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

.PHONY: help env book translations test test-package test-chapters test-book test-browser test-coursework execute bench bench-smoke lab lint clean format-notebooks

help:
	@sed -n '1,12p' Makefile

# -- environment -------------------------------------------------------------
$(STAMP): pyproject.toml constraints.txt scripts/ipython_kernel_config.py scripts/setup_kernel.py
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=24"
	$(PY) -m pip install --quiet -c constraints.txt -e ".[all]"
	$(PY) scripts/setup_kernel.py
	@touch $(STAMP)

env: $(STAMP)

# -- the website ---------------------------------------------------------------
book: $(STAMP)
	$(VENV)/bin/jupyter-book build . -W --keep-going
	$(PY) scripts/zh_edition.py build -W --keep-going
	@echo "The website is in _build/html: open _build/html/index.html in a browser (it works offline)."
	@echo "中文版: _build/html/zh/index.html"

# Chinese edition: re-extract the English messages, merge them into locale/zh_CN/LC_MESSAGES/
# (a changed paragraph becomes fuzzy), and print what is left to translate per page.
translations: $(STAMP)
	$(PY) scripts/zh_edition.py translations

# -- tests ---------------------------------------------------------------------
test: lint test-package test-chapters test-book test-browser

test-package: $(STAMP)
	$(PY) -m pytest tests mlpabc --doctest-modules -n $(JOBS) --dist loadfile -m "not browser" -q

test-chapters: $(STAMP)
	$(PY) -m pytest chapters $(NBVAL) -n $(JOBS) --dist loadfile -q

test-book: $(STAMP)
	rm -rf _build/html
	$(VENV)/bin/jupyter-book build . -W --keep-going --quiet
	$(PY) scripts/zh_edition.py build -W --keep-going --quiet

test-browser: $(STAMP)
	$(PY) -m pytest tests/test_website.py tests/test_website_zh.py -m browser -q

# Slow (minutes, needs the package index), not part of `make test`; CI runs it: the wheel,
# installed with Keras in a fresh environment outside the checkout, runs three chapters in an
# empty folder; constraints.txt resolves on every Python the README promises.
.PHONY: test-portability
test-portability: $(STAMP)
	MLPABC_PORTABILITY=1 $(PY) -m pytest tests/test_portability.py -q

# coursework: release -> honest completion -> grade for every chapter, the tampering battery
# (`make test` grades chapters 1 and 2 only)
test-coursework: $(STAMP)
	MLPABC_COURSEWORK_ALL=1 $(PY) -m pytest tests/test_coursework.py tests/test_coursework_chapters.py \
		tests/test_coursework_tampering.py tests/test_coursework_scale.py -q -p no:cacheprovider

# lint and format check (ruff, configured in pyproject.toml); the first step of `make test`
lint: $(STAMP)
	$(VENV)/bin/ruff check mlpabc tests benchmarks scripts _ext
	$(VENV)/bin/ruff format --check mlpabc tests benchmarks scripts _ext

# -- maintenance ---------------------------------------------------------------
execute: $(STAMP)
	$(PY) scripts/execute_chapters.py $(CHAPTERS)

bench: $(STAMP)
	$(PY) -m benchmarks

bench-smoke: $(STAMP)
	$(PY) -m benchmarks --smoke

# Code cells to at most 88 columns (the website's code box), outputs untouched; then
# `make execute` and `git diff` to confirm the outputs did not change, and
# `pytest tests/test_notebook_format.py`. Long comments and strings ruff leaves alone.
format-notebooks: $(STAMP)
	$(PY) -m ruff format --line-length 88 chapters/*.ipynb

# As root (containers, CI, WSL), Jupyter refuses to start without --allow-root.
lab: $(STAMP)
	$(VENV)/bin/jupyter lab chapters $(if $(filter 0,$(shell id -u)),--allow-root)

clean:
	rm -rf _build

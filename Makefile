# Thin wrappers; everything a fresh machine needs is installed from here.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install site serve test lint bench validate clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,lint]'
	touch $(STAMP)

site: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/certfolio site

serve: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve -a 127.0.0.1:8000

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check generator tests benchmarks
	$(BIN)/ruff format --check generator tests benchmarks
	$(BIN)/mypy generator

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_validate.py
	$(BIN)/python benchmarks/bench_assess.py
	$(BIN)/python benchmarks/bench_site.py

validate: $(STAMP)
	$(BIN)/certfolio validate evidence --strict

clean:
	rm -rf $(VENV) site .cache build *.egg-info

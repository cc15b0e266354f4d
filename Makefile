# Thin wrappers; everything a fresh machine needs is installed from here.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# CI installs the exact versions of its last green run (constraints-ci.txt); elsewhere pip takes
# the newest versions pyproject.toml allows. `make constraints` records the venv's versions.
CONSTRAINTS := $(if $(filter true,$(CI)),-c constraints-ci.txt)
PORT ?= 8000

.PHONY: install site serve publish test lint bench bench-full bench-doorstop validate clean constraints screenshots

install: $(STAMP)

$(STAMP): pyproject.toml constraints-ci.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check $(CONSTRAINTS) -e '.[test,lint]'
	touch $(STAMP)

constraints: $(STAMP)
	{ echo "# The versions CI installs (make constraints writes this file from a green venv)."; \
	  $(BIN)/python -m pip freeze --exclude-editable --disable-pip-version-check \
	  | grep -v '^certfolio'; } > constraints-ci.txt

site: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/certfolio site

# The audit pack of the sample: the offline zip and the PDF binder (Chromium: make browser-deps)
.PHONY: pack
pack: $(STAMP) apt-browser-deps
	NO_MKDOCS_2_WARNING=1 $(BIN)/certfolio site --offline
	NO_MKDOCS_2_WARNING=1 $(BIN)/certfolio pdf

serve: $(STAMP)
	$(BIN)/certfolio serve -a 127.0.0.1:$(PORT)

publish: $(STAMP)
	test -n "$(VERSION)" || { echo "usage: make publish VERSION=2025.1"; exit 2; }
	$(BIN)/certfolio publish $(VERSION)

test: $(STAMP)
	$(BIN)/python -m pytest

# What the browser tests (tests/browser) need besides Python: Debian's Chromium and a font,
# npm (apt, only when missing; sudo unless root), and axe-core as package-lock.json pins it.
# Playwright itself comes from pip with the test extras; its own browser download is not used.
AXE := tests/browser/node_modules/axe-core/axe.min.js

browser-deps: $(AXE)

$(AXE): tests/browser/package.json tests/browser/package-lock.json | apt-browser-deps
	cd tests/browser && npm ci --no-audit --no-fund --loglevel=error
	touch $@

.PHONY: apt-browser-deps
apt-browser-deps:
	@missing="$$(test -x /usr/bin/chromium || echo chromium) \
	  $$(test -d /usr/share/fonts/truetype/dejavu || echo fonts-dejavu-core) \
	  $$(command -v npm >/dev/null || echo npm)"; \
	if [ -n "$$(echo $$missing)" ]; then \
	  sudo=$$(test "$$(id -u)" = 0 || echo sudo); \
	  echo "apt-get install $$missing"; \
	  $$sudo apt-get update -q && \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	    --no-install-recommends $$missing; \
	fi

# The README's screenshots of the sample site (docs/screenshots/), in Chromium
screenshots: $(STAMP) browser-deps
	$(BIN)/python docs/screenshots.py

lint: $(STAMP)
	$(BIN)/ruff check generator tests benchmarks
	$(BIN)/ruff format --check generator tests benchmarks
	$(BIN)/mypy generator

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_validate.py
	$(BIN)/python benchmarks/bench_assess.py
	$(BIN)/python benchmarks/bench_journey.py --size quarter
	$(BIN)/python benchmarks/bench_site.py
	$(BIN)/python benchmarks/bench_diff.py
	$(BIN)/python benchmarks/bench_charts.py
	$(BIN)/python benchmarks/bench_scale.py --size quarter

bench-full: $(STAMP)
	$(BIN)/python benchmarks/bench_scale.py --size full

# certfolio against Doorstop 3.2 (its own venv, made once under benchmarks/results/)
bench-doorstop: $(STAMP)
	$(BIN)/python benchmarks/bench_doorstop.py

validate: $(STAMP)
	$(BIN)/certfolio validate evidence --strict

clean:
	rm -rf $(VENV) site .cache build *.egg-info

# One-command set-up: `make run` (the Grenverket comparison) and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run app test lint browser schema notebook clean

# constraints.txt pins the numerical libraries the shipped calibrated rows were drawn with
$(STAMP): pyproject.toml constraints.txt
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

# JupyterLab from the project's .venv, with the optional extra [notebook] (installed on first use);
# as root (containers) with --allow-root; JUPYTER_ARGS passes options, e.g. JUPYTER_ARGS=--no-browser
NOTEBOOK_STAMP := $(VENV)/.notebook
JUPYTER_ARGS ?=
$(NOTEBOOK_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,notebook]'
	touch $(NOTEBOOK_STAMP)

notebook: $(NOTEBOOK_STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root) $(JUPYTER_ARGS)

run: $(STAMP)
	$(BIN)/insats compare scenarios/grenverket/ --workers 2

# The planners' page on http://127.0.0.1:8501 (local only, no usage statistics); PORT=8502 to move it
PORT ?= 8501
app: $(STAMP)
	$(BIN)/insats app --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .

# docs/schema.md and docs/scenario.schema.json, generated from the pydantic models (a test fails
# when the committed copies are stale)
schema: $(STAMP)
	$(BIN)/insats schema --markdown --out docs/schema.md
	$(BIN)/insats schema --out docs/scenario.schema.json

# The browser tests (the HTML report in headless Chromium) need chromium or chromium-browser on
# PATH. As root, a missing browser is installed with apt-get (Debian's chromium, else Ubuntu's
# chromium-browser); otherwise nothing is installed and those tests skip, saying why.
browser:
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then \
	  :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "make: installing chromium for the browser tests (apt-get, as root)"; \
	  apt-get update -qq && { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
	    || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium-browser >/dev/null; }; \
	else \
	  echo "make: no chromium or chromium-browser on PATH and not root: the browser tests will be skipped"; \
	fi

# the suite on 2 worker processes, whole files per worker (pytest-xdist): about half the time of
# one process; then, in one process, the tests marked `alone` (signals, locks, races between
# processes: tests/conftest.py). `.venv/bin/python -m pytest tests/test_x.py` runs one file.
test: $(STAMP) browser
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n 2 --dist loadfile -m 'not fresh_examples and not slow and not alone'
	$(BIN)/python -m pytest -m 'alone and not fresh_examples and not slow'

clean:
	rm -rf $(VENV)

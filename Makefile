# JointCase: `make demo` runs it, `make test` proves it. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/jointcase
DEMO_ENV := JOINTCASE_ENV=demo

.PHONY: help install demo serve-demo test test-sqlite test-postgres lint bench clean screenshots

help:
	@echo "make demo   - install, migrate, seed the synthetic demo world and serve on http://127.0.0.1:$(PORT)"
	@echo "make test   - the whole suite on SQLite and PostgreSQL, browser tests included"
	@echo "make lint   - ruff and mypy"
	@echo "make bench  - benchmarks, printed as tables"

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "JointCase needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python requirements.txt requirements-dev.txt pyproject.toml
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed

demo: install
	mkdir -p var
	$(DEMO_ENV) $(BIN)/jointcase migrate --verbosity 0
	$(DEMO_ENV) $(BIN)/jointcase keys init --if-missing 2>/dev/null || true
	$(DEMO_ENV) $(BIN)/jointcase seed --scale demo --seed 1 --if-empty
	@echo
	$(DEMO_ENV) $(BIN)/jointcase demo-users
	@echo
	@echo "JointCase is at http://127.0.0.1:$(PORT) (use http://localhost:$(PORT) for security keys and passkeys)."
	@echo "Second factor: $(DEMO_ENV) $(BIN)/jointcase demo-otp USERNAME"
	$(DEMO_ENV) $(BIN)/jointcase runserver 127.0.0.1:$(PORT) --noreload

test: install
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

test-sqlite: install
	JOINTCASE_ENV=test $(BIN)/pytest -q -p no:randomly

test-postgres: install
	JOINTCASE_ENV=test DATABASE_URL=$(PG_URL) $(BIN)/pytest -q

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy src

bench: install
	JOINTCASE_ENV=test $(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) node_modules var .mypy_cache .ruff_cache

# JointCase: `make demo` runs it, `make test` proves it. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
#: The PostgreSQL server for `make test` and `make bench` (pytest-django creates and drops
#: test_<name> databases on it; the bench uses a scratch database named jointcase_bench).
PG_URL ?= postgres://postgres@127.0.0.1:5432/jointcase
#: pytest-xdist workers per database run ("auto" = one per CPU; 0 = no xdist).
PYTEST_WORKERS ?= auto
PYTEST_ARGS ?=
DEMO_ENV := JOINTCASE_ENV=demo

.PHONY: help install install-spark demo test test-sqlite test-postgres check-postgres lint bench screenshots clean

help:
	@echo "make demo   - install, migrate, seed the synthetic demo world and serve on http://127.0.0.1:$(PORT)"
	@echo "make test   - the whole suite on SQLite and PostgreSQL (browser tests in the PostgreSQL run, the route walk in the SQLite run)"
	@echo "make lint   - ruff (lint and format check) and mypy"
	@echo "make bench  - benchmarks on SQLite and PostgreSQL, printed as one table"

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "JointCase needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python requirements.txt requirements-dev.txt pyproject.toml
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

# The optional Spark linkage engine: `make test` installs it, `make demo` does not.
$(VENV)/.installed-spark: $(VENV)/.installed requirements-spark.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-spark.txt
	touch $@

install-spark: $(VENV)/.installed-spark

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed

demo: install
	mkdir -p var
	$(DEMO_ENV) $(BIN)/jointcase migrate --verbosity 0
	$(DEMO_ENV) $(BIN)/jointcase keys init --if-missing
	$(DEMO_ENV) $(BIN)/jointcase seed --scale demo --seed 1 --if-empty
	@echo
	$(DEMO_ENV) $(BIN)/jointcase demo-users
	@echo
	@echo "JointCase is at http://127.0.0.1:$(PORT) (use http://localhost:$(PORT) for security keys and passkeys)."
	@echo "Second factor: $(DEMO_ENV) $(BIN)/jointcase demo-otp USERNAME"
	$(DEMO_ENV) $(BIN)/jointcase runserver 127.0.0.1:$(PORT) --noreload

# Both databases, one after the other; each run prints its own pytest summary line. The
# PostgreSQL run happens even when the SQLite run fails; either failing fails `make test`.
test: install install-spark
	@status=0; \
	$(MAKE) --no-print-directory test-sqlite || status=1; \
	$(MAKE) --no-print-directory test-postgres || status=1; \
	exit $$status

XDIST = $(if $(filter 0,$(PYTEST_WORKERS)),,-n $(PYTEST_WORKERS) --dist loadgroup)

# Some parts of the suite run once rather than on both databases, to keep `make test` under
# 20 minutes. In the PostgreSQL run, the production database: the browser tests (they drive
# pages) and each feature's security matrix (tests/security/test_*_matrix.py: every persona on
# every route of the feature; the rule's SQL on both databases is proved by the agreement
# property tests, which run on both). In the SQLite run: the generic route walk
# (tests/security/test_route_matrix.py: every route, every requester, gates that sit in the
# middleware) and the API scope gate over every operation (tests/security/test_api_scopes.py),
# the schemathesis walk of the OpenAPI document (tests/security/test_api_schemathesis.py) and
# the Spark linkage test (one Spark session in local mode). A test that never touches a
# database (no database fixture: pure parsing, signing, date arithmetic) runs in the SQLite
# run only. BOTH_DATABASES=1 runs everything on both.
SQLITE_MARKS = $(if $(BOTH_DATABASES),,-m "not browser and not feature_matrix")
POSTGRES_MARKS = $(if $(BOTH_DATABASES),,-m "not route_walk and not spark")

test-sqlite: install install-spark
	@echo "== JointCase tests on SQLite (browser tests and feature matrices: in the PostgreSQL run) =="
	JOINTCASE_ENV=test $(BIN)/pytest -q $(XDIST) $(SQLITE_MARKS) $(PYTEST_ARGS)

test-postgres: install check-postgres
	@echo "== JointCase tests on PostgreSQL ($(PG_URL)) (the route walk and Spark: in the SQLite run) =="
	JOINTCASE_ENV=test DATABASE_URL=$(PG_URL) JOINTCASE_TESTS_DATABASE_ONLY=$(if $(BOTH_DATABASES),0,1) \
	  $(BIN)/pytest -q $(XDIST) $(POSTGRES_MARKS) $(PYTEST_ARGS)

# Fails loudly (never skips) when the PostgreSQL server cannot be reached.
check-postgres: install
	@$(BIN)/python -c 'import sys, psycopg; from urllib.parse import urlsplit; u = urlsplit(sys.argv[1]); \
	  psycopg.connect(u._replace(path="/postgres").geturl(), connect_timeout=5).close()' '$(PG_URL)' \
	  || { echo "PostgreSQL is not reachable at $(PG_URL): start it (see README.md) or set PG_URL." >&2; exit 1; }

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy src
	$(BIN)/lint-imports --no-cache

bench: install check-postgres
	BENCH_DATABASE_URL=$(PG_URL) $(BIN)/python -m benchmarks

# README screenshots (docs/images/), taken with Playwright and Debian Chromium.
screenshots: install
	JOINTCASE_ENV=test JOINTCASE_SCREENSHOTS=1 $(BIN)/pytest -q -p no:xdist tests/browser/test_sign_in_screenshots.py

clean:
	rm -rf $(VENV) node_modules var .mypy_cache .ruff_cache

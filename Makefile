# The two commands of the README: `make demo` and `make test`. Everything else is a helper.
# Python 3.11 to 3.13: the newest of them that runs (a pyenv shim may be there without its
# Python), else python3, whose version the check below then names.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11; do \
  $$p -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 13))' 2>/dev/null \
  && command -v $$p && break; done || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
# The PostgreSQL run: CI sets BIBLIOTAL_TEST_DATABASE_URL and requires it; locally the default
# server is used when one answers, and skipped with a note when none does.
PG_DEFAULT := postgres://postgres@127.0.0.1:5432/test
# The suite runs on every core (pytest-xdist); TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= auto

.PHONY: demo test lint check test-sqlite test-postgres messages clean

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" && $(PYTHON) -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 13))' \
	  || { echo "Bibliotal needs Python 3.11, 3.12 or 3.13; $(or $(PYTHON),no python3) is $$($(PYTHON) -c 'import platform; print(platform.python_version())' 2>/dev/null || echo missing): install one of them (or set PYTHON=/path/to/python3.13)"; exit 1; }
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null \
	  || { echo "Python's venv module is missing: install it for $(PYTHON) (Debian: python3-venv)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

demo: $(STAMP)
	BIBLIOTAL_ALLOW_LOCAL_SOURCES=true $(BIN)/bibliotal demo

test: lint check test-sqlite test-postgres

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The checks on a fresh database migrated for them (bibliotal.W010 would name one that is missing
# or behind), so that they say the same on every machine and in CI.
check: $(STAMP)
	@data=$$(mktemp -d) && trap 'rm -rf "$$data"' EXIT && export BIBLIOTAL_DATA_DIR="$$data" && \
	  set -x && env -u DATABASE_URL $(BIN)/bibliotal migrate --verbosity 0 && \
	  env -u DATABASE_URL $(BIN)/bibliotal check --fail-level WARNING && \
	  env -u DATABASE_URL $(BIN)/bibliotal makemigrations --check --dry-run

test-sqlite: $(STAMP)
	@echo "== tests on SQLite"
	env -u DATABASE_URL $(BIN)/pytest -n $(TEST_WORKERS)

test-postgres: $(STAMP)
	@url="$${BIBLIOTAL_TEST_DATABASE_URL:-}"; \
	if [ -z "$$url" ]; then \
	  if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(PG_DEFAULT)', connect_timeout=3).close()" 2>/dev/null; then \
	    url="$(PG_DEFAULT)"; \
	  else \
	    echo "== no PostgreSQL at $(PG_DEFAULT): skipping the PostgreSQL run (set BIBLIOTAL_TEST_DATABASE_URL to require one)"; \
	    exit 0; \
	  fi; \
	fi; \
	echo "== tests on PostgreSQL ($$url)"; \
	DATABASE_URL="$$url" $(BIN)/pytest -n $(TEST_WORKERS)

messages: $(STAMP)
	cd src/bibliotal && env -u DJANGO_SETTINGS_MODULE ../../$(BIN)/python -m django makemessages -l da --no-location --no-obsolete
	cd src/bibliotal && env -u DJANGO_SETTINGS_MODULE ../../$(BIN)/python -m django compilemessages -l da

clean:
	rm -rf $(VENV) var tests/artifacts .pytest_cache .ruff_cache .hypothesis

# The two set-up commands are `make run` and `make test`; both bootstrap .venv with Python 3.12.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# pyenv's shim answers for python3.12 even when 3.12 is not the active version, so each candidate
# is asked to run, and the first that really is 3.12 wins.
PYTHON ?= $(shell for p in python3.12 $$HOME/.pyenv/versions/3.12*/bin/python3.12 /usr/local/bin/python3.12 /usr/bin/python3.12; do \
	"$$p" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' 2>/dev/null && { echo "$$p"; break; }; done)

.PHONY: run test lint typecheck pytest demo bench clean

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "error: python3.12 not found (install it, e.g. 'pyenv install 3.12')" >&2; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

run: $(STAMP)
	$(BIN)/ambulant run

test: $(STAMP) lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest

clean:
	rm -rf $(VENV) ambulant.db .ambulant .pytest_cache .mypy_cache .ruff_cache

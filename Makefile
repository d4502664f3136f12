# The two set-up commands are `make run` and `make test`; both bootstrap .venv with Python 3.12.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# pyenv's shim answers for python3.12 even when 3.12 is not the active version, so each candidate
# is asked to run, and the first that really is 3.12 wins.
PYTHON ?= $(shell for p in python3.12 $$HOME/.pyenv/versions/3.12*/bin/python3.12 /usr/local/bin/python3.12 /usr/bin/python3.12; do \
	"$$p" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' 2>/dev/null && { echo "$$p"; break; }; done)

.PHONY: run test test-clocks lint typecheck pytest demo bench clean

$(STAMP): pyproject.toml api/web/package-lock.json
	@test -n "$(PYTHON)" || { echo "error: python3.12 not found (install it, e.g. 'pyenv install 3.12')" >&2; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@if command -v npm >/dev/null; then npm ci --prefix api/web --no-audit --no-fund --silent; \
	else echo "warning: npm not found: the board draws its routes without the map library (install Node.js and run make again)" >&2; fi
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

# On every core (pytest-xdist): each worker has its own databases, Redis database and ports.
pytest: $(STAMP)
	$(BIN)/pytest -n auto

# The suite's fast part again with the clock moved to days that break date code, each in another
# machine time zone (docs/time.md): the autumn change inside its repeated hour, the spring change,
# new year's eve while UTC is still the day before, a leap day when Auckland is already in March.
# The four moved runs share the fast tests of the parts that read a date (each takes a quarter,
# AMBULANT_TEST_SHARE), and each runs every `dates` test, the date rules themselves. The solver,
# benchmarks, travel times, geocoding, job queues and the input-validation and schema suites
# work in seconds, coordinates or fixed values, and the pages' browser keeps the real clock
# (its "today" would not be the server's): they run once, on the real clock, as does
# PostgreSQL (its timestamps are UTC either way): CI stays within its 15 minutes.
CLOCKS := 2026-10-25T02:30:00+01:00,UTC 2027-03-28T01:30:00+01:00,Pacific/Auckland \
	2026-12-31T00:30:00+01:00,UTC 2028-02-29T21:00:00+01:00,Pacific/Auckland
CLOCK_TESTS := tests --ignore=tests/solver --ignore=tests/bench --ignore=tests/travel \
	--ignore=tests/geocoding --ignore=tests/jobs --ignore=tests/api/test_bad_input.py \
	--ignore=tests/api/test_openapi.py --ignore=tests/api/test_fuzz.py --ignore=tests/web
test-clocks: $(STAMP)
	@set -e; share=0; for clock in $(CLOCKS); do \
		echo "== clock moved to $${clock%,*}, TZ=$${clock#*,}, share $$share/$(words $(CLOCKS))"; \
		AMBULANT_TEST_NOW="$${clock%,*}" TZ="$${clock#*,}" AMBULANT_TEST_SHARE="$$share/$(words $(CLOCKS))" \
			$(BIN)/pytest -n auto -q -p no:cacheprovider -m "not slow and not postgres" \
			$(CLOCK_TESTS); \
		share=$$((share + 1)); \
	done

clean:
	rm -rf $(VENV) ambulant.db .ambulant .pytest_cache .mypy_cache .ruff_cache

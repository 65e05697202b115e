# Two commands: `make run` (main job on the built-in default scenario) and `make test`.
# Both create .venv/ with the interpreter in PY (Python >= 3.11) and install what they need.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.run-installed
TEST_STAMP := $(VENV)/.test-installed

.PHONY: run test bench clean cesium

$(BIN)/python:
	@$(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "euroshield needs Python >= 3.11; set PY=python3.11 or newer")'
	$(PY) -m venv $(VENV)

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@ $(RUN_STAMP)

# the offline 3-D globe: CesiumJS from npm (pinned in package.json), built into build/cesium;
# without npm the report is still written, without the globe
cesium:
	@sh tools/build_cesium.sh

run: $(RUN_STAMP) cesium
	$(BIN)/euroshield study

test: $(TEST_STAMP) cesium
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/python -m pytest

bench: $(TEST_STAMP)
	$(BIN)/python benchmarks/trajectories.py
	$(BIN)/python benchmarks/deterrence.py
	$(BIN)/python benchmarks/footprint.py
	$(BIN)/python benchmarks/study.py

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache .ruff_cache
	find src -name __pycache__ -type d -prune -exec rm -rf {} +

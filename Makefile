# Two commands: `make run` (set up, then start the bot) and `make test` (set up, then run the tests).
# Also: `make setup` (set up only, e.g. for the systemd unit) and `make test-fast` (the tests that
# do not start the bot: 2 min 18 s measured at stop 19 on two cores, most of it scoring the blind batches).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run setup test test-fast check eval clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.run-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[webhooks]"
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
	touch $@

run: $(VENV)/.run-installed
	$(BIN)/python -m bot run

setup: $(VENV)/.run-installed

test: $(VENV)/.test-installed
	$(BIN)/python -m pytest -q

test-fast: $(VENV)/.test-installed
	$(BIN)/python -m pytest -q -m "not slow"

check: $(VENV)/.run-installed
	$(BIN)/python -m bot check

eval: $(VENV)/.run-installed
	$(BIN)/python -m bot eval ../shared/eval/dev.yaml

clean:
	rm -rf $(VENV)

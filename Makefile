# Two commands: `make run` (set up, then start the bot) and `make test` (set up, then run the tests).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test check eval clean

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

test: $(VENV)/.test-installed
	$(BIN)/python -m pytest -q

check: $(VENV)/.run-installed
	$(BIN)/python -m bot check

eval: $(VENV)/.run-installed
	$(BIN)/python -m bot eval ../shared/eval/dev.yaml

clean:
	rm -rf $(VENV)

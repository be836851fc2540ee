# The two set-up commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck check bench clean

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

run: $(STAMP)  ## serve on the embedded default (SQLite under var/) with demo data
	$(BIN)/zhurnal serve --demo

test: $(STAMP)  ## the whole suite: SQLite, and PostgreSQL/Redis when ZHURNAL_TEST_POSTGRES/REDIS are set
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m bench append
	$(BIN)/python -m bench catchup

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache

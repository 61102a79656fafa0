# Two commands do all the set-up on a fresh machine:
#   make demo   a virtualenv, the ledger installed, the Lilla Hjärtat example imported into
#               an SQLite file and its timeline printed
#   make test   the test suite (PostgreSQL tests run when LEDGER_TEST_DATABASE_URL is set)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO_DB := demo.db

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	rm -f $(DEMO_DB)
	$(BIN)/ledger --db $(DEMO_DB) import examples/lilla-hjartat.jsonl examples/astorp.jsonl
	$(BIN)/ledger --db $(DEMO_DB) timeline NK-LH

test: $(STAMP)
	$(BIN)/pytest -q
	$(BIN)/ruff check .

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(STAMP)
	$(BIN)/python benchmarks/import_bench.py

clean:
	rm -rf $(VENV) $(DEMO_DB) .pytest_cache .ruff_cache

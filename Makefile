# Two commands do all the set-up on a fresh machine:
#   make demo   a virtualenv, the ledger installed, the Lilla Hjärtat example imported into
#               an SQLite file and its timeline printed
#   make test   the test suite (PostgreSQL tests run when LEDGER_TEST_DATABASE_URL is set)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO_DB := demo.db

.PHONY: demo test lint bench docs i18n clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip
	$(BIN)/pip install -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	rm -f $(DEMO_DB)
	$(BIN)/ledger --db $(DEMO_DB) import examples/lilla-hjartat.jsonl examples/astorp.jsonl
	$(BIN)/ledger --db $(DEMO_DB) timeline NK-LH
	@if command -v dot >/dev/null 2>&1; then \
	  $(BIN)/ledger --db $(DEMO_DB) timeline NK-LH --as-known-at 2019-12-31 --format svg -o lilla-hjartat.svg \
	  && echo "diagram written: lilla-hjartat-*.svg (one file a page)"; \
	else \
	  $(BIN)/ledger --db $(DEMO_DB) timeline NK-LH --as-known-at 2019-12-31 --format dot -o lilla-hjartat.dot \
	  && echo "diagram written: lilla-hjartat.dot (install the system package graphviz to render SVG)"; \
	fi

test: $(STAMP)
	$(BIN)/pytest -q
	$(BIN)/ruff check .

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(STAMP)
	$(BIN)/python benchmarks/suite.py

# The vocabulary table and the diagrams the README shows; tests/test_vocabulary.py and
# tests/test_diagram.py check they are current.
docs: $(STAMP)
	$(BIN)/ledger types --format md -o docs/vocabulary.md
	rm -f docs/.docs.db
	$(BIN)/ledger --db docs/.docs.db import -q examples/lilla-hjartat.jsonl
	$(BIN)/ledger --db docs/.docs.db timeline NK-LH --as-known-at 2019-12-31 --format dot -o docs/lilla-hjartat.dot
	$(BIN)/ledger --db docs/.docs.db decisions NK-LH --format dot -o docs/lilla-hjartat-decisions.dot
	rm -f docs/lilla-hjartat-[0-9]*.svg docs/lilla-hjartat-decisions*.svg docs/lilla-hjartat-orsaker.svg
	$(BIN)/ledger --db docs/.docs.db timeline NK-LH --as-known-at 2019-12-31 --format svg -o docs/lilla-hjartat.svg
	$(BIN)/ledger --db docs/.docs.db decisions NK-LH --format svg -o docs/lilla-hjartat-decisions.svg
	$(BIN)/ledger --db docs/.docs.db analysis NK-LH --format dot -o docs/lilla-hjartat-orsaker.dot
	$(BIN)/ledger --db docs/.docs.db analysis NK-LH --format svg -o docs/lilla-hjartat-orsaker.svg
	rm -f docs/.docs.db

# The message catalogs: extract the marked strings into the template, merge them into each
# language's .po (translate the new ones there), compile the .mo files that are committed, so a
# fresh clone needs no build step (tests/test_language.py checks the .mo matches its .po).
LOCALES := projections/locale
i18n: $(STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg --no-location --sort-output -k NC_:1c,2 -k Message -k in_context:1c,2 -k sol:2 -k lvu:2 -k LegalReference:5 \
	  --project child-case-ledger --copyright-holder "child-case-ledger" \
	  -o $(LOCALES)/ledger.pot projections cli ledger
	$(BIN)/pybabel -q update -i $(LOCALES)/ledger.pot -d $(LOCALES) -D ledger \
	  --no-fuzzy-matching --ignore-obsolete --no-wrap
	$(BIN)/pybabel -q compile -d $(LOCALES) -D ledger --statistics

clean:
	rm -rf $(VENV) $(DEMO_DB) lilla-hjartat*.svg lilla-hjartat.dot .pytest_cache .ruff_cache

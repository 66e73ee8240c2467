# Two commands set everything up: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8501

.PHONY: run test lint typecheck demo bench clean docs

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt requirements.txt $(VENV)/.installed
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

## Start the dashboard on the bundled demonstration region.
run: $(VENV)/.installed
	$(PY) -m streamlit run app.py --server.port $(PORT)

## Lint, type-check and run the whole test suite.
test: $(VENV)/.dev-installed
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(PY) -m pytest

lint: $(VENV)/.dev-installed
	$(PY) -m ruff check .
	$(PY) -m mypy

## Rebuild the demonstration region from its seeded script.
demo: $(VENV)/.installed
	$(PY) data/demo/make_demo.py

## Run every benchmark and print the table of figures.
bench: $(VENV)/.dev-installed
	$(PY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache

## Rewrite the figures quoted in README.md and data/demo/README.md from the tool's output.
docs: $(VENV)/.installed
	$(PY) -m estates.io.docs_figures

# Two commands set everything up: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8501

.PHONY: run test lint typecheck demo bench clean mutation docs

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# The package is installed too (editable), so `.venv/bin/estates` works from any folder.
$(VENV)/.installed: requirements.txt pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
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
	$(PY) -m estates.io.docs_figures

## Run every benchmark and print the table of figures.
bench: $(VENV)/.dev-installed
	$(PY) benchmarks/run_all.py

## Mutation testing of the engine, the access kernel and the options (hours on two cores):
## one module after another, then the score per module into benchmarks/results/mutation.json.
MUTATE := estates.engine.capacity estates.engine.demand estates.engine.allocation \
	estates.engine.impact estates.engine.misplaced estates.engine.evaluate estates.access.fca \
	estates.options.apply estates.options.changes estates.options.compare estates.options.appraisal
MUTMUT_CHILDREN ?= 1
mutation: $(VENV)/.dev-installed
	for m in $(MUTATE); do $(VENV)/bin/mutmut run --max-children $(MUTMUT_CHILDREN) "$$m.*" || exit 1; done
	$(PY) benchmarks/mutation_report.py

## Remove everything the set-up, tests and benchmarks made.
clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis benchmarks/results static/leaflet \
		out *.egg-info mutants

## Rewrite the figures quoted in README.md and data/demo/README.md from the tool's output.
docs: $(VENV)/.installed
	$(PY) -m estates.io.docs_figures

# Two entry points a newcomer needs: `make demo` and `make test`. Both build .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo serve test lint typecheck pytest bench clean venv

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# `make demo PORT=8080` (or HOST=0.0.0.0) when 8000 is taken; the default is ESCALATIONS_PORT's.
SERVE_OPTIONS = $(if $(HOST),--host $(HOST)) $(if $(PORT),--port $(PORT))

demo: venv ## load the demo history into ./escalations.db and serve it on http://127.0.0.1:8000
	$(BIN)/escalations demo $(SERVE_OPTIONS)

serve: venv
	$(BIN)/escalations serve $(SERVE_OPTIONS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: venv
	$(BIN)/mypy

pytest: venv
	sh scripts/ensure-chromium.sh
	sh scripts/ensure-standards-tools.sh
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test: lint typecheck pytest ## everything CI runs

bench: venv ## every benchmark; figures are recorded in docs/performance.md
	$(BIN)/python -m bench.http_vs_bare
	$(BIN)/python -m bench.as_of
	$(BIN)/python -m bench.projections
	$(BIN)/python -m bench.kafka_relay
	$(BIN)/python -m bench.delivery

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

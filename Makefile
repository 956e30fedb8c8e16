# Two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
STAMP := $(VENV)/.installed
# The PostgreSQL server the second test pass runs against (trust auth on this machine kind).
TEST_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/test
CHROMIUM ?= /usr/bin/chromium
# Access log lines without the client's address, query string, referrer or user agent.
ACCESS_LOG_FORMAT := '%(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(L)s'

.PHONY: install run test lint typecheck unit unit-sqlite unit-postgres chromium bench train clean

install: $(STAMP)

# Re-run when the project's dependencies change; the project is installed editable.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,ml]'
	touch $(STAMP)

# PUBLIC_URL: where the demo is served, so its page address is kept for its thread (a page
# address is kept only on an allowed origin or PUBLIC_URL, never on what a Host header says).
run: install
	$(BIN)/flask --app wsgi db upgrade
	PUBLIC_URL=$${PUBLIC_URL:-http://127.0.0.1:$(PORT)} $(BIN)/gunicorn --bind 127.0.0.1:$(PORT) --workers 2 --access-logfile - \
		--access-logformat $(ACCESS_LOG_FORMAT) wsgi:app

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

# Browser tests drive Debian's Chromium; `playwright install` cannot download one here.
chromium:
	@test -x $(CHROMIUM) || { test "$$(id -u)" = 0 && apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } || \
		{ echo "Install Chromium (apt-get install chromium) for the browser tests" >&2; exit 1; }

unit-sqlite: install chromium
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The same suite on PostgreSQL, less the browser tests, which do not depend on the engine.
unit-postgres: install
	TEST_DATABASE_URL=$(TEST_POSTGRES_URL) $(BIN)/python -m pytest -m "not browser" $(PYTEST_ARGS)

unit: unit-sqlite unit-postgres

test: lint typecheck unit

# Every benchmark in bench/, each writing JSON to bench/results/, then one summary table.
# QUICK=1 runs them at small sizes (checks that they work; not figures). The HTTP benches need
# wrk (installed with apt when run as root) and install Isso into .bench/ on first use.
bench: install
	@command -v wrk >/dev/null || { test "$$(id -u)" = 0 && apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; } || \
		{ echo "Install wrk (apt-get install wrk) for the HTTP benchmarks" >&2; exit 1; }
	rm -f bench/results/*.json && mkdir -p bench/results
	$(BIN)/python bench/bench_classifier.py $(if $(QUICK),--n 300 --no-anchors) \
		> bench/results/classifier.json && cat bench/results/classifier.json
	$(if $(QUICK),@echo "training: skipped with QUICK=1", \
		$(BIN)/python bench/bench_training.py > bench/results/training.json \
		&& cat bench/results/training.json)
	$(BIN)/python bench/bench_submission.py $(if $(QUICK),--quick)
	$(BIN)/python bench/bench_submission_stages.py $(if $(QUICK),--quick)
	$(BIN)/python bench/bench_reading.py $(if $(QUICK),--quick)
	$(BIN)/python bench/bench_live_checks.py $(if $(QUICK),--quick)
	$(BIN)/python bench/bench_queue.py $(if $(QUICK),--quick)
	$(BIN)/python bench/summary.py

train: install
	$(BIN)/flask --app wsgi classifier train

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

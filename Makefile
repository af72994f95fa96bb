# Claimdesk: `make run` starts the desk, `make test` runs the whole suite,
# `make setup` does the set-up alone. All three are idempotent; scripts rely on their names.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.requirements-installed
DEV_STAMP := $(VENV)/.requirements-dev-installed
PIP_INSTALL := $(BIN)/pip install --disable-pip-version-check -q -c constraints.txt
PORT ?= 5000
HOST ?= 127.0.0.1
WORKERS ?= 2
THREADS ?= 1
CONSUMERS ?= 1
PYTEST_ARGS ?=
DEMO ?= 1

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export FLASK_APP := app

.PHONY: setup run test browser-setup lint clean-db constraints

setup: $(STAMP)  ## venv, requirements (pinned by constraints.txt), migrations, seed article and demo users (DEMO=0: none)
	@mkdir -p instance
	$(BIN)/flask --app app db upgrade
	@if [ "$(DEMO)" = 1 ]; then $(BIN)/flask --app app demo; fi
	$(BIN)/flask --app app reindex --if-missing
	$(BIN)/flask --app app index-copies

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstalls only when a requirements file or the pins change, so a second `make run` starts
# in seconds. constraints.txt holds the exact versions that passed (`make constraints`).
$(STAMP): requirements.txt constraints.txt | $(BIN)/python
	$(PIP_INSTALL) -r requirements.txt
	@touch $@

# What the tests and benches need on top (pytest, playwright, openapi-spec-validator).
$(DEV_STAMP): requirements-dev.txt $(STAMP)
	$(PIP_INSTALL) -r requirements-dev.txt
	@touch $@

constraints:  ## after changing requirements*.txt and passing `make test`: pin what is installed now
	$(BIN)/python tools/freeze_constraints.py requirements.txt requirements-dev.txt > constraints.txt.new
	mv constraints.txt.new constraints.txt

run: setup  ## serve on http://$(HOST):$(PORT) with gunicorn, and CONSUMERS ingest consumers (tools/run.sh)
	@echo ""
	@echo "Claimdesk is running at http://$(HOST):$(PORT) with $(CONSUMERS) consumer(s)  (Ctrl+C stops all)"
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 BIN=$(BIN) HOST=$(HOST) PORT=$(PORT) WORKERS=$(WORKERS) \
		THREADS=$(THREADS) CONSUMERS=$(CONSUMERS) bash tools/run.sh

test: setup $(DEV_STAMP) browser-setup  ## the whole suite (SQLite; PostgreSQL when TEST_DATABASE_URL is set)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Debian's Chromium for the Playwright tests (Playwright cannot download browsers here).
browser-setup:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian's chromium for the browser tests"; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null || \
		(apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null); \
	else echo "Chromium is missing: run 'sudo apt-get install chromium' to run the browser tests."; fi

clean-db:  ## delete the local SQLite database (demo data comes back with `make setup`)
	rm -f instance/claimdesk.db instance/claimdesk.db-wal instance/claimdesk.db-shm

# Claimdesk: `make run` starts the desk, `make test` runs the whole suite,
# `make setup` does the set-up alone. All three are idempotent; scripts rely on their names.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.requirements-installed
PORT ?= 5000
HOST ?= 127.0.0.1
WORKERS ?= 2
THREADS ?= 1
PYTEST_ARGS ?=
DEMO ?= 1

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export FLASK_APP := app

.PHONY: setup run test browser-setup lint clean-db

setup: $(STAMP)  ## venv, requirements, migrations, seed article and demo users (DEMO=0: none)
	@mkdir -p instance
	$(BIN)/flask --app app db upgrade
	@if [ "$(DEMO)" = 1 ]; then $(BIN)/flask --app app demo; fi
	$(BIN)/flask --app app reindex --if-missing

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstalls only when requirements.txt changes, so a second `make run` starts in seconds.
$(STAMP): requirements.txt | $(BIN)/python
	$(BIN)/pip install --disable-pip-version-check -q -r requirements.txt
	@touch $@

run: setup  ## serve on http://$(HOST):$(PORT) with gunicorn
	@echo ""
	@echo "Claimdesk is running at http://$(HOST):$(PORT)  (Ctrl+C to stop)"
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $(BIN)/gunicorn --bind $(HOST):$(PORT) --workers $(WORKERS) --threads $(THREADS) \
		--timeout 180 --access-logfile - "app:create_app()"

test: setup browser-setup  ## the whole suite (SQLite; PostgreSQL when TEST_DATABASE_URL is set)
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

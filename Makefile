# Dateline — the project's front door. See README.md.

PYTHON ?= python3
PORT ?= 8000
VENV := .venv
UV := $(VENV)/bin/uv
DATELINE := $(VENV)/bin/dateline

.PHONY: demo test lint bench install install-dev format clean

$(UV):
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check "uv>=0.13,<0.14"

# Runtime dependencies only, exactly as locked in uv.lock.
install: $(UV)
	$(UV) sync --frozen --inexact --no-dev

# Runtime plus test and lint tools, exactly as locked.
install-dev: $(UV)
	$(UV) sync --frozen --inexact --group dev

demo: install
	$(DATELINE) migrate --noinput
	$(DATELINE) demo --site-url http://127.0.0.1:$(PORT)
	$(DATELINE) serve --port $(PORT)

# The suite runs on SQLite, then again on PostgreSQL when
# DATELINE_TEST_DATABASE_URL is set. Redis tests read DATELINE_TEST_REDIS_URL.
test: install-dev
	env -u DATELINE_DATABASE_URL $(VENV)/bin/pytest --create-db
	@if [ -n "$$DATELINE_TEST_DATABASE_URL" ]; then \
		echo "== the same suite on PostgreSQL"; \
		DATELINE_DATABASE_URL="$$DATELINE_TEST_DATABASE_URL" $(VENV)/bin/pytest --create-db; \
	else \
		echo "SKIPPED the PostgreSQL run: DATELINE_TEST_DATABASE_URL is not set"; \
	fi

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy src
	env -u DATELINE_DATABASE_URL $(DATELINE) makemigrations --check --dry-run

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# wrk (Debian) loads the server over loopback and nginx (Debian) serves the
# static copy to compare with; installed here where missing.
bench: install-dev
	@command -v wrk >/dev/null || apt-get install -y wrk >/dev/null 2>&1 || \
		echo "bench: wrk could not be installed; the HTTP figures will be skipped"
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || \
		apt-get install -y nginx >/dev/null 2>&1 || \
		echo "bench: nginx could not be installed; the server comparison will be skipped"
	$(VENV)/bin/python bench/run.py

clean:
	rm -rf $(VENV) var/bench

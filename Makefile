# Dateline — the project's front door. See README.md.

PYTHON ?= python3
PORT ?= 8000
VENV := .venv
UV := $(VENV)/bin/uv
DATELINE := $(VENV)/bin/dateline

.PHONY: demo test lint bench install install-dev tools browser-js format clean

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

# Debian's programs the tests and the bench run: nginx (deploy/nginx.conf in
# front of the app), wrk (the bench's load), redis-server (the fault suite's
# own server), pg_dump/pg_restore (backups), pgbouncer (deploy/pgbouncer.ini
# in front of PostgreSQL) and chromium (tests/browser, driven by Playwright;
# no browser is ever downloaded). Installed where missing when
# this runs as root with apt-get; elsewhere the tests that need one skip and
# name it, and .ci/run (DATELINE_TEST_REQUIRE_ALL=1) counts such a skip as a
# failure. Debian's policy-rc.d keeps the installed services from starting.
TOOLS := nginx:nginx wrk:wrk redis-server:redis-server pg_dump:postgresql-client pgbouncer:pgbouncer chromium:chromium
tools:
	@missing=""; for pair in $(TOOLS); do \
		tool=$${pair%%:*}; package=$${pair#*:}; \
		command -v $$tool >/dev/null || test -x /usr/sbin/$$tool || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "tools: installing$$missing from Debian"; \
			apt-get update -qq >/dev/null && \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends$$missing >/dev/null || \
			echo "tools: could not install$$missing; the tests that need them will say so"; \
		else \
			echo "tools: missing$$missing (install them as root: apt-get install$$missing)"; \
		fi; \
	fi

# axe-core for the browser tests, from npm exactly as locked in
# tests/browser/package-lock.json, with the machine's Node.js; installed again
# when the lock changes. Where npm is missing or fails, the browser tests say
# so (and .ci/run counts that as a failure).
BROWSER_JS := tests/browser/node_modules/.package-lock.json
$(BROWSER_JS): tests/browser/package.json tests/browser/package-lock.json
	@if command -v npm >/dev/null; then \
		cd tests/browser && npm ci --no-audit --no-fund --loglevel=error || \
		echo "browser-js: npm ci failed in tests/browser; the browser tests will say so"; \
	else \
		echo "browser-js: npm is missing (install Node.js); the browser tests will say so"; \
	fi

browser-js: $(BROWSER_JS)

# The suite runs on SQLite, then again on PostgreSQL when
# DATELINE_TEST_DATABASE_URL is set. Redis tests read DATELINE_TEST_REDIS_URL.
# The browser tests (tests/browser, marked browser) run their own demo site
# on SQLite, so they run in the SQLite pass and the PostgreSQL pass skips
# them, naming that pass.
test: install-dev tools browser-js
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
# static copy to compare with; installed here where missing. SQLite first,
# then PostgreSQL when BENCH_DATABASE_URL names a server (postgres://…/NAME:
# the archives go in databases NAME_<size>k there), then both side by side.
bench: install-dev tools
	env -u BENCH_DATABASE_URL $(VENV)/bin/python bench/run.py
	@if [ -n "$$BENCH_DATABASE_URL" ]; then \
		echo "== the same bench on PostgreSQL"; \
		$(VENV)/bin/python bench/run.py; \
	else \
		echo "SKIPPED the PostgreSQL bench: BENCH_DATABASE_URL is not set"; \
	fi
	$(VENV)/bin/python bench/compare.py

clean:
	rm -rf $(VENV) var/bench tests/browser/node_modules

# Ruamkid: two commands on a fresh machine, `make run` and `make test`.
# Everything below installs what it needs first (Python packages into .venv, npm packages into
# node_modules, front-end files into static/vendor, compiled catalogues).

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
HOST ?= 127.0.0.1
export FLASK_APP := wsgi.py

STAMP := .make
VENDOR := static/vendor

.PHONY: run serve demo-reset test test-sqlite test-postgres lint format setup translations bench screenshots clean prod-check

setup: $(STAMP)/python $(STAMP)/vendor $(STAMP)/translations $(STAMP)/pdf

$(STAMP):
	mkdir -p $(STAMP)

$(STAMP)/python: setup.cfg pyproject.toml | $(STAMP)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.package-lock.json: package.json
	npm install --no-audit --no-fund --loglevel=error
	touch $@

# Only files the pages load are copied; git ignores static/vendor.
$(STAMP)/vendor: node_modules/.package-lock.json | $(STAMP)
	rm -rf $(VENDOR)
	mkdir -p $(VENDOR)/socket.io $(VENDOR)/sarabun/files $(VENDOR)/chart.js $(VENDOR)/leaflet
	cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.js.map \
	   node_modules/leaflet/dist/leaflet.css node_modules/leaflet/dist/images \
	   node_modules/leaflet/LICENSE $(VENDOR)/leaflet/
	cp node_modules/leaflet.markercluster/dist/leaflet.markercluster.js \
	   node_modules/leaflet.markercluster/dist/leaflet.markercluster.js.map \
	   node_modules/leaflet.markercluster/dist/MarkerCluster.css \
	   node_modules/leaflet.markercluster/dist/MarkerCluster.Default.css $(VENDOR)/leaflet/
	cp node_modules/leaflet.markercluster/MIT-LICENCE.txt $(VENDOR)/leaflet/LICENSE.markercluster
	cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/dist/chart.umd.min.js.map \
	   node_modules/chart.js/LICENSE.md $(VENDOR)/chart.js/
	cp node_modules/socket.io-client/dist/socket.io.min.js $(VENDOR)/socket.io/
	cp node_modules/socket.io-client/dist/socket.io.min.js.map $(VENDOR)/socket.io/
	for w in 400 600 700; do \
	  cp node_modules/@fontsource/sarabun/files/sarabun-thai-$$w-normal.woff2 \
	     node_modules/@fontsource/sarabun/files/sarabun-latin-$$w-normal.woff2 $(VENDOR)/sarabun/files/; \
	done
	cp node_modules/@fontsource/sarabun/LICENSE $(VENDOR)/sarabun/ 2>/dev/null || true
	touch $@

$(STAMP)/translations: $(wildcard translations/*/LC_MESSAGES/messages.po) | $(STAMP)/python
	$(BIN)/pybabel compile -d translations -D messages --statistics 2>&1 | tail -n 2
	touch $@

translations: $(STAMP)/translations

# $(call apt_install,PACKAGES): install Debian packages as root, or ask for them and stop.
apt_install = if [ "$$(id -u)" = 0 ]; then \
	  echo "Installing $(1)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends $(1) >/dev/null; \
	else echo "Please install: $(1)" >&2; exit 1; fi

# WeasyPrint (the summaries' PDFs) draws text with Pango and HarfBuzz (Debian libraries).
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
$(STAMP)/pdf: $(STAMP)/python
	@if $(BIN)/python -c "import weasyprint" 2>/dev/null; then :; \
	else $(call apt_install,$(PDF_PACKAGES)); fi
	touch $@

# Browser tests need Chromium, its driver and a Thai font; the deployment test needs nginx
# (Debian packages; apt-get as root).
# pdftotext reads back the summaries' PDFs in the tests.
BROWSER_PACKAGES := chromium chromium-driver fonts-thai-tlwg nginx-light poppler-utils
$(STAMP)/browser: | $(STAMP)
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null \
	    && command -v nginx >/dev/null && command -v pdftotext >/dev/null \
	    && fc-list 2>/dev/null | grep -qi garuda; then :; \
	else $(call apt_install,$(BROWSER_PACKAGES)); fi
	touch $@

# The deployment tests check the systemd units (systemd-analyze) and rotate logs (logrotate).
DEPLOY_PACKAGES := logrotate systemd
$(STAMP)/deploy: | $(STAMP)
	@if command -v logrotate >/dev/null && command -v systemd-analyze >/dev/null; then :; \
	else $(call apt_install,$(DEPLOY_PACKAGES)); fi
	touch $@

run: setup
	$(BIN)/flask db upgrade
	$(BIN)/flask demo seed --if-empty
	@echo "Ruamkid is serving on http://$(HOST):$(PORT)"
	$(MAKE) --no-print-directory serve

# Erase the demo database and seed it again (refuses a database that holds another
# municipality, and any production configuration).
demo-reset: setup
	$(BIN)/flask db upgrade
	$(BIN)/flask demo reset --yes

# HTTP and Socket.IO from one process: gunicorn with one gevent-websocket worker; next to it the
# job worker (notifications), a process of its own as in production (ruamkid-worker.service),
# stopped with the server.
serve:
	$(BIN)/flask jobs worker & worker=$$!; \
	trap 'kill -INT $$worker 2>/dev/null; wait $$worker' EXIT; \
	$(BIN)/gunicorn -c python:participation.gunicorn_live \
	  --bind $(HOST):$(PORT) --access-logfile - wsgi:app

lint: $(STAMP)/python
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)/python
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The whole suite twice: on the embedded SQLite database, then on a real PostgreSQL server
# with Redis configured (both started on loopback by tests/services.py and stopped after).
# Each half runs in parallel, one pytest-xdist worker per CPU (TEST_WORKERS=0: one process):
# every worker has its own database, Redis and ports (tests/conftest.py); "loadgroup" keeps the
# tests of an xdist_group (modules sharing one expensive server) on one worker.
test: setup lint test-sqlite test-postgres

TEST_WORKERS ?= logical
PARALLEL = -n $(TEST_WORKERS) --dist loadgroup

test-sqlite: setup $(STAMP)/browser $(STAMP)/deploy
	$(BIN)/pytest $(PARALLEL) --cov --cov-report=term

# The accessibility checks (marker "markup") look at pages, not storage: the SQLite run has them.
test-postgres: setup $(STAMP)/browser $(STAMP)/deploy
	$(BIN)/python -m tests.services run -- $(BIN)/pytest -p no:cacheprovider $(PARALLEL) \
	  -m "not markup"

# Is this deployment's configuration fit for production? Run with the production environment
# loaded (docs/deploy.md, "Check"); one PASS/WARN/FAIL line per check, exit 1 on a failure.
prod-check:
	$(BIN)/python -m participation.core.doctor

# Every benchmark against the production server set-up, one table, bench/results.json;
# figures in bench/README.md. A smoke run: make bench BENCH_ARGS=--quick
bench: setup
	$(BIN)/python bench/all.py $(BENCH_ARGS)

# PNGs of the main pages in Thai at phone (390 px) and desktop (1366 px) widths, from the demo
# data on a throw-away database, into screenshots/ (git-ignored).
screenshots: setup $(STAMP)/browser
	$(BIN)/python -m tests.browser.screenshots screenshots

clean:
	rm -rf $(VENV) node_modules $(VENDOR) $(STAMP) .pytest_cache .ruff_cache .coverage

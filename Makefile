# Urban Pulse Boulogne: `make run` serves the API on $(PORT) (and runs the media worker); `make test` runs the whole suite.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PYTEST_WORKERS ?= auto
export VENV

.PHONY: run test install install-dev lock provision lint format bench bench-imports bench-cpu soak audit clean cluster cluster-stop cluster-status cluster-test

install:
	@bash scripts/bootstrap.sh

install-dev:
	@bash scripts/bootstrap.sh --dev

# Recompile the pinned, hashed requirement files after editing requirements.in or requirements-dev.in.
lock: install-dev
	@$(VENV)/bin/pip-compile -q --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links -o requirements.txt requirements.in
	@$(VENV)/bin/pip-compile -q --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links -o requirements-dev.txt requirements-dev.in

run: install
	@bash scripts/frontend.sh
	@$(PY) -m urbanpulse.runtime.provision --for run
	@echo "==> serving on http://127.0.0.1:$(PORT)  (API docs: http://127.0.0.1:$(PORT)/docs, OpenAPI: /openapi.json)"
	@$(PY) -m urbanpulse.runtime.media_worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT; \
	  PORT=$(PORT) $(VENV)/bin/gunicorn -c python:urbanpulse.serving.gunicorn_conf wsgi:app

test: install-dev
	@$(VENV)/bin/lint-imports --no-cache
	@bash scripts/frontend.sh --browser
	@bash scripts/gis-clients.sh
	@$(PY) -m urbanpulse.runtime.provision --for test
	@$(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: install-dev
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .
	@$(VENV)/bin/lint-imports --no-cache

format: install-dev
	@$(VENV)/bin/ruff check --fix .
	@$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

bench: install-dev
	@$(PY) bench/run.py

# CPU per request of each main endpoint, on the service's and the database's own processes (issue 17).
bench-cpu: install-dev
	@$(PY) bench/cpu.py

# A generated 10,000-object DATAtourisme flux imported, then imported again (issue 24).
bench-imports: install-dev
	@$(PY) bench/imports.py

# Lighthouse and transferred bytes of the app's main pages on the seeded data (a report, not a test).
audit: install-dev
	@bash scripts/frontend.sh --browser
	@$(PY) -m urbanpulse.runtime.provision --for run
	@$(PY) bench/audit.py

soak: install-dev
	@$(PY) bench/soak.py

# The production engines on this one machine, under instance/cluster/ (issue 17): etcd, PostgreSQL 15 + PostGIS
# in two Patroni nodes (synchronous replication), pgBackRest WAL archiving, HAProxy (25430 leader, 25431
# replicas, 28000 service instances on 8001/8002, stats 28404), Redis primary/replica with three Sentinels.
cluster: install
	@bash scripts/cluster/start.sh

cluster-stop:
	@bash scripts/cluster/stop.sh

cluster-status:
	@bash scripts/cluster/status.sh

# The fault tests (tests/cluster/) on the cluster, which this starts first; each prints its counts.
cluster-test: install-dev cluster
	@URBANPULSE_CLUSTER=1 $(PY) -m pytest -p no:cacheprovider -s tests/cluster $(PYTEST_ARGS)

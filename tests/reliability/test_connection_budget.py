"""The PostgreSQL connection budget: one connection per request, a full pool is a 503 with Retry-After (never a
500), and a service that would need more connections than the server allows refuses to start."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import event

from tests.factories import make_poi
from tests.problem import assert_problem
from tests.reliability.gunicorn import ROOT, Service
from urbanpulse import create_app
from urbanpulse.core import replicas
from urbanpulse.core.db_budget import check_connection_budget
from urbanpulse.core.extensions import db


class CheckoutCounter:
    """The most connections the engines' pools had out at once, together."""

    def __init__(self, *engines) -> None:
        self.out = self.most = 0
        self.lock = threading.Lock()
        for engine in engines:
            event.listen(engine.pool, "checkout", self._checkout)
            event.listen(engine.pool, "checkin", self._checkin)

    def _checkout(self, *args) -> None:
        with self.lock:
            self.out += 1
            self.most = max(self.most, self.out)

    def _checkin(self, *args) -> None:
        with self.lock:
            self.out -= 1


def test_an_editors_listing_holds_one_connection(app, client, editor_headers):
    make_poi(status="draft")
    # The primary's pool and the replica's (the suite's apps read from a replica): one connection in all.
    counter = CheckoutCounter(db.engine, *(replica.engine for replica in replicas.configured_replicas()))
    for path in ("/api/v1/pois?status=draft", "/api/v1/pois", "/api/v1/pois/nearby?lat=50.7259&lon=1.6146"):
        db.session.remove()  # the test's app context outlives each request: start as a new request would
        counter.most = 0
        response = client.get(path, headers=editor_headers)
        assert response.status_code == 200, path
        assert counter.most == 1, path


def test_an_exhausted_pool_is_a_503_with_retry_after(app, app_config):
    make_poi()
    small = create_app(
        {**app_config, "DB_POOL_SIZE": 1, "DB_MAX_OVERFLOW": 0, "DB_POOL_TIMEOUT_S": 0.3, "DATABASE_REPLICA_URLS": []}
    )
    with small.app_context():
        held = db.engine.connect()  # the only connection of the pool, busy elsewhere
        try:
            response = small.test_client().get("/api/v1/pois")
        finally:
            held.close()
        body = assert_problem(response, 503)
        assert int(response.headers["Retry-After"]) >= 1
        assert "busy" in body["detail"]
        assert small.test_client().get("/api/v1/pois").status_code == 200  # served again once one is free


def test_the_pool_settings_are_explicit(app):
    pool = db.engine.pool
    assert pool.size() == app.config["DB_POOL_SIZE"]
    assert pool._max_overflow == app.config["DB_MAX_OVERFLOW"]
    assert pool._timeout == app.config["DB_POOL_TIMEOUT_S"]


def test_a_budget_beyond_max_connections_is_refused(app):
    max_connections = int(db.session.execute(db.text("SHOW max_connections")).scalar())
    with pytest.raises(RuntimeError, match="max_connections"):
        check_connection_budget(workers=max_connections, per_worker=2, reserve=10)
    check_connection_budget(workers=2, per_worker=5, reserve=10)


@pytest.mark.slow
def test_gunicorn_refuses_to_start_beyond_the_budget(database_url, redis_url):
    service = Service(database_url=database_url, redis_url=redis_url, workers=2, DB_POOL_SIZE=100_000)
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    finished = subprocess.run(
        [gunicorn, "-c", "python:urbanpulse.serving.gunicorn_conf", "wsgi:app"],
        cwd=ROOT,
        env={**service.env, "LOG_LEVEL": "INFO"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode != 0
    assert "connection budget" in finished.stderr

"""PostgreSQL restarted under load: 503 problems during the outage, recovery without restarting gunicorn,
and nothing acknowledged is lost. Uses a private cluster (initdb) on a spare port."""

import threading
import time

import flask_migrate
import psycopg
import pytest
import requests

from tests.factories import poi_feature
from tests.reliability.gunicorn import Service
from tests.servers import PrivatePostgres
from tests.waiting import wait_until
from urbanpulse import create_app

pytestmark = pytest.mark.slow


@pytest.fixture
def private_database(app_config):
    cluster = PrivatePostgres().start()
    try:
        with psycopg.connect(cluster.url(), autocommit=True) as conn:
            conn.execute("CREATE DATABASE urbanpulse")
        with psycopg.connect(cluster.url("urbanpulse"), autocommit=True) as conn:
            for extension in ("postgis", "pg_trgm", "btree_gist"):
                conn.execute(f"CREATE EXTENSION {extension}")
        app = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": cluster.url("urbanpulse")})
        with app.app_context():
            flask_migrate.upgrade(revision="heads")
            from tests.factories import make_user

            make_user(role="editor", email="editor@restart.test", password="a long password!")
            from urbanpulse.core.extensions import db

            db.engine.dispose()
        yield cluster
    finally:
        cluster.close()


def test_postgres_restart_under_load(private_database, redis_url):
    service = Service(
        database_url=private_database.url("urbanpulse"),
        redis_url=redis_url,
        DB_CONNECT_TIMEOUT_S=2,
        CACHE_ENABLED=0,
        RATELIMIT_ENABLED=0,
    ).start()
    try:
        token = requests.post(
            f"{service.base}/api/v1/auth/token",
            timeout=10,
            json={"email": "editor@restart.test", "password": "a long password!"},
        ).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        created = requests.post(f"{service.base}/api/v1/pois", json=poi_feature(), headers=headers, timeout=10)
        assert created.status_code == 201
        poi_url = f"{service.base}/api/v1/pois/{created.json()['id']}"

        results, stop = [], threading.Event()

        def load():
            while not stop.is_set():
                started = time.monotonic()
                try:
                    response = requests.get(
                        f"{service.base}/api/v1/pois/nearby", params={"lat": 50.7259, "lon": 1.6146}, timeout=15
                    )
                    results.append(
                        (response.status_code, response.headers.get("Content-Type"), time.monotonic() - started)
                    )
                except requests.RequestException as error:
                    results.append((type(error).__name__, None, time.monotonic() - started))
                time.sleep(0.02)

        def answered(status, since: int = 0) -> int:
            return sum(1 for result in results[since:] if result[0] == status)

        threads = [threading.Thread(target=load) for _ in range(4)]
        for thread in threads:
            thread.start()
        wait_until(lambda: answered(200) >= 8, what="the load to be served")
        stopped_at = len(results)
        private_database.stop()
        wait_until(lambda: answered(503, stopped_at) >= 4, what="503s during the outage")
        during = len(results)
        private_database.start()
        wait_until(lambda: results[-1][0] == 200 and len(results) > during, timeout_s=15, what="recovery")
        recovered_from = len(results)
        wait_until(lambda: answered(200, recovered_from) >= 8, what="the load to be served again")
        stop.set()
        for thread in threads:
            thread.join(timeout=20)

        statuses = {status for status, _, _ in results}
        assert statuses <= {200, 503}, statuses  # no 500, no dropped connection
        assert 503 in statuses and results[-1][0] == 200
        problems = [ctype for status, ctype, _ in results if status == 503]
        assert all(ctype == "application/problem+json" for ctype in problems)
        assert max(elapsed for _, _, elapsed in results) < 8  # bounded by the connect time-out, never a hang
        assert requests.get(poi_url, timeout=10).status_code == 200  # acknowledged before, still there
        ready = requests.get(f"{service.base}/readyz", timeout=10)
        assert ready.status_code == 200
    finally:
        service.stop()

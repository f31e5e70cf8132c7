"""Fixtures: one real PostGIS database and one Redis database per xdist worker, emptied after each test."""

from __future__ import annotations

import os
import secrets
import shutil
import time

import psycopg
import pytest
import redis as redis_lib
from psycopg import sql

from tests.factories import OPERATOR_TOKEN
from urbanpulse import create_app
from urbanpulse.core.config import (
    DEFAULT_DATABASE_URL,
    database_url_for_tests,
    to_libpq_url,
    with_database,
)
from urbanpulse.runtime.roles import runtime_url

# The fault tests need the cluster that `make cluster-test` starts; `make test` never collects them.
collect_ignore = [] if os.environ.get("URBANPULSE_CLUSTER") else ["cluster"]

TEMPLATE_URL = os.environ.get("TEST_DATABASE_URL") or database_url_for_tests(
    os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
)
PRESERVED_TABLES = {"alembic_version"}


def admin_conninfo(url: str) -> str:
    """The same server, maintenance database."""
    return to_libpq_url(with_database(url, "postgres"))


def recreate_database(url: str, name: str, template: str | None = None) -> None:
    """(Re)create one of the suite's own databases (named urbanpulse_test_*), optionally from a template."""
    assert name.startswith("urbanpulse_test_"), name
    with psycopg.connect(admin_conninfo(url), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        for attempt in range(20):
            try:
                conn.execute(statement)
                return
            except psycopg.errors.ObjectInUse:
                time.sleep(0.2 * (attempt + 1))
        conn.execute(statement)


def drop_database(url: str, name: str) -> None:
    """Drop one of the suite's own databases."""
    assert name.startswith("urbanpulse_test_"), name
    with psycopg.connect(admin_conninfo(url), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="session")
def worker_id_str(request) -> str:
    """xdist worker id ('master' without xdist)."""
    return getattr(request.config, "workerinput", {}).get("workerid", "master")


def run_token() -> str:
    """Short id of this pytest run (shared by its xdist workers), so concurrent runs never collide."""
    return (os.environ.get("PYTEST_XDIST_TESTRUNUID") or f"{os.getpid():x}")[:8]


@pytest.fixture(scope="session")
def database_url(worker_id_str) -> str:
    """A private copy of the migrated `urbanpulse_test` database for this worker (dropped at the end)."""
    template = psycopg.conninfo.conninfo_to_dict(to_libpq_url(TEMPLATE_URL))["dbname"]
    name = f"urbanpulse_test_{run_token()}_{worker_id_str}"
    recreate_database(TEMPLATE_URL, name, template=template)
    yield with_database(TEMPLATE_URL, name)
    drop_database(TEMPLATE_URL, name)


@pytest.fixture(scope="session")
def redis_url(worker_id_str) -> str:
    """A real Redis of this worker's own: a private redis-server on a spare port, so concurrent test runs
    never share state. Without the redis-server binary the tests fail rather than share a running Redis."""
    if not shutil.which("redis-server"):
        pytest.fail(
            "redis-server is not installed: the tests start a private one per worker and never borrow a "
            "database of a shared Redis. Install it (apt-get install -y redis-server, or "
            "`python -m urbanpulse.runtime.provision --for test`) and run again.",
            pytrace=False,
        )
    from tests.servers import PrivateRedis

    server = PrivateRedis().start()
    yield server.url
    server.close()


@pytest.fixture(scope="session")
def app_database_url(database_url) -> str:
    """What the app under test connects as: the least-privilege runtime role that provisioning created (as
    in production), or the given DATABASE_URL's user when the user supplied one."""
    if os.environ.get("DATABASE_URL"):
        return database_url
    url = runtime_url(database_url)
    assert url is not None, "no database roles: run the provisioning first (make test does)"
    return url


@pytest.fixture(scope="session")
def app_config(app_database_url, redis_url, tmp_path_factory) -> dict:
    """Config overrides every test app shares."""
    return {
        "TESTING": True,
        "ENV_NAME": "testing",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "METRICS_TOKEN": OPERATOR_TOKEN,
        "SQLALCHEMY_DATABASE_URI": app_database_url,
        # The test database is also the apps' replica, through read-only sessions (core.replicas): every GET's
        # public read takes the replica path, and a GET that tried to write would fail.
        "DATABASE_REPLICA_URLS": [app_database_url],
        "REDIS_URL": redis_url,
        "REDIS_TIMEOUT_MS": 500,
        "LOG_LEVEL": "WARNING",
        "RATELIMIT_ENABLED": False,
        # Writes relay their changes themselves; the per-process listener is tested on real gunicorn workers.
        "CHANGE_LISTENER_ENABLED": False,
        # API key usage is pushed by the tests themselves (usage.push / flush); the per-process background push
        # is tested on real gunicorn workers (tests/apikeys/test_workers.py).
        "API_KEY_USAGE_PUSH_S": 3600,
        "MEDIA_ROOT": str(tmp_path_factory.mktemp("media")),
    }


@pytest.fixture(scope="session")
def session_app(app_config):
    """The app shared by this worker's tests."""
    return create_app(app_config)


@pytest.fixture
def app(session_app, database_url):
    """The app, inside an app context; the database (as its owner: the app may not truncate) and Redis are
    emptied afterwards."""
    from urbanpulse.core.extensions import db, redis_client

    with session_app.app_context():
        yield session_app
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables) if t.name not in PRESERVED_TABLES]
        if tables:
            with psycopg.connect(to_libpq_url(database_url), autocommit=True) as conn:
                conn.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        redis_client.flushdb()


@pytest.fixture
def admin_connection(database_url):
    """An autocommit connection to the worker's database as its administrator, for what the app's runtime role
    may not do (ANALYZE, editing alembic_version, DDL)."""
    with psycopg.connect(to_libpq_url(database_url), autocommit=True) as conn:
        yield conn


@pytest.fixture
def client(app):
    """A test client of the app."""
    return app.test_client()


@pytest.fixture
def redis(app):
    """The worker's Redis database, as a raw client."""
    from urbanpulse.core.extensions import redis_client

    return redis_client.client


@pytest.fixture
def editor(app):
    """An active editor account."""
    from tests.factories import make_user

    return make_user(role="editor")


@pytest.fixture
def admin(app):
    """An active admin account."""
    from tests.factories import make_user

    return make_user(role="admin")


@pytest.fixture
def editor_headers(app, editor) -> dict:
    """Authorization header of the editor."""
    from tests.factories import auth_headers

    return auth_headers(app, editor)


@pytest.fixture
def admin_headers(app, admin) -> dict:
    """Authorization header of the admin."""
    from tests.factories import auth_headers

    return auth_headers(app, admin)


@pytest.fixture
def raw_redis(redis_url):
    """A plain redis-py client on the worker's Redis database."""
    return redis_lib.Redis.from_url(redis_url)


@pytest.fixture
def free_port() -> int:
    """A TCP port on loopback that nothing listens on."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]

from tests.factories import OPERATOR_HEADERS
from tests.problem import assert_problem
from urbanpulse import create_app


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_readyz_ok_when_everything_answers(client):
    body = client.get("/readyz", headers=OPERATOR_HEADERS).get_json()
    assert body["status"] == "ok"
    assert body["checks"]["postgres"]["status"] == "ok"
    assert body["checks"]["redis"]["status"] == "ok"


def test_readyz_503_when_postgres_is_unreachable(app_config, free_port):
    url = f"postgresql://postgres@127.0.0.1:{free_port}/urbanpulse_test"
    app = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": url, "DATABASE_REPLICA_URLS": []})
    body = assert_problem(app.test_client().get("/readyz", headers=OPERATOR_HEADERS), 503)
    assert body["checks"]["postgres"]["status"] == "down"
    assert "postgres" in body["detail"]


def test_readyz_degraded_when_redis_is_unreachable(app_config, free_port):
    app = create_app({**app_config, "REDIS_URL": f"redis://127.0.0.1:{free_port}/0"})
    response = app.test_client().get("/readyz", headers=OPERATOR_HEADERS)
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "degraded" and body["checks"]["redis"]["status"] == "down"


def test_readyz_503_when_migrations_are_behind(app, client, admin_connection):
    conn = admin_connection  # the app's runtime role may only read alembic_version
    applied = [row[0] for row in conn.execute("SELECT version_num FROM alembic_version")]
    conn.execute("DELETE FROM alembic_version")
    conn.execute("INSERT INTO alembic_version VALUES ('0000_old')")
    try:
        body = assert_problem(client.get("/readyz", headers=OPERATOR_HEADERS), 503)
        assert body["checks"]["postgres"]["status"] == "outdated"
        public = assert_problem(client.get("/readyz"), 503)
        assert "checks" not in public and public["detail"] == "not ready"
        assert not any(version in client.get("/readyz").get_data(as_text=True) for version in applied)
    finally:
        conn.execute("DELETE FROM alembic_version")
        for version in applied:
            conn.execute("INSERT INTO alembic_version VALUES (%s)", (version,))

"""Abuse limits against the real Redis: 429 problems with Retry-After; body size limit."""

import pytest

from tests.factories import DEFAULT_PASSWORD, poi_feature
from tests.problem import assert_problem
from tests.security.limited import rate_limited_app


@pytest.fixture
def limited_app(app_config, app):
    return rate_limited_app(
        app_config,
        RATE_LIMIT_READS="5 per minute",
        RATE_LIMIT_WRITES="3 per minute",
        RATE_LIMIT_LOGIN="3 per minute",
        RATE_LIMIT_LOGIN_PER_ACCOUNT="4 per hour",
    )


def test_anonymous_reads_are_limited_per_client(limited_app):
    client = limited_app.test_client()
    statuses = [
        client.get("/api/v1/categories", environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code for _ in range(6)
    ]
    assert statuses == [200] * 5 + [429]
    response = client.get("/api/v1/categories", environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert_problem(response, 429)
    assert int(response.headers["Retry-After"]) > 0
    other = client.get("/api/v1/categories", environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert other.status_code == 200
    assert client.get("/healthz", environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code == 200


def test_writes_are_limited_per_account(limited_app, editor_headers):
    client = limited_app.test_client()
    statuses = [
        client.post(
            "/api/v1/pois", json=poi_feature(), headers=editor_headers, environ_base={"REMOTE_ADDR": f"10.0.1.{i}"}
        ).status_code
        for i in range(4)
    ]
    assert statuses == [201, 201, 201, 429]


def test_password_guessing_is_limited_per_address(limited_app, editor):
    client = limited_app.test_client()
    tries = [
        client.post(
            "/api/v1/auth/token",
            json={"email": f"someone{i}@x.test", "password": "guess"},
            environ_base={"REMOTE_ADDR": "10.0.2.1"},
        ).status_code
        for i in range(4)
    ]
    assert tries == [401, 401, 401, 429]


def test_password_guessing_is_limited_per_account(limited_app, editor):
    client = limited_app.test_client()
    tries = [
        client.post(
            "/api/v1/auth/token",
            json={"email": editor.email, "password": f"guess {i}"},
            environ_base={"REMOTE_ADDR": f"10.0.3.{i}"},
        ).status_code
        for i in range(4)
    ]
    assert tries == [401] * 4
    # Even the right password is refused once the account's hourly allowance is spent.
    right = client.post(
        "/api/v1/auth/token",
        json={"email": editor.email, "password": DEFAULT_PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.3.9"},
    )
    assert_problem(right, 429)


def test_oversized_body_is_413_problem(client, editor_headers):
    feature = poi_feature(description={"fr": "x" * 3_000_000})
    assert_problem(client.post("/api/v1/pois", json=feature, headers=editor_headers), 413)

"""Two registrations of one email at once: one account, and a 409 problem (never a 500) for the other."""

from __future__ import annotations

import threading
import time

import psycopg

from tests.problem import assert_problem
from urbanpulse.core.config import to_libpq_url

EMAIL = "twice@tourisme-boulogne.test"


def _wait_until_blocked(conn: psycopg.Connection, timeout_s: float = 10) -> None:
    """Until another session waits on a lock (the API's INSERT behind ours on the unique index)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        waiting = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        ).fetchone()[0]
        if waiting:
            return
        time.sleep(0.02)
    raise AssertionError("the API's registration never waited on the other one")


def test_a_concurrent_registration_of_the_same_email_is_a_409(app, client, admin_headers, database_url):
    answers = []
    with psycopg.connect(to_libpq_url(database_url)) as other, psycopg.connect(to_libpq_url(database_url)) as watcher:
        watcher.autocommit = True
        # The other registration has inserted the email but not committed yet: the API does not see it.
        other.execute(
            "INSERT INTO users (id, email, password_hash, role) VALUES (gen_random_uuid(), %s, 'x', 'editor')",
            (EMAIL,),
        )
        body = {"email": EMAIL, "password": "a long enough password", "role": "editor"}
        thread = threading.Thread(
            target=lambda: answers.append(client.post("/api/v1/users", json=body, headers=admin_headers))
        )
        thread.start()
        _wait_until_blocked(watcher)
        other.commit()
        thread.join(timeout=30)
    assert_problem(answers[0], 409)
    with psycopg.connect(to_libpq_url(database_url)) as conn:
        assert conn.execute("SELECT count(*) FROM users WHERE email = %s", (EMAIL,)).fetchone()[0] == 1


def test_a_second_registration_afterwards_is_still_a_409(client, admin_headers):
    body = {"email": EMAIL, "password": "a long enough password", "role": "editor"}
    assert client.post("/api/v1/users", json=body, headers=admin_headers).status_code == 201
    again = client.post("/api/v1/users", json={**body, "email": EMAIL.upper()}, headers=admin_headers)
    assert_problem(again, 409)


def test_login_finds_the_account_whatever_the_case_of_the_email(client, editor):
    from tests.factories import DEFAULT_PASSWORD

    answer = client.post(
        "/api/v1/auth/token", json={"email": f"  {editor.email.upper()} ", "password": DEFAULT_PASSWORD}
    )
    assert answer.status_code == 200

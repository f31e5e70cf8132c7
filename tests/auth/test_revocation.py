"""Bearer tokens die with a password change or a deactivation (and stay dead after reactivation)."""

from __future__ import annotations

import time

import jwt

from tests.factories import DEFAULT_PASSWORD, auth_headers, make_user
from tests.problem import assert_problem
from urbanpulse.auth import service
from urbanpulse.auth.service import TOKEN_ISSUER

NEW_PASSWORD = "an entirely new passphrase"


def _token_from_the_api(client, email: str, password: str) -> dict:
    answer = client.post("/api/v1/auth/token", json={"email": email, "password": password})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return {"Authorization": f"Bearer {answer.get_json()['access_token']}"}


def test_a_password_change_ends_the_tokens_issued_before(app, client, admin_headers):
    editor = make_user(role="editor")
    before = _token_from_the_api(client, editor.email, DEFAULT_PASSWORD)
    assert client.get("/api/v1/pois?status=draft", headers=before).status_code == 200
    changed = client.patch(f"/api/v1/users/{editor.id}", headers=admin_headers, json={"password": NEW_PASSWORD})
    assert changed.status_code == 200
    assert_problem(client.get("/api/v1/pois?status=draft", headers=before), 401)
    after = _token_from_the_api(client, editor.email, NEW_PASSWORD)
    assert client.get("/api/v1/pois?status=draft", headers=after).status_code == 200


def test_a_deactivation_ends_the_tokens_even_after_reactivation(app, client):
    editor = make_user(role="editor")
    before = auth_headers(app, editor)
    service.update_user(user_id=editor.id, is_active=False)
    assert_problem(client.get("/api/v1/pois?status=draft", headers=before), 401)
    service.update_user(user_id=editor.id, is_active=True)
    assert_problem(client.get("/api/v1/pois?status=draft", headers=before), 401)
    assert client.get("/api/v1/pois?status=draft", headers=auth_headers(app, editor)).status_code == 200


def test_a_role_change_keeps_the_tokens(app, client, admin):
    editor = make_user(role="editor")
    headers = auth_headers(app, editor)
    service.update_user(user_id=editor.id, role="admin")
    assert client.get("/api/v1/users", headers=headers).status_code == 200


def test_a_token_without_the_generation_claim_is_refused(app, client):
    editor = make_user(role="editor")
    now = int(time.time())
    claims = {"iss": TOKEN_ISSUER, "sub": str(editor.id), "role": "editor", "iat": now, "exp": now + 600}
    token = jwt.encode(claims, app.config["TOKEN_SIGNING_KEY"], algorithm="HS256")
    assert_problem(client.get("/api/v1/pois?status=draft", headers={"Authorization": f"Bearer {token}"}), 401)

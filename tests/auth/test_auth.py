import jwt
import pytest

from tests.factories import DEFAULT_PASSWORD, auth_headers, make_user
from tests.problem import assert_problem
from urbanpulse.auth import service
from urbanpulse.core.errors import Conflict


def login(client, email, password):
    return client.post("/api/v1/auth/token", json={"email": email, "password": password})


def test_login_returns_a_bearer_token(client, app, editor):
    response = login(client, editor.email.upper(), DEFAULT_PASSWORD)
    assert response.status_code == 200
    body = response.get_json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == app.config["TOKEN_LIFETIME_S"]
    claims = jwt.decode(body["access_token"], app.config["TOKEN_SIGNING_KEY"], algorithms=["HS256"])
    assert claims["sub"] == str(editor.id) and claims["role"] == "editor"


def test_password_is_stored_as_argon2(app, editor):
    assert editor.password_hash.startswith("$argon2id$")
    assert DEFAULT_PASSWORD not in editor.password_hash


def test_wrong_password_and_unknown_email_look_the_same(client, editor):
    wrong = assert_problem(login(client, editor.email, "not the password"), 401)
    unknown = assert_problem(login(client, "nobody@nowhere.test", "whatever-password"), 401)
    assert wrong["detail"] == unknown["detail"]


def test_disabled_account_cannot_log_in_nor_use_its_token(client, app, admin_headers, editor):
    headers = auth_headers(app, editor)
    service.update_user(user_id=editor.id, is_active=False)
    assert_problem(login(client, editor.email, DEFAULT_PASSWORD), 401)
    assert_problem(client.get("/api/v1/users", headers=headers), 401)


def test_expired_token_is_401(client, app, admin):
    token = service.issue_token(user=admin, secret_key=app.config["TOKEN_SIGNING_KEY"], lifetime_s=-10)
    body = assert_problem(
        client.get("/api/v1/users", headers={"Authorization": f"Bearer {token['access_token']}"}), 401
    )
    assert "expired" in body["detail"]


def test_tampered_token_is_401(client, app, editor):
    token = service.issue_token(user=editor, secret_key=app.config["TOKEN_SIGNING_KEY"], lifetime_s=600)["access_token"]
    header, _payload, signature = token.split(".")
    forged = jwt.encode(
        {**jwt.decode(token, options={"verify_signature": False}), "role": "admin"},
        "guess-" * 8,
        algorithm="HS256",
    )
    for bad in (f"{header}.{forged.split('.')[1]}.{signature}", forged, "garbage", token[:-3] + "abc"):
        response = client.get("/api/v1/users", headers={"Authorization": f"Bearer {bad}"})
        assert_problem(response, 401)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_malformed_authorization_header_is_401(client):
    assert_problem(client.get("/api/v1/users", headers={"Authorization": "Basic abc"}), 401)


def test_user_management_needs_admin(client, editor_headers, admin_headers):
    assert_problem(client.get("/api/v1/users"), 401)
    assert_problem(client.get("/api/v1/users", headers=editor_headers), 403)
    assert client.get("/api/v1/users", headers=admin_headers).status_code == 200


def test_admin_creates_and_disables_an_editor(client, admin_headers):
    created = client.post(
        "/api/v1/users",
        headers=admin_headers,
        json={"email": "New.Editor@tourisme.test", "password": "long enough pw", "role": "editor"},
    )
    assert created.status_code == 201
    user = created.get_json()
    assert user["email"] == "new.editor@tourisme.test" and "password" not in user
    assert login(client, "new.editor@tourisme.test", "long enough pw").status_code == 200
    duplicate = client.post(
        "/api/v1/users",
        headers=admin_headers,
        json={"email": "new.editor@tourisme.test", "password": "long enough pw"},
    )
    assert_problem(duplicate, 409)
    patched = client.patch(f"/api/v1/users/{user['id']}", headers=admin_headers, json={"is_active": False})
    assert patched.status_code == 200 and patched.get_json()["is_active"] is False
    assert_problem(login(client, "new.editor@tourisme.test", "long enough pw"), 401)


def test_user_creation_validation(client, admin_headers):
    body = assert_problem(
        client.post("/api/v1/users", headers=admin_headers, json={"email": "bad", "password": "short", "role": "god"}),
        422,
        "email",
        "password",
        "role",
    )
    assert len(body["errors"]) == 3


def test_cli_creates_a_user_from_stdin(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["users", "create", "cli@tourisme.test", "--role", "admin", "--password-stdin"],
        input="a very long password\n",
    )
    assert result.exit_code == 0, result.output
    assert service.authenticate(email="cli@tourisme.test", password="a very long password").role == "admin"
    again = runner.invoke(args=["users", "create", "cli@tourisme.test", "--password-stdin"], input="another long one\n")
    assert again.exit_code != 0 and "already exists" in again.output


def test_cli_rejects_a_short_password(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "x@tourisme.test", "--password-stdin"], input="short\n"
    )
    assert result.exit_code != 0 and "password" in result.output


def test_admin_cannot_lock_themselves_out(client, admin, admin_headers):
    assert_problem(client.patch(f"/api/v1/users/{admin.id}", headers=admin_headers, json={"is_active": False}), 409)


def test_the_last_active_admin_cannot_be_demoted(app, client, admin, admin_headers):
    url = f"/api/v1/users/{admin.id}"
    assert_problem(client.patch(url, headers=admin_headers, json={"role": "editor"}), 409)
    second = make_user(role="admin")
    assert client.patch(url, headers=admin_headers, json={"role": "editor"}).status_code == 200
    assert service.get_user(user_id=second.id).role == "admin"
    third = make_user(role="admin")
    assert service.update_user(user_id=third.id, is_active=False).is_active is False
    with pytest.raises(Conflict):
        service.update_user(user_id=second.id, role="editor")


def test_editor_token_cannot_become_admin_by_role_claim(client, app):
    user = make_user(role="editor")
    forged = jwt.encode(
        {"iss": "urbanpulse", "sub": str(user.id), "role": "admin", "iat": 0, "exp": 4_000_000_000, "gen": 0},
        app.config["TOKEN_SIGNING_KEY"],
        algorithm="HS256",
    )
    assert_problem(client.get("/api/v1/users", headers={"Authorization": f"Bearer {forged}"}), 403)

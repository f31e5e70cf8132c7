"""Back-office login: the session, roles, CSRF on every form, logout, security headers, interface language."""

from __future__ import annotations

import re

import pytest

from tests.admin.helpers import csrf_token, login, post_form
from tests.factories import DEFAULT_PASSWORD, auth_headers, make_user, poi_feature
from urbanpulse.auth import service as auth_service
from urbanpulse.core.extensions import db
from urbanpulse.pois.models import Poi

ADMIN_PAGES = ("/admin/", "/admin/pois/", "/admin/pois/new", "/admin/routes/", "/admin/events/new", "/admin/users/")


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_every_page_sends_anonymous_visitors_to_the_login_page(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login?next=" + path.replace("/", "%2F")) or response.headers[
        "Location"
    ].startswith("/admin/login?next=" + path)


def test_login_brings_the_editor_back_to_the_page_asked_for(client, editor):
    page = client.get("/admin/login?next=/admin/pois/new").get_data(as_text=True)
    response = client.post(
        "/admin/login",
        data={"email": editor.email.upper(), "password": DEFAULT_PASSWORD, "next": "/admin/pois/new",
              "csrf_token": csrf_token(page)},
    )  # fmt: skip
    assert response.status_code == 302 and response.headers["Location"] == "/admin/pois/new"
    assert client.get("/admin/pois/new").status_code == 200


@pytest.mark.parametrize("target", ["https://evil.example/admin/", "//evil.example/admin", "/api/v1/pois", "/admin\\x"])
def test_login_never_redirects_outside_the_back_office(client, editor, target):
    page = client.get("/admin/login").get_data(as_text=True)
    response = client.post(
        "/admin/login",
        data={"email": editor.email, "password": DEFAULT_PASSWORD, "next": target, "csrf_token": csrf_token(page)},
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/admin") and not location.startswith("//") and "evil" not in location


def test_a_wrong_password_or_a_disabled_account_is_refused_with_the_same_message(client, editor):
    wrong = login(client, editor, password="not the password")
    assert wrong.status_code == 401
    assert "Wrong email or password" in wrong.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302

    auth_service.update_user(user_id=editor.id, is_active=False)
    disabled = login(client, editor)
    assert disabled.status_code == 401
    assert disabled.get_data(as_text=True).count("Wrong email or password") == 1


def test_login_without_the_csrf_token_is_refused(client, editor):
    client.get("/admin/login")
    response = client.post(
        "/admin/login", data={"email": editor.email, "password": DEFAULT_PASSWORD}, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 400
    assert "Security check failed" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


def test_deactivating_or_changing_the_password_ends_open_sessions(client, editor):
    login(client, editor)
    assert client.get("/admin/").status_code == 200
    auth_service.update_user(user_id=editor.id, password="a brand new password")
    assert client.get("/admin/").status_code == 302

    login(client, editor, password="a brand new password")
    assert client.get("/admin/").status_code == 200
    auth_service.update_user(user_id=editor.id, is_active=False)
    assert client.get("/admin/pois/").status_code == 302


def test_logout_is_a_post_with_the_csrf_token(editor_client):
    assert editor_client.get("/admin/logout").status_code == 405
    forged = editor_client.post("/admin/logout")
    assert forged.status_code == 400
    assert editor_client.get("/admin/").status_code == 200  # still logged in

    response = post_form(editor_client, "/admin/logout", {}, page_url="/admin/")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/login"
    assert editor_client.get("/admin/").status_code == 302


def test_every_back_office_form_needs_the_csrf_token(editor_client):
    before = db.session.scalar(db.select(db.func.count()).select_from(Poi))
    response = editor_client.post(
        "/admin/pois/new", data={"name_fr": "Sans jeton", "category": "museum", "lon": "1.6", "lat": "50.7"}
    )
    assert response.status_code == 400
    wrong = editor_client.post(
        "/admin/pois/new",
        data={"name_fr": "Faux jeton", "category": "museum", "lon": "1.6", "lat": "50.7", "csrf_token": "forged"},
    )
    assert wrong.status_code == 400
    assert db.session.scalar(db.select(db.func.count()).select_from(Poi)) == before


def test_the_json_api_stays_free_of_csrf_and_uses_bearer_tokens(app, client, editor):
    response = client.post("/api/v1/pois", json=poi_feature(), headers=auth_headers(app, editor))
    assert response.status_code == 201
    assert "Content-Security-Policy" not in response.headers and "Set-Cookie" not in response.headers


def test_the_session_cookie_is_http_only_and_same_site(client, editor):
    response = login(client, editor)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie


def test_admin_pages_and_assets_carry_the_security_headers(editor_client, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAP_BASEMAP_URL", "https://{s}.tiles.example.org/{z}/{x}/{y}.png")
    for path in ("/admin/pois/new", "/admin/static/vendor/leaflet/leaflet.js", "/admin/assets/upmap.js"):
        response = editor_client.get(path)
        assert response.status_code == 200, path
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        assert "img-src 'self' data: https://*.tiles.example.org" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
    page = editor_client.get("/admin/pois/new")
    assert page.headers["Cache-Control"] == "no-store"
    nonce = page.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    html = page.get_data(as_text=True)
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts and all(f'nonce="{nonce}"' in tag for tag in scripts)
    for tag, body in re.findall(r"(<script[^>]*>)(.*?)</script>", html, flags=re.S):
        assert not body.strip() or 'type="application/json"' in tag  # no inline code, only JSON data blocks
    assert "https://" not in html.replace("https://*.tiles.example.org", "").replace(
        "https://{s}.tiles.example.org", ""
    ), "no asset from another site"


def test_the_basemap_url_is_configurable_and_may_be_empty(editor_client, app, monkeypatch):
    html = editor_client.get("/admin/pois/new").get_data(as_text=True)
    assert 'data-tiles="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in html
    monkeypatch.setitem(app.config, "MAP_BASEMAP_URL", "")
    page = editor_client.get("/admin/pois/new")
    assert 'data-tiles=""' in page.get_data(as_text=True)
    assert "img-src 'self' data:;" in page.headers["Content-Security-Policy"]


def test_the_api_does_not_get_the_back_office_headers(client):
    response = client.get("/api/v1/categories")
    assert "Content-Security-Policy" not in response.headers and "X-Frame-Options" not in response.headers


def test_the_interface_is_french_by_default_english_on_request_and_switchable(client, editor):
    assert "Se connecter" in client.get("/admin/login").get_data(as_text=True)
    english = client.get("/admin/login", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert "Log in" in english and "Se connecter" not in english

    login(client, editor, lang="fr")
    page = client.get("/admin/pois/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Nouveau lieu" in page
    response = client.post(
        "/admin/language", data={"lang": "en", "next": "/admin/pois/", "csrf_token": csrf_token(page)}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/admin/pois/"
    switched = client.get("/admin/pois/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "New place" in switched and "Nouveau lieu" not in switched


def test_only_admins_manage_accounts(editor_client):
    response = editor_client.get("/admin/users/")
    assert response.status_code == 403
    assert "Accounts" not in editor_client.get("/admin/").get_data(as_text=True)  # not in the editor's menu


def test_an_admin_creates_deactivates_and_promotes_accounts(admin_client, admin):
    created = post_form(
        admin_client,
        "/admin/users/",
        {"email": "Nouvelle@Tourisme-Boulogne.test", "role": "editor", "password": "short"},
    )
    assert created.status_code == 422
    assert re.search(
        r'id="error-password"[^>]*>\s*<div>Between 10 and 1024 characters.</div>', created.get_data(as_text=True)
    )

    created = post_form(
        admin_client,
        "/admin/users/",
        {"email": "Nouvelle@Tourisme-Boulogne.test", "role": "editor", "password": "a long enough password"},
    )
    assert created.status_code == 302
    user = next(u for u in auth_service.list_users() if u.email == "nouvelle@tourisme-boulogne.test")
    assert user.role == "editor" and user.is_active

    promoted = post_form(admin_client, "/admin/users/change", {"user_id": str(user.id), "role": "admin"},
                         page_url="/admin/users/")  # fmt: skip
    assert promoted.status_code == 302
    db.session.refresh(user)
    assert user.role == "admin"

    deactivated = post_form(admin_client, "/admin/users/change", {"user_id": str(user.id), "active": "0"},
                            page_url="/admin/users/")  # fmt: skip
    assert deactivated.status_code == 302
    db.session.refresh(user)
    assert not user.is_active

    own = post_form(admin_client, "/admin/users/change", {"user_id": str(admin.id), "active": "0"},
                    page_url="/admin/users/")  # fmt: skip
    assert own.status_code == 302
    assert "cannot deactivate their own account" in admin_client.get("/admin/users/").get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.is_active


def test_a_duplicate_account_is_reported_next_to_the_email(admin_client):
    other = make_user(role="editor")
    response = post_form(
        admin_client, "/admin/users/", {"email": other.email, "role": "editor", "password": "a long enough password"}
    )
    assert response.status_code == 409
    assert "already exists" in response.get_data(as_text=True)


def test_an_admin_sets_a_new_password_for_an_editor(app, admin_client):
    other = make_user(role="editor")
    too_short = post_form(admin_client, "/admin/users/change", {"user_id": str(other.id), "password": "short"},
                          page_url="/admin/users/")  # fmt: skip
    assert too_short.status_code == 302
    assert "Between 10 and 1024 characters." in admin_client.get(
        "/admin/users/", headers={"Accept-Language": "en"}
    ).get_data(as_text=True)
    new_password = {"user_id": str(other.id), "password": "a new long password"}
    changed = post_form(admin_client, "/admin/users/change", new_password, page_url="/admin/users/")
    assert changed.status_code == 302
    assert login(app.test_client(), other, password="a new long password").status_code == 302

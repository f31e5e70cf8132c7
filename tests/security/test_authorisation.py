"""The authorisation matrix, enumerated from the app's own OpenAPI document so a new operation is covered.

Every write (POST/PUT/PATCH/DELETE under /api/v1) and every documented-as-secured read is tried anonymously,
with an expired token, with tampered or forged tokens and with a disabled account's token (all 401, before
any validation or lookup), then as an editor (allowed, or 403 where only admins may) and as an admin.
"""

from __future__ import annotations

import base64
import io
import json
import time
import uuid

import jwt
import pytest

from tests.apikeys.helpers import make_key
from tests.events.helpers import event_feature, make_event
from tests.factories import auth_headers, make_poi, make_user, poi_feature
from tests.media.images import jpeg
from tests.problem import assert_problem
from tests.routes.factories import make_route, route_feature, walk
from urbanpulse.auth import service as auth_service
from urbanpulse.auth.service import TOKEN_ISSUER

WRITE_METHODS = ("post", "put", "patch", "delete")
# The one write anyone may call: exchanging credentials for a token.
PUBLIC_WRITES = {("POST", "/api/v1/auth/token")}
ADMIN_TAGS = {"users", "apikeys"}


def operations(app) -> list[tuple[str, str, dict]]:
    """(METHOD, path template, operation) of every write and every secured operation of /api/v1."""
    spec = app.test_client().get("/openapi.json").get_json()
    found = []
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method not in (*WRITE_METHODS, "get") or not path.startswith("/api/v1/"):
                continue
            # Secured by a bearer token; public reads take an optional API key, /usage a key (tests/apikeys).
            if method in WRITE_METHODS or any("bearerAuth" in s for s in operation.get("security", [])):
                found.append((method.upper(), path, operation))
    return found


def concrete(path: str, **values) -> str:
    """The template with its {parameters} filled (a random id for each one not given)."""
    for name in [part[1:-1] for part in path.split("/") if part.startswith("{")]:
        path = path.replace("{" + name + "}", str(values.get(name, uuid.uuid4())))
    return path


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _claims(user, **extra) -> dict:
    now = int(time.time())
    claims = {"iss": TOKEN_ISSUER, "sub": str(user.id), "role": user.role, "iat": now, "exp": now + 600}
    return {**claims, "gen": user.token_generation, **extra}


def flip(signature: str) -> str:
    """The signature with one character changed (one that changes the decoded bytes)."""
    return f"{signature[:-2]}{'A' if signature[-2] != 'A' else 'B'}{signature[-1]}"


def bad_credentials(app, admin) -> dict[str, dict]:
    """Authorization headers that must all be refused with 401."""
    secret = app.config["TOKEN_SIGNING_KEY"]
    valid = auth_headers(app, admin)["Authorization"].split(" ", 1)[1]
    header, payload, signature = valid.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    other_user = make_user(role="admin")
    disabled = make_user(role="admin")
    disabled_headers = auth_headers(app, disabled)
    auth_service.update_user(user_id=disabled.id, is_active=False)
    now = int(time.time())
    tokens = {
        "expired": jwt.encode(_claims(admin, iat=now - 7200, exp=now - 3600), secret, algorithm="HS256"),
        "other-key": jwt.encode(_claims(admin), "not the server's key" * 3, algorithm="HS256"),
        "alg-none": f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{payload}.",
        "swapped-subject": f"{header}.{_b64({**claims, 'sub': str(other_user.id)})}.{signature}",
        "flipped-signature": f"{header}.{payload}.{flip(signature)}",
        "no-expiry": jwt.encode({k: v for k, v in _claims(admin).items() if k != "exp"}, secret, algorithm="HS256"),
        "wrong-issuer": jwt.encode(_claims(admin, iss="someone-else"), secret, algorithm="HS256"),
        "unknown-account": jwt.encode({**_claims(admin), "sub": str(uuid.uuid4())}, secret, algorithm="HS256"),
        "garbage": "not-a-jwt",
    }
    headers = {name: {"Authorization": f"Bearer {token}"} for name, token in tokens.items()}
    headers["disabled-account"] = disabled_headers
    headers["basic-scheme"] = {"Authorization": "Basic YWRtaW46YWRtaW4="}
    headers["empty-bearer"] = {"Authorization": "Bearer "}
    return headers


GPX = (
    b'<?xml version="1.0" encoding="UTF-8"?><gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1">'
    b"<metadata><name>Essai</name><keywords>nature</keywords></metadata><trk><trkseg>"
    b'<trkpt lat="50.73" lon="1.60"/><trkpt lat="50.74" lon="1.61"/></trkseg></trk></gpx>'
)


def _etag(client, path: str, headers: dict) -> dict:
    return {**headers, "If-Match": client.get(path, headers=headers).headers["ETag"]}


def _email() -> str:
    return f"new{uuid.uuid4().hex[:8]}@tourisme-boulogne.test"


# What a legitimate caller sends to each operation: (client, headers) -> response. A new operation in the
# OpenAPI document fails the matrix until it gets an entry here.
def _poi_path() -> str:
    return f"/api/v1/pois/{make_poi().id}"


def _route_path() -> str:
    return f"/api/v1/routes/{make_route(walk()).id}"


def _event_path() -> str:
    return f"/api/v1/events/{make_event().id}"


def _photo(c, h, item_path: str) -> tuple[str, str]:
    """An item's media path and the id of a photo just uploaded to it (with its rights: it may be published)."""
    media = f"{item_path}/media"
    data = {"file": [(io.BytesIO(jpeg(64, 48)), "a.jpg", "image/jpeg")], "credit": "Ville", "licence": "CC BY 4.0"}
    response = c.post(media, data=data, headers=_etag(c, media, h), content_type="multipart/form-data")
    assert response.status_code == 201, response.get_data(as_text=True)
    return media, response.get_json()["media"][0]["id"]


def _media_calls() -> dict:
    """The photo writes of every kind of item."""
    calls = {}
    for collection, id_name, item_path in (
        ("pois", "poi_id", _poi_path),
        ("routes", "route_id", _route_path),
        ("events", "event_id", _event_path),
    ):
        base = f"/api/v1/{collection}/{{{id_name}}}/media"

        def upload(c, h, item_path=item_path):
            media = f"{item_path()}/media"
            data = {"file": [(io.BytesIO(jpeg(64, 48)), "a.jpg", "image/jpeg")], "credit": "V", "licence": "CC0"}
            return c.post(media, data=data, headers=_etag(c, media, h), content_type="multipart/form-data")

        def order(c, h, item_path=item_path):
            media, photo = _photo(c, h, item_path())
            return c.put(f"{media}/order", json={"order": [photo]}, headers=_etag(c, media, h))

        def patch(c, h, item_path=item_path):
            media, photo = _photo(c, h, item_path())
            return c.patch(f"{media}/{photo}", json={"caption": {"fr": "Quai"}}, headers=_etag(c, media, h))

        def delete(c, h, item_path=item_path):
            media, photo = _photo(c, h, item_path())
            return c.delete(f"{media}/{photo}", headers=_etag(c, media, h))

        calls[("POST", base)] = upload
        calls[("PUT", f"{base}/order")] = order
        calls[("PATCH", f"{base}/{{media_id}}")] = patch
        calls[("DELETE", f"{base}/{{media_id}}")] = delete
    return calls


CALLS = {
    **_media_calls(),
    ("GET", "/api/v1/users"): lambda c, h: c.get("/api/v1/users", headers=h),
    ("POST", "/api/v1/users"): lambda c, h: c.post(
        "/api/v1/users", json={"email": _email(), "password": "a long password", "role": "editor"}, headers=h
    ),
    ("GET", "/api/v1/users/{user_id}"): lambda c, h: c.get(f"/api/v1/users/{make_user().id}", headers=h),
    ("PATCH", "/api/v1/users/{user_id}"): lambda c, h: c.patch(
        f"/api/v1/users/{make_user().id}", json={"role": "admin"}, headers=h
    ),
    ("POST", "/api/v1/pois"): lambda c, h: c.post("/api/v1/pois", json=poi_feature(), headers=h),
    ("PATCH", "/api/v1/pois/{poi_id}"): lambda c, h: (
        lambda path: c.patch(path, json={"properties": {"address": "Parvis"}}, headers=_etag(c, path, h))
    )(_poi_path()),
    ("DELETE", "/api/v1/pois/{poi_id}"): lambda c, h: (lambda path: c.delete(path, headers=_etag(c, path, h)))(
        _poi_path()
    ),
    ("GET", "/api/v1/pois/{poi_id}/history"): lambda c, h: c.get(f"{_poi_path()}/history", headers=h),
    ("POST", "/api/v1/routes"): lambda c, h: c.post("/api/v1/routes", json=route_feature(walk()), headers=h),
    ("POST", "/api/v1/routes/import-gpx"): lambda c, h: c.post(
        "/api/v1/routes/import-gpx",
        data={"file": (io.BytesIO(GPX), "t.gpx"), "difficulty": "easy"},
        headers=h,
        content_type="multipart/form-data",
    ),
    ("PATCH", "/api/v1/routes/{route_id}"): lambda c, h: (
        lambda path: c.patch(path, json={"properties": {"difficulty": "hard"}}, headers=_etag(c, path, h))
    )(_route_path()),
    ("DELETE", "/api/v1/routes/{route_id}"): lambda c, h: (lambda path: c.delete(path, headers=_etag(c, path, h)))(
        _route_path()
    ),
    ("GET", "/api/v1/routes/{route_id}/history"): lambda c, h: c.get(f"{_route_path()}/history", headers=h),
    ("POST", "/api/v1/events"): lambda c, h: c.post("/api/v1/events", json=event_feature(), headers=h),
    ("PATCH", "/api/v1/events/{event_id}"): lambda c, h: (
        lambda path: c.patch(path, json={"properties": {"price": "5 €"}}, headers=_etag(c, path, h))
    )(_event_path()),
    ("DELETE", "/api/v1/events/{event_id}"): lambda c, h: (lambda path: c.delete(path, headers=_etag(c, path, h)))(
        _event_path()
    ),
    ("GET", "/api/v1/events/{event_id}/history"): lambda c, h: c.get(f"{_event_path()}/history", headers=h),
}


def _key_path() -> str:
    return f"/api/v1/admin/api-keys/{make_key()[0].id}"


KEY_BODY = {"name": "Partenaire", "owner_email": "api@partner.test", "per_minute": 60, "per_day": 1000}
CALLS.update(
    {
        ("GET", "/api/v1/admin/api-keys"): lambda c, h: c.get("/api/v1/admin/api-keys", headers=h),
        ("POST", "/api/v1/admin/api-keys"): lambda c, h: c.post("/api/v1/admin/api-keys", json=KEY_BODY, headers=h),
        ("GET", "/api/v1/admin/api-keys/{key_id}"): lambda c, h: c.get(_key_path(), headers=h),
        ("PATCH", "/api/v1/admin/api-keys/{key_id}"): lambda c, h: c.patch(
            _key_path(), json={"status": "suspended"}, headers=h
        ),
        ("DELETE", "/api/v1/admin/api-keys/{key_id}"): lambda c, h: c.delete(_key_path(), headers=h),
        ("GET", "/api/v1/admin/api-keys/{key_id}/usage"): lambda c, h: c.get(f"{_key_path()}/usage", headers=h),
    }
)


def test_every_write_is_documented_as_secured(app):
    found = operations(app)
    assert len(found) >= 15, [f"{m} {p}" for m, p, _ in found]
    unsecured = {(m, p) for m, p, op in found if not op.get("security")}
    assert unsecured == PUBLIC_WRITES
    for method, path, op in found:
        if op.get("security"):
            assert {"401", "403"} <= set(op["responses"]), f"{method} {path} does not document 401 and 403"


def test_without_valid_credentials_every_secured_operation_is_401(app, client, admin):
    bad = bad_credentials(app, admin)
    secured = [(m, p) for m, p, op in operations(app) if (m, p) not in PUBLIC_WRITES]
    for method, path in secured:
        url = concrete(path)
        for name, headers in [("anonymous", {}), *bad.items()]:
            # A body that would fail validation, and ids that do not exist: 401 must come first.
            response = client.open(url, method=method, json={"junk": True}, headers=headers)
            body = assert_problem(response, 401)
            assert response.headers["WWW-Authenticate"].startswith("Bearer"), (method, path, name)
            assert "Traceback" not in json.dumps(body)


def test_bad_tokens_are_refused_on_public_reads_too(app, client, admin):
    for name, headers in bad_credentials(app, admin).items():
        assert client.get("/api/v1/pois/nearby?lat=50.72&lon=1.61", headers=headers).status_code == 401, name


@pytest.mark.parametrize("role", ["editor", "admin"])
def test_editors_may_do_every_write_but_manage_accounts_and_admins_may_do_all(app, client, role):
    headers = auth_headers(app, make_user(role=role))
    missing = []
    for method, path, op in operations(app):
        if (method, path) in PUBLIC_WRITES:
            continue
        call = CALLS.get((method, path))
        if call is None:
            missing.append(f"{method} {path}")
            continue
        response = call(client, headers)
        admins_only = bool(ADMIN_TAGS & set(op.get("tags", [])))
        if role == "editor" and admins_only:
            assert_problem(response, 403)
        else:
            assert 200 <= response.status_code < 300, (method, path, response.get_data(as_text=True))
    assert not missing, f"add a legitimate call for these operations to CALLS: {missing}"


def test_an_editor_token_claiming_admin_is_judged_by_the_account(app, client, editor):
    forged = jwt.encode(_claims(editor, role="admin"), app.config["TOKEN_SIGNING_KEY"], algorithm="HS256")
    headers = {"Authorization": f"Bearer {forged}"}
    assert_problem(client.get("/api/v1/users", headers=headers), 403)
    own = client.patch(f"/api/v1/users/{editor.id}", json={"role": "admin"}, headers=headers)
    assert_problem(own, 403)
    assert auth_service.get_user(user_id=editor.id).role == "editor"


def test_a_token_stops_working_when_its_account_is_disabled(app, client, admin):
    editor = make_user(role="editor")
    headers = auth_headers(app, editor)
    assert client.post("/api/v1/pois", json=poi_feature(), headers=headers).status_code == 201
    disabled = client.patch(f"/api/v1/users/{editor.id}", json={"is_active": False}, headers=auth_headers(app, admin))
    assert disabled.status_code == 200, disabled.get_data(as_text=True)
    assert_problem(client.post("/api/v1/pois", json=poi_feature(), headers=headers), 401)

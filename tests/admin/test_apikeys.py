"""The back office's API keys page (admins only): create (the key shown once), suspend, revoke, and the 30-day
usage chart drawn on the server."""

from __future__ import annotations

import re

from tests.admin.helpers import csrf_token
from tests.apikeys.helpers import forget_keys, keyed, make_key
from urbanpulse.apikeys import service


def test_editors_cannot_open_the_keys_page(editor_client):
    assert editor_client.get("/admin/api-keys/").status_code == 403


def test_admin_creates_a_key_shown_once_then_suspends_and_revokes_it(admin_client, client):
    page = admin_client.get("/admin/api-keys/")
    assert page.status_code == 200
    form = {
        "csrf_token": csrf_token(page.get_data(as_text=True)),
        "name": "Office de Wimereux",
        "owner_email": "web@wimereux.test",
        "per_minute": "60",
        "per_day": "5000",
        "allowed_origins": "https://wimereux.test\nhttps://www.wimereux.test",
        "allowed_cidrs": "",
        "groups": "pois, events",
    }
    created = admin_client.post("/admin/api-keys/", data=form)
    assert created.status_code == 201, created.get_data(as_text=True)
    html = created.get_data(as_text=True)
    key = re.search(r"upb_live_[0-9A-Za-z]{43}", html).group(0)
    record = service.list_keys()[0]
    assert record.allowed_origins == ["https://wimereux.test", "https://www.wimereux.test"]
    assert record.groups == ["events", "pois"]
    assert key not in admin_client.get("/admin/api-keys/").get_data(as_text=True)  # never shown again
    assert client.get("/api/v1/categories", headers=keyed(key, Origin="https://wimereux.test")).status_code == 200

    listing = admin_client.get("/admin/api-keys/").get_data(as_text=True)
    token = csrf_token(listing)
    suspended = admin_client.post(
        "/admin/api-keys/change", data={"csrf_token": token, "key_id": str(record.id), "action": "suspend"}
    )
    assert suspended.status_code == 302
    forget_keys()
    assert client.get("/api/v1/categories", headers=keyed(key, Origin="https://wimereux.test")).status_code == 403
    admin_client.post(
        "/admin/api-keys/change", data={"csrf_token": token, "key_id": str(record.id), "action": "revoke"}
    )
    forget_keys()
    assert client.get("/api/v1/categories", headers=keyed(key, Origin="https://wimereux.test")).status_code == 401
    assert service.get_key(key_id=record.id).status == "revoked"


def test_usage_page_draws_30_days(admin_client, client):
    record, key = make_key(name="Portail")
    for _ in range(3):
        client.get("/api/v1/categories", headers=keyed(key))
    page = admin_client.get(f"/admin/api-keys/{record.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count("<rect ") == 2 * 30 and 'id="usage-chart"' in html
    assert re.search(r"<td>pois</td><td>3</td><td>0</td><td>0</td>", html)
    assert key not in html
    assert admin_client.get("/admin/api-keys/not-a-key").status_code == 404

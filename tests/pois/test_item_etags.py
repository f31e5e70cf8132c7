"""A POI's ETag follows its body: `open_now` (which `at` changes) flips the ETag, so no stale 304; the ETag
still works as If-Match for a write."""

from __future__ import annotations

from tests.factories import make_poi

OPEN_AT = "2026-12-01T11:00:00+01:00"  # a Tuesday, 11:00 in Boulogne
CLOSED_AT = "2026-12-01T20:00:00+01:00"


def test_no_stale_304_when_open_now_flips(app, client):
    poi = make_poi(opening_hours="Mo-Su 10:00-18:00")
    url = f"/api/v1/pois/{poi.id}"
    opened = client.get(url, query_string={"at": OPEN_AT})
    assert opened.get_json()["properties"]["open_now"] is True
    closed = client.get(url, query_string={"at": CLOSED_AT}, headers={"If-None-Match": opened.headers["ETag"]})
    assert closed.status_code == 200
    assert closed.get_json()["properties"]["open_now"] is False
    assert closed.headers["ETag"] != opened.headers["ETag"]
    again = client.get(url, query_string={"at": OPEN_AT}, headers={"If-None-Match": opened.headers["ETag"]})
    assert again.status_code == 304


def test_the_read_etag_is_accepted_as_if_match(app, client, editor_headers):
    poi = make_poi(opening_hours="Mo-Su 10:00-18:00")
    url = f"/api/v1/pois/{poi.id}"
    etag = client.get(url, query_string={"at": OPEN_AT}).headers["ETag"]
    body = {"properties": {"name": {"fr": "Beffroi", "en": "Belfry"}}}
    changed = client.patch(url, json=body, headers={**editor_headers, "If-Match": etag})
    assert changed.status_code == 200, changed.get_data(as_text=True)
    stale = client.patch(url, json=body, headers={**editor_headers, "If-Match": etag})
    assert stale.status_code == 412

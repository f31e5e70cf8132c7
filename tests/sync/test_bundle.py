"""The first-install bundle: the whole published content, gzip, with its cursor, rebuilt only on change."""

from __future__ import annotations

import gzip
import json

from tests.factories import make_poi
from tests.problem import assert_problem
from tests.sync.helpers import SyncClient, published_pois

GZIP = {"Accept-Encoding": "gzip"}


def bundle(client, **params):
    return client.get("/api/v1/sync/bundle", query_string=params, headers=GZIP)


def bundle_keys(redis) -> list[bytes]:
    return sorted(key for key in redis.scan_iter("up:sync:bundle:*") if not key.endswith(b":lock"))


def test_bundle_is_the_gzipped_snapshot_with_a_cursor_that_continues(client, editor_headers):
    make_poi(1.60, 50.72, name={"fr": "Un"})
    make_poi(1.61, 50.73, name={"fr": "Deux"})
    make_poi(1.62, 50.74, name={"fr": "Brouillon"}, status="draft")
    response = bundle(client)
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.mimetype == "application/geo+json"
    assert response.headers["Cache-Control"].startswith("public, max-age=")
    assert "Accept-Encoding" in response.headers["Vary"]
    body = json.loads(gzip.decompress(response.data))
    assert body["type"] == "FeatureCollection" and body["has_more"] is False and body["removed"] == []
    names = sorted(f["properties"]["name"]["fr"] for f in body["features"])
    assert names == ["Deux", "Un"]

    # A phone installs the bundle, then syncs from its cursor: it ends with the published state.
    mirror = SyncClient(client)
    for feature in body["features"]:
        mirror.items[(feature["collection"], feature["id"])] = feature
    mirror.cursor = body["next_cursor"]
    later = make_poi(1.63, 50.75, name={"fr": "Trois"})
    mirror.sync()
    assert mirror.copy() == published_pois(client)
    assert str(later.id) in mirror.copy()


def test_bundle_is_cached_until_the_content_changes(client, redis, editor_headers):
    poi = make_poi(name={"fr": "Avant"})
    first = bundle(client)
    keys = bundle_keys(redis)
    assert len(keys) == 1
    again = bundle(client)
    assert again.data == first.data and again.headers["ETag"] == first.headers["ETag"]
    assert bundle_keys(redis) == keys
    not_modified = client.get("/api/v1/sync/bundle", headers={**GZIP, "If-None-Match": first.headers["ETag"]})
    assert not_modified.status_code == 304 and not_modified.data == b""

    etag = client.get(f"/api/v1/pois/{poi.id}").headers["ETag"]
    patched = client.patch(
        f"/api/v1/pois/{poi.id}",
        json={"properties": {"name": {"fr": "Après"}}},
        headers={**editor_headers, "If-Match": etag},
    )
    assert patched.status_code == 200
    changed = bundle(client)
    assert changed.headers["ETag"] != first.headers["ETag"]
    (feature,) = json.loads(gzip.decompress(changed.data))["features"]
    assert feature["properties"]["name"]["fr"] == "Après"
    assert len(bundle_keys(redis)) == 2


def test_bundle_without_gzip_and_in_one_language(client):
    make_poi(name={"fr": "Beffroi", "nl": "Belfort"})
    plain = client.get("/api/v1/sync/bundle", query_string={"lang": "nl"})
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    assert plain.headers["Content-Language"] == "nl"
    body = plain.get_json()
    assert body["features"][0]["properties"]["name"] == "Belfort" and body["lang"] == "nl"
    gzipped = client.get("/api/v1/sync/bundle", query_string={"lang": "nl"}, headers=GZIP)
    assert gzip.decompress(gzipped.data) == plain.data
    assert gzipped.headers["ETag"] != plain.headers["ETag"]  # one strong ETag per representation
    # The bundle's cursor is bound to its language, like a page's.
    follow = client.get("/api/v1/sync", query_string={"since": body["next_cursor"], "lang": "nl"})
    assert follow.status_code == 200 and follow.get_json()["features"] == []
    assert_problem(client.get("/api/v1/sync/bundle", query_string={"lang": "es"}), 422, "lang")

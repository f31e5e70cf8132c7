"""No stale tile after an edit: exactly the tiles a write touches are invalidated, on every write path."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.factories import make_poi
from tests.tiles.helpers import features, lonlat, tile_of
from urbanpulse.tiles import cache
from urbanpulse.tiles.grid import MAX_ZOOM

# Far from Boulogne: other test runs sharing this Redis database write there, and their writes bump the
# versions of the tiles they touch; out here only the zoom-0 tile is shared with them.
STREET_TILE = tile_of(-25.0, -45.0, 16)
HERE = lonlat(16, *STREET_TILE, [2048, 2048])  # the middle of a zoom-16 tile
NEIGHBOUR = lonlat(16, *STREET_TILE, [1000, 2048])  # same zoom-16 tile
THERE = lonlat(16, STREET_TILE[0] + 3, STREET_TILE[1] + 2, [2048, 2048])  # another zoom-16 tile, same zoom-9 one
FAR = (-23.2, -45.3)  # 150 km away


@pytest.fixture
def poi(app):
    """A published POI, a neighbour in the same street tile, and one 150 km away."""
    make_poi(*NEIGHBOUR, name={"fr": "Voisin"}, category="museum")
    make_poi(*FAR, name={"fr": "Lointain"}, category="museum")
    return make_poi(*HERE, name={"fr": "Beffroi", "en": "Belfry"})


def patch(client, headers, poi_id, **body):
    etag = client.get(f"/api/v1/pois/{poi_id}", headers=headers).headers["ETag"]
    response = client.patch(f"/api/v1/pois/{poi_id}", json=body, headers={**headers, "If-Match": etag})
    assert response.status_code == 200, response.get_json()


def versions(redis, lon: float, lat: float) -> dict[int, bytes]:
    """The version of the tile holding (lon, lat) at zooms 1-22 (created on first look, as readers do)."""
    found = {}
    for z in range(1, MAX_ZOOM + 1):
        x, y = tile_of(lon, lat, z)
        cache.lookup(z, x, y, "probe")
        found[z] = redis.get(cache.tile_version_key(z, x, y))
    return found


def names(client, z: int, lon: float, lat: float, **params) -> set[str]:
    """Names in the POI layer (requested alone: its cache variant is then `pois:*:<lang>`)."""
    found = features(client, z, *tile_of(lon, lat, z), layers="pois", **params)
    return {f["properties"].get("name") for f in found}


def cached(z: int, lon: float, lat: float, variant: str) -> bool:
    return cache.lookup(z, *tile_of(lon, lat, z), variant)[1] is not None


def test_an_edit_invalidates_its_tiles_at_every_zoom_and_no_other(client, editor_headers, redis, poi):
    assert names(client, 16, *HERE, lang="en") == {"Belfry", "Voisin"}
    assert names(client, 16, *FAR, lang="en") == {"Lointain"}
    assert cached(16, *HERE, "pois:*:en") and cached(16, *FAR, "pois:*:en")
    before_here, before_far = versions(redis, *HERE), versions(redis, *FAR)

    patch(client, editor_headers, poi.id, properties={"name": {"en": "The Belfry"}})

    after_here, after_far = versions(redis, *HERE), versions(redis, *FAR)
    assert all(after_here[z] != before_here[z] for z in range(1, MAX_ZOOM + 1))
    shared = {z for z in range(1, MAX_ZOOM + 1) if tile_of(*FAR, z) == tile_of(*HERE, z)}
    assert shared == set(range(1, 6))  # 150 km apart: the same tiles up to zoom 5 only
    assert all(after_far[z] == before_far[z] for z in range(1, MAX_ZOOM + 1) if z not in shared)
    assert all(after_far[z] != before_far[z] for z in shared)
    assert cached(16, *FAR, "pois:*:en")  # untouched: still served from the cache
    assert not cached(16, *HERE, "pois:*:en")
    assert names(client, 16, *HERE, lang="en") == {"The Belfry", "Voisin"}


def test_a_change_tiles_do_not_show_leaves_them_cached(client, editor_headers, redis, poi):
    names(client, 16, *HERE)
    before = versions(redis, *HERE)
    patch(client, editor_headers, poi.id, properties={"description": {"fr": "Nouveau texte"}, "tags": ["unesco"]})
    assert versions(redis, *HERE) == before
    assert cached(16, *HERE, "pois:*:fr")


def test_moving_a_poi_refreshes_the_old_and_the_new_tiles(client, editor_headers, poi):
    there = THERE
    assert tile_of(*there, 16) != tile_of(*HERE, 16) and tile_of(*there, 9) == tile_of(*HERE, 9)
    assert names(client, 16, *HERE) == {"Beffroi", "Voisin"}
    assert names(client, 16, *there) == set()
    x, y = tile_of(*HERE, 9)
    before = sum(f["properties"]["count"] for f in features(client, 9, x, y))
    patch(client, editor_headers, poi.id, geometry={"type": "Point", "coordinates": list(there)})
    assert names(client, 16, *HERE) == {"Voisin"}
    assert names(client, 16, *there) == {"Beffroi"}
    assert sum(f["properties"]["count"] for f in features(client, 9, x, y)) == before  # same z9 tile


def test_unpublish_republish_and_delete_show_at_once(client, editor_headers, poi):
    x, y = tile_of(*HERE, 12)
    count = lambda: sum(f["properties"]["count"] for f in features(client, 12, x, y))  # noqa: E731
    assert count() == 2 and "Beffroi" in names(client, 16, *HERE)
    patch(client, editor_headers, poi.id, properties={"status": "draft"})
    assert count() == 1 and names(client, 16, *HERE) == {"Voisin"}
    patch(client, editor_headers, poi.id, properties={"status": "published"})
    assert count() == 2 and "Beffroi" in names(client, 16, *HERE)
    etag = client.get(f"/api/v1/pois/{poi.id}").headers["ETag"]
    assert client.delete(f"/api/v1/pois/{poi.id}", headers={**editor_headers, "If-Match": etag}).status_code == 204
    assert count() == 1 and names(client, 16, *HERE) == {"Voisin"}


def test_a_tile_rendered_before_a_write_is_never_served_after_it(client, editor_headers, poi):
    """A slow reader: stamp taken, PostGIS read, then a write commits, then the reader stores its tile."""
    from urbanpulse.tiles import service
    from urbanpulse.tiles.layers import by_name
    from urbanpulse.tiles.layers.base import TileRequest

    z, (x, y) = 16, tile_of(*HERE, 16)
    stamp, _ = cache.lookup(z, x, y, "pois:*:fr")
    old = service.build([by_name()["pois"]], TileRequest(z, x, y, "fr"))
    patch(client, editor_headers, poi.id, properties={"name": {"fr": "Beffroi (après)"}})
    cache.store(z, x, y, "pois:*:fr", stamp, old)  # too late: stamped with a replaced version
    assert cache.lookup(z, x, y, "pois:*:fr")[1] is None
    assert names(client, 16, *HERE) == {"Beffroi (après)", "Voisin"}


def test_an_evicted_version_never_revives_an_old_entry(client, redis, poi):
    from urbanpulse.core.extensions import db

    assert "Beffroi" in names(client, 16, *HERE)
    x, y = tile_of(*HERE, 16)
    redis.delete(cache.tile_version_key(16, x, y))  # as allkeys-lru may do
    # A change the ORM does not see (so nothing is invalidated): only a fresh render can show it.
    db.session.execute(
        text('UPDATE pois SET name = name || \'{"fr": "Renommé en SQL"}\' WHERE id = :id'), {"id": poi.id}
    )
    db.session.commit()
    assert "Renommé en SQL" in names(client, 16, *HERE)


def test_a_no_op_write_and_a_rolled_back_one_invalidate_nothing(client, editor_headers, redis, poi):
    from urbanpulse.core.extensions import db
    from urbanpulse.pois.models import Poi

    names(client, 16, *HERE)
    before = versions(redis, *HERE)
    patch(client, editor_headers, poi.id, properties={"name": {"fr": "Beffroi"}})  # same value: no change
    row = db.session.get(Poi, poi.id)
    row.name = {"fr": "Jamais validé"}
    db.session.flush()
    db.session.rollback()
    assert versions(redis, *HERE) == before
    assert names(client, 16, *HERE) == {"Beffroi", "Voisin"}


def test_tiles_and_sync_work_without_redis(app_config, free_port, poi):
    from urbanpulse import create_app

    offline = create_app({**app_config, "REDIS_URL": f"redis://127.0.0.1:{free_port}/0", "REDIS_TIMEOUT_MS": 50})
    with offline.app_context():
        client = offline.test_client()
        assert names(client, 16, *HERE) == {"Beffroi", "Voisin"}
        assert client.get("/api/v1/sync").status_code == 200
        assert client.get("/api/v1/sync/bundle").get_json()["numberReturned"] == 3


def test_a_failing_handler_never_breaks_a_write_and_retires_every_tile(
    client, editor_headers, redis, poi, monkeypatch, caplog
):
    from urbanpulse.tiles.invalidation import TileVersions

    names(client, 16, *FAR)
    assert cached(16, *FAR, "pois:*:fr")

    def broken(self, changes, effects):
        raise ValueError("cannot read this geometry")

    monkeypatch.setattr(TileVersions, "changed", broken)
    patch(client, editor_headers, poi.id, properties={"name": {"fr": "Écrit malgré tout"}})
    assert client.get(f"/api/v1/pois/{poi.id}").get_json()["properties"]["name"]["fr"] == "Écrit malgré tout"
    assert not cached(16, *FAR, "pois:*:fr")  # every tile retired, even far away
    assert "every tile will be retired" in caplog.text

"""Sync of routes and events: their own changes, and the changes of the POIs they show (stops, venues)."""

from __future__ import annotations

from sqlalchemy import text

from tests.events.helpers import make_event
from tests.factories import make_poi
from tests.routes.factories import make_route, stops_for, walk
from tests.sync.helpers import SyncClient, published_pois

COLLECTIONS = {"routes": "/api/v1/routes", "events": "/api/v1/events"}
DROPPED = {"events": "next_occurrence"}  # time-dependent: the offline copy expands the schedule itself


def published(client, collection: str) -> dict[str, dict]:
    """Every item of a collection the public can GET, as the API serves it, by id."""
    from urbanpulse.core.extensions import db

    table = {"routes": "routes", "events": "events"}[collection]
    ids = db.session.scalars(text(f"SELECT id::text FROM {table}")).all()
    found = {}
    for item_id in ids:
        response = client.get(f"{COLLECTIONS[collection]}/{item_id}")
        if response.status_code == 200:
            feature = response.get_json()
            feature["properties"].pop(DROPPED.get(collection, ""), None)
            found[item_id] = feature
    return found


def patch(client, headers, path: str, **body) -> None:
    etag = client.get(path, headers=headers).headers["ETag"]
    response = client.patch(path, json=body, headers={**headers, "If-Match": etag})
    assert response.status_code == 200, response.get_json()


def delete(client, headers, path: str) -> None:
    etag = client.get(path, headers=headers).headers["ETag"]
    assert client.delete(path, headers={**headers, "If-Match": etag}).status_code == 204


def assert_mirrors(mirror: SyncClient, client) -> None:
    assert mirror.copy("pois") == published_pois(client)
    for collection in COLLECTIONS:
        assert mirror.copy(collection) == published(client, collection), collection
    for feature in mirror.received:
        props = feature["properties"]
        assert props.get("status", "published") == "published" or props.get("publication") == "published"


def test_routes_and_events_follow_their_own_changes_and_their_pois(client, editor_headers):
    line = walk()
    stop_a, stop_b = make_poi(*line[1], name={"fr": "Arrêt A"}), make_poi(*line[2], name={"fr": "Arrêt B"})
    venue = make_poi(1.6146, 50.7259, name={"fr": "Beffroi"})
    route = make_route(line, stops=stops_for([stop_a, stop_b]))
    draft_route = make_route(walk(legs=((0, 500),)), name={"fr": "Parcours brouillon"}, status="draft")
    at_venue = make_event(venue_poi_id=str(venue.id), title={"fr": "Concert au beffroi"})
    outdoors = make_event(title={"fr": "Marché"})
    draft_event = make_event(title={"fr": "Fête en préparation"}, publication="draft")

    mirror = SyncClient(client)
    mirror.sync(limit=3)
    assert_mirrors(mirror, client)
    assert {("routes", str(route.id)), ("events", str(at_venue.id)), ("events", str(outdoors.id))} <= set(mirror.items)
    assert ("routes", str(draft_route.id)) not in mirror.items and ("events", str(draft_event.id)) not in mirror.items

    # A POI's change reaches the routes that stop there and the events it hosts.
    patch(client, editor_headers, f"/api/v1/pois/{stop_a.id}", properties={"name": {"fr": "Arrêt A renommé"}})
    patch(
        client, editor_headers, f"/api/v1/pois/{venue.id}", geometry={"type": "Point", "coordinates": [1.6150, 50.7262]}
    )
    mirror.sync()
    stops = mirror.items[("routes", str(route.id))]["properties"]["stops"]
    assert stops[0]["name"]["fr"] == "Arrêt A renommé"
    assert mirror.items[("events", str(at_venue.id))]["geometry"]["coordinates"] == [1.6150, 50.7262]
    assert_mirrors(mirror, client)

    # A stop whose POI leaves the public view leaves the route too.
    patch(client, editor_headers, f"/api/v1/pois/{stop_b.id}", properties={"status": "draft"})
    mirror.sync()
    assert [s["poi_id"] for s in mirror.items[("routes", str(route.id))]["properties"]["stops"]] == [str(stop_a.id)]

    delete(client, editor_headers, f"/api/v1/routes/{route.id}")
    patch(client, editor_headers, f"/api/v1/events/{outdoors.id}", properties={"publication": "draft"})
    patch(client, editor_headers, f"/api/v1/events/{draft_event.id}", properties={"publication": "published"})
    patch(client, editor_headers, f"/api/v1/routes/{draft_route.id}", properties={"name": {"fr": "Toujours brouillon"}})
    mirror.sync()
    assert_mirrors(mirror, client)
    removed = {(t["type"], t["id"]) for t in mirror.tombstones}
    assert removed >= {("routes", str(route.id)), ("events", str(outdoors.id))}
    assert ("routes", str(draft_route.id)) not in removed  # never published: no tombstone
    assert ("events", str(draft_event.id)) in mirror.items


def test_a_cursor_for_routes_only_still_sees_their_pois_change(client, editor_headers):
    line = walk()
    stop = make_poi(*line[1], name={"fr": "Arrêt"})
    route = make_route(line, stops=stops_for([stop]))
    mirror = SyncClient(client, types="routes")
    mirror.sync()
    assert set(mirror.items) == {("routes", str(route.id))}
    patch(client, editor_headers, f"/api/v1/pois/{stop.id}", properties={"name": {"fr": "Arrêt renommé"}})
    mirror.sync()
    assert set(mirror.items) == {("routes", str(route.id))}  # the POI itself is not in this copy
    assert mirror.items[("routes", str(route.id))]["properties"]["stops"][0]["name"]["fr"] == "Arrêt renommé"
    response = client.get("/api/v1/sync", query_string={"since": mirror.cursor, "types": "routes,events"})
    assert response.status_code == 422 and response.get_json()["errors"][0]["field"] == "types"


def test_bundle_holds_every_type(client):
    import gzip
    import json

    route = make_route(walk())
    event = make_event()
    poi = make_poi()
    body = json.loads(gzip.decompress(client.get("/api/v1/sync/bundle", headers={"Accept-Encoding": "gzip"}).data))
    assert {(f["collection"], f["id"]) for f in body["features"]} == {
        ("pois", str(poi.id)),
        ("routes", str(route.id)),
        ("events", str(event.id)),
    }
    assert body["types"] == ["pois", "routes", "events"]

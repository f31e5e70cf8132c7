"""Drafts, archived and deleted items never reach the public, on any read path of any domain.

One scene holds, side by side with public content at the same place, items that were never public (draft,
archived, deleted drafts) and items that were public once (then archived, unpublished or deleted). Every
anonymous read path is asked — detail, nearby (cached and uncached), bbox, text search, route stops, event
venues, calendars, the live feed, sync, the bundle and tiles at every zoom — and none may carry their names;
their ids may only appear where a client must learn that they left (sync tombstones, feed removals).
"""

from __future__ import annotations

import gzip
import uuid

import pytest

from tests.events.helpers import make_event
from tests.factories import make_poi
from tests.routes.factories import make_route, offset, walk
from tests.tiles.helpers import tile_of
from urbanpulse.editing.actor import Actor
from urbanpulse.editing.etags import item_etag
from urbanpulse.events import service as events
from urbanpulse.pois import service as pois
from urbanpulse.routes import service as routes
from urbanpulse.tiles.grid import MAX_ZOOM

ACTOR = Actor.system("test")
SPOT = (1.6146, 50.7259)  # the belfry
SATURDAY = "2026-03-21T09:00:00"  # an occurrence of the weekly events below is under way


def _poi_update(item, **properties):
    return pois.update_poi(
        poi_id=item.id, if_match=item_etag(item.id, item.version), actor=ACTOR, properties=properties
    )


def _poi_delete(item):
    pois.delete_poi(poi_id=item.id, if_match=item_etag(item.id, item.version), actor=ACTOR)


@pytest.fixture
def scene(app):
    """Public items, never-public items (`secret`) and once-public items (`former`), all around SPOT."""
    near = [offset(*SPOT, azimuth, 60) for azimuth in range(0, 360, 30)]
    line = walk(start=offset(*SPOT, 270, 400), legs=((90, 800), (0, 300)))
    secret, former = {}, {}

    public_poi = make_poi(*near[0], name={"fr": "Phare public"})
    stop_poi = make_poi(*line[1], name={"fr": "Arret bientot cache"})
    public_route = make_route(
        line, name={"fr": "Balade publique"}, stops=[{"poi_id": str(public_poi.id)}, {"poi_id": str(stop_poi.id)}]
    )

    secret["poi-draft"] = make_poi(*near[1], name={"fr": "Secret brouillon Alpha"}, status="draft")
    secret["poi-archived"] = make_poi(*near[2], name={"fr": "Secret archive Bravo"}, status="archived")
    deleted = make_poi(*near[3], name={"fr": "Secret efface Charlie"}, status="draft")
    _poi_delete(deleted)
    secret["poi-deleted"] = deleted
    # The published route keeps a stop whose POI is now a draft: the stop must vanish for the public.
    secret["poi-stop-now-draft"] = _poi_update(stop_poi, name={"fr": "Secret arret Foxtrot"}, status="draft")
    former["poi-archived-later"] = _poi_update(make_poi(*near[4], name={"fr": "Ancien Delta"}), status="archived")
    gone = make_poi(*near[5], name={"fr": "Ancien Echo"})
    _poi_delete(gone)
    former["poi-deleted-later"] = gone

    secret["route-draft"] = make_route(line, name={"fr": "Secret parcours Golf"}, status="draft")
    hidden_route = make_route(line, name={"fr": "Secret parcours Hotel"}, status="draft")
    routes.delete_route(route_id=hidden_route.id, if_match=item_etag(hidden_route.id, 1), actor=ACTOR)
    secret["route-deleted"] = hidden_route
    unpublished = make_route(line, name={"fr": "Ancien parcours Lima"})
    former["route-unpublished"] = routes.update_route(
        route_id=unpublished.id, if_match=item_etag(unpublished.id, 1), actor=ACTOR, properties={"status": "draft"}
    )

    at_draft_venue = make_event(title={"fr": "Fete publique au lieu cache"}, venue_poi_id=str(secret["poi-draft"].id))
    at_archived_venue = make_event(
        title={"fr": "Fete publique lieu archive"}, venue_poi_id=str(secret["poi-archived"].id)
    )
    secret["event-draft"] = make_event(title={"fr": "Secret fete India"}, publication="draft", lon=SPOT[0], lat=SPOT[1])
    hidden_event = make_event(title={"fr": "Secret fete Juliet"}, publication="draft", lon=SPOT[0], lat=SPOT[1])
    events.delete_event(event_id=hidden_event.id, if_match=item_etag(hidden_event.id, 1), actor=ACTOR)
    secret["event-deleted"] = hidden_event
    unpublished_event = make_event(title={"fr": "Ancienne fete Kilo"}, lon=SPOT[0], lat=SPOT[1])
    former["event-unpublished"] = events.update_event(
        event_id=unpublished_event.id,
        if_match=item_etag(unpublished_event.id, 1),
        actor=ACTOR,
        properties={"publication": "draft"},
    )
    public = {
        "points": [SPOT, *near, *(tuple(point) for point in line)],
        "poi": public_poi,
        "route": public_route,
        "events": [at_draft_venue, at_archived_venue],
    }
    return public, secret, former


def names(items: dict) -> dict[str, str]:
    return {
        key: (item.name or item.title if hasattr(item, "title") else item.name)["fr"] for key, item in items.items()
    }


def title_or_name(item) -> str:
    return (getattr(item, "title", None) or item.name)["fr"]


def anonymous_reads(client, public) -> dict[str, bytes]:
    """Every public read path around SPOT, by label: the raw bodies (decompressed)."""
    lon, lat = SPOT
    route, (event, _) = public["route"], public["events"]
    paths = {
        "nearby-cached": f"/api/v1/pois/nearby?lat={lat}&lon={lon}&radius=3000&limit=100",
        "nearby-cached-lang": f"/api/v1/pois/nearby?lat={lat}&lon={lon}&radius=3000&limit=100&lang=en",
        "nearby-text": f"/api/v1/pois/nearby?lat={lat}&lon={lon}&radius=3000&q=secret",
        "nearby-open": f"/api/v1/pois/nearby?lat={lat}&lon={lon}&radius=3000&open_now=true",
        "bbox": "/api/v1/pois?bbox=1.58,50.71,1.65,50.75&limit=100",
        "search": "/api/v1/pois?q=secret",
        "search-former": "/api/v1/pois?q=ancien",
        "routes": "/api/v1/routes?limit=100",
        "routes-nearby": f"/api/v1/routes/nearby?lat={lat}&lon={lon}&radius=3000",
        "route": f"/api/v1/routes/{route.id}",
        "route-gpx": f"/api/v1/routes/{route.id}/gpx",
        "route-progress": f"/api/v1/routes/{route.id}/progress?lat={lat}&lon={lon}",
        "events": "/api/v1/events?from=2026-03-01&to=2026-05-01&limit=500",
        "events-near": f"/api/v1/events?from=2026-03-01&to=2026-05-01&lat={lat}&lon={lon}&radius=3000",
        "events-now": f"/api/v1/events/now?at={SATURDAY}&lat={lat}&lon={lon}",
        "event": f"/api/v1/events/{event.id}",
        "event-occurrences": f"/api/v1/events/{event.id}/occurrences?from=2026-03-01&to=2026-05-01",
        "events-ics": "/api/v1/events.ics?from=2026-03-01&to=2026-05-01",
        "event-ics": f"/api/v1/events/{event.id}.ics",
        "bundle": "/api/v1/sync/bundle",
        "bundle-fr": "/api/v1/sync/bundle?lang=fr",
    }
    bodies = {}
    for label, path in paths.items():
        response = client.get(path)
        assert response.status_code == 200, (label, response.get_data(as_text=True))
        bodies[label] = response.data
    cursor, page = None, 0
    while page < 50:  # every page of the delta sync from scratch
        response = client.get("/api/v1/sync", query_string={"limit": 3, **({"since": cursor} if cursor else {})})
        assert response.status_code == 200
        bodies[f"sync-{page}"] = response.data
        body, page = response.get_json(), page + 1
        cursor = body["next_cursor"]
        if not body["has_more"]:
            break
    for z in range(MAX_ZOOM + 1):  # every tile showing any item of the scene, at every zoom
        shown = {tile_of(*point, z) for point in public["points"]}
        for index, (x, y) in enumerate(sorted(shown)):
            for query in ("", "?lang=en") if z in (12, 16) else ("",):
                response = client.get(f"/api/v1/tiles/{z}/{x}/{y}.mvt{query}", headers={"Accept-Encoding": "gzip"})
                assert response.status_code in (200, 204)
                body = gzip.decompress(response.data) if response.data else b""
                bodies[f"tile-{z}{query}" if index == 0 else f"tile-{z}/{x}/{y}{query}"] = body
                if index:
                    bodies[f"tile-{z}{query}"] += body
    return bodies


def live_feed(app, client) -> bytes:
    saved = {k: app.config[k] for k in ("EVENTS_STREAM_MAX_S", "EVENTS_STREAM_HEARTBEAT_S")}
    app.config.update(EVENTS_STREAM_MAX_S=0.3, EVENTS_STREAM_HEARTBEAT_S=0.1)
    try:
        response = client.get("/api/v1/events/stream", headers={"Last-Event-ID": "0-0"})  # replay everything
        assert response.status_code == 200
        return response.data
    finally:
        app.config.update(saved)


def test_nothing_unpublished_leaks_through_any_read_path(app, client, scene, editor_headers):
    public, secret, former = scene
    bodies = anonymous_reads(client, public)
    bodies["live-feed"] = live_feed(app, client)

    # The scene is really there: public items are served, and editors see the hidden ones.
    assert public["poi"].id.hex[:8].encode() in bodies["nearby-cached"] and b"Balade publique" in bodies["routes"]
    assert b"Fete publique au lieu cache" in bodies["events"]
    assert b"Phare public" in bodies["tile-16"] and b"Balade publique" in bodies["tile-14"]
    for item in secret["poi-draft"], secret["poi-archived"]:
        assert client.get(f"/api/v1/pois/{item.id}", headers=editor_headers).status_code == 200

    secret_ids = {str(item.id).encode() for item in secret.values()}
    hidden_names = {title_or_name(item).encode() for item in (*secret.values(), *former.values())}
    former_ids = {str(item.id).encode() for item in former.values()}
    for label, body in bodies.items():
        for name in hidden_names:
            assert name not in body, f"{name!r} leaks through {label}"
        for item_id in secret_ids:
            assert item_id not in body, f"never-public {item_id!r} leaks through {label}"
        if not label.startswith(("sync-", "live-feed")):  # where removals are announced, by id only
            for item_id in former_ids:
                assert item_id not in body, f"former {item_id!r} leaks through {label}"

    # Each hidden item is a 404 on its own paths, as if it did not exist.
    for item in (*secret.values(), *former.values()):
        kind = type(item).__name__.lower()
        base = {"poi": "/api/v1/pois", "route": "/api/v1/routes", "event": "/api/v1/events"}[kind]
        suffixes = {"poi": [""], "route": ["", "/gpx", f"/progress?lat={SPOT[1]}&lon={SPOT[0]}"]}
        suffixes["event"] = ["", "/occurrences", ".ics"]
        for suffix in suffixes[kind]:
            assert client.get(f"{base}/{item.id}{suffix}").status_code == 404, (kind, suffix)

    # A public event at a hidden venue shows neither the venue nor its position.
    for event in public["events"]:
        feature = client.get(f"/api/v1/events/{event.id}").get_json()
        assert feature["geometry"] is None and feature["properties"]["venue"] is None
    # The public route's stop whose POI became a draft is left out of its stops.
    stops = client.get(f"/api/v1/routes/{public['route'].id}").get_json()["properties"]["stops"]
    assert [stop["poi_id"] for stop in stops] == [str(public["poi"].id)]


def test_asking_for_unpublished_items_needs_an_editor(client, scene):
    for path in (
        "/api/v1/pois?status=draft",
        "/api/v1/pois?status=archived",
        "/api/v1/routes?status=draft",
        "/api/v1/events?publication=draft",
        "/api/v1/events?publication=all",
        "/api/v1/events.ics?publication=draft",
    ):
        assert client.get(path).status_code == 401, path
    assert client.get(f"/api/v1/pois/{uuid.uuid4()}").status_code == 404

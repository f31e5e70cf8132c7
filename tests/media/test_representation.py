"""Photos as POIs, routes (and their stops) and events show them, in sync and bundle, and as tile covers."""

from __future__ import annotations

import gzip
import json

from tests.events.helpers import make_event
from tests.factories import make_poi
from tests.media.helpers import etag_of, media_url, run_jobs, upload
from tests.media.images import jpeg
from tests.routes.factories import make_route, stops_for, walk
from tests.sync.helpers import SyncClient
from tests.tiles.helpers import features, tile_of


def _in_days(days: int, hours: int = 0) -> str:
    """A local wall time `days` days from now (plus `hours`), as event bodies take it."""
    from datetime import datetime, timedelta

    from urbanpulse.pois.hours import CITY_ZONE

    moment = datetime.now(CITY_ZONE).replace(hour=10, minute=0, second=0, microsecond=0)
    return (moment + timedelta(days=days, hours=hours)).replace(tzinfo=None).isoformat()


RIGHTS = {"credit": "Office de tourisme", "licence": "CC BY 4.0", "alt_fr": "Le port", "alt_en": "The harbour"}
KEYS = {"id", "width", "height", "alt", "caption", "credit", "licence", "cover", "status", "sizes"}


def _photograph(client, headers, item_id, kind="pois") -> dict:
    response = upload(client, item_id, headers, (jpeg(1400, 900), "a.jpg", "image/jpeg"), kind=kind, **RIGHTS)
    assert response.status_code == 201, response.get_data(as_text=True)
    run_jobs(client.application)
    return client.get(media_url(item_id, kind=kind), headers=headers).get_json()["media"][0]


def _check_served(image: dict, lang: str | None = "en") -> None:
    assert set(image) == KEYS and image["status"] == "ready"
    assert image["alt"] == ("The harbour" if lang == "en" else {"fr": "Le port", "en": "The harbour"})
    assert (image["credit"], image["licence"], image["width"], image["height"]) == (
        "Office de tourisme",
        "CC BY 4.0",
        1400,
        900,
    )
    assert {(size["width"], size["format"]) for size in image["sizes"]} == {
        (w, f) for w in (320, 640, 1280) for f in ("webp", "jpeg")
    }
    assert all(
        size["url"].startswith("/api/v1/media/files/") and set(size) == {"width", "format", "url"}
        for size in image["sizes"]
    )


def test_a_poi_shows_its_photos_everywhere_it_is_read(app, client, editor_headers, local_store):
    poi = make_poi(1.6146, 50.7259)
    poi_id = poi.id
    _photograph(client, editor_headers, poi_id)
    [image] = client.get(f"/api/v1/pois/{poi_id}?lang=en").get_json()["properties"]["media"]
    _check_served(image)
    nearby = client.get("/api/v1/pois/nearby?lat=50.7259&lon=1.6146&radius=100&lang=en").get_json()
    _check_served(nearby["features"][0]["properties"]["media"][0])
    listed = client.get("/api/v1/pois?bbox=1.6,50.7,1.7,50.8&lang=en").get_json()
    _check_served(listed["features"][0]["properties"]["media"][0])
    # Sync carries the list (not the bytes), delta and bundle alike.
    mirror = SyncClient(client)
    mirror.sync()
    _check_served(mirror.items[("pois", str(poi_id))]["properties"]["media"][0], lang=None)
    bundle = json.loads(gzip.decompress(client.get("/api/v1/sync/bundle", headers={"Accept-Encoding": "gzip"}).data))
    _check_served(bundle["features"][0]["properties"]["media"][0], lang=None)
    # The tile carries the cover's thumbnail.
    x, y = tile_of(1.6146, 50.7259, 16)
    [tiled] = features(client, 16, x, y)
    thumbnail = next(s for s in image["sizes"] if s["width"] == 320 and s["format"] == "webp")
    assert tiled["properties"]["cover"] == thumbnail["url"]


def test_a_photo_change_reaches_a_cached_tile_and_a_syncing_phone(app, client, editor_headers, local_store):
    poi_id = make_poi(1.6146, 50.7259).id
    x, y = tile_of(1.6146, 50.7259, 16)
    assert "cover" not in features(client, 16, x, y)[0]["properties"]
    mirror = SyncClient(client)
    mirror.sync()
    assert mirror.items[("pois", str(poi_id))]["properties"]["media"] == []
    image = _photograph(client, editor_headers, poi_id)
    assert features(client, 16, x, y)[0]["properties"]["cover"].endswith(".webp")
    mirror.sync()
    assert mirror.items[("pois", str(poi_id))]["properties"]["media"][0]["id"] == image["id"]


def test_routes_and_their_stops_show_photos(app, client, editor_headers, local_store):
    coordinates = walk()
    stop_poi = make_poi(*coordinates[1])
    stop_id = stop_poi.id
    route_id = make_route(coordinates, stops=stops_for([stop_poi])).id
    _photograph(client, editor_headers, route_id, kind="routes")
    _photograph(client, editor_headers, stop_id)
    route = client.get(f"/api/v1/routes/{route_id}?lang=en").get_json()["properties"]
    _check_served(route["media"][0])
    [stop] = route["stops"]
    _check_served(stop["media"][0])
    assert stop["cover_url"].endswith(".webp")
    listed = client.get("/api/v1/routes?lang=en").get_json()["features"][0]["properties"]
    _check_served(listed["media"][0])


def test_events_show_photos_and_occurrences_their_cover(app, client, editor_headers, local_store):
    event_id = make_event().id
    _photograph(client, editor_headers, event_id, kind="events")
    event = client.get(f"/api/v1/events/{event_id}?lang=en").get_json()["properties"]
    _check_served(event["media"][0])
    window = client.get("/api/v1/events?from=2026-03-20&to=2026-04-20&lang=en").get_json()
    assert window["features"] and all(f["properties"]["cover_url"].endswith(".webp") for f in window["features"])
    # The events tile layer (the next 30 days) carries the cover's thumbnail.
    upcoming = make_event(starts_at=_in_days(2), ends_at=_in_days(2, hours=2), rrule=None)
    upcoming_id = upcoming.id
    cover = _photograph(client, editor_headers, upcoming_id, kind="events")
    x, y = tile_of(1.60722, 50.72333, 16)
    [tiled] = [f for f in features(client, 16, x, y, layer="events") if f["properties"]["id"] == str(upcoming_id)]
    assert tiled["properties"]["cover"] == next(
        s["url"] for s in cover["sizes"] if s["width"] == 320 and s["format"] == "webp"
    )


def test_an_item_without_photos_has_an_empty_list_and_no_cover(app, client, editor_headers, local_store):
    poi_id = make_poi().id
    assert client.get(f"/api/v1/pois/{poi_id}").get_json()["properties"]["media"] == []
    assert etag_of(client, poi_id, editor_headers) == f'"{poi_id}.1"'

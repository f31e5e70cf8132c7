"""The routes and events layers: simplified lines, events of the coming days, invalidation through edits."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.events.helpers import make_event
from tests.factories import make_poi
from tests.routes.factories import make_route, offset, walk
from tests.tiles.helpers import decode, features, tile_of, url
from urbanpulse.pois.hours import CITY_ZONE

START = (1.6000, 50.7300)


def zigzag(points: int = 400, step_m: float = 10, swing_m: float = 4) -> list[list[float]]:
    """A line heading east with a small sideways wiggle at every vertex (GPS-track-like)."""
    line = [list(START)]
    for i in range(points):
        lon, lat = offset(*line[-1], 90, step_m)
        line.append(list(offset(lon, lat, 0 if i % 2 else 180, swing_m)))
    return line


def vertices(feature: dict) -> int:
    geometry = feature["geometry"]
    if geometry["type"] == "LineString":
        return len(geometry["coordinates"])
    return sum(len(part) for part in geometry["coordinates"])


def test_route_lines_carry_their_labels_and_are_simplified_per_zoom(client):
    route = make_route(zigzag(), name={"fr": "Sentier côtier", "en": "Coastal path"}, kind="walk", theme="nature")
    counts = {}
    for z in (11, 12, 16, 18):
        x, y = tile_of(*START, z)
        (line,) = features(client, z, x, y, layer="routes", lang="en")
        assert line["properties"] == {
            "id": str(route.id),
            "slug": route.slug,
            "name": "Coastal path",
            "kind": "walk",
            "theme": "nature",
            "difficulty": "easy",
            "length_m": round(route.length_m),
            "is_loop": False,
        }
        counts[z] = vertices(line)
    # Zooms 11 and 12: the whole 4 km line in one tile, its 4 m wiggle below a pixel: a straight line.
    assert counts[11] <= 4 and counts[12] <= 4
    # Street zooms: every 10 m vertex of the part in the tile is kept (a z16 tile is about 380 m wide here).
    assert counts[16] >= 30 and counts[18] >= 8


def test_a_route_edit_refreshes_the_tiles_of_its_old_and_new_line(client, editor_headers):
    route = make_route(walk())
    there = (1.6500, 50.7700)
    x, y = tile_of(*START, 15)
    assert [f["properties"]["name"] for f in features(client, 15, x, y, layer="routes")] == ["Balade d'essai"]
    etag = client.get(f"/api/v1/routes/{route.id}", headers=editor_headers).headers["ETag"]
    moved = client.patch(
        f"/api/v1/routes/{route.id}",
        json={
            "geometry": {"type": "LineString", "coordinates": walk(start=there)},
            "properties": {"name": {"fr": "Ailleurs"}},
        },
        headers={**editor_headers, "If-Match": etag},
    )
    assert moved.status_code == 200, moved.get_json()
    assert features(client, 15, x, y, layer="routes") == []
    nx, ny = tile_of(*there, 15)
    assert [f["properties"]["name"] for f in features(client, 15, nx, ny, layer="routes")] == ["Ailleurs"]


def test_events_of_the_coming_days_at_their_place(client):
    today = datetime.now(CITY_ZONE).replace(microsecond=0)
    soon = (today + timedelta(days=2)).replace(hour=20, minute=0, second=0)
    later = today + timedelta(days=60)
    venue = make_poi(1.6146, 50.7259, name={"fr": "Beffroi"})
    concert = make_event(
        venue_poi_id=str(venue.id),
        title={"fr": "Concert", "en": "Concert night"},
        category="concert",
        starts_at=soon.replace(tzinfo=None).isoformat(),
        ends_at=(soon + timedelta(hours=2)).replace(tzinfo=None).isoformat(),
        rrule=None,
    )
    make_event(
        lon=1.6146,
        lat=50.7259,
        title={"fr": "Trop tard"},
        starts_at=later.replace(tzinfo=None).isoformat(),
        ends_at=(later + timedelta(hours=1)).replace(tzinfo=None).isoformat(),
        rrule=None,
    )
    make_event(lon=1.6146, lat=50.7259, title={"fr": "Brouillon"}, publication="draft")
    x, y = tile_of(1.6146, 50.7259, 16)
    (shown,) = features(client, 16, x, y, layer="events", lang="en")
    assert shown["properties"] == {
        "id": str(concert.id),
        "name": "Concert night",
        "category": "concert",
        "status": "scheduled",
        "starts_at": soon.isoformat(),
        "venue_id": str(venue.id),
    }
    only_events = decode(client.get(url(16, x, y, layers="events")).data)
    assert set(only_events) == {"events"}


def test_moving_a_venue_moves_its_events_in_the_tiles(client, editor_headers):
    venue = make_poi(1.6146, 50.7259, name={"fr": "Beffroi"})
    event = make_event(venue_poi_id=str(venue.id))  # every Saturday: always within the window
    here, there = tile_of(1.6146, 50.7259, 16), tile_of(1.5854, 50.7315, 16)
    assert [f["properties"]["id"] for f in features(client, 16, *here, layer="events")] == [str(event.id)]
    assert features(client, 16, *there, layer="events") == []
    etag = client.get(f"/api/v1/pois/{venue.id}").headers["ETag"]
    response = client.patch(
        f"/api/v1/pois/{venue.id}",
        json={"geometry": {"type": "Point", "coordinates": [1.5854, 50.7315]}},
        headers={**editor_headers, "If-Match": etag},
    )
    assert response.status_code == 200
    assert features(client, 16, *here, layer="events") == []
    assert [f["properties"]["id"] for f in features(client, 16, *there, layer="events")] == [str(event.id)]
    etag = client.get(f"/api/v1/events/{event.id}", headers=editor_headers).headers["ETag"]
    response = client.patch(
        f"/api/v1/events/{event.id}",
        json={"geometry": {"type": "Point", "coordinates": [1.6146, 50.7259]}, "properties": {"venue_poi_id": None}},
        headers={**editor_headers, "If-Match": etag},
    )
    assert response.status_code == 200, response.get_json()
    assert [f["properties"]["id"] for f in features(client, 16, *here, layer="events")] == [str(event.id)]
    assert features(client, 16, *there, layer="events") == []

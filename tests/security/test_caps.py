"""Every read has caps: radius, bbox area, limit, time window, zoom. Past them: a 422 naming the parameter.

Just inside each cap the request is served (200/204), so a test failing here is a cap that moved, not a
parameter that stopped working.
"""

from __future__ import annotations

import pytest

from tests.problem import assert_problem

# The documented caps, pinned here (not read from the code under test, so a moved cap fails this test).
MAX_RADIUS_M = 50_000  # README: nearby radius max 50000
EVENTS_MAX_RADIUS_M = 50_000
MAX_LIMIT = 100  # POIs and routes
EVENTS_MAX_LIMIT = 500
MAX_SIMPLIFY_M = 1000
SYNC_MAX_LIMIT = 2000
MAX_ZOOM = 22

HERE = "lat=50.7259&lon=1.6146"
FROM = "2026-12-01T00:00:00"
# README: an events window is at most 366 days. 2026 has 365 days, so 2026-01-01 + 366 days is 2027-01-02.
PAST_WINDOW = "from=2026-01-01&to=2027-01-02T00:00:01"
WHOLE_WINDOW = "from=2026-01-01&to=2027-01-02"

CAPS = [
    # (request past the cap, field named, request just inside it)
    (
        f"/api/v1/pois/nearby?{HERE}&radius={MAX_RADIUS_M + 1}",
        "radius",
        f"/api/v1/pois/nearby?{HERE}&radius={MAX_RADIUS_M}",
    ),
    (f"/api/v1/pois/nearby?{HERE}&radius=0", "radius", f"/api/v1/pois/nearby?{HERE}&radius=0.1"),
    (f"/api/v1/pois/nearby?{HERE}&radius=-5", "radius", None),
    (f"/api/v1/pois/nearby?{HERE}&limit={MAX_LIMIT + 1}", "limit", f"/api/v1/pois/nearby?{HERE}&limit={MAX_LIMIT}"),
    (f"/api/v1/pois/nearby?{HERE}&limit=0", "limit", None),
    ("/api/v1/pois/nearby?lat=90.0001&lon=1.6", "lat", "/api/v1/pois/nearby?lat=90&lon=1.6"),
    ("/api/v1/pois/nearby?lat=50&lon=-180.0001", "lon", "/api/v1/pois/nearby?lat=50&lon=-180"),
    ("/api/v1/pois?bbox=0,40,10.5,45", "bbox", "/api/v1/pois?bbox=0,40,10,45"),
    ("/api/v1/pois?bbox=0,40,5,50.01", "bbox", "/api/v1/pois?bbox=0,40,5,50"),
    ("/api/v1/pois?bbox=1.63,50.71,1.58,50.74", "bbox", None),  # inverted
    ("/api/v1/pois?bbox=1.58,50.71,1.63", "bbox", None),
    ("/api/v1/pois?bbox=1.58,50.71,1.63,nan", "bbox", None),
    ("/api/v1/pois?bbox=-181,50,-179,51", "bbox", None),
    (f"/api/v1/pois?limit={MAX_LIMIT + 1}", "limit", f"/api/v1/pois?limit={MAX_LIMIT}"),
    (f"/api/v1/routes?limit={MAX_LIMIT + 1}", "limit", f"/api/v1/routes?limit={MAX_LIMIT}"),
    (
        f"/api/v1/routes/nearby?{HERE}&radius={MAX_RADIUS_M + 1}",
        "radius",
        f"/api/v1/routes/nearby?{HERE}&radius={MAX_RADIUS_M}",
    ),
    (f"/api/v1/routes/nearby?{HERE}&limit={MAX_LIMIT + 1}", "limit", None),
    (f"/api/v1/routes?simplify_m={MAX_SIMPLIFY_M + 1}", "simplify_m", f"/api/v1/routes?simplify_m={MAX_SIMPLIFY_M}"),
    ("/api/v1/routes?max_length_m=0", "max_length_m", None),
    (f"/api/v1/events?{PAST_WINDOW}", "to", f"/api/v1/events?{WHOLE_WINDOW}"),
    (f"/api/v1/events?from={FROM}&to={FROM}", "to", None),
    ("/api/v1/events?from=2026-12-02&to=2026-12-01", "to", None),
    ("/api/v1/events?from=1850-01-01", "from", None),
    (f"/api/v1/events?limit={EVENTS_MAX_LIMIT + 1}", "limit", f"/api/v1/events?limit={EVENTS_MAX_LIMIT}"),
    (
        f"/api/v1/events?{HERE}&radius={EVENTS_MAX_RADIUS_M + 1}",
        "radius",
        f"/api/v1/events?{HERE}&radius={EVENTS_MAX_RADIUS_M}",
    ),
    ("/api/v1/events?radius=100", "radius", None),  # a radius needs a position
    ("/api/v1/events?lat=50.7", "lon", None),
    (f"/api/v1/events.ics?{PAST_WINDOW}", "to", f"/api/v1/events.ics?{WHOLE_WINDOW}"),
    ("/api/v1/events/now?within_min=1441", "within_min", "/api/v1/events/now?within_min=1440"),
    (f"/api/v1/events/now?limit={EVENTS_MAX_LIMIT + 1}", "limit", None),
    (f"/api/v1/sync?limit={SYNC_MAX_LIMIT + 1}", "limit", f"/api/v1/sync?limit={SYNC_MAX_LIMIT}"),
    (f"/api/v1/tiles/{MAX_ZOOM + 1}/0/0.mvt", "z", f"/api/v1/tiles/{MAX_ZOOM}/0/0.mvt"),
    ("/api/v1/tiles/3/8/0.mvt", "x", "/api/v1/tiles/3/7/0.mvt"),
    ("/api/v1/tiles/3/0/8.mvt", "y", "/api/v1/tiles/3/0/7.mvt"),
    ("/api/v1/tiles/-1/0/0.mvt", "z", None),
    # Dates far outside what the calendars hold (they used to overflow in the UTC conversion).
    ("/api/v1/events?from=0001-01-01", "from", "/api/v1/events?from=1900-01-02"),
    ("/api/v1/events?from=9999-12-31", "from", "/api/v1/events?from=2200-01-01"),
    ("/api/v1/events.ics?from=0001-01-01", "from", None),
    ("/api/v1/events/now?at=9999-12-31", "at", "/api/v1/events/now?at=2200-12-31T23:59:59"),
    (f"/api/v1/pois/nearby?{HERE}&open_now=true&at=9999-12-31T23:59:59-12:00", "at", None),
    ("/api/v1/pois?at=0001-01-01T00:00:00%2B14:00", "at", "/api/v1/pois?at=2026-07-14T12:00:00%2B02:00"),
]


@pytest.mark.parametrize(("past", "field", "inside"), CAPS, ids=[c[0].removeprefix("/api/v1/") for c in CAPS])
def test_past_a_cap_is_a_422_naming_the_parameter(client, past, field, inside):
    assert_problem(client.get(past), 422, field)
    if inside is not None:
        response = client.get(inside)
        assert response.status_code in (200, 204), response.get_data(as_text=True)


def test_an_event_occurrences_window_past_the_cap_is_a_422(client, app):
    from tests.events.helpers import make_event

    event = make_event()
    base = f"/api/v1/events/{event.id}/occurrences"
    assert_problem(client.get(f"{base}?{PAST_WINDOW}"), 422, "to")
    assert client.get(f"{base}?{WHOLE_WINDOW}").status_code == 200

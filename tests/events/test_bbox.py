"""Events in a map viewport: an event counts where it takes place (its own point, or its venue POI's)."""

from tests.events.helpers import make_event
from tests.factories import make_poi
from tests.problem import assert_problem

WINDOW = {"from": "2026-05-01", "to": "2026-05-08"}
DAILY = dict(rrule="FREQ=DAILY", starts_at="2026-01-01T08:00:00", ends_at="2026-01-01T09:00:00")
BOX = "1.600,50.720,1.610,50.730"


def event_ids(response) -> set[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return {feature["properties"]["event_id"] for feature in response.get_json()["features"]}


def test_events_in_the_box_by_their_point_or_their_venue(client, app):
    on_the_square = make_event(**DAILY, lon=1.605, lat=50.725)
    on_the_edge = make_event(**DAILY, lon=1.610, lat=50.725)
    venue_inside = make_poi(1.602, 50.728, name={"fr": "Salle du port"})
    at_the_venue = make_event(**DAILY, venue_poi_id=str(venue_inside.id))
    venue_outside = make_poi(1.640, 50.728, name={"fr": "Salle de la plage"})
    make_event(**DAILY, venue_poi_id=str(venue_outside.id))
    make_event(**DAILY, lon=1.615, lat=50.725)
    make_event(**DAILY, lon=1.605, lat=50.726, publication="draft")
    wanted = {str(on_the_square.id), str(on_the_edge.id), str(at_the_venue.id)}
    assert event_ids(client.get("/api/v1/events", query_string={**WINDOW, "bbox": BOX})) == wanted
    now = client.get("/api/v1/events/now", query_string={"bbox": BOX, "at": "2026-05-02T08:30:00"})
    assert event_ids(now) == wanted


def test_a_bad_events_bbox_is_a_problem_naming_it(client, app):
    for bbox in ("1,2,3", "1.61,50.72,1.60,50.73", "x,y,z,w"):
        assert_problem(client.get("/api/v1/events", query_string={**WINDOW, "bbox": bbox}), 422, "bbox")

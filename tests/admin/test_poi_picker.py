"""The event and route edit pages carry a bounded set of POIs; the rest is found through /admin/pois/search."""

from __future__ import annotations

import json
import re

from tests.events.helpers import make_event
from tests.factories import make_poi
from tests.problem import assert_problem
from tests.routes.factories import make_route, offset, walk
from urbanpulse.admin.queries import PICKER_LIMIT

MANY = PICKER_LIMIT + 10


def make_many() -> list:
    """More POIs than a picker shows, named Lieu 00.. Lieu NN, spread over a few kilometres."""
    return [
        make_poi(1.50 + 0.01 * (i % 10), 50.60 + 0.01 * (i // 10), name={"fr": f"Lieu {i:02d}"}, category="monument")
        for i in range(MANY)
    ]


def venue_options(page: str) -> list[str]:
    select = re.search(r'<select[^>]*id="venue"[^>]*>(.*?)</select>', page, re.S).group(1)
    return re.findall(r'<option[^>]*value="([^"]*)"', select)


def test_the_event_page_lists_a_first_page_of_venues_and_keeps_the_current_one(editor_client):
    pois = make_many()
    options = venue_options(editor_client.get("/admin/events/new").get_data(as_text=True))
    assert len(options) == 1 + PICKER_LIMIT and options[0] == ""
    assert options[1:] == [str(poi.id) for poi in pois[:PICKER_LIMIT]]  # by French name

    last = pois[-1]
    event = make_event(venue_poi_id=str(last.id))
    options = venue_options(editor_client.get(f"/admin/events/{event.id}/").get_data(as_text=True))
    assert str(last.id) in options and len(options) == 2 + PICKER_LIMIT


def test_the_route_page_carries_only_the_places_near_its_line(editor_client):
    make_many()  # far from the line
    route = make_route(walk())
    near = make_poi(*offset(*walk()[1], 0, 50), name={"fr": "Près de la ligne"})
    page = editor_client.get(f"/admin/routes/{route.id}/").get_data(as_text=True)
    candidates = json.loads(re.search(r'id="poi-candidates"[^>]*>(.*?)</script>', page, re.S).group(1))
    assert [c["id"] for c in candidates] == [str(near.id)]


def test_the_search_finds_a_name_and_stays_bounded(editor_client):
    pois = make_many()
    found = editor_client.get("/admin/pois/search", query_string={"q": "Lieu 27"})
    assert found.status_code == 200 and found.mimetype == "application/json"
    items = found.get_json()["items"]
    assert items and items[0]["id"] == str(pois[27].id) and len(items) <= PICKER_LIMIT
    assert {"id", "name", "category", "status", "lon", "lat"} == set(items[0])

    everything = editor_client.get("/admin/pois/search").get_json()["items"]
    assert len(everything) == PICKER_LIMIT
    assert len(editor_client.get("/admin/pois/search", query_string={"limit": 5}).get_json()["items"]) == 5
    inside = editor_client.get("/admin/pois/search", query_string={"bbox": "1.495,50.595,1.525,50.605"})
    assert sorted(item["name"] for item in inside.get_json()["items"]) == ["Lieu 00", "Lieu 01", "Lieu 02"]

    assert_problem(editor_client.get("/admin/pois/search", query_string={"limit": 201}), 422, "limit")
    assert_problem(editor_client.get("/admin/pois/search", query_string={"bbox": "0,40,5,50"}), 422, "bbox")


def test_the_search_is_for_editors_only(client):
    make_poi(name={"fr": "Secret"})
    response = client.get("/admin/pois/search", query_string={"q": "Secret"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/admin/login")
    assert response.mimetype != "application/json"

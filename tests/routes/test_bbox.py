"""Routes in a map viewport: a line meeting the box counts, even with no vertex inside; drafts never do."""

import pytest

from tests.paging import cursor_of, ids, pages
from tests.problem import assert_problem
from tests.routes.factories import make_route

BOX = (1.600, 50.720, 1.610, 50.730)
BBOX = ",".join(map(str, BOX))


def line(*points, **properties):
    return make_route([list(p) for p in points], **properties)


def test_routes_meeting_the_box_are_listed_and_others_not(client, app):
    crossing = line((1.595, 50.725), (1.615, 50.725), slug="traverse")  # no vertex inside the box
    inside = line((1.602, 50.722), (1.608, 50.728), slug="dedans")
    touching = line((1.610, 50.740), (1.610, 50.730), slug="coin")  # meets the box at its corner only
    line((1.620, 50.720), (1.630, 50.730), slug="a-l-est")
    line((1.595, 50.731), (1.615, 50.735), slug="au-nord")
    line((1.603, 50.723), (1.606, 50.726), slug="brouillon", status="draft")
    body = client.get("/api/v1/routes", query_string={"bbox": BBOX}).get_json()
    assert {f["id"] for f in body["features"]} == {str(crossing.id), str(inside.id), str(touching.id)}
    assert body["numberMatched"] == 3


def test_bbox_combines_with_the_other_filters_and_pages_by_keyset(client, app):
    made = [line((1.601 + i / 1000, 50.721), (1.601 + i / 1000, 50.729), slug=f"rue-{i}") for i in range(7)]
    line((1.604, 50.721), (1.604, 50.729), slug="nature", theme="nature")
    seen = ids(pages(client, "/api/v1/routes", {"bbox": BBOX, "theme": "maritime", "limit": 3}))
    assert seen == [str(route.id) for route in made]  # oldest first, every page within the box


def test_a_route_cursor_is_bound_to_its_box(client, app):
    for i in range(3):
        line((1.601 + i / 1000, 50.721), (1.601 + i / 1000, 50.729), slug=f"rue-{i}")
    cursor = cursor_of(client.get("/api/v1/routes", query_string={"bbox": BBOX, "limit": 1}).get_json())
    other = "1.600,50.720,1.611,50.730"
    assert_problem(client.get("/api/v1/routes", query_string={"bbox": other, "cursor": cursor}), 400, "cursor")
    assert client.get("/api/v1/routes", query_string={"bbox": BBOX, "cursor": cursor}).status_code == 200


@pytest.mark.parametrize("bbox", ["1,2,3", "3,50,1,51", "1,50,200,51", "a,b,c,d", "0,0,20,1"])
def test_a_bad_route_bbox_is_a_problem_naming_it(client, app, bbox):
    assert_problem(client.get("/api/v1/routes", query_string={"bbox": bbox}), 422, "bbox")

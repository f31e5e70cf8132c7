"""Drafts stay private on every path; stops whose POI is not public are left out; moved POIs are re-placed."""

import pytest

from tests.problem import assert_problem
from tests.routes.factories import ORIGIN, make_route, offset, pois_at, stops_for, walk


@pytest.fixture
def draft_route(app):
    line = walk()
    return make_route(line, status="draft", stops=stops_for(pois_at(line[:2])))


def public_paths(route_id) -> list[str]:
    base = f"/api/v1/routes/{route_id}"
    return [base, f"{base}?lang=en", f"{base}/gpx", f"{base}/progress?lat={ORIGIN[1]}&lon={ORIGIN[0]}"]


def test_drafts_are_invisible_to_the_public_on_every_path(client, draft_route, editor_headers):
    for path in public_paths(draft_route.id):
        assert_problem(client.get(path), 404)
        assert client.get(path, headers=editor_headers).status_code == 200, path
    assert client.get("/api/v1/routes").get_json()["features"] == []
    nearby = {"lat": ORIGIN[1], "lon": ORIGIN[0], "radius": 5000}
    assert client.get("/api/v1/routes/nearby", query_string=nearby).get_json()["features"] == []
    assert client.get("/api/v1/routes/nearby", query_string=nearby, headers=editor_headers).get_json()["features"] == []


def test_publishing_a_draft_makes_it_public(client, draft_route, editor_headers):
    url = f"/api/v1/routes/{draft_route.id}"
    etag = client.get(url, headers=editor_headers).headers["ETag"]
    published = client.patch(
        url, json={"properties": {"status": "published"}}, headers={**editor_headers, "If-Match": etag}
    )
    assert published.status_code == 200
    assert client.get(url).status_code == 200
    assert [f["id"] for f in client.get("/api/v1/routes").get_json()["features"]] == [str(draft_route.id)]


@pytest.fixture
def route_with_three_stops(app):
    line = walk()
    pois = pois_at(line[:3])
    return make_route(line, stops=stops_for(pois)), pois


def hide_poi(client, editor_headers, poi, how: str):
    url = f"/api/v1/pois/{poi.id}"
    etag = client.get(url, headers=editor_headers).headers["ETag"]
    headers = {**editor_headers, "If-Match": etag}
    if how == "delete":
        response = client.delete(url, headers=headers)
    else:
        response = client.patch(url, json={"properties": {"status": how}}, headers=headers)
    assert response.status_code in (200, 204)


@pytest.mark.parametrize("how", ["draft", "archived", "delete"])
def test_a_stop_whose_poi_is_no_longer_public_is_left_out_for_the_public(
    client, editor_headers, route_with_three_stops, how
):
    route, pois = route_with_three_stops
    hide_poi(client, editor_headers, pois[1], how)
    url = f"/api/v1/routes/{route.id}"
    public = client.get(url).get_json()["properties"]
    assert [s["poi_id"] for s in public["stops"]] == [str(pois[0].id), str(pois[2].id)]
    assert [s["position"] for s in public["stops"]] == [1, 3] and public["stop_count"] == 2
    listed = client.get("/api/v1/routes").get_json()["features"][0]["properties"]
    assert listed["stop_count"] == 2
    editor = client.get(url, headers=editor_headers).get_json()["properties"]
    assert [s["poi_status"] for s in editor["stops"]] == [
        "published",
        "deleted" if how == "delete" else how,
        "published",
    ]
    gpx = client.get(f"{url}/gpx?lang=en").get_data(as_text=True)
    assert "Stop 2" not in gpx and "Stop 1" in gpx and "Stop 3" in gpx
    progress = client.get(f"{url}/progress", query_string={"lat": ORIGIN[1], "lon": ORIGIN[0]}).get_json()
    assert progress["next_stop"]["poi_id"] == str(pois[2].id)


def test_a_moved_poi_is_re_placed_along_the_line_at_read_time(client, editor_headers, route_with_three_stops):
    route, pois = route_with_three_stops
    url = f"/api/v1/routes/{route.id}"
    before = client.get(url).get_json()["properties"]["stops"]
    assert before[1]["distance_along_m"] == pytest.approx(1000, abs=0.05)
    new_place = offset(*offset(*ORIGIN, 90, 600), 0, 40)
    poi_url = f"/api/v1/pois/{pois[1].id}"
    etag = client.get(poi_url).headers["ETag"]
    moved = client.patch(
        poi_url,
        json={"geometry": {"type": "Point", "coordinates": list(new_place)}},
        headers={**editor_headers, "If-Match": etag},
    )
    assert moved.status_code == 200
    after = client.get(url).get_json()["properties"]["stops"]
    assert after[1]["distance_along_m"] == pytest.approx(600, abs=0.05)
    assert after[1]["offset_m"] == pytest.approx(40, abs=0.05)
    assert after[1]["location"]["coordinates"] == list(new_place)
    progress = client.get(f"{url}/progress", query_string={"lat": ORIGIN[1], "lon": ORIGIN[0]}).get_json()
    assert progress["next_stop"]["distance_m"] == pytest.approx(600, abs=0.1)

"""'Where am I on this walk': start, middle, end, off the route, far away, loops, next stop, ETAs."""

from datetime import datetime

import pytest

from tests.problem import assert_problem
from tests.routes.factories import (
    ORIGIN,
    geodesic_m,
    make_route,
    offset,
    pois_at,
    polyline_length_m,
    square_loop,
    stops_for,
    walk,
)

WALK_M_PER_MIN = 4500 / 60


@pytest.fixture
def u_route(app):
    """East 1000 m, north 1000 m, west 1000 m; stops at 0, 500, 1000 (corner), 2500 m."""
    line = walk()
    points = [line[0], offset(*line[0], 90, 500), line[1], offset(*line[2], 270, 500)]
    pois = pois_at(points)
    return make_route(line, stops=stops_for(pois, trigger_radius_m=40)), line, pois


def progress(client, route, lon, lat, **params):
    response = client.get(f"/api/v1/routes/{route.id}/progress", query_string={"lat": lat, "lon": lon, **params})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_at_the_start(client, u_route):
    route, line, pois = u_route
    body = progress(client, route, *line[0])
    assert body["status"] == "on_route" and body["off_route_m"] == 0
    assert body["distance_along_m"] == 0 and body["remaining_m"] == pytest.approx(3000, abs=0.05)
    assert body["at_stop"]["poi_id"] == str(pois[0].id)
    assert body["next_stop"]["poi_id"] == str(pois[1].id)
    assert body["next_stop"]["distance_m"] == pytest.approx(500, abs=0.05) and body["next_stop"]["wraps"] is False
    assert body["eta_min"] == round(3000 / WALK_M_PER_MIN) == 40


def test_in_the_middle_slightly_off_the_line(client, u_route):
    route, line, pois = u_route
    here = offset(*offset(*line[1], 0, 300), 90, 12)  # 300 m up the second leg, 12 m east of it
    body = progress(client, route, *here)
    assert body["status"] == "on_route"
    assert body["off_route_m"] == pytest.approx(12, abs=0.05)
    assert body["distance_along_m"] == pytest.approx(1300, abs=0.1)
    assert body["remaining_m"] == pytest.approx(1700, abs=0.1)
    assert body["fraction"] == pytest.approx(1300 / 3000, abs=1e-4)
    assert body["nearest_point"]["coordinates"] == pytest.approx(list(offset(*line[1], 0, 300)), abs=1e-7)
    assert body["next_stop"]["poi_id"] == str(pois[3].id)
    assert body["next_stop"]["distance_m"] == pytest.approx(1200, abs=0.1)
    assert body["next_stop"]["eta_min"] == round((12 + 1200) / WALK_M_PER_MIN)
    assert body["at_stop"] is None


def test_next_stop_is_the_first_one_ahead_in_order(client, u_route):
    route, line, _ = u_route
    expectations = [(0, 1, 500), (499, 1, 1), (501, 2, 499), (999.5, 3, 1500.5), (1001, 3, 1499), (2400, 3, 100)]
    for along, index, distance in expectations:
        if along <= 1000:
            here = offset(*line[0], 90, along)
        elif along <= 2000:
            here = offset(*line[1], 0, along - 1000)
        else:
            here = offset(*line[2], 270, along - 2000)
        body = progress(client, route, *here)
        assert body["next_stop"]["position"] == index + 1, (along, body["next_stop"])
        assert body["next_stop"]["distance_m"] == pytest.approx(distance, abs=0.1), along


def test_at_the_end_of_an_open_route_there_is_no_next_stop(client, u_route):
    route, line, _ = u_route
    body = progress(client, route, *line[-1])
    assert body["distance_along_m"] == pytest.approx(3000, abs=0.05) and body["remaining_m"] == 0
    assert body["fraction"] == 1 and body["eta_min"] == 0 and body["next_stop"] is None


def test_off_the_route_reports_the_distance_and_the_way_back(client, u_route):
    route, line, _ = u_route
    here = offset(*offset(*line[0], 90, 700), 180, 400)  # 400 m south of the first leg
    body = progress(client, route, *here)
    assert body["status"] == "off_route" and body["off_route_m"] == pytest.approx(400, abs=0.1)
    assert body["distance_along_m"] == pytest.approx(700, abs=0.5)  # a geodesic heading east is no parallel
    assert geodesic_m(*here, *body["nearest_point"]["coordinates"]) == pytest.approx(400, abs=0.1)
    assert body["eta_min"] == round((body["off_route_m"] + body["remaining_m"]) / WALK_M_PER_MIN)


def test_far_from_the_route_only_the_distance_is_given(client, u_route):
    route, line, _ = u_route
    here = offset(*ORIGIN, 180, 12000)
    body = progress(client, route, *here)
    assert body["status"] == "far" and body["off_route_m"] == pytest.approx(12000, rel=1e-3)
    assert body["distance_along_m"] is None and body["next_stop"] is None and body["eta_min"] is None
    assert body["nearest_point"]["coordinates"] == pytest.approx(line[0], abs=1e-6)


@pytest.fixture
def loop_route(app):
    """A 4 km square loop with stops at 0 (start), 1500 and 2500 m."""
    line = square_loop()
    pois = pois_at([line[0], offset(*line[1], 0, 500), offset(*line[2], 270, 500)])
    return make_route(line, is_loop=True, kind="bike", stops=stops_for(pois)), line, pois


def test_on_a_loop_past_the_last_stop_the_next_is_the_first_round_the_end(client, loop_route):
    route, line, pois = loop_route
    here = offset(*line[3], 180, 700)  # 3700 m along: 300 m before the end
    body = progress(client, route, *here)
    length = polyline_length_m(line)  # geodesic "squares" do not close exactly: the last side is 999.8 m
    assert body["length_m"] == pytest.approx(length, abs=0.05)
    assert body["distance_along_m"] == pytest.approx(3700, abs=0.5)
    assert body["remaining_m"] == pytest.approx(length - body["distance_along_m"], abs=0.1)
    stop = body["next_stop"]
    assert stop["poi_id"] == str(pois[0].id) and stop["wraps"] is True
    assert stop["distance_m"] == pytest.approx(body["remaining_m"], abs=0.1) and stop["distance_along_m"] == 0
    bike_m_per_min = 15000 / 60
    assert stop["eta_min"] == max(1, round((body["off_route_m"] + stop["distance_m"]) / bike_m_per_min))


def test_on_a_loop_the_start_is_at_zero_and_stops_ahead_come_in_order(client, loop_route):
    route, line, pois = loop_route
    start = progress(client, route, *line[0])
    assert start["distance_along_m"] == 0
    assert start["remaining_m"] == pytest.approx(polyline_length_m(line), abs=0.05)
    assert start["next_stop"]["poi_id"] == str(pois[1].id) and start["next_stop"]["wraps"] is False
    between = progress(client, route, *offset(*line[2], 270, 100))
    assert between["next_stop"]["poi_id"] == str(pois[2].id)
    assert between["next_stop"]["distance_m"] == pytest.approx(400, abs=0.1)


def test_a_loop_wraps_to_the_first_stop_even_when_it_is_not_at_the_start(client, app):
    line = square_loop()
    pois = pois_at([offset(*line[0], 90, 300), offset(*line[1], 0, 500)])
    route = make_route(line, is_loop=True, stops=stops_for(pois))
    body = progress(client, route, *offset(*line[1], 0, 800))  # 1800 m along, past both stops
    assert body["next_stop"]["poi_id"] == str(pois[0].id) and body["next_stop"]["wraps"] is True
    assert body["next_stop"]["distance_m"] == pytest.approx(polyline_length_m(line) - 1800 + 300, abs=0.1)


def test_eta_at_is_a_paris_time_consistent_with_eta_min(client, u_route):
    route, line, _ = u_route
    body = progress(client, route, *line[0], lang="fr")
    eta_at = datetime.fromisoformat(body["eta_at"])
    next_at = datetime.fromisoformat(body["next_stop"]["eta_at"])
    assert eta_at.utcoffset() is not None and str(eta_at.tzinfo) in ("UTC+01:00", "UTC+02:00")
    assert abs((eta_at - next_at).total_seconds() - (3000 - 500) / WALK_M_PER_MIN * 60) <= 1
    assert body["next_stop"]["name"] == "Arrêt 2"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"lat": 91, "lon": 1.6}, "lat"),
        ({"lat": 50.7, "lon": "x"}, "lon"),
        ({"lat": 50.7}, "lon"),
        ({"lat": 50.7, "lon": 1.6, "lang": "it"}, "lang"),
    ],
)
def test_progress_validation(client, u_route, params, field):
    route, _, _ = u_route
    assert_problem(client.get(f"/api/v1/routes/{route.id}/progress", query_string=params), 422, field)

"""A page of routes for sync costs a constant number of queries, whatever its size (no query per route)."""

from __future__ import annotations

from tests.queries import counted_queries
from tests.routes.factories import make_route, offset, pois_at, stops_for, walk
from urbanpulse.sync.adapters import routes as adapter


def make_routes(count: int) -> list:
    """`count` published routes, each with two stops, spread so that no two share a line."""
    made = []
    for index in range(count):
        start = offset(1.58, 50.70, 45, 150 * index)
        line = walk(start, ((90, 400), (0, 400)))
        stops = pois_at([line[1], line[2]], prefix=f"Arrêt {index}")
        made.append(make_route(line, name={"fr": f"Balade {index:02d}"}, stops=stops_for(stops)))
    return made


def page_queries(limit: int) -> tuple[int, list]:
    with counted_queries() as statements:
        page = adapter.snapshot_page(None, limit, "fr")
    return len(statements), page


def test_a_snapshot_page_of_1_and_of_50_routes_costs_the_same_queries(app):
    made = make_routes(50)
    one, page_of_one = page_queries(1)
    fifty, page_of_fifty = page_queries(50)
    assert len(page_of_one) == 1 and len(page_of_fifty) == 50
    assert one == fifty
    assert all(len(feature["properties"]["stops"]) == 2 for _, feature in page_of_fifty)
    with counted_queries() as by_id_one:
        adapter.public_features([made[0].id], "fr")
    with counted_queries() as by_id_all:
        features = adapter.public_features([route.id for route in made], "fr")
    assert len(by_id_one) == len(by_id_all) and len(features) == 50


def test_batched_features_are_the_features_get_routes_serves(client):
    made = make_routes(3)
    features = adapter.public_features([route.id for route in made], None)
    for route in made:
        served = client.get(f"/api/v1/routes/{route.id}").get_json()
        assert {**features[route.id], "collection": None} == {**served, "collection": None}

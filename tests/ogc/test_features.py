"""OGC API - Features under /ogc: landing, conformance, collections, items with keyset paging, published only,
languages, HTML, errors; the same features as /api/v1."""

import pytest

from tests.events.helpers import make_event
from tests.factories import make_poi
from tests.paging import ids as api_ids
from tests.paging import pages as api_pages
from tests.problem import assert_problem
from tests.routes.factories import make_route, pois_at, stops_for, walk

BOX = "1.600,50.720,1.610,50.730"


def ogc_pages(client, path: str, params: dict) -> list[dict]:
    """Every page, following `next` links as given (absolute URLs)."""
    bodies, url, query = [], path, params
    while url:
        response = client.get(url, query_string=query)
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.mimetype == "application/geo+json"
        body = response.get_json()
        bodies.append(body)
        url = next((link["href"] for link in body["links"] if link["rel"] == "next"), None)
        query = None
    return bodies


def test_landing_page_and_conformance(client, app):
    body = client.get("/ogc").get_json()
    rels = {link["rel"]: link for link in body["links"]}
    assert {"self", "service-desc", "service-doc", "conformance", "data"} <= set(rels)
    assert rels["service-desc"]["type"] == "application/vnd.oai.openapi+json;version=3.0"
    assert client.get(rels["service-desc"]["href"]).get_json()["openapi"].startswith("3.")
    classes = client.get("/ogc/conformance").get_json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in classes
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in classes


def test_collections_describe_the_four_collections_with_extents(client, app):
    make_poi(1.60, 50.72)
    make_poi(1.62, 50.74)
    make_poi(1.70, 50.80, status="draft")
    make_event(rrule=None, starts_at="2026-05-01T10:00:00", ends_at="2026-05-01T12:00:00")
    body = client.get("/ogc/collections").get_json()
    by_id = {collection["id"]: collection for collection in body["collections"]}
    assert list(by_id) == ["pois", "routes", "route-stops", "events"]
    assert by_id["pois"]["extent"]["spatial"]["bbox"][0] == pytest.approx([1.60, 50.72, 1.62, 50.74])
    assert by_id["events"]["extent"]["temporal"]["interval"][0][0].startswith("2026-05-01T08:00:00")
    assert all(c["crs"] == ["http://www.opengis.net/def/crs/OGC/1.3/CRS84"] for c in by_id.values())
    assert client.get("/ogc/collections/routes").get_json()["id"] == "routes"


def test_items_page_past_100_with_next_links_and_count(client, app):
    made = {str(make_poi(1.60 + i / 10000, 50.72, name={"fr": f"Lieu {i}"}).id) for i in range(130)}
    bodies = ogc_pages(client, "/ogc/collections/pois/items", {"limit": 100})
    assert [body["numberReturned"] for body in bodies] == [100, 30]
    assert all(body["numberMatched"] == 130 for body in bodies)
    seen = [feature["id"] for body in bodies for feature in body["features"]]
    assert len(seen) == len(set(seen)) and set(seen) == made


def test_bbox_pages_carry_every_filter_and_match_the_api(client, app):
    for i in range(12):
        make_poi(1.601 + i / 2000, 50.721 + i / 2000, category="museum" if i % 2 else "cafe")
    make_poi(1.62, 50.72, category="museum")
    bodies = ogc_pages(client, "/ogc/collections/pois/items", {"bbox": BOX, "category": "museum", "limit": 2})
    seen = [feature["id"] for body in bodies for feature in body["features"]]
    api = api_ids(api_pages(client, "/api/v1/pois", {"bbox": BOX, "category": "museum", "limit": 2}))
    assert seen == api and len(seen) == 6  # the same viewport order as /api/v1/pois
    next_link = next(link["href"] for link in bodies[0]["links"] if link["rel"] == "next")
    assert "bbox=" in next_link and "category=museum" in next_link and "limit=2" in next_link


def test_features_agree_with_the_api_in_the_requested_language(client, app):
    poi = make_poi(1.605, 50.725, name={"fr": "Beffroi", "en": "Belfry"}, description={"fr": "Tour."})
    feature = client.get(f"/ogc/collections/pois/items/{poi.id}", query_string={"lang": "en"}).get_json()
    api = client.get(f"/api/v1/pois/{poi.id}", query_string={"lang": "en"}).get_json()
    assert feature["id"] == api["id"] and feature["geometry"] == api["geometry"]
    assert feature["properties"]["name"] == api["properties"]["name"] == "Belfry"
    assert feature["properties"]["description"] == "Tour."  # fallback requested -> en -> fr
    assert all(not isinstance(value, dict | list) for value in feature["properties"].values())  # columns


def test_only_published_content_is_served(client, app):
    draft = make_poi(1.605, 50.725, status="draft")
    published = make_poi(1.606, 50.725)
    ids = {f["id"] for f in client.get("/ogc/collections/pois/items").get_json()["features"]}
    assert ids == {str(published.id)}
    assert_problem(client.get(f"/ogc/collections/pois/items/{draft.id}"), 404)


def test_routes_and_their_stops_in_order(client, app):
    line = walk()
    stops = pois_at([line[0], line[1], line[2]])
    route = make_route(line, stops=stops_for(stops))
    make_route(walk(), status="draft")
    routes = client.get("/ogc/collections/routes/items").get_json()
    assert [f["id"] for f in routes["features"]] == [str(route.id)]
    assert routes["features"][0]["geometry"]["type"] in ("LineString", "MultiLineString")
    found = client.get("/ogc/collections/route-stops/items", query_string={"route_id": str(route.id)}).get_json()
    assert [f["properties"]["position"] for f in found["features"]] == [1, 2, 3]
    assert [f["properties"]["poi_id"] for f in found["features"]] == [str(poi.id) for poi in stops]
    one = client.get(f"/ogc/collections/route-stops/items/{route.id}/2").get_json()
    assert one["properties"]["poi_id"] == str(stops[1].id)


def test_event_occurrences_in_a_datetime_interval(client, app):
    daily = make_event(rrule="FREQ=DAILY", starts_at="2026-05-01T10:00:00", ends_at="2026-05-01T11:00:00")
    query = {"datetime": "2026-05-02T00:00:00Z/2026-05-05T00:00:00Z"}
    body = client.get("/ogc/collections/events/items", query_string=query).get_json()
    starts = [f["properties"]["start"] for f in body["features"]]
    assert starts == [f"2026-05-0{day}T10:00:00+02:00" for day in (2, 3, 4)]
    assert "numberMatched" not in body  # unknown without expanding every recurrence: omitted, as OGC allows
    feature_id = body["features"][0]["id"]
    assert feature_id == f"{daily.id}/20260502T080000Z"
    assert client.get(f"/ogc/collections/events/items/{feature_id}").get_json()["properties"]["start"] == starts[0]
    assert_problem(client.get(f"/ogc/collections/events/items/{daily.id}/20260502T090000Z"), 404)
    day = client.get("/ogc/collections/events/items", query_string={"datetime": "2026-05-03"}).get_json()
    assert [f["properties"]["start"] for f in day["features"]] == ["2026-05-03T10:00:00+02:00"]


def test_html_pages_by_f_or_accept(client, app):
    make_poi(name={"fr": "Beffroi"})
    page = client.get("/ogc/collections/pois/items", query_string={"f": "html"})
    assert page.mimetype == "text/html" and "Beffroi" in page.get_data(as_text=True)
    assert client.get("/ogc/collections", headers={"Accept": "text/html,*/*;q=0.8"}).mimetype == "text/html"
    assert client.get("/ogc/collections", headers={"Accept": "application/json"}).mimetype == "application/json"


def test_queryables_list_the_filters(client, app):
    body = client.get("/ogc/collections/routes/queryables").get_json()
    assert set(body["properties"]) == {"theme", "kind", "difficulty"}
    assert "maritime" in body["properties"]["theme"]["enum"]


@pytest.mark.parametrize(
    ("path", "query", "status", "field"),
    [
        ("/ogc/collections/nope/items", {}, 404, None),
        ("/ogc/collections/pois/items", {"bbox": "1,2,3"}, 422, "bbox"),
        ("/ogc/collections/pois/items", {"limit": 1001}, 422, "limit"),
        ("/ogc/collections/pois/items", {"theme": "maritime"}, 422, "theme"),
        ("/ogc/collections/pois/items", {"bbox-crs": "EPSG:3857", "bbox": BOX}, 422, "bbox-crs"),
        ("/ogc/collections/events/items", {"datetime": "yesterday"}, 422, "datetime"),
        ("/ogc/collections/events/items", {"datetime": "2026-01-01/2028-01-01"}, 422, "datetime"),
        ("/ogc/collections/pois/items", {"cursor": "nonsense"}, 400, "cursor"),
        ("/ogc/collections/pois/items", {"f": "xml"}, 422, "f"),
    ],
)
def test_bad_requests_are_problems_naming_the_parameter(client, app, path, query, status, field):
    assert_problem(client.get(path, query_string=query), status, *([field] if field else []))

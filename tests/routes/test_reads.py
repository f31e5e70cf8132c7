"""Public reads: list filters and paging, nearby by distance to the line, one route with its stops."""

import pytest

from tests.factories import make_poi
from tests.problem import assert_problem
from tests.routes.factories import ORIGIN, geodesic_m, make_route, offset, pois_at, square_loop, stops_for, walk


@pytest.fixture
def routes(app):
    """Four published routes of different themes, kinds and lengths, and a draft."""
    east = walk(legs=((90, 1000),))
    north = walk(start=offset(*ORIGIN, 0, 3000), legs=((0, 4000),))
    return {
        "short": make_route(east, slug="court", theme="maritime", kind="walk"),
        "long": make_route(north, slug="long", theme="nature", kind="bike"),
        "loop": make_route(square_loop(offset(*ORIGIN, 180, 6000)), slug="boucle", theme="military", is_loop=True),
        "boat": make_route(
            walk(offset(*ORIGIN, 270, 8000), ((270, 5000),)), slug="en-mer", theme="maritime", kind="boat"
        ),
        "draft": make_route(east, slug="brouillon", status="draft"),
    }


def slugs(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [f["properties"]["slug"] for f in response.get_json()["features"]]


def test_list_is_published_only_oldest_first_and_filters(client, routes):
    assert slugs(client.get("/api/v1/routes")) == ["court", "long", "boucle", "en-mer"]
    assert slugs(client.get("/api/v1/routes?theme=maritime")) == ["court", "en-mer"]
    assert slugs(client.get("/api/v1/routes?theme=maritime,nature&kind=walk,bike")) == ["court", "long"]
    assert slugs(client.get("/api/v1/routes?kind=boat")) == ["en-mer"]
    assert slugs(client.get("/api/v1/routes?max_length_m=4000")) == ["court", "long", "boucle"]
    assert slugs(client.get("/api/v1/routes?max_length_m=3999")) == ["court"]
    assert slugs(client.get("/api/v1/routes?difficulty=hard")) == []


def test_list_features_have_the_line_and_no_stop_list(client, routes):
    feature = client.get("/api/v1/routes?kind=bike").get_json()["features"][0]
    assert feature["geometry"]["type"] == "LineString" and len(feature["geometry"]["coordinates"]) == 2
    assert feature["properties"]["length_m"] == pytest.approx(4000, abs=0.05)
    assert feature["properties"]["stop_count"] == 0 and "stops" not in feature["properties"]


def test_list_pages_with_a_cursor(client, routes):
    first = client.get("/api/v1/routes?limit=3").get_json()
    assert first["numberMatched"] == 4 and first["numberReturned"] == 3
    next_link = next(link["href"] for link in first["links"] if link["rel"] == "next")
    second = client.get(next_link).get_json()
    assert [f["properties"]["slug"] for f in second["features"]] == ["en-mer"]
    assert not any(link["rel"] == "next" for link in second["links"])


def test_drafts_are_listed_for_editors_only(client, routes, editor_headers):
    assert_problem(client.get("/api/v1/routes?status=draft"), 401)
    assert slugs(client.get("/api/v1/routes?status=draft", headers=editor_headers)) == ["brouillon"]
    assert "brouillon" not in slugs(client.get("/api/v1/routes", headers=editor_headers))


def test_lang_flattens_names_and_labels(client, routes):
    props = client.get("/api/v1/routes?kind=boat&lang=de").get_json()["features"][0]["properties"]
    assert props["name"] == "Testweg" and props["lang"] == "de"
    assert props["theme_label"] == "Maritimes Erbe" and props["kind_label"] == "Mit dem Boot"
    assert props["summary"] == "Une balade pour les tests."  # no de, no en: French
    full = client.get("/api/v1/routes?kind=boat").get_json()["features"][0]["properties"]
    assert full["name"]["fr"] == "Balade d'essai" and "lang" not in full


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("theme=space", "theme.0"),
        ("kind=plane", "kind.0"),
        ("max_length_m=-1", "max_length_m"),
        ("max_length_m=abc", "max_length_m"),
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("lang=es", "lang"),
        ("simplify_m=0.5", "simplify_m"),
        ("status=archived", "status"),
        ("colour=red", "colour"),
    ],
)
def test_list_validation(client, routes, query, field):
    assert_problem(client.get(f"/api/v1/routes?{query}"), 422, field)


def test_a_cursor_not_made_here_is_a_400_naming_it(client, routes):
    assert_problem(client.get("/api/v1/routes?cursor=nonsense"), 400, "cursor")


def test_nearby_orders_by_distance_to_the_line_and_measures_it(client, routes):
    here = offset(*offset(*ORIGIN, 90, 500), 180, 120)  # 120 m south of the middle of "court"
    response = client.get("/api/v1/routes/nearby", query_string={"lat": here[1], "lon": here[0], "radius": 20000})
    features = response.get_json()["features"]
    assert [f["properties"]["slug"] for f in features] == ["court", "long", "boucle", "en-mer"]
    distances = [f["properties"]["distance_m"] for f in features]
    assert distances == sorted(distances)
    assert distances[0] == pytest.approx(120, abs=0.2)
    # "long" starts 3 km north of ORIGIN: the nearest point of it is its start
    assert distances[1] == pytest.approx(geodesic_m(*here, *offset(*ORIGIN, 0, 3000)), rel=1e-3)


def test_nearby_radius_boundary_filters_and_defaults(client, routes):
    here = offset(*offset(*ORIGIN, 90, 500), 180, 800)

    def near(**params):
        return slugs(client.get("/api/v1/routes/nearby", query_string={"lat": here[1], "lon": here[0], **params}))

    assert near() == ["court"]  # default radius 1000 m
    assert near(radius=790) == []
    assert near(radius=20000, limit=1) == ["court"]
    assert near(radius=20000, kind="boat") == ["en-mer"]
    assert near(radius=20000, theme="military") == ["boucle"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"lat": 91}, "lat"),
        ({"lon": -181}, "lon"),
        ({"lat": "nan"}, "lat"),
        ({"radius": 0}, "radius"),
        ({"radius": 50001}, "radius"),
        ({"limit": 101}, "limit"),
        ({"kind": "car"}, "kind.0"),
    ],
)
def test_nearby_validation(client, params, field):
    query = {"lat": ORIGIN[1], "lon": ORIGIN[0], **params}
    assert_problem(client.get("/api/v1/routes/nearby", query_string=query), 422, field)
    assert_problem(client.get("/api/v1/routes/nearby"), 422, "lat", "lon")


def test_nearby_uses_the_partial_spatial_index(app, admin_connection):
    from sqlalchemy import text

    from urbanpulse.core.extensions import db
    from urbanpulse.routes.queries import nearby_sql

    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO routes (id, slug, name, theme, kind, difficulty, geom, length_m, duration_min, status) "
                "SELECT gen_random_uuid(), 'bulk-' || i, '{\"fr\": \"x\"}', 'nature', 'walk', 'easy', "
                "ST_Multi(ST_MakeLine(ST_MakePoint(x, y), ST_MakePoint(x + 0.01, y + 0.01)))::geography, "
                "1000, 13, CASE WHEN i % 10 = 0 THEN 'draft' ELSE 'published' END "
                "FROM (SELECT i, 1.4 + random() * 0.5 AS x, 50.5 + random() * 0.5 AS y "
                "FROM generate_series(1, 5000) AS i) AS g"
            )
        )
    admin_connection.execute("ANALYZE routes")  # the app's role may not: the table owner may
    with db.engine.connect() as conn:
        params = {"lat": ORIGIN[1], "lon": ORIGIN[0], "radius": 1000, "limit": 20}
        plan = "\n".join(conn.execute(text("EXPLAIN " + nearby_sql()), params).scalars())
    assert "ix_routes_public_geom" in plan, plan
    assert "Seq Scan on routes" not in plan, plan


def test_one_route_has_its_stops_in_order_with_poi_details(client, app):
    line = walk()
    pois = pois_at([offset(*line[0], 0, 10), offset(*line[1], 90, 25), offset(*line[2], 0, 5)], category="church")
    route = make_route(line, stops=stops_for(pois, note={"fr": "Voir", "en": "See"}))
    response = client.get(f"/api/v1/routes/{route.id}", query_string={"lang": "en"})
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    body = response.get_json()
    stops = body["properties"]["stops"]
    assert [s["position"] for s in stops] == [1, 2, 3]
    first = stops[0]
    assert first["poi_id"] == str(pois[0].id) and first["name"] == "Stop 1" and first["category"] == "church"
    assert first["location"] == {"type": "Point", "coordinates": list(offset(*line[0], 0, 10))}
    assert first["note"] == "See" and first["category_label"] == "Church"
    assert [s["distance_along_m"] for s in stops] == pytest.approx([0, 1000, 2000], abs=0.05)
    assert "poi_status" not in first and "created_by" not in body["properties"]
    assert response.headers["Content-Language"] == "en"


def test_simplify_draws_fewer_points_but_keeps_the_full_lengths(client, app):
    line = [list(ORIGIN)]
    for i in range(200):
        line.append(list(offset(*line[-1], 80 if i % 2 else 100, 10)))
    poi = make_poi(*line[100], name={"fr": "Milieu"})
    route = make_route(line, stops=[{"poi_id": str(poi.id)}])
    full = client.get(f"/api/v1/routes/{route.id}").get_json()
    small = client.get(f"/api/v1/routes/{route.id}", query_string={"simplify_m": 50}).get_json()
    assert len(small["geometry"]["coordinates"]) < 10 < len(full["geometry"]["coordinates"])
    assert small["geometry"]["coordinates"][0] == full["geometry"]["coordinates"][0]
    assert small["properties"]["length_m"] == full["properties"]["length_m"]
    assert small["properties"]["stops"] == full["properties"]["stops"]
    assert small["properties"]["simplified"] == {
        "tolerance_m": 50.0,
        "positions": len(small["geometry"]["coordinates"]),
        "positions_full": 201,
    }
    for query in ({"simplify_m": 0}, {"simplify_m": 1001}, {"simplify_m": "x"}):
        assert_problem(client.get(f"/api/v1/routes/{route.id}", query_string=query), 422, "simplify_m")


def test_get_supports_if_none_match_and_the_etag_follows_stop_pois(client, app, editor_headers):
    line = walk()
    poi = make_poi(*line[1], name={"fr": "Coin"})
    route = make_route(line, stops=[{"poi_id": str(poi.id)}])
    url = f"/api/v1/routes/{route.id}"
    first = client.get(url)
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    poi_url = f"/api/v1/pois/{poi.id}"
    etag = client.get(poi_url).headers["ETag"]
    renamed = client.patch(
        poi_url, json={"properties": {"name": {"fr": "Angle"}}}, headers={**editor_headers, "If-Match": etag}
    )
    assert renamed.status_code == 200
    second = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200 and second.get_json()["properties"]["stops"][0]["name"]["fr"] == "Angle"
    assert second.headers["ETag"] != first.headers["ETag"]


def test_unknown_route_is_404_and_vocabulary_is_served(client):
    import uuid

    assert_problem(client.get(f"/api/v1/routes/{uuid.uuid4()}"), 404)
    vocabulary = client.get("/api/v1/routes/vocabulary?lang=fr").get_json()
    assert {"id": "walk", "label": "À pied", "pace_kmh": 4.5} in vocabulary["kinds"]
    assert {"maritime", "military", "religious", "nature"} <= {t["id"] for t in vocabulary["themes"]}

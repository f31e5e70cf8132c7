"""Nearby search against an independent geodesic computation (pyproj)."""

import random
import uuid

import pytest
from pyproj import Geod

from tests.factories import make_poi
from tests.problem import assert_problem

GEOD = Geod(ellps="WGS84")
QUAY = (1.5976, 50.7268)  # lon, lat on Quai Gambetta


def geodesic_m(lon1, lat1, lon2, lat2) -> float:
    return GEOD.inv(lon1, lat1, lon2, lat2)[2]


def offset(lon, lat, azimuth_deg, distance_m):
    lon2, lat2, _ = GEOD.fwd(lon, lat, azimuth_deg, distance_m)
    return lon2, lat2


def nearby(client, **params):
    params.setdefault("lat", QUAY[1])
    params.setdefault("lon", QUAY[0])
    return client.get("/api/v1/pois/nearby", query_string=params)


def test_ordering_and_distances_match_pyproj(app, client):
    rng = random.Random(7)
    for i in range(40):
        lon, lat = offset(*QUAY, rng.uniform(0, 360), rng.uniform(5, 2500))
        make_poi(lon, lat, name={"fr": f"Lieu {i}"}, category=rng.choice(["museum", "church", "port"]))
    response = nearby(client, radius=3000, limit=100)
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    features = response.get_json()["features"]
    assert len(features) == 40
    expected = sorted((round(geodesic_m(*QUAY, *f["geometry"]["coordinates"]), 1), f["id"]) for f in features)
    for feature, (expected_m, _) in zip(features, expected, strict=True):
        assert abs(feature["properties"]["distance_m"] - expected_m) <= 0.5
    distances = [f["properties"]["distance_m"] for f in features]
    assert distances == sorted(distances)


def test_radius_boundary_just_inside_and_just_outside(app, client):
    inside = make_poi(*offset(*QUAY, 45, 999.0), name={"fr": "Dedans"})
    outside = make_poi(*offset(*QUAY, 225, 1001.0), name={"fr": "Dehors"})
    ids = [f["id"] for f in nearby(client, radius=1000).get_json()["features"]]
    assert str(inside.id) in ids and str(outside.id) not in ids
    ids = [f["id"] for f in nearby(client, radius=1002).get_json()["features"]]
    assert str(outside.id) in ids


def test_default_radius_and_limit(app, client):
    for i in range(25):
        make_poi(*offset(*QUAY, i * 14, 100 + i * 10), name={"fr": f"P{i}"})
    make_poi(*offset(*QUAY, 0, 1200), name={"fr": "Loin"})
    features = nearby(client).get_json()["features"]
    assert len(features) == 20
    assert all(f["properties"]["distance_m"] <= 1000 for f in features)
    assert len(nearby(client, limit=100).get_json()["features"]) == 25


def test_ties_are_broken_by_id(app, client):
    point = offset(*QUAY, 90, 300)
    pois = [make_poi(*point, name={"fr": f"Jumeau {i}"}) for i in range(5)]
    ids = [f["id"] for f in nearby(client).get_json()["features"]]
    assert ids == sorted(str(p.id) for p in pois)


def test_exact_ranking_past_the_first_candidate_batch(app, client):
    """More POIs than the first KNN batch: the answer must still be the exact top-k."""
    rng = random.Random(3)
    points = [offset(*QUAY, rng.uniform(0, 360), rng.uniform(1, 800)) for _ in range(120)]
    for i, (lon, lat) in enumerate(points):
        make_poi(lon, lat, name={"fr": f"N{i}"})
    features = nearby(client, limit=30).get_json()["features"]
    expected = sorted(round(geodesic_m(*QUAY, lon, lat), 1) for lon, lat in points)[:30]
    assert [f["properties"]["distance_m"] for f in features] == pytest.approx(expected, abs=0.5)


def test_fewer_than_limit_in_reach_stops_at_the_radius(app, monkeypatch):
    """Few POIs in the radius and many beyond: one KNN batch reaching past the radius answers (issue 19)."""
    from urbanpulse.pois import queries

    inside = [make_poi(*offset(*QUAY, i * 60, 200 + 100 * i), name={"fr": f"Près {i}"}) for i in range(3)]
    rng = random.Random(11)
    for i in range(60):
        make_poi(*offset(*QUAY, rng.uniform(0, 360), rng.uniform(1500, 3000)), name={"fr": f"Loin {i}"})
    fetches = []
    fetch_all = queries.fetch_all
    monkeypatch.setattr(
        queries, "fetch_all", lambda sql, params: fetches.append(params["fetch"]) or fetch_all(sql, params)
    )
    found = queries.nearby(lat=QUAY[1], lon=QUAY[0], radius_m=1000, limit=20)
    assert [row.id for row, _ in found] == [poi.id for poi in inside]
    assert len(fetches) == 1


def test_category_filter_one_or_several(app, client):
    museum = make_poi(*offset(*QUAY, 10, 100), category="museum", name={"fr": "Musée"})
    church = make_poi(*offset(*QUAY, 20, 200), category="church", name={"fr": "Église"})
    make_poi(*offset(*QUAY, 30, 300), category="port", name={"fr": "Port"})
    one = [f["id"] for f in nearby(client, category="museum").get_json()["features"]]
    assert one == [str(museum.id)]
    two = [f["id"] for f in nearby(client, category="church,museum").get_json()["features"]]
    assert two == [str(museum.id), str(church.id)]


def test_drafts_archived_and_deleted_never_appear(app, client, editor_headers):
    make_poi(*offset(*QUAY, 0, 50), status="draft", name={"fr": "Brouillon"})
    make_poi(*offset(*QUAY, 0, 60), status="archived", name={"fr": "Archivé"})
    gone = make_poi(*offset(*QUAY, 0, 70), name={"fr": "Supprimé"})
    etag = client.get(f"/api/v1/pois/{gone.id}").headers["ETag"]
    assert client.delete(f"/api/v1/pois/{gone.id}", headers={**editor_headers, "If-Match": etag}).status_code == 204
    visible = make_poi(*offset(*QUAY, 0, 80), name={"fr": "Publié"})
    for headers in ({}, editor_headers):
        response = client.get("/api/v1/pois/nearby", query_string={"lat": QUAY[1], "lon": QUAY[0]}, headers=headers)
        assert [f["id"] for f in response.get_json()["features"]] == [str(visible.id)]


def test_nearby_uses_the_spatial_index_with_and_without_category(app, admin_connection):
    """With enough rows for real statistics, every variant is a KNN scan of the right GiST index."""
    from sqlalchemy import text

    from urbanpulse.core.extensions import db
    from urbanpulse.pois.categories import CATEGORIES
    from urbanpulse.pois.queries import nearby_sql

    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO pois (id, slug, category, name, location, status) "
                "SELECT gen_random_uuid(), 'bulk-' || i, (CAST(:categories AS text[]))[1 + i % :n], "
                '\'{"fr": "x"}\', '
                "ST_SetSRID(ST_MakePoint(1.5 + random() * 0.2, 50.65 + random() * 0.15), 4326)::geography, "
                "'published' FROM generate_series(1, 20000) AS i"
            ),
            {"categories": list(CATEGORIES), "n": len(CATEGORIES)},
        )
    from urbanpulse.pois.queries import nearby_params

    admin_connection.execute("ANALYZE pois")  # the app's role may not: the table owner may
    with db.engine.connect() as conn:
        for count, index in (
            (0, "ix_pois_public_location"),
            (1, "ix_pois_public_category_location"),
            (2, "ix_pois_public_category_location"),
        ):
            sql = text("EXPLAIN " + nearby_sql(category_count=count, with_text=False))
            params = nearby_params(lat=QUAY[1], lon=QUAY[0], radius_m=1000, categories=["museum", "church"][:count])
            plan = "\n".join(conn.execute(sql, {**params, "fetch": 40}).scalars())
            # A KNN index scan, or a bitmap scan of the same GiST index where few rows lie inside the radius:
            # either way the spatial index bounds the work, never a scan of the table or of a category.
            assert f"Index Scan using {index}" in plan or f"Bitmap Index Scan on {index}" in plan, plan
            assert "Seq Scan" not in plan, plan


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"lat": 91}, "lat"),
        ({"lat": -90.5}, "lat"),
        ({"lon": 180.1}, "lon"),
        ({"lat": "abc"}, "lat"),
        ({"lat": "nan"}, "lat"),
        ({"radius": 0}, "radius"),
        ({"radius": 50001}, "radius"),
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"category": "spaceport"}, "category.0"),
        ({"lang": "es"}, "lang"),
        ({"at": "yesterday"}, "at"),
        ({"q": "x" * 101}, "q"),
        ({"unknown": 1}, "unknown"),
    ],
)
def test_invalid_parameters_are_422_naming_the_field(client, params, field):
    body = assert_problem(nearby(client, **params), 422, field)
    assert all(error["in"] == "query" for error in body["errors"])


def test_missing_position_is_422(client):
    assert_problem(client.get("/api/v1/pois/nearby"), 422, "lat", "lon")


def test_unknown_poi_is_404(client):
    assert_problem(client.get(f"/api/v1/pois/{uuid.uuid4()}"), 404)

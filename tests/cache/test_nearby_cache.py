"""The nearby cache against the real Redis: exact, read-your-writes, targeted, herd-safe, fault-tolerant."""

import random

import pytest
from pyproj import Geod

from tests.cache.waiting import redis_back
from tests.factories import OPERATOR_HEADERS, make_poi
from tests.herd import ask_at_once, counting_slowly
from tests.servers import PrivateRedis
from urbanpulse import create_app
from urbanpulse.core.metrics import CACHE_REQUESTS

GEOD = Geod(ellps="WGS84")
HOTSPOTS = [(1.5947, 50.7308), (1.6140, 50.7256), (1.5988, 50.7272)]  # Nausicaá, belfry, quay
LILLE = (3.0573, 50.6292)


def counter(result: str) -> float:
    return CACHE_REQUESTS.labels("nearby", result)._value.get()


def jitter(lon, lat, rng, max_m=150):
    lon2, lat2, _ = GEOD.fwd(lon, lat, rng.uniform(0, 360), rng.uniform(0, max_m))
    return lon2, lat2


@pytest.fixture
def city(app):
    rng = random.Random(11)
    categories = ["museum", "church", "restaurant", "cafe", "monument"]
    for i in range(300):
        lon, lat = jitter(*rng.choice(HOTSPOTS), rng, max_m=2500)
        make_poi(lon, lat, name={"fr": f"Lieu {i}"}, category=rng.choice(categories))
    make_poi(*LILLE, name={"fr": "Beffroi de Lille"})
    return rng


@pytest.fixture
def uncached_app(app_config):
    return create_app({**app_config, "CACHE_ENABLED": False})


def nearby(client, lon, lat, **params):
    return client.get("/api/v1/pois/nearby", query_string={"lat": lat, "lon": lon, **params})


def test_cached_answers_are_identical_to_uncached(client, uncached_app, city):
    rng = random.Random(5)
    uncached = uncached_app.test_client()
    hits_before = counter("hit")
    for _ in range(60):
        lon, lat = jitter(*rng.choice(HOTSPOTS), rng)
        params = {"radius": rng.choice([250, 500, 1000, 2000]), "limit": rng.choice([5, 20, 50])}
        if rng.random() < 0.5:
            params["category"] = rng.choice(["museum", "church,cafe", "restaurant"])
        cached_body = nearby(client, lon, lat, **params).get_data()
        assert cached_body == nearby(uncached, lon, lat, **params).get_data()
        assert cached_body == nearby(client, lon, lat, **params).get_data()
    assert counter("hit") - hits_before >= 60


def test_repeated_positions_in_a_cell_hit_the_cache(client, city):
    misses, hits = counter("miss"), counter("hit")
    for i in range(10):
        nearby(client, 1.5947 + i * 1e-6, 50.7308, radius=500)
    assert counter("miss") - misses == 1
    assert counter("hit") - hits == 9


def test_read_your_writes_after_create_move_and_delete(client, city, editor_headers):
    lon, lat = HOTSPOTS[0]
    before = [f["id"] for f in nearby(client, lon, lat, radius=300, limit=100).get_json()["features"]]
    created = client.post(
        "/api/v1/pois",
        headers=editor_headers,
        json={
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"category": "museum", "name": {"fr": "Tout nouveau"}, "status": "published"},
        },
    )
    new_id = created.get_json()["id"]
    after_create = [f["id"] for f in nearby(client, lon, lat, radius=300, limit=100).get_json()["features"]]
    assert after_create[0] == new_id and set(after_create) == set(before) | {new_id}
    moved = client.patch(
        f"/api/v1/pois/{new_id}",
        headers={**editor_headers, "If-Match": created.headers["ETag"]},
        json={"geometry": {"type": "Point", "coordinates": list(LILLE)}},
    )
    assert moved.status_code == 200
    assert new_id not in [f["id"] for f in nearby(client, lon, lat, radius=300, limit=100).get_json()["features"]]
    assert new_id in [f["id"] for f in nearby(client, *LILLE, radius=300).get_json()["features"]]
    client.delete(f"/api/v1/pois/{new_id}", headers={**editor_headers, "If-Match": moved.headers["ETag"]})
    assert new_id not in [f["id"] for f in nearby(client, *LILLE, radius=300).get_json()["features"]]


def test_writes_through_the_service_path_also_invalidate(client, city):
    lon, lat = HOTSPOTS[1]
    nearby(client, lon, lat, radius=200)
    seeded = make_poi(lon, lat, name={"fr": "Ajout par le seed"})
    assert nearby(client, lon, lat, radius=200).get_json()["features"][0]["id"] == str(seeded.id)


def test_counters_lost_by_redis_never_revive_an_older_entry(client, city, redis):
    # allkeys-lru may evict a generation counter, and a restart without persistence loses them all:
    # a counter that comes back must not take a value that an older entry was tagged with.
    def lose_counters():
        for key in [*redis.scan_iter("up:rg:*"), *redis.scan_iter("up:gen:*"), *redis.scan_iter("up:epoch*")]:
            redis.delete(key)

    lon, lat = HOTSPOTS[1]
    lose_counters()
    nearby(client, lon, lat, radius=200)
    seeded = make_poi(lon, lat, name={"fr": "Ajout avant une éviction"})
    lose_counters()
    assert nearby(client, lon, lat, radius=200).get_json()["features"][0]["id"] == str(seeded.id)


def test_an_edit_in_lille_does_not_flush_boulogne(client, city, editor_headers):
    lon, lat = HOTSPOTS[2]
    nearby(client, lon, lat, radius=500)
    make_poi(*LILLE, name={"fr": "Nouveau à Lille"})
    hits = counter("hit")
    nearby(client, lon, lat, radius=500)
    assert counter("hit") - hits == 1


def test_a_cold_key_is_computed_once_under_a_herd(app, city, monkeypatch):
    from urbanpulse.pois import nearby_cache

    calls = []
    monkeypatch.setattr(nearby_cache, "_compute_candidates", counting_slowly(calls, nearby_cache._compute_candidates))
    results = ask_at_once(app, 8, lambda own: nearby(own, 1.6141, 50.7257, radius=1000).get_data())
    assert len(results) == 8 and len(set(results)) == 1
    assert len(calls) == 1


def test_entries_have_a_ttl(client, city, redis):
    nearby(client, *HOTSPOTS[0], radius=500)
    keys = list(redis.scan_iter("up:nb*"))
    assert keys and all(0 < redis.ttl(key) <= 300 for key in keys)


def test_redis_down_means_answers_from_postgis_and_caching_resumes(app_config, city, uncached_app):
    private = PrivateRedis().start()
    try:
        app = create_app({**app_config, "REDIS_URL": private.url})
        client, uncached = app.test_client(), uncached_app.test_client()
        lon, lat = HOTSPOTS[0]
        expected = nearby(uncached, lon, lat, radius=700).get_data()
        assert nearby(client, lon, lat, radius=700).get_data() == expected
        private.stop()
        for _ in range(5):
            response = nearby(client, lon, lat, radius=700)
            assert response.status_code == 200 and response.get_data() == expected
        assert (
            app.test_client().get("/readyz", headers=OPERATOR_HEADERS).get_json()["checks"]["redis"]["status"] == "down"
        )
        private.start()
        redis_back(app)
        hits = counter("hit")
        for _ in range(3):
            assert nearby(client, lon, lat, radius=700).get_data() == expected
        assert counter("hit") - hits == 2
    finally:
        private.close()


def test_an_edit_while_redis_is_unreachable_is_never_hidden(app_config, city):
    private = PrivateRedis().start()
    try:
        app = create_app({**app_config, "REDIS_URL": private.url})
        client = app.test_client()
        lon, lat = HOTSPOTS[1]
        nearby(client, lon, lat, radius=150)  # cached entry now in the private Redis
        private.pause(700)  # unreachable, data kept
        with app.app_context():
            hidden_id = str(make_poi(lon, lat, name={"fr": "Ajout pendant la panne"}).id)
        first = [f["id"] for f in nearby(client, lon, lat, radius=150).get_json()["features"]]
        assert first[0] == hidden_id
        redis_back(app)  # Redis is back with its old entry; the next read relays the addition before using it
        after = [f["id"] for f in nearby(client, lon, lat, radius=150).get_json()["features"]]
        assert after[0] == hidden_id
    finally:
        private.close()


def test_metrics_expose_cache_and_database_figures(client, city):
    nearby(client, *HOTSPOTS[0])
    text = client.get("/metrics", headers=OPERATOR_HEADERS).get_data(as_text=True)
    for name in (
        "urbanpulse_cache_requests_total",
        "urbanpulse_db_query_seconds_bucket",
        "urbanpulse_cache_invalidations_total",
    ):
        assert name in text


def test_uncached_nearby_queries_are_timed(uncached_app, city):
    from urbanpulse.core.metrics import DB_QUERY_SECONDS

    def observed() -> float:
        return next(s.value for s in DB_QUERY_SECONDS.collect()[0].samples if s.name.endswith("_count"))

    before = observed()
    assert nearby(uncached_app.test_client(), *HOTSPOTS[0]).status_code == 200
    assert observed() > before


def test_compression_when_the_client_accepts_it(client, city):
    plain = nearby(client, *HOTSPOTS[0], radius=2000, limit=100)
    gzipped = client.get(
        "/api/v1/pois/nearby",
        query_string={"lat": HOTSPOTS[0][1], "lon": HOTSPOTS[0][0], "radius": 2000, "limit": 100},
        headers={"Accept-Encoding": "gzip"},
    )
    assert gzipped.headers["Content-Encoding"] == "gzip"
    assert len(gzipped.get_data()) < len(plain.get_data()) / 3
    assert "Accept-Encoding" in gzipped.headers["Vary"]


def test_cache_control_and_vary(client, city, editor_headers):
    public = nearby(client, *HOTSPOTS[0])
    assert public.headers["Cache-Control"] == "public, max-age=30"
    assert {"Accept-Language", "Authorization"} <= {v.strip() for v in public.headers["Vary"].split(",")}
    private = client.get("/api/v1/pois/nearby", query_string={"lat": 50.73, "lon": 1.59}, headers=editor_headers)
    assert private.headers["Cache-Control"].startswith("private")


def test_the_local_distance_bound_holds_where_the_cache_is_used():
    import numpy as np

    from urbanpulse.geo.geodesic import WGS84, approx_distances_m
    from urbanpulse.pois.nearby_cache import APPROX_ERROR, MAX_CACHED_LATITUDE
    from urbanpulse.pois.queries import MAX_RADIUS_FOR_CACHE

    rng = np.random.default_rng(3)
    for lat in (0.0, 45.0, 50.7, -MAX_CACHED_LATITUDE, MAX_CACHED_LATITUDE):
        azimuths, distances = rng.uniform(0, 360, 5000), rng.uniform(1, MAX_RADIUS_FOR_CACHE, 5000)
        lons, lats, _ = WGS84.fwd(np.full(5000, 1.6), np.full(5000, lat), azimuths, distances)
        approx = approx_distances_m(1.6, lat, lons, lats)
        assert np.max(np.abs(approx - distances) / distances) < APPROX_ERROR


def test_far_north_answers_bypass_the_cache(client, city):
    bypassed = counter("bypass")
    assert nearby(client, 25.0, 70.0, radius=1000).status_code == 200
    assert counter("bypass") - bypassed == 1


def test_the_redis_client_parses_replies_with_hiredis(app):
    # Every cache hit reads the generation counters: the C parser keeps that round trip cheap.
    from redis._parsers import _HiredisParser

    from urbanpulse.core.extensions import redis_client

    with app.app_context():
        connection = redis_client.client.connection_pool.get_connection()
        try:
            assert isinstance(connection._parser, _HiredisParser)
        finally:
            redis_client.client.connection_pool.release(connection)

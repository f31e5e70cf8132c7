"""Whole-answer cache of public route and event reads against the real Redis: the same bytes as uncached,
hits, read-your-writes (routes, events, POIs shown as stops or venues), editors kept out, Redis down, and
clock buckets for the answers that depend on the time."""

from types import SimpleNamespace

import pytest

from tests.cache.waiting import redis_back
from tests.events.helpers import BELFRY, event_feature, make_event, utc
from tests.factories import make_poi
from tests.herd import ask_at_once, counting_slowly
from tests.routes.factories import ORIGIN, make_route, offset, pois_at, stops_for, walk
from tests.servers import PrivateRedis
from urbanpulse import create_app
from urbanpulse.cache import responses
from urbanpulse.core.metrics import CACHE_REQUESTS
from urbanpulse.events import api as events_api

CACHES = ("routes.list", "routes.nearby", "routes.detail", "events.list", "events.now", "events.occurrences")
SATURDAY_10_AM = utc(2026, 3, 21, 9, 0, 5)  # 10:00:05 in Boulogne, during the Saturday market (08:00-13:00)
DAY = "from=2026-03-21&to=2026-03-22"


def count(result: str, caches=CACHES) -> float:
    return sum(CACHE_REQUESTS.labels(cache, result)._value.get() for cache in caches)


def body_keys(redis) -> set[bytes]:
    return set(redis.scan_iter("up:body:*"))


@pytest.fixture
def clock(monkeypatch):
    """The events' clock, set by the test."""
    state = SimpleNamespace(now=SATURDAY_10_AM)
    monkeypatch.setattr(events_api, "now_utc", lambda: state.now)
    return state


@pytest.fixture
def uncached_app(app_config):
    return create_app({**app_config, "CACHE_ENABLED": False})


@pytest.fixture
def city(app):
    line = walk()
    stops = pois_at(line[:2])
    route = make_route(line, stops=stops_for(stops))
    venue = make_poi(*BELFRY, name={"fr": "Beffroi", "en": "Belfry"}, slug="beffroi")
    market = make_event()
    concert = make_event(
        title={"fr": "Concert au beffroi"},
        category="concert",
        rrule=None,
        starts_at="2026-03-21T10:30:00",
        ends_at="2026-03-21T12:00:00",
        venue_poi_id=str(venue.id),
    )
    return SimpleNamespace(route=route, stops=stops, venue=venue, market=market, concert=concert)


def public_paths(city) -> list[str]:
    lon, lat = ORIGIN
    route, market = city.route.id, city.market.id
    return [
        "/api/v1/routes",
        "/api/v1/routes?lang=en&limit=1",
        f"/api/v1/routes/nearby?lat={lat}&lon={lon}&radius=2000",
        f"/api/v1/routes/nearby?lat={lat}&lon={lon}&radius=2000&theme=maritime&lang=de",
        f"/api/v1/routes/{route}",
        f"/api/v1/routes/{route}?simplify_m=5&lang=en",
        "/api/v1/events",
        f"/api/v1/events?{DAY}&lat={BELFRY[1]}&lon={BELFRY[0]}&radius=3000&lang=fr",
        "/api/v1/events/now",
        "/api/v1/events/now?at=2026-03-21T10:15:00&lang=en",
        f"/api/v1/events/{market}/occurrences",
        f"/api/v1/events/{market}/occurrences?{DAY}&limit=2",
    ]


def names(response) -> list:
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    features = body["features"] if body["type"] == "FeatureCollection" else [body]
    return [f["properties"].get("name") or f["properties"].get("title") for f in features]


def patch(client, url, editor_headers, properties):
    etag = client.get(url, headers=editor_headers).headers["ETag"]
    response = client.patch(url, json={"properties": properties}, headers={**editor_headers, "If-Match": etag})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


def test_cached_answers_are_the_uncached_bytes_and_the_second_request_hits(client, uncached_app, city, clock, redis):
    uncached = uncached_app.test_client()
    paths = public_paths(city)
    hits, misses = count("hit"), count("miss")
    for path in paths:
        first, second, expected = client.get(path), client.get(path), uncached.get(path)
        assert expected.status_code == 200, (path, expected.get_data(as_text=True))
        assert first.data == second.data == expected.data, path
        assert first.headers["ETag"] == second.headers["ETag"] == expected.headers["ETag"], path
        assert first.headers.get("Content-Language") == expected.headers.get("Content-Language")
        assert first.headers["Cache-Control"] == expected.headers["Cache-Control"]
        assert client.get(path, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert count("miss") - misses == len(paths)
    assert count("hit") - hits == 2 * len(paths)
    assert len(body_keys(redis)) == len(paths)


def test_accept_language_is_part_of_the_key(client, city):
    url = f"/api/v1/routes/{city.route.id}"
    assert names(client.get(url, headers={"Accept-Language": "en"})) == ["Test walk"]
    assert names(client.get(url, headers={"Accept-Language": "de"})) == ["Testweg"]
    assert names(client.get(url, headers={"Accept-Language": "en"})) == ["Test walk"]
    assert names(client.get(url))[0]["fr"] == "Balade d'essai"


def test_entries_have_ttls_no_longer_than_their_clock_buckets(client, city, clock, redis):
    for path in public_paths(city):
        client.get(path)
    for key in body_keys(redis):
        cache = key.decode().split(":")[2]
        limit = {"events.now": 15, "events.list": 30, "events.occurrences": 30}.get(cache, 300)
        assert 0 < redis.ttl(key) <= limit, key


def test_route_edits_publication_and_withdrawal_show_at_once(client, city, editor_headers):
    url = f"/api/v1/routes/{city.route.id}"
    lon, lat = ORIGIN
    paths = ["/api/v1/routes?lang=fr", f"/api/v1/routes/nearby?lat={lat}&lon={lon}&lang=fr", f"{url}?lang=fr"]
    for path in paths * 2:
        assert names(client.get(path)) == ["Balade d'essai"]
    patch(client, url, editor_headers, {"name": {"fr": "Balade renommée"}})
    for path in paths:
        assert names(client.get(path)) == ["Balade renommée"], path
    patch(client, url, editor_headers, {"status": "draft"})
    assert names(client.get(paths[0])) == [] and names(client.get(paths[1])) == []
    assert client.get(paths[2]).status_code == 404
    patch(client, url, editor_headers, {"status": "published"})
    for path in paths:
        assert names(client.get(path)) == ["Balade renommée"], path


def test_event_creation_and_cancellation_show_at_once(client, city, clock, editor_headers):
    paths = [f"/api/v1/events?{DAY}&lang=fr", "/api/v1/events/now?lang=fr"]
    for path in paths * 2:
        assert "Fanfare" not in names(client.get(path))
    body = event_feature(
        title={"fr": "Fanfare"}, rrule=None, starts_at="2026-03-21T10:10:00", ends_at="2026-03-21T11:00:00"
    )
    created = client.post("/api/v1/events", json=body, headers=editor_headers)
    assert created.status_code == 201
    for path in paths:
        assert "Fanfare" in names(client.get(path)), path
    occurrences = f"/api/v1/events/{created.get_json()['id']}/occurrences?lang=fr"
    assert names(client.get(occurrences)) == ["Fanfare"]
    patch(client, f"/api/v1/events/{created.get_json()['id']}", editor_headers, {"status": "cancelled"})
    for path in [*paths, occurrences]:
        [fanfare] = [f for f in client.get(path).get_json()["features"] if f["properties"]["title"] == "Fanfare"]
        assert fanfare["properties"]["status"] == "cancelled", path


def test_renaming_or_hiding_a_stop_or_venue_poi_shows_at_once(client, city, clock, editor_headers):
    route_url = f"/api/v1/routes/{city.route.id}?lang=fr"
    event_paths = [f"/api/v1/events?{DAY}&lang=fr", "/api/v1/events/now?lang=fr"]

    def venues(path) -> set:
        return {(f["properties"]["venue"] or {}).get("name") for f in client.get(path).get_json()["features"]}

    for _ in range(2):
        stops = client.get(route_url).get_json()["properties"]["stops"]
        assert [stop["name"] for stop in stops] == ["Arrêt 1", "Arrêt 2"]
        assert all("Beffroi" in venues(path) for path in event_paths)
    patch(client, f"/api/v1/pois/{city.stops[0].id}", editor_headers, {"name": {"fr": "Arrêt renommé"}})
    patch(client, f"/api/v1/pois/{city.venue.id}", editor_headers, {"name": {"fr": "Beffroi renommé"}})
    stops = client.get(route_url).get_json()["properties"]["stops"]
    assert [stop["name"] for stop in stops] == ["Arrêt renommé", "Arrêt 2"]
    for path in event_paths:
        assert "Beffroi renommé" in venues(path) and "Beffroi" not in venues(path), path
    patch(client, f"/api/v1/pois/{city.stops[1].id}", editor_headers, {"status": "draft"})
    [listed] = client.get("/api/v1/routes").get_json()["features"]
    assert listed["properties"]["stop_count"] == 1
    patch(client, f"/api/v1/pois/{city.venue.id}", editor_headers, {"status": "draft"})
    for path in event_paths:
        assert "Beffroi renommé" not in venues(path), path


def test_an_entry_never_matches_again_once_redis_lost_its_counters(client, city, editor_headers, redis):
    def lose_counters() -> None:  # evicted (allkeys-lru) while entries stay
        redis.delete(*redis.scan_iter("up:gen:*"), *redis.scan_iter("up:epoch*"))

    url = f"/api/v1/routes/{city.route.id}"
    lose_counters()
    assert names(client.get(f"{url}?lang=fr")) == names(client.get(f"{url}?lang=fr")) == ["Balade d'essai"]
    entries = {key: redis.get(key) for key in body_keys(redis)}
    patch(client, url, editor_headers, {"name": {"fr": "Balade renommée"}})
    lose_counters()
    for key, entry in entries.items():  # the entry made before the edit, still there
        redis.set(key, entry)
    assert names(client.get(f"{url}?lang=fr")) == ["Balade renommée"]


def test_editor_answers_are_never_cached_nor_served_from_the_cache(client, city, clock, editor_headers, redis):
    draft = make_route(walk(start=offset(*ORIGIN, 0, 300)), status="draft", name={"fr": "Brouillon"})
    paths = [*public_paths(city), f"/api/v1/routes/{draft.id}"]
    for path in paths[:-1]:
        client.get(path)
    keys, counts = body_keys(redis), [count(result) for result in ("hit", "miss", "bypass", "error")]
    for path in paths:
        response = client.get(path, headers=editor_headers)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "private, no-cache"
    assert body_keys(redis) == keys
    assert [count(result) for result in ("hit", "miss", "bypass", "error")] == counts
    editor_list = client.get("/api/v1/routes?status=draft", headers=editor_headers).get_json()["features"]
    assert [f["properties"]["name"]["fr"] for f in editor_list] == ["Brouillon"]
    assert "created_by" in client.get(paths[4], headers=editor_headers).get_json()["properties"]
    assert "created_by" not in client.get(paths[4]).get_json()["properties"]
    assert "Brouillon" not in [name["fr"] for name in names(client.get("/api/v1/routes"))]
    assert client.get(f"/api/v1/routes/{draft.id}").status_code == 404


def test_events_now_is_keyed_by_the_clock_bucket_and_shows_an_event_starting_meanwhile(client, city, clock, redis):
    make_event(title={"fr": "Fanfare"}, rrule=None, starts_at="2026-03-21T10:00:40", ends_at="2026-03-21T10:30:00")
    url = "/api/v1/events/now?lang=fr&within_min=0"

    def answer():
        body = client.get(url).get_json()
        return body["window"]["from"], {f["properties"]["title"]: f["properties"]["ongoing"] for f in body["features"]}

    assert answer() == ("2026-03-21T10:00:00+01:00", {"Marché de la place Dalton": True})
    hits = count("hit", ["events.now"])
    clock.now = utc(2026, 3, 21, 9, 0, 14)  # same 15-second bucket: the same answer, from the cache
    assert answer() == ("2026-03-21T10:00:00+01:00", {"Marché de la place Dalton": True})
    assert count("hit", ["events.now"]) - hits == 1 and len(body_keys(redis)) == 1
    clock.now = utc(2026, 3, 21, 9, 0, 50)  # the fanfare began at 10:00:40
    assert answer() == ("2026-03-21T10:00:45+01:00", {"Marché de la place Dalton": True, "Fanfare": True})
    clock.now = utc(2026, 3, 21, 9, 1, 20)  # the next minute
    assert answer()[0] == "2026-03-21T10:01:15+01:00"
    assert len(body_keys(redis)) == 3


def test_the_default_event_window_follows_the_clock_bucket(client, city, clock, redis):
    def window_start(path: str) -> str:
        return client.get(path).get_json()["window"]["from"]

    assert window_start("/api/v1/events") == window_start("/api/v1/events") == "2026-03-21T10:00:00+01:00"
    clock.now = utc(2026, 3, 21, 9, 0, 31)
    assert window_start("/api/v1/events") == "2026-03-21T10:00:30+01:00"
    occurrences = f"/api/v1/events/{city.market.id}/occurrences"
    assert window_start(occurrences) == "2026-03-21T10:00:30+01:00"
    assert len(body_keys(redis)) == 3


def test_a_cold_answer_is_computed_once_under_a_herd(app, city, monkeypatch):
    from urbanpulse.routes import queries

    monkeypatch.setattr(responses, "HERD_WAIT_S", 10.0)  # a loaded machine must not make waiters give up
    calls = []
    monkeypatch.setattr(queries, "listing", counting_slowly(calls, queries.listing))
    results = ask_at_once(app, 6, lambda own: own.get("/api/v1/routes?lang=fr").get_data())
    assert len(results) == 6 and len(set(results)) == 1
    assert len(calls) == 1


def test_redis_down_gives_the_same_answers_and_caching_resumes(app_config, city, clock):
    private = PrivateRedis().start()
    try:
        app = create_app({**app_config, "REDIS_URL": private.url})
        client = app.test_client()
        paths = public_paths(city)
        expected = {path: client.get(path).data for path in paths}
        private.stop()
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200 and response.data == expected[path], path
        private.start()
        redis_back(app)
        for path in paths:
            assert client.get(path).data == expected[path]  # Redis came back empty: filled again
        hits = count("hit")
        for path in paths:
            assert client.get(path).data == expected[path]
        assert count("hit") - hits == len(paths)
    finally:
        private.close()


def test_an_edit_while_redis_is_unreachable_is_never_hidden(app_config, city, editor_headers):
    private = PrivateRedis().start()
    app = create_app({**app_config, "REDIS_URL": private.url})
    try:
        client = app.test_client()
        item = f"/api/v1/routes/{city.route.id}"
        url = f"{item}?lang=fr"
        assert names(client.get(url)) == names(client.get(url)) == ["Balade d'essai"]  # cached in the private Redis
        private.pause(700)  # unreachable, data kept
        patch(client, item, editor_headers, {"name": {"fr": "Renommée pendant la panne"}})
        assert names(client.get(url)) == ["Renommée pendant la panne"]
        redis_back(app)  # Redis is back with its old entries; the next read relays the edit before using them
        for _ in range(2):
            assert names(client.get(url)) == ["Renommée pendant la panne"]
    finally:
        redis_back(app)
        private.close()

"""Redis down: every public read still answers, exactly as with Redis, from PostGIS; writes succeed; /readyz
says degraded; when Redis is back, caching resumes by itself and nothing cached before an edit made during
the outage is ever served again (nearby candidates, tiles, the sync bundle, the live feed).

Each test runs an app on a private redis-server of its own, which it stops and restarts; the shared Redis
is never touched. Stopping the server loses its data; cutting the relay in front of it (`RedisLink`) keeps it,
as in a network partition, so the entries cached before the outage are really there afterwards.
"""

from __future__ import annotations

import contextlib
import gzip
import socket
import threading
import time

import orjson
import pytest
import redis as redis_lib
import requests

from tests.events.helpers import event_feature, parse_sse
from tests.factories import DEFAULT_PASSWORD, OPERATOR_HEADERS, make_user, poi_feature
from tests.reliability.gunicorn import Service, one_connection_per_worker
from tests.routes.factories import offset, route_feature, walk
from tests.servers import PrivateRedis
from tests.tiles.helpers import tile_of
from tests.waiting import wait_until
from urbanpulse import create_app
from urbanpulse.cache import relay, store
from urbanpulse.core.metrics import CACHE_REQUESTS
from urbanpulse.core.redis_client import RedisTarget
from urbanpulse.events import stream
from urbanpulse.events.feed import decode_entry

pytestmark = pytest.mark.slow  # private redis-servers (and, for one test, gunicorn)
SPOT = (1.6146, 50.7259)
WINDOW = "from=2026-03-01&to=2026-05-01"
SATURDAY = "2026-03-21T09:00:00"
# The bundle's build time, cursors (they carry the cluster's txid), arrival times (now + walking time).
VOLATILE = ("generated_at", "next_cursor", "eta_at")


class RedisLink:
    """A TCP relay in front of a Redis server that the test can cut and restore, the server keeping its data.

    Cut: every open connection is dropped and new ones are closed at once (nothing reaches the server, as in
    a network partition). Restore: connections are relayed again, instantly.
    """

    def __init__(self, server: PrivateRedis) -> None:
        self.server = server
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up = True
        self.lock = threading.Lock()
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        """redis:// URL through the relay."""
        return f"redis://127.0.0.1:{self.port}/0"

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            if not self.up:
                client.close()
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.server.port))
            except OSError:  # the server itself is stopped
                client.close()
                continue
            with self.lock:
                self.sockets += [client, upstream]
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        for sock in (source, target):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        """Drop every connection; refuse new ones."""
        self.up = False
        with self.lock:
            sockets, self.sockets = self.sockets, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def restore(self) -> None:
        """Relay again."""
        self.up = True

    def close(self) -> None:
        """Stop relaying."""
        self.cut()
        self.listener.close()


def settle(app, server: PrivateRedis, link: RedisLink | None = None) -> None:
    """Redis back, the app's circuit breaker closed, and every committed change relayed (polled, never slept)."""
    if server.process is None:
        server.start()
    if link is not None:
        link.restore()
    with app.app_context():
        deadline = time.monotonic() + 15

        def caught_up() -> bool:
            return bool(store.available() and store.run(lambda c: c.ping())) and relay.relay() is not None

        while time.monotonic() < deadline and not (caught_up() and relay.pending() == 0):
            time.sleep(0.05)
        assert store.available() and relay.pending() == 0


class Outage:
    """An app on a private Redis (through a relay that can cut it), which the test may stop or cut off."""

    def __init__(self, app_config) -> None:
        self.server = PrivateRedis().start()
        self.link = RedisLink(self.server)
        # As in production, a listener in the process relays what was committed while Redis was away.
        self.app = create_app(
            {
                **app_config,
                "REDIS_URL": self.link.url,
                "EVENTS_STREAM_MAX_S": 0.3,
                "CHANGE_LISTENER_ENABLED": True,
                "CHANGE_POLL_S": 0.2,
            }
        )
        self.client = self.app.test_client()

    def settle(self) -> None:
        """Everything back and caught up."""
        settle(self.app, self.server, self.link)

    def close(self) -> None:
        """Settle, then stop the listener, the relay and the server."""
        try:
            self.settle()
        finally:
            relay.stop_listener(self.app)
            self.link.close()
            self.server.close()


@pytest.fixture
def outage(app, app_config):
    setup = Outage(app_config)
    yield setup
    setup.close()


def seed(client, headers) -> dict:
    """A small city through the API of the app under test (so its writes invalidate its own Redis)."""
    near = [offset(*SPOT, azimuth, 80 + azimuth) for azimuth in range(0, 360, 45)]
    ids = {"pois": []}
    for i, point in enumerate(near):
        body = poi_feature(*point, name={"fr": f"Lieu {i}", "en": f"Place {i}"}, opening_hours="Mo-Su 08:00-20:00")
        response = client.post("/api/v1/pois", json=body, headers=headers)
        assert response.status_code == 201
        ids["pois"].append(response.get_json()["id"])
    line = walk(start=offset(*SPOT, 270, 300), legs=((90, 600), (0, 300)))
    stops = [{"poi_id": ids["pois"][0]}]
    response = client.post("/api/v1/routes", json=route_feature(line, stops=stops), headers=headers)
    assert response.status_code == 201, response.get_json()
    ids["route"] = response.get_json()["id"]
    response = client.post("/api/v1/events", json=event_feature(venue_poi_id=ids["pois"][1]), headers=headers)
    assert response.status_code == 201
    ids["event"] = response.get_json()["id"]
    return ids


def read_paths(ids: dict) -> list[str]:
    """Every public read endpoint of every domain."""
    lon, lat = SPOT
    route, event = ids["route"], ids["event"]
    paths = [
        f"/api/v1/pois/nearby?lat={lat}&lon={lon}&radius=1000",
        f"/api/v1/pois/nearby?lat={lat}&lon={lon}&radius=500&limit=3&lang=en",
        f"/api/v1/pois/nearby?lat={lat}&lon={lon}&q=lieu",
        f"/api/v1/pois/nearby?lat={lat}&lon={lon}&open_now=true&at=2026-07-14T12:00:00",
        "/api/v1/pois?bbox=1.60,50.72,1.63,50.73",
        "/api/v1/pois?q=lieu&lang=de",
        f"/api/v1/pois/{ids['pois'][0]}",
        "/api/v1/categories?lang=nl",
        "/api/v1/routes",
        "/api/v1/routes/vocabulary",
        f"/api/v1/routes/nearby?lat={lat}&lon={lon}",
        f"/api/v1/routes/{route}",
        f"/api/v1/routes/{route}?simplify_m=5",
        f"/api/v1/routes/{route}/gpx",
        f"/api/v1/routes/{route}/progress?lat={lat}&lon={lon}",
        f"/api/v1/events?{WINDOW}",
        f"/api/v1/events?{WINDOW}&lat={lat}&lon={lon}&radius=2000",
        f"/api/v1/events/now?at={SATURDAY}",
        "/api/v1/events/categories",
        f"/api/v1/events/{event}",
        f"/api/v1/events/{event}/occurrences?{WINDOW}",
        f"/api/v1/events.ics?{WINDOW}",
        f"/api/v1/events/{event}.ics",
        "/api/v1/sync",
        "/api/v1/sync?types=pois&lang=fr&limit=3",
        "/api/v1/sync/bundle",
        "/api/v1/sync/bundle?lang=en",
    ]
    for z in (10, 14, 16):
        x, y = tile_of(*SPOT, z)
        paths.append(f"/api/v1/tiles/{z}/{x}/{y}.mvt")
    return paths


def comparable(response):
    """What must be equal with and without Redis: the body, minus its build time and txid-based cursors."""
    data = gzip.decompress(response.data) if response.headers.get("Content-Encoding") == "gzip" else response.data
    if response.mimetype.endswith("json"):
        return response.status_code, _without_volatile(orjson.loads(data))
    return response.status_code, data


def _without_volatile(value):
    if isinstance(value, dict):
        return {k: _without_volatile(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_without_volatile(v) for v in value]
    return value


def answers(client, paths) -> dict:
    return {path: comparable(client.get(path)) for path in paths}


def hits(cache: str) -> float:
    return CACHE_REQUESTS.labels(cache, "hit")._value.get()


def test_with_redis_down_every_read_is_the_same_writes_succeed_and_readiness_is_degraded(outage, editor_headers):
    client = outage.client
    ids = seed(client, editor_headers)
    paths = read_paths(ids)
    with_redis = answers(client, paths)
    assert all(status in (200, 204) for status, _ in with_redis.values()), with_redis
    assert answers(client, paths) == with_redis  # warm caches: the same
    assert client.get("/readyz").get_json()["status"] == "ok"

    outage.server.stop()  # the process is gone, and its data with it
    without_redis = answers(client, paths)
    for path in paths:
        assert without_redis[path] == with_redis[path], path
    ready = client.get("/readyz", headers=OPERATOR_HEADERS)
    assert ready.status_code == 200
    assert ready.get_json()["status"] == "degraded" and ready.get_json()["checks"]["redis"]["status"] == "down"

    # Writes of every domain succeed, and every read shows them at once.
    created = client.post(
        "/api/v1/pois", json=poi_feature(*SPOT, name={"fr": "Ajout pendant la panne"}), headers=editor_headers
    )
    assert created.status_code == 201
    route_url = f"/api/v1/routes/{ids['route']}"
    etag = client.get(route_url).headers["ETag"]
    patched = client.patch(
        route_url, json={"properties": {"difficulty": "hard"}}, headers={**editor_headers, "If-Match": etag}
    )
    assert patched.status_code == 200
    event = client.post(
        "/api/v1/events", json=event_feature(title={"fr": "Concert pendant la panne"}), headers=editor_headers
    )
    assert event.status_code == 201
    poi_url = f"/api/v1/pois/{ids['pois'][2]}"
    deleted = client.delete(poi_url, headers={**editor_headers, "If-Match": client.get(poi_url).headers["ETag"]})
    assert deleted.status_code == 204
    nearby = client.get(f"/api/v1/pois/nearby?lat={SPOT[1]}&lon={SPOT[0]}&radius=1000").get_json()["features"]
    assert nearby[0]["id"] == created.get_json()["id"] and ids["pois"][2] not in {f["id"] for f in nearby}
    assert client.get(route_url).get_json()["properties"]["difficulty"] == "hard"
    titles = [f["properties"]["title"]["fr"] for f in client.get(f"/api/v1/events?{WINDOW}").get_json()["features"]]
    assert "Concert pendant la panne" in titles
    bundle = client.get("/api/v1/sync/bundle").get_json()
    assert created.get_json()["id"] in {f["id"] for f in bundle["features"]}
    x, y = tile_of(*SPOT, 16)
    assert b"Ajout pendant la panne" in client.get(f"/api/v1/tiles/16/{x}/{y}.mvt").data

    # Redis comes back (empty): caching resumes by itself, with the same answers as PostGIS.
    outage.server.start()
    outage.settle()
    now_paths = read_paths(ids)
    fresh = answers(client, now_paths)
    before = hits("nearby")
    assert answers(client, now_paths) == fresh
    assert hits("nearby") - before >= 2
    keys = {key.decode().split(":")[1] for key in redis_lib.Redis.from_url(outage.server.url).scan_iter("up:*")}
    assert {"tile", "sync"} <= keys and any(key.startswith("nb") for key in keys), keys
    assert client.get("/readyz").get_json()["status"] == "ok"


def cached_tile_keys(link: RedisLink) -> list[bytes]:
    return list(redis_lib.Redis.from_url(link.server.url).scan_iter("up:tile:*"))


def test_an_edit_made_while_redis_was_away_is_never_hidden_by_an_older_cached_answer(outage, editor_headers):
    client = outage.client
    ids = seed(client, editor_headers)
    lon, lat = SPOT
    x, y = tile_of(*offset(*SPOT, 0, 80), 16)  # where "Lieu 0" is
    nearby_url = f"/api/v1/pois/nearby?lat={lat}&lon={lon}&radius=1000&lang=fr"
    tile_url = f"/api/v1/tiles/16/{x}/{y}.mvt?lang=fr"
    bundle_url = "/api/v1/sync/bundle?lang=fr"
    # Warm every cache, and check the entries are in Redis.
    for url in (nearby_url, tile_url, bundle_url):
        client.get(url)
    before = hits("nearby")
    assert b"Lieu 0" in client.get(tile_url).data and client.get(nearby_url).status_code == 200
    assert hits("nearby") - before == 1 and cached_tile_keys(outage.link)

    outage.link.cut()  # Redis keeps its data (the cached entries), but nothing reaches it
    poi_url = f"/api/v1/pois/{ids['pois'][0]}"
    renamed = client.patch(
        poi_url,
        json={"properties": {"name": {"fr": "Renomme pendant la panne"}}},
        headers={**editor_headers, "If-Match": client.get(poi_url).headers["ETag"]},
    )
    assert renamed.status_code == 200

    def shows_the_edit() -> None:
        names = [f["properties"]["name"] for f in client.get(nearby_url).get_json()["features"]]
        assert "Renomme pendant la panne" in names and "Lieu 0" not in names
        tile = client.get(tile_url).data
        assert b"Renomme pendant la panne" in tile and b"Lieu 0" not in tile
        bundle = [
            f["properties"]["name"] for f in client.get(bundle_url).get_json()["features"] if "name" in f["properties"]
        ]
        assert "Renomme pendant la panne" in bundle and "Lieu 0" not in bundle

    shows_the_edit()  # during the outage, from PostGIS
    time.sleep(1.2)  # no reads for a while: the circuit breakers close, the next read tries Redis again
    outage.link.restore()
    assert cached_tile_keys(outage.link)  # the entries cached before the edit are still in Redis
    for _ in range(20):  # from the first request on, and while caching resumes
        shows_the_edit()
        time.sleep(0.1)
    outage.settle()
    before = hits("nearby")
    for _ in range(3):
        shows_the_edit()
    assert hits("nearby") - before >= 2  # cached again


class RequestsResponse:
    """A requests answer seen like a Flask test response (status_code, data, headers, mimetype)."""

    def __init__(self, response: requests.Response) -> None:
        self.status_code, self.data, self.headers = response.status_code, response.content, {}
        self.mimetype = response.headers.get("Content-Type", "").split(";")[0]


class ConnectionResponse:
    """A GET sent on one held connection (so on one known worker), seen like a Flask test response."""

    def __init__(self, connection, path: str) -> None:
        connection.request("GET", path, headers={"Accept-Encoding": "gzip"})
        response = connection.getresponse()
        self.status_code, self.data = response.status, response.read()
        self.headers = {"Content-Encoding": response.getheader("Content-Encoding", "")}
        self.mimetype = (response.getheader("Content-Type") or "").split(";")[0]


class RequestsClient:
    """The bits of the Flask test client `seed` uses, over HTTP."""

    def __init__(self, session: requests.Session, base: str) -> None:
        self.session, self.base = session, base

    def post(self, path: str, *, json: dict, headers: dict):
        response = self.session.post(self.base + path, json=json, headers=headers, timeout=10)
        response.get_json = response.json
        return response


def feed_entries(outage: Outage) -> list[tuple[str, dict]]:
    raw = redis_lib.Redis.from_url(outage.server.url).xrange(outage.app.config["EVENTS_FEED_KEY"])
    return [decode_entry(entry_id, fields) for entry_id, fields in raw]


def test_the_live_feed_delivers_what_was_committed_during_an_outage_and_recovers_by_itself(outage, editor_headers):
    client, app = outage.client, outage.app
    created = client.post("/api/v1/events", json=event_feature(), headers=editor_headers)
    event_url = f"/api/v1/events/{created.get_json()['id']}"
    (before_outage, _), *_ = feed_entries(outage)
    app.config.update(EVENTS_STREAM_MAX_S=8, EVENTS_STREAM_HEARTBEAT_S=0.5)
    frames: list[dict] = []

    def listen():  # a phone with the live feed open through the whole outage
        frames.extend(parse_sse(app.test_client().get("/api/v1/events/stream").get_data(as_text=True)))

    listener = threading.Thread(target=listen)
    listener.start()
    wait_until(lambda: bool(frames) or listener_connected(app), timeout_s=5)
    outage.link.cut()

    def patch(**properties):
        etag = client.get(event_url).headers["ETag"]
        response = client.patch(
            event_url, json={"properties": properties}, headers={**editor_headers, "If-Match": etag}
        )
        assert response.status_code == 200

    patch(status="cancelled")  # committed; the feed cannot take it now, the change log keeps it
    outage.link.restore()
    # Nobody writes or reads meanwhile: the process's change listener relays the missed change by itself.
    wait_until(lambda: [p["type"] for _, p in feed_entries(outage)] == ["published", "cancelled"], timeout_s=10)
    patch(price="12 €")
    listener.join(timeout=30)
    assert not listener.is_alive()

    live = [frame["data"] for frame in frames if "data" in frame]
    assert [message["type"] for message in live] == ["cancelled", "updated"], live
    assert live[0]["changed"] == ["status"] and live[1]["changed"] == ["price"]
    # A client that was offline during the outage resumes from its last id and misses nothing.
    app.config.update(EVENTS_STREAM_MAX_S=0.3)
    replay = parse_sse(
        client.get("/api/v1/events/stream", headers={"Last-Event-ID": before_outage}).get_data(as_text=True)
    )
    assert [frame["data"]["type"] for frame in replay if "data" in frame] == ["cancelled", "updated"]


def listener_connected(app) -> bool:
    """Whether the worker's live-feed hub already reads the stream for its subscribers."""
    hub = stream.hub_for(RedisTarget.of(app.config), app.config["EVENTS_FEED_KEY"])
    return hub.thread is not None and hub.thread.is_alive() and bool(hub.subscribers)


def test_the_real_service_in_production_configuration_rides_out_a_redis_outage(app, database_url):
    """gunicorn (gevent workers), rate limits on (their counters live in Redis too), cache on."""
    server = PrivateRedis().start()
    service = Service(database_url=database_url, redis_url=server.url, workers=2).start()
    try:
        editor = make_user(role="editor")

        def login() -> dict:
            credentials = {"email": editor.email, "password": DEFAULT_PASSWORD}
            answer = requests.post(f"{service.base}/api/v1/auth/token", json=credentials, timeout=10)
            assert answer.status_code == 200, answer.text
            return {"Authorization": f"Bearer {answer.json()['access_token']}"}

        headers = login()
        with requests.Session() as http:
            ids = seed(RequestsClient(http, service.base), headers)
            paths = read_paths(ids)
            with_redis = {
                path: comparable(RequestsResponse(http.get(service.base + path, timeout=10))) for path in paths
            }
            server.stop()
            served_by = one_connection_per_worker(service, 2)  # both workers, each with its own breaker and fallbacks
            for connection in served_by:
                for path in paths:
                    assert comparable(ConnectionResponse(connection, path)) == with_redis[path], path
                connection.close()
            assert requests.get(f"{service.base}/readyz", timeout=10).json()["status"] == "degraded"
            headers = login()  # the login limits fall back to in-process counters
            created = http.post(
                f"{service.base}/api/v1/pois",
                json=poi_feature(*SPOT, name={"fr": "Pendant"}),
                headers=headers,
                timeout=10,
            )
            assert created.status_code == 201
            nearby = http.get(f"{service.base}/api/v1/pois/nearby?lat={SPOT[1]}&lon={SPOT[0]}", timeout=10).json()
            assert nearby["features"][0]["id"] == created.json()["id"]
            server.start()
            deadline = time.monotonic() + 20
            while (
                time.monotonic() < deadline
                and requests.get(f"{service.base}/readyz", timeout=10).json()["status"] != "ok"
            ):
                time.sleep(0.2)
            assert requests.get(f"{service.base}/readyz", timeout=10).json()["status"] == "ok"
            for _ in range(4):
                nearby = http.get(f"{service.base}/api/v1/pois/nearby?lat={SPOT[1]}&lon={SPOT[0]}", timeout=10).json()
                assert nearby["features"][0]["id"] == created.json()["id"]
    finally:
        service.stop()
        server.close()

"""One durable invalidation: whatever commits a change (API, a process killed after its commit, an operator's SQL,
another instance), every worker's readers see it within a second; a change is relayed exactly once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import psycopg
import pytest
from sqlalchemy import text

from tests.events.helpers import make_event
from tests.factories import make_poi
from tests.reliability.gunicorn import ROOT, Service, one_connection_per_worker
from urbanpulse.cache import relay
from urbanpulse.cache.keys import domain_generation_key
from urbanpulse.core.config import to_libpq_url
from urbanpulse.core.extensions import db
from urbanpulse.events.feed import decode_entry

SPOT = (1.6146, 50.7259)
NEARBY = f"/api/v1/pois/nearby?lat={SPOT[1]}&lon={SPOT[0]}&radius=300&lang=fr"


def feed_types(redis, app) -> list[str]:
    entries = redis.xrange(app.config["EVENTS_FEED_KEY"])
    return [decode_entry(entry_id, fields)[1]["type"] for entry_id, fields in entries]


def nearby_names(connection) -> list[str]:
    connection.request("GET", NEARBY)
    response = connection.getresponse()
    assert response.status == 200
    return [feature["properties"]["name"] for feature in json.loads(response.read())["features"]]


def seconds_until_every_worker_shows(connections, name: str, timeout_s: float = 10) -> list[float]:
    """For each worker, how long until its answer shows `name` (polled from the moment of the call)."""
    start, waited = time.monotonic(), []
    for connection in connections:
        while name not in nearby_names(connection):
            assert time.monotonic() - start < timeout_s, f"{name!r} never shown"
            time.sleep(0.02)
        waited.append(time.monotonic() - start)
    return waited


@pytest.fixture
def served(app, database_url, redis_url):
    """The real service (2 gevent workers, production configuration) on the test's database and Redis, each
    worker having answered (and cached) the nearby question about the spot."""
    poi = make_poi(*SPOT, name={"fr": "Avant"})
    service = Service(database_url=database_url, redis_url=redis_url, workers=2).start()
    try:
        for connection in one_connection_per_worker(service, 2):
            assert nearby_names(connection) == nearby_names(connection) == ["Avant"]
            connection.close()
        yield poi, service
    finally:
        service.stop()


@pytest.mark.slow
def test_an_operators_sql_update_is_seen_by_every_worker_within_a_second(served, database_url, redis):
    poi, service = served
    assert list(redis.scan_iter("up:nb*")), "the answer is cached before the change"
    connections = one_connection_per_worker(service, 2)
    with psycopg.connect(to_libpq_url(database_url), autocommit=True) as conn:
        conn.execute("UPDATE pois SET name = jsonb_set(name, '{fr}', '\"Changé en SQL\"') WHERE id = %s", (poi.id,))
    waited = seconds_until_every_worker_shows(connections, "Changé en SQL")
    assert max(waited) <= 1.0, waited


@pytest.mark.slow
def test_a_write_killed_right_after_its_commit_is_seen_by_every_worker_within_a_second(served, database_url, redis_url):
    poi, service = served
    # A process (as the CLI) writes through the service functions and dies right after its commit, before it
    # could relay anything itself.
    script = textwrap.dedent(
        f"""
        import os, signal, uuid
        from urbanpulse import create_app
        from urbanpulse.cache import relay
        from urbanpulse.editing.actor import Actor
        from urbanpulse.editing.etags import item_etag
        from urbanpulse.pois import service

        relay.relay = lambda **_: os.kill(os.getpid(), signal.SIGKILL)
        app = create_app({{"SQLALCHEMY_DATABASE_URI": {database_url!r}, "REDIS_URL": {redis_url!r}}})
        with app.app_context():
            poi = service.get_poi(poi_id=uuid.UUID({str(poi.id)!r}), include_unpublished=True)
            service.update_poi(
                poi_id=poi.id, if_match=item_etag(poi.id, poi.version), actor=Actor.system("cli"),
                properties={{"name": {{"fr": "Écrit puis tué"}}}},
            )
        """
    )
    env = {**os.environ, "URBANPULSE_ENV": "testing", "LOG_LEVEL": "WARNING"}
    connections = one_connection_per_worker(service, 2)
    writer = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, env=env, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while writer.poll() is None and time.monotonic() < deadline:
        for connection in connections:  # keep both workers' connections alive meanwhile
            connection.request("GET", "/healthz")
            connection.getresponse().read()
        time.sleep(0.3)
    assert writer.wait(timeout=5) == -signal.SIGKILL, writer.stderr.read().decode()[-2000:]
    waited = seconds_until_every_worker_shows(connections, "Écrit puis tué")
    assert max(waited) <= 1.0, waited


def test_relays_running_at_once_apply_a_change_exactly_once(app, redis):
    event = make_event()
    generation_key = domain_generation_key("events")
    before = int(redis.get(generation_key))
    db.session.execute(text("UPDATE events SET status = 'cancelled' WHERE id = :id"), {"id": event.id})
    db.session.commit()  # raw SQL: nothing relayed by this process's own commit hook
    assert relay.pending() == 1

    def relay_in_own_context():
        with app.app_context():
            relay.relay()

    threads = [threading.Thread(target=relay_in_own_context) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert relay.pending() == 0
    assert feed_types(redis, app) == ["published", "cancelled"]
    assert int(redis.get(generation_key)) == before + 1


def test_a_long_transaction_elsewhere_does_not_delay_a_committed_change(app, redis, database_url):
    make_event()
    with psycopg.connect(to_libpq_url(database_url)) as long_running:
        long_running.execute("SELECT pg_current_xact_id()")  # holds the horizon back until it ends
        second = make_event(uid="second@test", title={"fr": "Deuxième"})
        assert feed_types(redis, app) == ["published", "published"]
        db.session.execute(text("UPDATE events SET price = '3 €' WHERE id = :id"), {"id": second.id})
        db.session.commit()
        relay.relay()
        assert feed_types(redis, app) == ["published", "published", "updated"]
        relay.relay()  # relaying again while the horizon is still held back applies nothing twice
        assert feed_types(redis, app) == ["published", "published", "updated"]
        long_running.rollback()
    relay.relay()
    assert relay.pending() == 0 and feed_types(redis, app) == ["published", "published", "updated"]
    assert redis.zcard(relay.applied_key()) == 0  # once the horizon passed them, applied ids are forgotten


def test_redis_losing_the_position_retires_every_cached_answer(app, client, redis):
    make_poi(*SPOT, name={"fr": "Ici"})
    client.get(NEARBY)
    epoch = list(redis.scan_iter("up:epoch*"))
    before = {key: redis.get(key) for key in epoch}
    redis.delete(relay.position_key())  # e.g. evicted under memory pressure, entries kept
    relay.relay()
    assert all(redis.get(key) != value for key, value in before.items()) and epoch
    assert [f["properties"]["name"] for f in client.get(NEARBY).get_json()["features"]] == ["Ici"]

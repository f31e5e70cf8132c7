"""The live feed on the real gunicorn (urbanpulse.serving.gunicorn_conf, gevent, 2 workers): many open streams do not
starve ordinary requests, a write through any worker (or another process) reaches every stream, resume works."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from tests.events.helpers import make_event
from urbanpulse.core.extensions import db
from urbanpulse.editing.actor import Actor
from urbanpulse.editing.etags import item_etag
from urbanpulse.events import service

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
STREAMS = 12  # more than gthread's default 8 threads per worker could hold


class StreamReader(threading.Thread):
    """Reads one SSE stream into frames until it has seen `until` or the deadline passes."""

    def __init__(self, url: str, headers: dict | None = None):
        super().__init__(daemon=True)
        self.url, self.headers = url, headers or {}
        self.status: int | None = None
        self.ready = threading.Event()
        # Set once the stream has sent what follows ": connected" (its position or a heartbeat): it is live.
        self.live = threading.Event()
        self.events: list[tuple[str, str, str]] = []  # (id, event, data)
        self.stop_at = time.monotonic() + 60
        self.wanted: set[str] = set()
        self.done = threading.Event()

    def run(self):
        try:
            with requests.get(self.url, headers=self.headers, stream=True, timeout=(5, 10)) as response:
                self.status = response.status_code
                self.ready.set()
                if response.status_code != 200:
                    return
                frame: dict = {}
                blocks = 0
                for line in response.iter_lines(decode_unicode=True):
                    if line and blocks:
                        self.live.set()
                    if line == "":
                        blocks += 1
                        if "data" in frame:
                            self.events.append((frame.get("id", ""), frame.get("event", ""), frame["data"]))
                        frame = {}
                        if self.wanted and self.wanted <= {data for _, _, data in self.events_text()}:
                            return
                    elif not line.startswith(":"):
                        field, _, value = line.partition(":")
                        frame[field] = value.removeprefix(" ")
                    if time.monotonic() > self.stop_at:
                        return
        except requests.RequestException:
            self.ready.set()
        finally:
            self.done.set()

    def events_text(self):
        return [
            (i, e, d.split('"type":"')[1].split('"')[0] + ":" + d.split('"event_id":"')[1][:36])
            for i, e, d in self.events
        ]


@pytest.fixture
def live_server(app, database_url, redis_url, free_port, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "HOST": "127.0.0.1",
        "PORT": str(free_port),
        "WEB_WORKERS": "2",
        "URBANPULSE_ENV": "testing",
        "SECRET_KEY": app.config["SECRET_KEY"],
        "EVENTS_STREAM_HEARTBEAT_S": "1",
        "LOG_LEVEL": "INFO",
        "EVENTS_STREAM_MAX_PER_CLIENT": str(STREAMS + 1),  # every stream of this test comes from 127.0.0.1
    }
    env.pop("WEB_WORKER_CLASS", None)
    log = (tmp_path / "gunicorn.log").open("wb")
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    process = subprocess.Popen(
        [gunicorn, "-c", "python:urbanpulse.serving.gunicorn_conf", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    base = f"http://127.0.0.1:{free_port}"
    try:
        for _ in range(150):
            try:
                if requests.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        else:
            pytest.fail("gunicorn did not start: " + (tmp_path / "gunicorn.log").read_text()[-2000:])
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()
    text = (tmp_path / "gunicorn.log").read_text()
    assert "Using worker: urbanpulse.serving.balance.BalancedGeventWorker" in text
    assert "Traceback" not in text, text[-3000:]


def open_streams(base: str, count: int, headers: dict | None = None) -> list[StreamReader]:
    readers = [StreamReader(f"{base}/api/v1/events/stream", headers) for _ in range(count)]
    for reader in readers:
        reader.start()
    for reader in readers:
        assert reader.ready.wait(30)
    return readers


def test_open_streams_do_not_starve_requests_and_every_stream_gets_every_write(app, live_server, editor_headers):
    event = make_event()
    event_id = event.id  # read here: the pool's threads below have no app context to reload it in
    readers = open_streams(live_server, STREAMS)
    assert [reader.status for reader in readers] == [200] * STREAMS
    for reader in readers:  # every stream has taken its position in the feed
        assert reader.live.wait(30)

    # Ordinary requests, many at once, are all answered while the streams stay open.
    def ordinary(i):
        path = ("/api/v1/events", "/api/v1/events/now", f"/api/v1/events/{event_id}", "/healthz")[i % 4]
        return requests.get(f"{live_server}{path}", timeout=10).status_code

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(ordinary, range(40))) == [200] * 40
    assert all(not reader.done.is_set() for reader in readers)

    # A write through the HTTP API (whichever worker takes it), then one from this process's own connection.
    # identity: Flask-Compress turns the ETag into "<id>.<version>:gzip", which If-Match does not accept (reported).
    identity = {"Accept-Encoding": "identity"}
    etag = requests.get(f"{live_server}/api/v1/events/{event.id}", headers=identity, timeout=10).headers["ETag"]
    patched = requests.patch(
        f"{live_server}/api/v1/events/{event.id}",
        json={"properties": {"price": "5 €"}},
        headers={**editor_headers, "If-Match": etag},
        timeout=10,
    )
    assert patched.status_code == 200, patched.text
    db.session.expire_all()
    service.update_event(
        event_id=event.id,
        if_match=item_etag(event.id, 2),
        actor=Actor.system("test"),
        properties={"status": "cancelled"},
    )
    wanted = {f"updated:{event.id}", f"cancelled:{event.id}"}
    for reader in readers:
        reader.wanted = wanted
    for reader in readers:
        reader.done.wait(30)
    for reader in readers:
        assert [kind for _, _, kind in reader.events_text()] == [f"updated:{event.id}", f"cancelled:{event.id}"]

    # Resume: a client that saw only the first change gets the second on reconnection.
    first_id = readers[0].events[0][0]
    [resumed] = open_streams(live_server, 1, {"Last-Event-ID": first_id})
    resumed.wanted = {f"cancelled:{event.id}"}
    resumed.done.wait(30)
    assert [kind for _, _, kind in resumed.events_text()] == [f"cancelled:{event.id}"]

"""One client address holds at most EVENTS_STREAM_MAX_PER_CLIENT live streams (4 by default), over real
connections to a threaded server: 429 problem with Retry-After beyond, another address unaffected, and a
closed stream gives its place back."""

from __future__ import annotations

import http.client
import json
import threading

import pytest
from werkzeug.serving import make_server

from tests.waiting import wait_until

DOCUMENTED_CAP = 4


@pytest.fixture
def server(app, free_port, monkeypatch):
    monkeypatch.setenv("WEB_THREADS", "64")  # the per-worker cap of a threaded server stays out of the way
    monkeypatch.setitem(app.config, "EVENTS_STREAM_HEARTBEAT_S", 0.2)  # a closed client is noticed at once
    running = make_server("127.0.0.1", free_port, app, threaded=True)
    thread = threading.Thread(target=running.serve_forever, daemon=True)
    thread.start()
    yield free_port
    running.shutdown()
    thread.join(10)


def open_stream(port: int, source: str = "127.0.0.1") -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
    """A stream request from `source`; the connection stays open until closed."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
    connection.request("GET", "/api/v1/events/stream")
    return connection, connection.getresponse()


def test_the_default_cap_is_the_documented_one(app):
    assert app.config["EVENTS_STREAM_MAX_PER_CLIENT"] == DOCUMENTED_CAP


def test_past_its_share_an_address_gets_429_and_a_closed_stream_frees_a_place(app, server):
    held = [open_stream(server) for _ in range(DOCUMENTED_CAP)]
    try:
        assert [response.status for _, response in held] == [200] * DOCUMENTED_CAP
        connection, refused = open_stream(server)
        held.append((connection, refused))
        assert refused.status == 429 and refused.getheader("Content-Type") == "application/problem+json"
        body = json.loads(refused.read())
        assert refused.getheader("Retry-After") == "30" and body["status"] == 429
        assert str(DOCUMENTED_CAP) in body["detail"]

        other = open_stream(server, source="127.0.0.2")  # another address has its own share
        held.append(other)
        assert other[1].status == 200

        held.pop(0)[0].close()

        def a_place_again() -> bool:
            connection, response = open_stream(server)
            if response.status == 200:
                held.append((connection, response))
                return True
            assert response.status == 429
            connection.close()
            return False

        wait_until(a_place_again, every_s=0.2, what="the closed stream's place")
    finally:
        for connection, _ in held:
            connection.close()

"""gunicorn's gevent workers share keep-alive connections evenly, and a stuck worker never stops the others.

Runs the real service (production gunicorn configuration, 4 workers) and reads which worker holds each
connection from /proc (socket inodes), as `ss -p` would.
"""

from __future__ import annotations

import http.client
import os
import signal
import time
from pathlib import Path

import pytest

from tests.reliability.gunicorn import Service, connections_by_worker, worker_pids
from tests.waiting import wait_until
from urbanpulse.serving.balance import STALE_AFTER_MS

pytestmark = pytest.mark.slow  # starts gunicorn
WORKERS = 4


def open_connections(service: Service, count: int, timeout_s: float = 10) -> list[http.client.HTTPConnection]:
    """`count` keep-alive connections, all opened before any is used (a burst), each then answered once."""
    connections = [http.client.HTTPConnection("127.0.0.1", service.port, timeout=timeout_s) for _ in range(count)]
    for connection in connections:
        connection.connect()
    for connection in connections:
        connection.request("GET", "/healthz")
    for connection in connections:
        response = connection.getresponse()
        response.read()
        assert response.status == 200
    return connections


def wait_until_every_worker_serves(service: Service, timeout_s: float = 60) -> None:
    """Until each worker has booted: WORKERS connections opened one by one then land on WORKERS workers.

    A worker still loading the app does not accept yet (its siblings take everything meanwhile).
    """
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        probes = [open_connections(service, 1)[0] for _ in range(WORKERS)]
        spread = sorted(connections_by_worker(service).values())
        for probe in probes:
            probe.close()
        while any(connections_by_worker(service).values()) and time.monotonic() < deadline:
            time.sleep(0.05)
        if spread == [1] * WORKERS:
            return
        time.sleep(0.5)
    pytest.fail(f"the {WORKERS} workers never all served")


@pytest.fixture
def service(database_url, redis_url):
    running = Service(database_url=database_url, redis_url=redis_url, workers=WORKERS).start()
    wait_until_every_worker_serves(running)
    yield running
    for pid in worker_pids(running.process.pid):
        os.kill(pid, signal.SIGCONT)
    running.stop()


def test_a_burst_of_keep_alive_connections_is_spread_evenly(service):
    opened = []  # kept open until counted
    for expected_each in (4, 8):  # 16 at once, then 16 more on top
        opened += open_connections(service, WORKERS * 4)
        counts = connections_by_worker(service)
        assert sum(counts.values()) == WORKERS * expected_each, counts
        assert max(counts.values()) - min(counts.values()) <= 1, counts


def test_a_stopped_worker_does_not_keep_the_others_from_accepting(service):
    stopped = worker_pids(service.process.pid)[0]
    os.kill(stopped, signal.SIGSTOP)  # holds no connection: the fewest, but its heartbeat goes stale
    wait_until(lambda: Path(f"/proc/{stopped}/stat").read_text().rsplit(")", 1)[1].split()[0] == "T", what="SIGSTOP")
    # Staleness is a span of time by definition: its last heartbeat is at most now, so this long makes it stale.
    time.sleep(STALE_AFTER_MS / 1000 + 0.2)
    started = time.monotonic()
    opened = open_connections(service, 12)
    assert time.monotonic() - started < 5
    counts = connections_by_worker(service)
    assert counts[stopped] == 0
    assert sorted(counts.values()) == [0, 4, 4, 4], counts
    assert opened

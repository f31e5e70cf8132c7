"""ICS imports from a hostile server on loopback: a trickling body, an endless body, a gzip bomb.

Each import must give up on its own (time limit, size limit after decompression) with a clear error, keep
its memory bounded by EVENTS_IMPORT_MAX_BYTES, and write nothing.
"""

from __future__ import annotations

import gzip
import threading
import time
import tracemalloc
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, select

from urbanpulse.core.extensions import db
from urbanpulse.events.fetch import ImportSourceError
from urbanpulse.events.importer import import_source
from urbanpulse.events.models import Event

MAX_BYTES = 1024 * 1024
TIMEOUT_S = 2
CEILING_S = 20  # "does not hang": far above the 2 s limit, far below a trickle's natural end
SERVER_GIVES_UP_S = 60
HEADER = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Hostile//EN\r\n"
BOMB = gzip.compress(HEADER + b"X" * (200 * 1024 * 1024), compresslevel=9)  # ~200 KB that inflate to 200 MB


class HostileHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        started = time.monotonic()
        try:
            if self.path == "/trickle.ics":
                self._headers(**{"Content-Length": str(MAX_BYTES // 2)})
                self.wfile.write(HEADER)
                while time.monotonic() - started < SERVER_GIVES_UP_S:  # one byte every 50 ms: ~20 B/s
                    self.wfile.write(b"X")
                    self.wfile.flush()
                    time.sleep(0.05)
            elif self.path == "/slow-headers.ics":
                self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Padding: ")
                while time.monotonic() - started < SERVER_GIVES_UP_S:  # a header line that never ends
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.05)
            elif self.path == "/endless.ics":
                self._headers(**{"Transfer-Encoding": "chunked"})
                chunk = b"X" * 65536
                sent = 0
                while sent < 400 * MAX_BYTES and time.monotonic() - started < SERVER_GIVES_UP_S:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    sent += len(chunk)
            elif self.path == "/bomb.ics":
                self._headers(**{"Content-Encoding": "gzip", "Content-Length": str(len(BOMB))})
                self.wfile.write(BOMB)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the importer hung up: what it should do

    def _headers(self, **headers):
        self.send_response(200)
        self.send_header("Content-Type", "text/calendar")
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()

    def log_message(self, *args):
        pass


@contextmanager
def hostile_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), HostileHandler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def limited(app):
    saved = {key: app.config[key] for key in ("EVENTS_IMPORT_ALLOWED_HOSTS", "EVENTS_IMPORT_MAX_BYTES")}
    saved["EVENTS_IMPORT_TIMEOUT_S"] = app.config["EVENTS_IMPORT_TIMEOUT_S"]
    app.config.update(
        EVENTS_IMPORT_ALLOWED_HOSTS=["127.0.0.0/8"],
        EVENTS_IMPORT_MAX_BYTES=MAX_BYTES,
        EVENTS_IMPORT_TIMEOUT_S=TIMEOUT_S,
    )
    yield app
    app.config.update(saved)


def run_bounded(app, url: str) -> tuple[BaseException | None, float, int]:
    """Import `url` in a thread (so a hang fails the test instead of the suite): (error, seconds, peak bytes)."""
    outcome: dict = {}

    def work():
        with app.app_context():
            try:
                outcome["report"] = import_source(url)
            except BaseException as error:  # reported to the test
                outcome["error"] = error

    tracemalloc.start()
    started = time.monotonic()
    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(CEILING_S)
    elapsed = time.monotonic() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert not thread.is_alive(), f"the import of {url} was still running after {CEILING_S} s"
    assert "report" not in outcome, outcome.get("report")
    return outcome.get("error"), elapsed, peak


def no_events() -> bool:
    return db.session.scalar(select(func.count()).select_from(Event)) == 0


def test_a_trickling_feed_is_abandoned_at_the_time_limit(limited):
    with hostile_server() as base:
        error, elapsed, _ = run_bounded(limited, f"{base}/trickle.ics")
    assert isinstance(error, ImportSourceError) and "too long" in str(error), repr(error)
    assert elapsed < CEILING_S
    assert no_events()


def test_a_server_trickling_its_headers_is_abandoned_at_the_time_limit(limited):
    with hostile_server() as base:
        error, elapsed, _ = run_bounded(limited, f"{base}/slow-headers.ics")
    assert isinstance(error, ImportSourceError) and "too long" in str(error), repr(error)
    assert elapsed < CEILING_S
    assert no_events()


def test_an_endless_feed_is_cut_at_the_size_limit_with_bounded_memory(limited):
    with hostile_server() as base:
        error, _, peak = run_bounded(limited, f"{base}/endless.ics")
    assert isinstance(error, ImportSourceError) and "bytes allowed" in str(error), repr(error)
    assert peak < 8 * MAX_BYTES, f"peak {peak} bytes for a {MAX_BYTES}-byte limit"
    assert no_events()


def test_a_gzip_bomb_is_cut_after_decompression_with_bounded_memory(limited):
    with hostile_server() as base:
        error, _, peak = run_bounded(limited, f"{base}/bomb.ics")
    assert isinstance(error, ImportSourceError) and "bytes allowed" in str(error), repr(error)
    assert peak < 8 * MAX_BYTES, f"peak {peak} bytes for a {MAX_BYTES}-byte limit"
    assert no_events()

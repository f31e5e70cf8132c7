"""`flask events import`: idempotence, updates, vanished -> cancelled, broken events, SSRF refusals."""

import json
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select, text

from tests.factories import make_user
from urbanpulse.core.extensions import db
from urbanpulse.events.models import Event

HEADER = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Ville//Agenda//FR\r\n"
FOOTER = "END:VCALENDAR\r\n"
CONCERT = """BEGIN:VEVENT
UID:concert-1@ville.example
DTSTAMP:20260101T000000Z
DTSTART;TZID=Europe/Paris:20261205T203000
DTEND;TZID=Europe/Paris:20261205T223000
SUMMARY:Concert de l'harmonie
DESCRIPTION:Au théâtre Monsigny.
CATEGORIES:Concert
LOCATION:Théâtre Monsigny
GEO:50.7246;1.6074
END:VEVENT
"""
MARKET = """BEGIN:VEVENT
UID:marche-1@ville.example
DTSTAMP:20260101T000000Z
DTSTART;TZID=Europe/Paris:20261202T080000
DURATION:PT5H
RRULE:FREQ=WEEKLY;BYDAY=WE,SA
EXDATE;TZID=Europe/Paris:20261226T080000
SUMMARY:Marché
CATEGORIES:marché
END:VEVENT
"""
CANCELLED_INSTANCE = """BEGIN:VEVENT
UID:marche-1@ville.example
RECURRENCE-ID;TZID=Europe/Paris:20261205T080000
DTSTART;TZID=Europe/Paris:20261205T080000
DTSTAMP:20260101T000000Z
SUMMARY:Marché
STATUS:CANCELLED
END:VEVENT
"""
BAD_DATE = """BEGIN:VEVENT
UID:broken-date@ville.example
DTSTART:2026-13-45
SUMMARY:Date impossible
END:VEVENT
"""
BAD_RULE = """BEGIN:VEVENT
UID:broken-rule@ville.example
DTSTART:20261205T100000Z
SUMMARY:Règle impossible
RRULE:FREQ=WEEKLY;BYDAY=XX
END:VEVENT
"""


def feed(*events: str) -> bytes:
    return (HEADER + "".join(e.replace("\n", "\r\n") for e in events) + FOOTER).encode()


def run_import(app, source, *extra):
    result = app.test_cli_runner().invoke(args=["events", "import", str(source), *extra])
    return result, (json.loads(result.output) if result.exit_code == 0 else None)


def events_by_uid() -> dict:
    return {e.uid: e for e in db.session.scalars(select(Event))}


def counts(report: dict) -> dict:
    return {k: report[k] for k in ("created", "updated", "unchanged", "cancelled", "skipped")}


def test_import_is_idempotent_by_uid(app, client, tmp_path):
    path = tmp_path / "agenda.ics"
    path.write_bytes(feed(CONCERT, MARKET, CANCELLED_INSTANCE))
    result, report = run_import(app, path)
    assert result.exit_code == 0, result.output
    assert counts(report) == {"created": 2, "updated": 0, "unchanged": 0, "cancelled": 0, "skipped": 0}
    assert report["failed"] == [] and report["source"] == str(path.resolve())
    stored = events_by_uid()
    market = stored["marche-1@ville.example"]
    assert (
        market.category == "market"
        and market.publication == "published"
        and market.import_source == str(path.resolve())
    )
    # The cancelled instance became an EXDATE next to the feed's own.
    assert [d.isoformat() for d in market.exdates] == ["2026-12-05T08:00:00", "2026-12-26T08:00:00"]
    concert = stored["concert-1@ville.example"]
    assert concert.address == "Théâtre Monsigny" and concert.title == {"fr": "Concert de l'harmonie"}
    versions = {uid: e.version for uid, e in stored.items()}
    db.session.expire_all()
    _, again = run_import(app, path)
    assert counts(again) == {"created": 0, "updated": 0, "unchanged": 2, "cancelled": 0, "skipped": 0}
    assert {uid: e.version for uid, e in events_by_uid().items()} == versions
    found = client.get("/api/v1/events", query_string={"from": "2026-12-01", "to": "2026-12-08", "lang": "fr"})
    assert [f["properties"]["occurrence_start"] for f in found.get_json()["features"]] == [
        "2026-12-02T08:00:00+01:00",
        "2026-12-05T20:30:00+01:00",
    ]


def test_changed_events_are_updated_and_vanished_ones_cancelled(app, tmp_path):
    path = tmp_path / "agenda.ics"
    path.write_bytes(feed(CONCERT, MARKET))
    run_import(app, path)
    other = tmp_path / "other.ics"
    other.write_bytes(feed(CONCERT.replace("concert-1@", "concert-2@")))
    run_import(app, other)
    path.write_bytes(feed(CONCERT.replace("20261205T203000", "20261205T210000")))
    db.session.expire_all()
    _, report = run_import(app, path)
    assert counts(report) == {"created": 0, "updated": 1, "unchanged": 0, "cancelled": 1, "skipped": 0}
    stored = events_by_uid()
    assert stored["concert-1@ville.example"].dtstart_local.isoformat() == "2026-12-05T21:00:00"
    assert stored["marche-1@ville.example"].status == "cancelled"
    assert stored["concert-2@ville.example"].status == "scheduled"  # another source is left alone
    history = db.session.execute(
        text("SELECT actor_label, changes FROM history WHERE entity_id = :id ORDER BY version"),
        {"id": stored["marche-1@ville.example"].id},
    ).all()
    assert history[-1].actor_label == "import" and history[-1].changes == {
        "status": {"old": "scheduled", "new": "cancelled"}
    }
    path.write_bytes(feed(CONCERT.replace("20261205T203000", "20261205T210000"), MARKET))
    db.session.expire_all()
    _, back = run_import(app, path)
    assert back["updated"] == 1 and events_by_uid()["marche-1@ville.example"].status == "scheduled"


def test_a_broken_event_is_reported_without_aborting_or_partial_writes(app, tmp_path):
    path = tmp_path / "agenda.ics"
    path.write_bytes(feed(CONCERT, BAD_DATE, BAD_RULE, MARKET))
    result, report = run_import(app, path)
    assert result.exit_code == 0
    assert report["created"] == 2
    failed = {item["uid"]: item["error"] for item in report["failed"]}
    assert set(failed) == {"broken-date@ville.example", "broken-rule@ville.example"}
    assert "DTSTART" in failed["broken-date@ville.example"] and "RRULE" in failed["broken-rule@ville.example"]
    assert set(events_by_uid()) == {"concert-1@ville.example", "marche-1@ville.example"}
    # A schedule the service refuses (end before start) fails alone too, with nothing written.
    path.write_bytes(feed(CONCERT, MARKET.replace("DURATION:PT5H", "DURATION:-PT5H").replace("marche-1", "marche-2")))
    _, second = run_import(app, path)
    assert [item["uid"] for item in second["failed"]] == ["marche-2@ville.example"]
    assert "properties.ends_at" in second["failed"][0]["error"]
    assert "marche-2@ville.example" not in events_by_uid()


def test_a_feed_that_is_not_icalendar_fails_whole_and_cancels_nothing(app, tmp_path):
    path = tmp_path / "agenda.ics"
    path.write_bytes(feed(CONCERT))
    run_import(app, path)
    path.write_bytes(b"<html><body>Maintenance</body></html>")
    result, _ = run_import(app, path)
    assert result.exit_code == 1 and "not an iCalendar feed" in result.output
    assert events_by_uid()["concert-1@ville.example"].status == "scheduled"


def test_an_editor_deleted_import_is_not_resurrected(app, tmp_path, editor):
    from urbanpulse.editing.actor import Actor
    from urbanpulse.editing.etags import item_etag
    from urbanpulse.events import service

    path = tmp_path / "agenda.ics"
    path.write_bytes(feed(CONCERT))
    run_import(app, path)
    event = events_by_uid()["concert-1@ville.example"]
    service.delete_event(event_id=event.id, if_match=item_etag(event.id, event.version), actor=Actor.for_user(editor))
    _, report = run_import(app, path)
    assert report["skipped"] == 1 and report["created"] == 0


class FeedHandler(BaseHTTPRequestHandler):
    body = feed(CONCERT)
    redirect_to: str | None = None

    def do_GET(self):
        if self.path.startswith("/redirect") and self.redirect_to:
            self.send_response(302)
            self.send_header("Location", self.redirect_to)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/calendar")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


@contextmanager
def local_feed_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FeedHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def config(app, **values):
    saved = {key: app.config[key] for key in values}
    app.config.update(values)
    try:
        yield
    finally:
        app.config.update(saved)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/feed.ics",
        "http://localhost:{port}/feed.ics",
        "http://[::1]:{port}/x.ics",
        "http://169.254.169.254/latest/meta-data",
        "http://10.0.0.1/feed.ics",
        "http://0.0.0.0:{port}/feed.ics",
        "file:///etc/passwd",
    ],
)
def test_private_loopback_and_link_local_urls_are_refused(app, url):
    with local_feed_server() as port:
        result, _ = run_import(app, url.format(port=port))
    assert result.exit_code == 1
    assert "EVENTS_IMPORT_ALLOWED_HOSTS" in result.output or "http(s) URL" in result.output
    assert events_by_uid() == {}


def test_an_allowed_host_is_fetched_but_a_redirect_to_a_private_address_is_refused(app):
    with local_feed_server() as port, config(app, EVENTS_IMPORT_ALLOWED_HOSTS=["localhost"]):
        result, report = run_import(app, f"http://localhost:{port}/feed.ics")
        assert result.exit_code == 0, result.output
        assert report["created"] == 1 and report["source"] == f"http://localhost:{port}/feed.ics"
        FeedHandler.redirect_to = f"http://127.0.0.1:{port}/feed.ics"
        try:
            refused, _ = run_import(app, f"http://localhost:{port}/redirect")
        finally:
            FeedHandler.redirect_to = None
    assert refused.exit_code == 1 and "127.0.0.1" in refused.output


def test_a_feed_over_the_size_limit_is_refused(app):
    with (
        local_feed_server() as port,
        config(app, EVENTS_IMPORT_ALLOWED_HOSTS=["127.0.0.0/8"], EVENTS_IMPORT_MAX_BYTES=100),
    ):
        result, _ = run_import(app, f"http://127.0.0.1:{port}/feed.ics")
    assert result.exit_code == 1 and "bytes allowed" in result.output
    assert events_by_uid() == {}


def test_new_events_can_be_imported_as_drafts(app, tmp_path):
    make_user(role="editor")
    path = tmp_path / "agenda.ics"
    path.write_bytes(feed(CONCERT))
    _, report = run_import(app, path, "--draft")
    assert report["created"] == 1 and events_by_uid()["concert-1@ville.example"].publication == "draft"

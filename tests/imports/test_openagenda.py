"""OpenAgenda imports through the CLI: first import and the same file again, timings across a DST change, status,
removed events (deleted or unpublished upstream), incremental reads, bad events, and the API read page by page
over real HTTP."""

from __future__ import annotations

import json
import threading
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from tests.imports.fixtures import agenda_event, write_agenda
from tests.imports.helpers import send_json
from urbanpulse.core.extensions import db
from urbanpulse.events.models import Event
from urbanpulse.imports.models import ImportRecord


def run_import(app, source, *extra) -> tuple[int, dict]:
    result = app.test_cli_runner().invoke(args=["import", "openagenda", str(source), *extra])
    body = json.loads(result.output) if result.exit_code == 0 else {"error": result.output}
    return result.exit_code, body


def imported_event(uid) -> Event:
    record = db.session.execute(
        select(ImportRecord).where(ImportRecord.source == "openagenda", ImportRecord.external_id == str(uid))
    ).scalar_one()
    db.session.expire_all()
    return db.session.get(Event, record.target_id)


def test_first_import_then_the_same_file_changes_nothing(app, tmp_path):
    source = write_agenda(tmp_path / "agenda.json", [agenda_event(1), agenda_event(2, title={"fr": "Marché"})])
    code, first = run_import(app, source)
    assert code == 0, first
    assert first["counts"]["created"] == 2 and first["counts"]["rejected"] == 0
    event = imported_event(1)
    assert event.title == {"fr": "Concert d'automne", "en": "Autumn concert"}  # es dropped, nl/de not copied
    assert event.description == {"fr": "Orchestre d'harmonie.", "de": "Blasorchester."}
    assert event.category == "concert" and event.publication == "published" and event.status == "scheduled"
    code, again = run_import(app, source)
    assert again["counts"]["unchanged"] == 2 and again["counts"]["created"] == again["counts"]["updated"] == 0


def test_timings_keep_their_paris_wall_clock_time_across_the_dst_change(app, tmp_path):
    timings = [  # Saturdays 20:00 in Paris: summer time (+02:00), then winter time (+01:00) after 2026-10-25
        {"begin": "2026-10-17T20:00:00+0200", "end": "2026-10-17T22:30:00+0200"},
        {"begin": "2026-10-24T20:00:00+02:00", "end": "2026-10-24T22:30:00+02:00"},
        {"begin": "2026-10-31T19:00:00Z", "end": "2026-10-31T21:30:00Z"},
        {"begin": "2026-11-07T20:00:00+0100", "end": "2026-11-07T22:30:00+0100"},
    ]
    code, report = run_import(app, write_agenda(tmp_path / "a.json", [agenda_event(7, timings=timings)]))
    assert code == 0 and report["counts"]["created"] == 1, report
    event = imported_event(7)
    assert event.dtstart_local == datetime(2026, 10, 17, 20, 0) and event.timezone == "Europe/Paris"
    assert event.duration.total_seconds() == 2.5 * 3600
    assert sorted(event.rdates) == [datetime(2026, 10, 24, 20), datetime(2026, 10, 31, 20), datetime(2026, 11, 7, 20)]


def test_a_cancellation_upstream_cancels_the_event(app, tmp_path):
    source = tmp_path / "a.json"
    run_import(app, write_agenda(source, [agenda_event(3), agenda_event(4)]))
    code, report = run_import(app, write_agenda(source, [agenda_event(3, status=6, updated="2026-11-03T09:00:00Z"),
                                                          agenda_event(4)]))  # fmt: skip
    assert code == 0 and report["counts"]["updated"] == 1 and report["counts"]["conflicts"] == 0, report
    assert imported_event(3).status == "cancelled" and imported_event(4).status == "scheduled"


def test_events_deleted_or_unpublished_upstream_are_unpublished_here(app, tmp_path):
    source = tmp_path / "a.json"
    run_import(app, write_agenda(source, [agenda_event(i) for i in (11, 12, 13, 14)]))
    events = [agenda_event(11), agenda_event(12, deleted=True), agenda_event(13, state=0), agenda_event(14)]
    code, report = run_import(app, write_agenda(source, events))
    assert code == 0 and report["counts"]["unpublished"] == 2 and report["counts"]["unchanged"] == 2, report
    assert [imported_event(uid).publication for uid in (11, 12, 13, 14)] == ["published", "draft", "draft", "published"]


def test_an_incremental_read_unpublishes_only_what_upstream_removed(app, tmp_path):
    run_import(app, write_agenda(tmp_path / "all.json", [agenda_event(i) for i in (21, 22, 23)]))
    changes = write_agenda(tmp_path / "since.json", [agenda_event(22, deleted=True)])
    code, report = run_import(app, changes, "--since", "2026-11-10T00:00:00Z")
    assert code == 0 and report["counts"]["unpublished"] == 1 and report["status"] == "ok", report
    assert [imported_event(uid).publication for uid in (21, 22, 23)] == ["published", "draft", "published"]


def test_bad_events_are_rejected_one_by_one(app, tmp_path):
    events = [
        agenda_event(31),
        agenda_event(32, location={"name": "nowhere"}),
        agenda_event(33, title={"es": "Sólo español"}),
        agenda_event(34, timings=[{"begin": "2026-11-20T20:00:00", "end": "2026-11-20T22:00:00"}]),
        agenda_event(35, lat=48.8566, lon=2.3522),  # Paris: outside the configured area
    ]
    code, report = run_import(app, write_agenda(tmp_path / "a.json", events))
    assert code == 0 and report["counts"]["created"] == 1 and report["counts"]["rejected"] == 4, report
    reasons = {item["id"]: item["reason"] for item in report["rejected"]}
    assert reasons["32"] == "missing or invalid coordinates"
    assert reasons["33"] == "no title in French"
    assert reasons["34"].startswith("unparseable timings")
    assert reasons["35"] == "outside the configured area"


def test_an_unreadable_source_exits_non_zero_and_unpublishes_nothing(app, tmp_path):
    run_import(app, write_agenda(tmp_path / "a.json", [agenda_event(41)]))
    (tmp_path / "broken.json").write_text("{not json")
    result = app.test_cli_runner().invoke(args=["import", "openagenda", str(tmp_path / "broken.json")])
    assert result.exit_code == 1 and "not valid JSON" in result.output
    assert imported_event(41).publication == "published"


@pytest.fixture
def agenda_server():
    """OpenAgenda's v2 API as a real HTTP server on a spare port: two pages joined by the `after` cursor."""
    seen: list[dict] = []
    pages = {
        None: {"total": 3, "events": [agenda_event(51), agenda_event(52)], "after": ["1700000000000", "52"]},
        "52": {"total": 3, "events": [agenda_event(53)], "after": ["1700000000001", "53"]},
        "53": {"total": 3, "events": [], "after": None},
    }

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            query = parse_qs(urlsplit(self.path).query)
            seen.append({"key": self.headers.get("key"), "query": query})
            if self.headers.get("key") != "test-key":
                self.send_response(403)
                self.end_headers()
                return
            after = query.get("after[]", [None])[-1]
            send_json(self, pages[after])

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v2/agendas/123/events", seen
    server.shutdown()
    server.server_close()


def test_the_api_is_read_page_by_page_with_the_key(app, agenda_server, monkeypatch):
    url, seen = agenda_server
    monkeypatch.setenv("OPENAGENDA_API_KEY", "test-key")
    code, report = run_import(app, url)
    assert code == 0 and report["counts"]["created"] == 3, report
    assert [request["query"].get("after[]") for request in seen] == [None, ["1700000000000", "52"],
                                                                     ["1700000000001", "53"]]  # fmt: skip
    assert "test-key" not in json.dumps(report)
    code, report = run_import(app, url, "--key", "wrong-key")
    assert code == 1 and "OpenAgenda answered 403" in report["error"]

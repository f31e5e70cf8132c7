"""An event's ETag follows its body: when `next_occurrence` changes with the clock, a stale If-None-Match
gets the new body, not a 304."""

from __future__ import annotations

from tests.events.helpers import make_event, utc


def test_no_stale_304_when_next_occurrence_changes(app, client, monkeypatch):
    event = make_event(starts_at="2030-01-01T08:00:00", ends_at="2030-01-01T13:00:00", rrule=None)
    url = f"/api/v1/events/{event.id}"
    monkeypatch.setattr("urbanpulse.events.api.now_utc", lambda: utc(2029, 12, 31, 12))
    before = client.get(url)
    assert before.get_json()["properties"]["next_occurrence"] is not None
    monkeypatch.setattr("urbanpulse.events.api.now_utc", lambda: utc(2030, 1, 2, 12))
    after = client.get(url, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.get_json()["properties"]["next_occurrence"] is None
    assert after.headers["ETag"] != before.headers["ETag"]
    assert client.get(url, headers={"If-None-Match": after.headers["ETag"]}).status_code == 304

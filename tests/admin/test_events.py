"""Event pages: venue picker, Paris wall times, recurrence to RRULE, status changes reaching the live feed."""

from __future__ import annotations

import re
from datetime import date, datetime

import orjson
import pytest

from tests.admin.helpers import csrf_token, hidden, post_form
from tests.events.helpers import make_event
from tests.factories import auth_headers, make_poi, make_user
from urbanpulse.admin.recurrence import Recurrence, build_rrule, split_rrule
from urbanpulse.core.extensions import db
from urbanpulse.editing.models import HistoryEntry
from urbanpulse.events.models import Event

ENGLISH = {"Accept-Language": "en"}
FORM = {
    "title_fr": "Marché du samedi",
    "title_en": "Saturday market",
    "category": "market",
    "starts_at": "2026-03-21T08:00",
    "ends_at": "2026-03-21T13:00",
    "repeat": "none",
    "publication": "draft",
}


def _feed(app, redis) -> list[dict]:
    return [orjson.loads(fields[b"data"]) for _, fields in redis.xrange(app.config["EVENTS_FEED_KEY"])]


def _status(client, event_id, **change):
    page = client.get(f"/admin/events/{event_id}/", headers=ENGLISH).get_data(as_text=True)
    data = {"etag": hidden(page, "etag"), "csrf_token": csrf_token(page), **change}
    return client.post(f"/admin/events/{event_id}/status", data=data, headers=ENGLISH)


def test_a_weekly_market_at_a_venue_is_stored_in_paris_time(editor_client, client, editor):
    venue = make_poi(name={"fr": "Place Dalton"}, category="market")
    response = post_form(
        editor_client,
        "/admin/events/new",
        {**FORM, "venue": str(venue.id), "repeat": "weekly", "weekdays": ["WE", "SA"], "until": "2026-12-31"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    event = db.session.scalar(db.select(Event))
    assert event.venue_poi_id == venue.id and event.location is None
    assert event.timezone == "Europe/Paris" and event.dtstart_local == datetime(2026, 3, 21, 8, 0)
    assert event.rrule.startswith("FREQ=WEEKLY;BYDAY=WE,SA;UNTIL=20261231T")
    assert event.created_by == editor.id
    entry = db.session.scalar(db.select(HistoryEntry).where(HistoryEntry.entity_id == event.id))
    assert entry.action == "create" and entry.actor_label == editor.email

    page = editor_client.get(f"/admin/events/{event.id}/").get_data(as_text=True)
    assert 'value="2026-03-21T08:00"' in page and 'value="2026-12-31"' in page
    checked = re.findall(r'<input checked[^>]*name="weekdays"[^>]*value="(\w+)"', page)
    assert checked == ["WE", "SA"]


def test_summer_time_keeps_the_wall_clock(editor_client, app, editor):
    response = post_form(
        editor_client,
        "/admin/events/new",
        {**FORM, "lon": "1.6072", "lat": "50.7233", "starts_at": "2026-07-04T08:00", "ends_at": "2026-07-04T13:00",
         "publication": "published"},
    )  # fmt: skip
    assert response.status_code == 302
    event = db.session.scalar(db.select(Event))
    body = editor_client.get(f"/api/v1/events/{event.id}", headers=auth_headers(app, editor)).get_json()
    assert body["properties"]["starts_at"] == "2026-07-04T08:00:00+02:00"
    assert body["geometry"]["coordinates"] == [1.6072, 50.7233]


def test_an_invalid_raw_rrule_is_explained_next_to_the_recurrence(editor_client):
    response = post_form(editor_client, "/admin/events/new", {**FORM, "repeat": "rrule", "rrule": "FREQ=SOMETIMES"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="error-repeat"' in html and "FREQ must be one of" in html
    assert db.session.scalar(db.select(db.func.count()).select_from(Event)) == 0


def test_an_end_before_the_start_is_refused_next_to_the_end(editor_client):
    response = post_form(editor_client, "/admin/events/new", {**FORM, "ends_at": "2026-03-21T07:00"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="error-ends_at"' in html and "must not be before starts_at" in html


def test_an_all_day_event_ends_on_the_last_day_given(editor_client):
    response = post_form(
        editor_client,
        "/admin/events/new",
        {**FORM, "all_day": "y", "starts_at": "2026-08-14T00:00", "ends_at": "2026-08-16T00:00"},
    )
    assert response.status_code == 302
    event = db.session.scalar(db.select(Event))
    assert event.all_day and event.duration.days == 3  # 14, 15 and 16 August
    page = editor_client.get(f"/admin/events/{event.id}/").get_data(as_text=True)
    assert 'value="2026-08-16T00:00"' in page


def test_cancelling_a_published_event_reaches_the_live_feed(app, redis, editor_client, client):
    event = make_event()
    assert _status(editor_client, event.id, status="cancelled").status_code == 302
    messages = _feed(app, redis)
    assert messages[-1]["type"] == "cancelled" and messages[-1]["event_id"] == str(event.id)
    assert client.get(f"/api/v1/events/{event.id}").get_json()["properties"]["status"] == "cancelled"

    assert _status(editor_client, event.id, status="postponed").status_code == 302
    last = _feed(app, redis)[-1]
    assert last["type"] == "updated" and last["status"] == "postponed" and last["changed"] == ["status"]


def test_publishing_and_unpublishing_announce_it(app, redis, editor_client):
    event = make_event(publication="draft")
    assert _feed(app, redis) == []  # drafts never reach the feed
    assert _status(editor_client, event.id, publication="published").status_code == 302
    assert _status(editor_client, event.id, publication="draft").status_code == 302
    assert [m["type"] for m in _feed(app, redis)] == ["published", "unpublished"]


def test_editing_an_event_sends_only_what_changed(editor_client, editor):
    event = make_event(description={"fr": "Marché en plein air."})
    page = editor_client.get(f"/admin/events/{event.id}/", headers=ENGLISH).get_data(as_text=True)
    form = {
        "etag": hidden(page, "etag"),
        "csrf_token": csrf_token(page),
        "title_fr": "Marché de la place Dalton",
        "title_en": "Place Dalton market",
        "description_fr": "Marché en plein air, produits de la mer.",
        "category": "market",
        "lon": "1.60722",
        "lat": "50.72333",
        "starts_at": "2026-03-21T08:00",
        "ends_at": "2026-03-21T13:00",
        "repeat": "weekly",
        "weekdays": ["SA"],
        "price": "free",
    }
    response = editor_client.post(f"/admin/events/{event.id}/", data=form, headers=ENGLISH)
    assert response.status_code == 302, response.get_data(as_text=True)
    entry = db.session.scalars(db.select(HistoryEntry).where(HistoryEntry.version == 2)).one()
    assert set(entry.changes) == {"description"} and entry.actor_label == editor.email


def test_a_stale_event_form_shows_the_conflict(app, editor_client, client):
    event = make_event()
    page = editor_client.get(f"/admin/events/{event.id}/", headers=ENGLISH).get_data(as_text=True)
    etag = hidden(page, "etag")
    api = client.patch(
        f"/api/v1/events/{event.id}",
        json={"properties": {"price": "2 €"}},
        headers={**auth_headers(app, make_user(role="editor")), "If-Match": etag},
    )
    assert api.status_code == 200
    response = _status(editor_client, event.id, status="cancelled")
    assert response.status_code == 302  # reloaded page, fresh ETag: fine
    stale = editor_client.post(
        f"/admin/events/{event.id}/status",
        data={"etag": etag, "csrf_token": csrf_token(page), "status": "postponed"},
        headers=ENGLISH,
    )
    assert stale.status_code == 409
    assert "Someone changed this item since you opened it (now version 3)" in stale.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Event, event.id).status == "cancelled"


@pytest.mark.parametrize(
    ("choice", "rule"),
    [
        (Recurrence(), None),
        (Recurrence(mode="weekly", days=["SA", "WE"]), "FREQ=WEEKLY;BYDAY=WE,SA"),
        (Recurrence(mode="weekly", days=["MO"], count=10), "FREQ=WEEKLY;BYDAY=MO;COUNT=10"),
        (Recurrence(mode="monthly", until=date(2026, 12, 31)), "FREQ=MONTHLY;UNTIL=20261231"),
        (Recurrence(mode="rrule", raw=" FREQ=MONTHLY;BYDAY=1SA "), "FREQ=MONTHLY;BYDAY=1SA"),
    ],
)
def test_recurrence_choices_become_rrules(choice, rule):
    assert build_rrule(choice) == rule


def test_stored_rules_come_back_as_the_same_choice():
    assert split_rrule("FREQ=WEEKLY;BYDAY=WE,SA;UNTIL=20261231T225959Z") == Recurrence(
        mode="weekly", days=["WE", "SA"], until=date(2026, 12, 31)
    )
    assert split_rrule("FREQ=MONTHLY;COUNT=6") == Recurrence(mode="monthly", count=6)
    assert split_rrule("FREQ=MONTHLY;BYDAY=1SA").mode == "rrule"
    assert split_rrule("FREQ=WEEKLY;INTERVAL=2;BYDAY=SA") == Recurrence(
        mode="rrule", raw="FREQ=WEEKLY;INTERVAL=2;BYDAY=SA"
    )

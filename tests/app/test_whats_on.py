"""What's on: occurrences now / today / weekend with their state, and a cancellation shown live in an open app."""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.admin.browser import ARTIFACTS, PageProblems, new_page
from tests.events.helpers import make_event
from tests.problem import assert_problem
from urbanpulse.app.whatson import window
from urbanpulse.editing.etags import item_etag
from urbanpulse.pois.hours import CITY_ZONE

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


def local(dt: datetime) -> str:
    return dt.astimezone(CITY_ZONE).replace(tzinfo=None).isoformat(timespec="minutes")


def titles(html: str) -> list[str]:
    return re.findall(r'<strong class="title">([^<]+)</strong>', html)


@pytest.mark.parametrize(
    ("now", "start", "end"),
    [
        ("2026-12-03T12:00:00+00:00", "2026-12-05T00:00:00+01:00", "2026-12-07T00:00:00+01:00"),  # a Thursday
        ("2026-12-06T21:30:00+00:00", "2026-12-06T21:30:00+00:00", "2026-12-07T00:00:00+01:00"),  # Sunday evening
        ("2026-03-28T12:00:00+00:00", "2026-03-28T12:00:00+00:00", "2026-03-30T00:00:00+02:00"),  # DST weekend
    ],
)
def test_the_weekend_is_saturday_to_monday_on_the_local_calendar(now, start, end):
    found = window("weekend", datetime.fromisoformat(now))
    assert found == (datetime.fromisoformat(start), datetime.fromisoformat(end))


def test_today_lists_running_and_coming_occurrences_and_marks_cancelled_ones(client, app):
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    running = make_event(title={"fr": "En cours"}, rrule=None, starts_at=local(now - timedelta(minutes=30)),
                         ends_at=local(now + timedelta(minutes=30)))  # fmt: skip
    make_event(title={"fr": "Annulé"}, rrule=None, status="cancelled", starts_at=local(now + timedelta(minutes=5)),
               ends_at=local(now + timedelta(minutes=20)))  # fmt: skip
    make_event(title={"fr": "Brouillon"}, rrule=None, publication="draft", starts_at=local(now + timedelta(minutes=5)),
               ends_at=local(now + timedelta(minutes=20)))  # fmt: skip
    html = client.get("/whats-on", query_string={"when": "now"}).get_data(as_text=True)
    assert titles(html) == ["En cours", "Annulé"]
    assert 'data-status="cancelled"' in html and "Annulé</span>" in html and "En cours</span>" in html
    assert f'href="/api/v1/events/{running.id}.ics"' in html
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    events = [element["item"] for element in data["itemListElement"]]
    assert [event["name"] for event in events] == ["En cours", "Annulé"]
    assert events[1]["eventStatus"] == "https://schema.org/EventCancelled"
    assert events[0]["location"]["geo"]["latitude"] == pytest.approx(50.72333)


def test_a_bad_choice_is_a_problem_naming_it(client, app):
    assert_problem(client.get("/whats-on", query_string={"when": "yesterday"}), 422, "when")


def test_a_cancellation_reaches_an_open_app_without_a_reload(browser, live_server, app, client, editor_headers):
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    soon, later = local(now + timedelta(minutes=10)), local(now + timedelta(minutes=50))
    event = make_event(
        title={"fr": "Concert au beffroi", "en": "Belfry concert"}, rrule=None, starts_at=soon, ends_at=later
    )
    problems = PageProblems()
    context = browser.new_context(**PHONE, locale="en-GB")
    try:
        page = new_page(context, problems)
        page.goto(f"{live_server}/whats-on?when=today")
        expect(page.locator("body")).to_have_attribute("data-live", "true")
        item = page.locator(f'[data-event-id="{event.id}"]')
        expect(item).to_have_attribute("data-status", "scheduled")
        response = client.patch(
            f"/api/v1/events/{event.id}",
            json={"properties": {"status": "cancelled"}},
            headers={**editor_headers, "If-Match": item_etag(event.id, event.version)},
        )
        assert response.status_code == 200, response.get_json()
        expect(item).to_have_attribute("data-status", "cancelled", timeout=5_000)
        expect(item.locator(".badge")).to_have_text("Cancelled")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "app-whats-on.png"), full_page=True)
    finally:
        context.close()
    assert problems.items == []

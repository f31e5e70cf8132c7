"""An overnight 22:00-06:00 event keeps its 06:00 wall-clock end on the nights the clocks change.

The last Saturday night of October 2026 lasts 9 hours (clocks back at 03:00 on Sunday 25 October), the
last Saturday night of March 2027 lasts 7 (clocks forward at 02:00 on Sunday 28 March).
"""

from datetime import UTC, datetime, timedelta

import pytest
from dateutil.rrule import rrulestr
from icalendar import Calendar

from tests.events.helpers import make_event, paris
from urbanpulse.events import api as events_api
from urbanpulse.events.recurrence import Schedule, occurrences_between
from urbanpulse.pois.hours import CITY_ZONE

NIGHT = {"starts_at": "2026-10-03T22:00:00", "ends_at": "2026-10-04T06:00:00", "rrule": "FREQ=WEEKLY;BYDAY=SA"}
# (window start, window end, expected local start, expected local end, elapsed hours)
NIGHTS = [
    (paris(2026, 10, 24, 12), paris(2026, 10, 25, 12), "2026-10-24T22:00:00+02:00", "2026-10-25T06:00:00+01:00", 9),
    (paris(2027, 3, 27, 12), paris(2027, 3, 28, 12), "2027-03-27T22:00:00+01:00", "2027-03-28T06:00:00+02:00", 7),
    (paris(2026, 10, 31, 12), paris(2026, 11, 1, 12), "2026-10-31T22:00:00+01:00", "2026-11-01T06:00:00+01:00", 8),
]


def local(moment: datetime) -> str:
    return moment.astimezone(CITY_ZONE).isoformat()


@pytest.mark.parametrize(("start", "end", "local_start", "local_end", "hours"), NIGHTS)
def test_expanded_occurrences_end_at_six_local(start, end, local_start, local_end, hours):
    schedule = Schedule(datetime(2026, 10, 3, 22), timedelta(hours=8), rrule="FREQ=WEEKLY;BYDAY=SA")
    [(first, last)] = occurrences_between(schedule, start, end)
    assert (local(first), local(last)) == (local_start, local_end)
    assert last - first == timedelta(hours=hours)


def test_a_one_off_night_in_the_spring_gap_never_ends_before_it_starts():
    schedule = Schedule(datetime(2027, 3, 28, 2, 30), timedelta(minutes=30))
    [(first, last)] = occurrences_between(schedule, paris(2027, 3, 27), paris(2027, 3, 29))
    assert last >= first


@pytest.mark.parametrize(("start", "end", "local_start", "local_end", "hours"), NIGHTS)
def test_api_occurrences_and_next_occurrence_end_at_six_local(
    client, monkeypatch, start, end, local_start, local_end, hours
):
    event = make_event(**NIGHT)
    window = {"from": start.isoformat(), "to": end.isoformat()}
    [occurrence] = client.get(f"/api/v1/events/{event.id}/occurrences", query_string=window).get_json()["features"]
    assert (occurrence["properties"]["occurrence_start"], occurrence["properties"]["occurrence_end"]) == (
        local_start,
        local_end,
    )
    listed = client.get("/api/v1/events", query_string=window).get_json()["features"]
    assert [(f["properties"]["occurrence_start"], f["properties"]["occurrence_end"]) for f in listed] == [
        (local_start, local_end)
    ]
    monkeypatch.setattr(events_api, "now_utc", lambda: start.astimezone(UTC))
    upcoming = client.get(f"/api/v1/events/{event.id}").get_json()["properties"]["next_occurrence"]
    assert (upcoming["start"], upcoming["end"]) == (local_start, local_end)


def strict_rfc_reader(calendar: Calendar, uid: str, start: datetime, end: datetime) -> list[tuple[str, str]]:
    """Expand a VEVENT as RFC 5545 3.8.5.3 says: DURATION's hours elapsed, overrides by RECURRENCE-ID."""
    components = [c for c in calendar.walk("VEVENT") if str(c["uid"]) == uid]
    [master] = [c for c in components if "recurrence-id" not in c]
    overridden = {
        c.decoded("recurrence-id"): (c.decoded("dtstart"), c.decoded("dtend")) for c in components if c is not master
    }
    dtstart = master.decoded("dtstart")
    duration = master.decoded("duration")
    found = []
    for moment in rrulestr(master["rrule"].to_ical().decode(), dtstart=dtstart).between(start, end, inc=True):
        first, last = overridden.get(moment, (moment, (moment.astimezone(UTC) + duration)))
        found.append((local(first), local(last)))
    return found


def test_ics_feed_gives_the_same_nights_to_a_strict_rfc_reader(client):
    event = make_event(**NIGHT)
    response = client.get("/api/v1/events.ics", query_string={"from": "2026-10-01", "to": "2027-04-30"})
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.data)
    for start, end, local_start, local_end, _hours in NIGHTS:
        assert strict_rfc_reader(calendar, event.uid, start, end) == [(local_start, local_end)]
    overrides = [c for c in calendar.walk("VEVENT") if "recurrence-id" in c]
    # Only the nights the clocks change in the feed's window are overridden.
    assert [local(c.decoded("recurrence-id")) for c in overrides] == [NIGHTS[0][2], NIGHTS[1][2]]
    assert all(str(c["summary"]) == "Marché de la place Dalton" and c["dtend"].params["TZID"] for c in overrides)


def test_ics_of_a_one_off_night_carries_a_local_dtend(client):
    event = make_event(starts_at="2026-10-24T22:00:00", ends_at="2026-10-25T06:00:00", rrule=None)
    [vevent] = Calendar.from_ical(client.get(f"/api/v1/events/{event.id}.ics").data).walk("VEVENT")
    assert vevent["dtend"].params["TZID"] == "Europe/Paris"
    assert local(vevent.decoded("dtend")) == "2026-10-25T06:00:00+01:00"
    assert "duration" not in vevent


def test_an_imported_duration_counts_its_hours_elapsed_as_rfc_5545_says():
    from urbanpulse.events.ical_parse import parse_calendar, vevent_feature

    text = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Ville//Agenda//FR\r\nBEGIN:VEVENT\r\nUID:nuit@ville.example\r\n"
        "DTSTAMP:20260101T000000Z\r\nDTSTART;TZID=Europe/Paris:20261024T220000\r\nDURATION:PT8H\r\n"
        "SUMMARY:Nuit\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    [component] = parse_calendar(text.encode()).walk("VEVENT")
    props = vevent_feature(component, language="fr")["properties"]
    assert (props["starts_at"], props["ends_at"]) == ("2026-10-24T22:00:00+02:00", "2026-10-25T05:00:00+01:00")


def test_a_single_event_ics_overrides_the_nights_of_the_coming_year(client, monkeypatch):
    from urbanpulse.events import api_calendar

    event = make_event(**NIGHT)
    monkeypatch.setattr(api_calendar, "now_utc", lambda: paris(2026, 10, 20).astimezone(UTC))
    calendar = Calendar.from_ical(client.get(f"/api/v1/events/{event.id}.ics").data)
    overrides = [c for c in calendar.walk("VEVENT") if "recurrence-id" in c]
    assert [local(c.decoded("recurrence-id")) for c in overrides] == [NIGHTS[0][2], NIGHTS[1][2]]
    assert [local(c.decoded("dtend")) for c in overrides] == [NIGHTS[0][3], NIGHTS[1][3]]

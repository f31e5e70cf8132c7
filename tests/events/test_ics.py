"""The .ics output, parsed back with the icalendar library: recurrences kept, time zone, status, location."""

from datetime import datetime, timedelta

from dateutil.rrule import rrulestr
from icalendar import Calendar

from tests.events.helpers import make_event, paris
from tests.factories import make_poi
from urbanpulse.pois.hours import CITY_ZONE


def parse(response) -> Calendar:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    return Calendar.from_ical(response.data)


def test_event_ics_keeps_rrule_exdate_tzid_status_location_and_geo(client):
    venue = make_poi(lon=1.60722, lat=50.72333, name={"fr": "Place Dalton"}, category="market", slug="place-dalton")
    event = make_event(venue_poi_id=str(venue.id), exdates=["2026-03-28T08:00:00"], rdates=["2026-03-25T08:00:00"])
    calendar = parse(client.get(f"/api/v1/events/{event.id}.ics"))
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["uid"]) == f"{event.id}@urbanpulse-boulogne"
    assert vevent["dtstart"].params["TZID"] == "Europe/Paris"
    assert vevent.decoded("dtstart") == paris(2026, 3, 21, 8, 0)
    assert vevent.decoded("duration") == timedelta(hours=5)
    assert vevent["rrule"].to_ical() == b"FREQ=WEEKLY;BYDAY=SA"
    assert [d.dt for d in vevent["exdate"].dts] == [paris(2026, 3, 28, 8, 0)]
    assert [d.dt for d in vevent["rdate"].dts] == [paris(2026, 3, 25, 8, 0)]
    assert str(vevent["status"]) == "CONFIRMED"
    assert str(vevent["location"]) == "Place Dalton"
    assert (vevent["geo"].latitude, vevent["geo"].longitude) == (50.72333, 1.60722)
    assert "Tarif : gratuit" in str(vevent["description"])
    [timezone] = calendar.walk("VTIMEZONE")
    assert str(timezone["tzid"]) == "Europe/Paris"


def test_the_vtimezone_agrees_with_the_tz_database(client):
    make_event()
    calendar = parse(client.get("/api/v1/events.ics", query_string={"from": "2026-03-01", "to": "2026-04-01"}))
    zone = calendar.walk("VTIMEZONE")[0].to_tz()
    for year in (2026, 2031, 2045):
        for month, day, hour in ((1, 15, 12), (3, 29, 1), (3, 29, 4), (7, 1, 12), (10, 25, 4), (12, 24, 20)):
            moment = datetime(year, month, day, hour)
            assert moment.replace(tzinfo=zone).utcoffset() == moment.replace(tzinfo=CITY_ZONE).utcoffset(), moment


def test_calendar_feed_filters_like_events_and_its_recurrences_expand_like_the_api(client):
    market = make_event(exdates=["2026-03-28T08:00:00"])
    make_event(
        title={"fr": "Concert annulé"},
        category="concert",
        status="cancelled",
        rrule=None,
        starts_at="2026-03-21T20:00:00",
        ends_at="2026-03-21T22:00:00",
    )
    make_event(title={"fr": "Brouillon"}, publication="draft")
    make_event(title={"fr": "Autre mois"}, rrule=None, starts_at="2026-06-01T20:00:00", ends_at="2026-06-01T22:00:00")
    query = {"from": "2026-03-20", "to": "2026-04-20"}
    calendar = parse(client.get("/api/v1/events.ics", query_string=query))
    events = {str(v["summary"]): v for v in calendar.walk("VEVENT")}
    assert set(events) == {"Marché de la place Dalton", "Concert annulé"}
    assert str(events["Concert annulé"]["status"]) == "CANCELLED"
    concerts = parse(client.get("/api/v1/events.ics", query_string={**query, "category": "market"}))
    assert [str(v["summary"]) for v in concerts.walk("VEVENT")] == ["Marché de la place Dalton"]
    english = parse(client.get("/api/v1/events.ics", query_string={**query, "lang": "en", "category": "market"}))
    assert [str(v["summary"]) for v in english.walk("VEVENT")] == ["Place Dalton market"]
    # A calendar app expanding the VEVENT gets the API's occurrences.
    vevent = events["Marché de la place Dalton"]
    rules = rrulestr(vevent["rrule"].to_ical().decode(), dtstart=vevent.decoded("dtstart"), forceset=True)
    for excluded in vevent["exdate"].dts:
        rules.exdate(excluded.dt)
    expanded = [d.isoformat() for d in rules.between(paris(2026, 3, 20), paris(2026, 4, 20))]
    api = client.get(f"/api/v1/events/{market.id}/occurrences", query_string=query).get_json()["features"]
    assert expanded == [f["properties"]["occurrence_start"] for f in api]
    assert "2026-04-04T08:00:00+02:00" in expanded and "2026-03-28T08:00:00+01:00" not in expanded


def test_calendar_etag_gives_304(client):
    make_event()
    first = client.get("/api/v1/events.ics", query_string={"from": "2026-03-01", "to": "2026-04-01"})
    again = client.get(
        "/api/v1/events.ics",
        query_string={"from": "2026-03-01", "to": "2026-04-01"},
        headers={"If-None-Match": first.headers["ETag"]},
    )
    assert again.status_code == 304 and again.data == b""

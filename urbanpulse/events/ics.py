"""iCalendar (RFC 5545) output with the `icalendar` library: recurrences kept as RRULE/RDATE/EXDATE, VTIMEZONE.

An occurrence ends at a local wall time (see `recurrence`). A one-off event says so with DTEND. A recurring
event sends its DURATION, which RFC 5545 adds as elapsed hours, so each occurrence under way while the clocks
change gets an override (RECURRENCE-ID) with its own DTSTART/DTEND: every reader then sees 22:00-06:00 also
on the nights of the change.
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vRecur

from urbanpulse.core.i18n import pick
from urbanpulse.events.categories import CATEGORY_LABELS, ICAL_STATUS
from urbanpulse.events.recurrence import occurrences_between, to_local, to_utc
from urbanpulse.events.scheduling import schedule_of

PRODID = "-//Urban Pulse Boulogne//Events//FR"
CALENDAR_MIMETYPE = "text/calendar"
REFRESH = timedelta(hours=1)
LABELS = {
    "price": {"fr": "Tarif", "en": "Price", "nl": "Prijs", "de": "Preis"},
    "organiser": {"fr": "Organisation", "en": "Organiser", "nl": "Organisator", "de": "Veranstalter"},
    "booking": {"fr": "Réservation", "en": "Booking", "nl": "Reserveren", "de": "Buchung"},
    "free": {"fr": "gratuit", "en": "free", "nl": "gratis", "de": "kostenlos"},
}


def _zone(name: str):
    return UTC if name == "UTC" else ZoneInfo(name)


def _moment(local: datetime, row):
    """A wall time as DTSTART/EXDATE/RDATE value: a DATE for all-day events, else with the event's TZID."""
    if row.all_day:
        return local.date()
    return local.replace(tzinfo=_zone(row.timezone))


def _description(row, lang: str) -> str:
    parts = [pick(row.description, lang)[0] or ""]
    price = pick(LABELS["free"], lang)[0] if row.price == "free" else row.price
    for key, value in (("price", price), ("organiser", row.organiser), ("booking", row.booking_url)):
        if value:
            parts.append(f"{pick(LABELS[key], lang)[0]} : {value}")
    return "\n\n".join(part for part in parts if part)


def _location(row, lang: str) -> str | None:
    names = [pick(row.venue_name, lang)[0] if row.venue_id else None, row.address]
    if row.status == "moved_online" and row.online_url:
        names = [row.online_url]
    text = ", ".join(name for name in names if name)
    return text or None


def _base(row, *, lang: str) -> Event:
    """The properties a VEVENT and its overrides share (identity, texts, status, place)."""
    event = Event()
    event.add("uid", row.uid)
    event.add("dtstamp", row.updated_at.astimezone(UTC))
    event.add("created", row.created_at.astimezone(UTC))
    event.add("last-modified", row.updated_at.astimezone(UTC))
    event.add("sequence", max(0, row.version - 1))
    event.add("summary", pick(row.title, lang)[0])
    description = _description(row, lang)
    if description:
        event.add("description", description)
    event.add("categories", [pick(CATEGORY_LABELS.get(row.category, {"fr": row.category}), lang)[0]])
    event.add("status", ICAL_STATUS[row.status])
    event.add("class", "PUBLIC")
    event.add("transp", "TRANSPARENT" if row.all_day else "OPAQUE")
    location = _location(row, lang)
    if location:
        event.add("location", location)
    if row.lat is not None and row.lon is not None:
        event.add("geo", (round(row.lat, 6), round(row.lon, 6)))
    url = row.booking_url or row.online_url
    if url:
        event.add("url", url)
    return event


def vevent(row, *, lang: str) -> Event:
    """One event as a VEVENT (the master of its recurrence set)."""
    event = _base(row, lang=lang)
    event.add("dtstart", _moment(row.dtstart_local, row))
    if row.rrule or row.rdates:
        event.add("duration", row.duration)
    else:
        event.add("dtend", _moment(row.dtstart_local + row.duration, row))
    if row.rrule:
        event.add("rrule", vRecur.from_ical(row.rrule))
    if row.rdates:
        event.add("rdate", [_moment(value, row) for value in row.rdates])
    if row.exdates:
        event.add("exdate", [_moment(value, row) for value in row.exdates])
    return event


@functools.lru_cache(maxsize=64)
def _transitions(name: str, first_day: date, last_day: date) -> tuple[datetime, ...]:
    """The UTC instants from `first_day` to `last_day` (whole days) at which the zone's offset changes."""
    tz = _zone(name)
    day = datetime(first_day.year, first_day.month, first_day.day, tzinfo=UTC)
    end, found = datetime(last_day.year, last_day.month, last_day.day, tzinfo=UTC) + timedelta(days=1), []
    while day < end:
        low, high = day, min(day + timedelta(days=1), end)
        if low.astimezone(tz).utcoffset() != high.astimezone(tz).utcoffset():
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                same = middle.astimezone(tz).utcoffset() == low.astimezone(tz).utcoffset()
                low, high = (middle, high) if same else (low, middle)
            found.append(high.replace(microsecond=0))
        day += timedelta(days=1)
    return tuple(found)


def overrides(row, *, lang: str, transitions: tuple[datetime, ...]) -> list[Event]:
    """Overrides of the occurrences running at a change of the clocks whose elapsed DURATION would misplace the end."""
    if row.all_day or not (row.rrule or row.rdates) or not row.duration % timedelta(days=1):
        return []  # whole days are counted on the wall clock by every reader
    schedule, found = schedule_of(row), []
    tz = schedule.tz
    for moment in transitions:
        for start, end in occurrences_between(schedule, moment, moment + timedelta(seconds=1)):
            start_local = to_local(start, tz)
            days = timedelta(days=row.duration.days)
            elapsed_end = to_utc(start_local + days, tz) + (row.duration - days)  # RFC 5545 3.3.6 reading
            if elapsed_end == end:
                continue
            event = _base(row, lang=lang)
            event.add("recurrence-id", _moment(start_local, row))
            event.add("dtstart", _moment(start_local, row))
            event.add("dtend", _moment(to_local(end, tz), row))
            found.append(event)
    return found


# The EU rule (since 1996) as RRULEs, valid for every year, as calendar servers publish it.
PARIS_VTIMEZONE = """BEGIN:VTIMEZONE
TZID:Europe/Paris
X-LIC-LOCATION:Europe/Paris
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
"""


@functools.lru_cache(maxsize=64)
def _vtimezone(name: str, first_year: int, last_year: int) -> Timezone:
    if name == "Europe/Paris" and first_year >= 1996:
        return Timezone.from_ical(PARIS_VTIMEZONE.replace("\n", "\r\n"))
    first, last = date(first_year, 1, 1), date(last_year, 1, 1)
    return Timezone.from_tzinfo(ZoneInfo(name), tzid=name, first_date=first, last_date=last)


def _timezones(rows) -> list[Timezone]:
    years: dict[str, list[int]] = {}
    this_year = datetime.now(UTC).year
    for row in rows:
        if row.timezone == "UTC" or row.all_day:
            continue
        dates = [row.dtstart_local, *row.rdates]
        span = years.setdefault(row.timezone, [this_year, this_year + 10])
        span[0] = min(span[0], *(value.year for value in dates))
        span[1] = max(span[1], *(value.year + 1 for value in dates))
    return [_vtimezone(name, first, last) for name, (first, last) in sorted(years.items())]


def calendar(rows, *, lang: str, name: str, window: tuple[datetime, datetime]) -> bytes:
    """A VCALENDAR (METHOD:PUBLISH): a VEVENT per event with its overrides in `window`, a VTIMEZONE per zone.

    Subscribed calendars are fetched again every REFRESH, so overrides within the feed's window suffice.
    """
    name = " ".join(name.splitlines())  # NAME is one line (icalendar refuses line breaks in it, unlike in TEXT)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("name", name)
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/Paris")
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    for timezone in _timezones(rows):
        cal.add_component(timezone)
    first, last = (moment.astimezone(UTC).date() for moment in window)
    changes = {zone: _transitions(zone, first, last) for zone in {row.timezone for row in rows}}
    for row in rows:
        cal.add_component(vevent(row, lang=lang))
        for override in overrides(row, lang=lang, transitions=changes[row.timezone]):
            cal.add_component(override)
    return cal.to_ical()

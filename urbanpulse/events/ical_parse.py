"""Turning the VEVENTs of an imported iCalendar feed into event Features (as the API accepts them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar

from urbanpulse.events.categories import CATEGORY_SYNONYMS, STATUS_FROM_ICAL
from urbanpulse.pois.hours import CITY_ZONE

MAX_TEXT = 20_000


class FeedError(Exception):
    """The whole feed is unusable (not iCalendar); nothing is written."""


class EventError(Exception):
    """One VEVENT is unusable; the others are still imported."""


@dataclass
class Parsed:
    """The usable events of a feed by UID, the failures, and notes on what was approximated."""

    features: dict[str, dict] = field(default_factory=dict)
    failed: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)


def parse_calendar(data: bytes) -> Calendar:
    """The VCALENDAR of a feed, or FeedError."""
    try:
        calendar = Calendar.from_ical(data)
    except (ValueError, IndexError, KeyError) as error:
        raise FeedError(f"not an iCalendar feed: {str(error)[:200]}") from None
    if calendar.name != "VCALENDAR":
        raise FeedError("not an iCalendar feed: no VCALENDAR")
    return calendar


def _zone_name(value: datetime) -> str:
    if value.tzinfo is None:
        return "Europe/Paris"  # floating time: the city's wall clock
    if value.utcoffset() == timedelta(0) and getattr(value.tzinfo, "key", "UTC") in ("UTC", "Etc/UTC"):
        return "UTC"
    key = getattr(value.tzinfo, "key", None)
    if key:
        try:
            ZoneInfo(key)
            return key
        except (ValueError, KeyError, OSError):
            pass
    return ""


def _iso(value, tz_name: str) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.isoformat()
        zone = UTC if tz_name == "UTC" else ZoneInfo(tz_name or "Europe/Paris")
        return value.astimezone(zone).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise EventError(f"expected a date or date-time, got {value!r}")


def _dates(component, name: str) -> list:
    values = component.get(name)
    if values is None:
        return []
    lists = values if isinstance(values, list) else [values]
    result = []
    for item in lists:
        for entry in item.dts:
            moment = entry.dt[0] if isinstance(entry.dt, tuple) else entry.dt  # PERIOD: its start
            result.append(moment)
    return result


def _text(component, name: str, limit: int) -> str | None:
    value = component.get(name)
    if value is None:
        return None
    text = str(value).strip()
    return text[:limit] if text else None


def _category(component) -> str:
    value = component.get("categories")
    for item in value if isinstance(value, list) else [value] if value is not None else []:
        for word in getattr(item, "cats", []):
            key = CATEGORY_SYNONYMS.get(str(word).strip().lower())
            if key:
                return key
    return "other"


def _organiser(component) -> str | None:
    value = component.get("organizer")
    if value is None:
        return None
    name = value.params.get("CN") or str(value).removeprefix("mailto:").removeprefix("MAILTO:")
    return name.strip()[:300] or None


def _url(component) -> str | None:
    value = _text(component, "url", 1000)
    return value if value and value.lower().startswith(("http://", "https://")) else None


def vevent_feature(component, *, language: str) -> dict:
    """A Feature for the event service from one master VEVENT; EventError when it cannot be one."""
    if component.errors:
        raise EventError("; ".join(f"{name}: {message}" for name, message in component.errors)[:500])
    if component.get("dtstart") is None:
        raise EventError("DTSTART is missing")
    summary = _text(component, "summary", 1000)
    if not summary:
        raise EventError("SUMMARY is missing")
    if isinstance(component.get("rrule"), list):
        raise EventError("several RRULEs are not supported")
    start = component.decoded("dtstart")
    all_day = not isinstance(start, datetime)
    tz_name = "Europe/Paris" if all_day else _zone_name(start)
    if not tz_name:
        tz_name, start = "Europe/Paris", start.astimezone(CITY_ZONE)
    if component.get("dtend") is not None:
        end = component.decoded("dtend")
    elif component.get("duration") is not None:
        duration = component.decoded("duration")
        days = timedelta(days=duration.days)
        # RFC 5545 3.3.6: days are nominal (wall clock), hours elapsed; the end is then kept as a wall time.
        end = start + days
        if not all_day:
            end = (end.astimezone(UTC) + (duration - days)).astimezone(start.tzinfo)
    else:
        end = start + timedelta(days=1) if all_day else start
    description = _text(component, "description", MAX_TEXT)
    rule = component.get("rrule")
    properties = {
        "uid": str(component.get("uid")),
        "title": {language: summary, "fr": summary} if language != "fr" else {"fr": summary},
        "description": ({language: description, "fr": description} if language != "fr" else {"fr": description})
        if description
        else {},
        "category": _category(component),
        "timezone": tz_name,
        "all_day": all_day,
        "starts_at": _iso(start, tz_name),
        "ends_at": _iso(end, tz_name),
        "rrule": rule.to_ical().decode() if rule is not None else None,
        "exdates": [_iso(value, tz_name) for value in _dates(component, "exdate")],
        "rdates": [_iso(value, tz_name) for value in _dates(component, "rdate")],
        "status": STATUS_FROM_ICAL.get(str(component.get("status", "CONFIRMED")).upper(), "scheduled"),
        "address": _text(component, "location", 300),
        "organiser": _organiser(component),
        "booking_url": _url(component),
    }
    geo = component.get("geo")
    geometry = {"type": "Point", "coordinates": [geo.longitude, geo.latitude]} if geo is not None else None
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def _apply_override(master: dict, override, parsed: Parsed, uid: str) -> None:
    """A RECURRENCE-ID instance: cancelled -> EXDATE; moved -> EXDATE + RDATE; other changes are not kept."""
    props = master["properties"]
    tz_name = props["timezone"]
    original = _iso(override.decoded("recurrence-id"), tz_name)
    props["exdates"].append(original)
    if str(override.get("status", "")).upper() == "CANCELLED":
        return
    moved = _iso(override.decoded("dtstart"), tz_name) if override.get("dtstart") is not None else original
    props["rdates"].append(moved)
    parsed.warnings.append({"uid": uid, "warning": f"instance {original} kept at {moved}; its other changes ignored"})


def parse_feed(calendar: Calendar, *, language: str = "fr") -> Parsed:
    """Every VEVENT of a feed: usable ones as Features by UID, the others as failures."""
    parsed, overrides = Parsed(), []
    for component in calendar.walk("VEVENT"):
        uid = str(component.get("uid") or "").strip()
        if not uid:
            parsed.failed.append({"uid": None, "error": "UID is missing", "summary": _text(component, "summary", 80)})
            continue
        if component.get("recurrence-id") is not None:
            overrides.append((uid, component))
            continue
        if uid in parsed.features:
            parsed.failed.append({"uid": uid, "error": "the feed has two events with this UID"})
            del parsed.features[uid]
            continue
        try:
            parsed.features[uid] = vevent_feature(component, language=language)
        except (EventError, ValueError, TypeError, AttributeError) as error:
            parsed.failed.append({"uid": uid, "error": str(error) or error.__class__.__name__})
    for uid, component in overrides:
        if uid not in parsed.features:
            continue
        try:
            _apply_override(parsed.features[uid], component, parsed, uid)
        except (EventError, ValueError, TypeError, AttributeError) as error:
            parsed.warnings.append({"uid": uid, "warning": f"an instance override was ignored: {error}"})
    return parsed

"""RFC 5545 recurrence on wall-clock time: RRULE + RDATE - EXDATE expanded with python-dateutil.

Rules are expanded on naive local times of the event's zone, then each occurrence is placed in that zone,
so a weekly 08:00 market stays at 08:00 across daylight-saving changes. A local time that does not exist
(spring forward) takes the offset before the gap, an ambiguous one (fall back) the first of the two, as
RFC 5545 (3.3.5) says.

An occurrence ends at its start's wall time plus the duration on the wall clock: the stored end is a local
wall time, as an RFC 5545 DTEND with a TZID is, not an elapsed time as a DURATION's hours are. A weekly
22:00-06:00 night therefore ends at 06:00 also on the nights the clocks change (9 hours elapsed on the
last Sunday of October, 7 on the last Sunday of March). The .ics output says so with DTEND (see `ics`).
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rruleset, rrulestr

ALLOWED_FREQS = ("HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY")
# Bounded rules with more occurrences than this are treated as unbounded for the stored active range.
MAX_ENUMERATED = 50_000
_INT_PARTS = {
    "COUNT": (1, 100_000),
    "INTERVAL": (1, 1000),
    "BYSECOND": (0, 60),
    "BYMINUTE": (0, 59),
    "BYHOUR": (0, 23),
    "BYMONTH": (1, 12),
    "BYMONTHDAY": (1, 31),
    "BYYEARDAY": (1, 366),
    "BYWEEKNO": (1, 53),
    "BYSETPOS": (1, 366),
}
_SIGNED = {"BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYSETPOS"}
_BYDAY = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")
_UNTIL = re.compile(r"^(\d{8})(?:T(\d{6})(Z?))?$")


class RecurrenceError(ValueError):
    """A recurrence rule, date list or zone that cannot be used; the message says why."""


def zone(name: str) -> ZoneInfo:
    """The IANA zone `name`, or RecurrenceError."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise RecurrenceError(f"unknown time zone {name!r}") from None


def to_utc(local: datetime, tz: ZoneInfo) -> datetime:
    """A naive wall time of `tz` as an aware UTC datetime (fold=0: RFC 5545 rule for gaps and overlaps)."""
    return local.replace(tzinfo=tz, fold=0).astimezone(UTC)


def to_local(moment: datetime, tz: ZoneInfo) -> datetime:
    """An aware datetime as a naive wall time of `tz`; naive input is already local."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(tz).replace(tzinfo=None)


def end_of(start_local: datetime, duration: timedelta, tz: ZoneInfo) -> datetime:
    """The UTC end of an occurrence: the wall time `start_local + duration` in `tz` (DTEND semantics)."""
    # A start inside the spring gap is read with the offset before it and can land after an end just past
    # the gap (02:30 -> 03:00): such an occurrence lasts zero, never less.
    return max(to_utc(start_local + duration, tz), to_utc(start_local, tz))


def _check_int_part(key: str, raw: str) -> None:
    low, high = _INT_PARTS[key]
    for item in raw.split(","):
        try:
            value = int(item)
        except ValueError:
            raise RecurrenceError(f"{key} must hold integers, not {item!r}") from None
        magnitude = abs(value) if key in _SIGNED else value
        if not low <= magnitude <= high or (key in _SIGNED and value == 0):
            raise RecurrenceError(f"{key} value {value} is out of range")


def _until_local(raw: str, tz: ZoneInfo, all_day: bool) -> datetime:
    match = _UNTIL.match(raw)
    if not match:
        raise RecurrenceError(f"UNTIL must be a DATE or DATE-TIME, not {raw!r}")
    day, clock, utc = match.groups()
    try:
        if clock is None:
            value = datetime.strptime(day, "%Y%m%d")
            return value if all_day else value.replace(hour=23, minute=59, second=59)
        value = datetime.strptime(day + clock, "%Y%m%d%H%M%S")
    except ValueError:
        raise RecurrenceError(f"UNTIL {raw!r} is not a valid date") from None
    return to_local(value.replace(tzinfo=UTC), tz) if utc else value


def normalise_rrule(rule: str, *, tz: ZoneInfo, all_day: bool) -> str:
    """Validate an RRULE value and return it canonical: upper case, UNTIL in UTC (DATE for all-day events)."""
    text = rule.strip().upper().removeprefix("RRULE:")
    if not text or "\n" in text:
        raise RecurrenceError("a recurrence rule is one RRULE value such as FREQ=WEEKLY;BYDAY=SA")
    parts: dict[str, str] = {}
    for chunk in filter(None, text.split(";")):
        key, sep, value = chunk.partition("=")
        if not sep or not value or key in parts:
            raise RecurrenceError(f"malformed or repeated rule part {chunk!r}")
        parts[key] = value
    freq = parts.get("FREQ")
    if freq not in ALLOWED_FREQS:
        raise RecurrenceError(f"FREQ must be one of {', '.join(ALLOWED_FREQS)}")
    if "COUNT" in parts and "UNTIL" in parts:
        raise RecurrenceError("COUNT and UNTIL cannot both be given")
    for key, value in parts.items():
        if key in _INT_PARTS:
            _check_int_part(key, value)
        elif key == "BYDAY":
            for item in value.split(","):
                if not _BYDAY.match(item):
                    raise RecurrenceError(f"BYDAY value {item!r} is not valid")
        elif key == "WKST":
            if value not in ("MO", "TU", "WE", "TH", "FR", "SA", "SU"):
                raise RecurrenceError(f"WKST value {value!r} is not valid")
        elif key == "UNTIL":
            until = _until_local(value, tz, all_day)
            parts[key] = until.strftime("%Y%m%d") if all_day else to_utc(until, tz).strftime("%Y%m%dT%H%M%SZ")
        elif key != "FREQ":
            raise RecurrenceError(f"unsupported rule part {key}")
    return ";".join(f"{key}={value}" for key, value in parts.items())


def _dateutil_rule(rule: str, tz: ZoneInfo, all_day: bool) -> str:
    """The canonical rule with UNTIL as a naive wall time, as dateutil needs for a naive DTSTART."""
    parts = []
    for chunk in rule.split(";"):
        key, _, value = chunk.partition("=")
        if key == "UNTIL":
            value = _until_local(value, tz, all_day).strftime("%Y%m%dT%H%M%S")
        parts.append(f"{key}={value}")
    return ";".join(parts)


@dataclass(frozen=True)
class Schedule:
    """When an event happens: first start (wall time of `timezone`), duration, RRULE, RDATEs, EXDATEs."""

    dtstart_local: datetime
    duration: timedelta
    timezone: str = "Europe/Paris"
    rrule: str | None = None
    rdates: tuple[datetime, ...] = ()
    exdates: tuple[datetime, ...] = ()
    all_day: bool = False

    @property
    def tz(self) -> ZoneInfo:
        """The zone of the wall times."""
        return zone(self.timezone)


@functools.lru_cache(maxsize=2048)
def _ruleset(schedule: Schedule) -> rruleset:
    rules = rruleset()
    if schedule.rrule:
        text = _dateutil_rule(schedule.rrule, schedule.tz, schedule.all_day)
        try:
            rules.rrule(rrulestr(text, dtstart=schedule.dtstart_local))
        except (ValueError, TypeError) as error:
            raise RecurrenceError(f"invalid recurrence rule: {error}") from None
    # DTSTART is always the first instance (RFC 5545 3.8.5.3), even when the rule would not produce it.
    rules.rdate(schedule.dtstart_local)
    for moment in schedule.rdates:
        rules.rdate(moment)
    for moment in schedule.exdates:
        rules.exdate(moment)
    return rules


def ruleset(schedule: Schedule) -> rruleset:
    """The dateutil rule set of naive wall times (validated, cached)."""
    return _ruleset(schedule)


def occurrences_from(schedule: Schedule, after: datetime) -> Iterator[tuple[datetime, datetime]]:
    """(start, end) in UTC of every occurrence still running at or starting after `after` (aware), in order."""
    tz = schedule.tz
    # One extra day each side absorbs any UTC offset; exact filtering happens below.
    search_from = to_local(after - schedule.duration, tz) - timedelta(days=1)
    for start_local in ruleset(schedule).xafter(search_from, inc=True):
        start = to_utc(start_local, tz)
        end = end_of(start_local, schedule.duration, tz)
        if end > after or start >= after:
            yield start, end


def occurrences_between(
    schedule: Schedule, start: datetime, end: datetime, limit: int | None = None
) -> list[tuple[datetime, datetime]]:
    """Occurrences overlapping [start, end) (aware), at most `limit`."""
    selected = itertools.takewhile(lambda occurrence: occurrence[0] < end, occurrences_from(schedule, start))
    return list(itertools.islice(selected, limit))


@dataclass(frozen=True)
class Bounds:
    """What the events table stores about a schedule, in UTC."""

    first_start: datetime
    first_end: datetime
    active_from: datetime
    active_until: datetime | None


def bounds(schedule: Schedule) -> Bounds:
    """The first occurrence and the span of all occurrences (open-ended for unbounded rules)."""
    rules = ruleset(schedule)
    first = next(iter(rules), None)
    if first is None:
        raise RecurrenceError("the schedule has no occurrence (every date is excluded)")
    tz = schedule.tz
    first_start, first_end = to_utc(first, tz), end_of(first, schedule.duration, tz)
    bounded = not schedule.rrule or any(part in schedule.rrule for part in ("COUNT=", "UNTIL="))
    last = None
    if bounded:
        enumerated = list(itertools.islice(rules, MAX_ENUMERATED + 1))
        last = enumerated[-1] if len(enumerated) <= MAX_ENUMERATED else None
    active_until = end_of(last, schedule.duration, tz) if last is not None else None
    return Bounds(first_start, first_end, first_start, active_until)

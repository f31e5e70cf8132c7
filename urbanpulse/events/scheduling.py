"""From the editable schedule properties (starts_at, ends_at, timezone, rrule...) to the stored columns."""

from __future__ import annotations

from datetime import datetime, timedelta

from urbanpulse.core.errors import ValidationFailed
from urbanpulse.events.recurrence import (
    RecurrenceError,
    Schedule,
    bounds,
    normalise_rrule,
    to_local,
    zone,
)

DEFAULT_TIMEZONE = "Europe/Paris"
SCHEDULE_FIELDS = ("timezone", "all_day", "starts_at", "ends_at", "rrule", "exdates", "rdates")
MAX_DURATION = timedelta(days=366)


def schedule_of(event) -> Schedule:
    """The Schedule of a stored event (ORM object or row)."""
    return Schedule(
        dtstart_local=event.dtstart_local,
        duration=event.duration,
        timezone=event.timezone,
        rrule=event.rrule,
        rdates=tuple(event.rdates or ()),
        exdates=tuple(event.exdates or ()),
        all_day=bool(event.all_day),
    )


def _midnight(value: datetime) -> datetime:
    return value.replace(hour=0, minute=0, second=0, microsecond=0)


def _local_list(values, tz, all_day: bool) -> tuple[datetime, ...]:
    moments = (to_local(value, tz).replace(microsecond=0) for value in values)
    return tuple(sorted({_midnight(m) if all_day else m for m in moments}))


def build_schedule(props: dict, current: Schedule | None) -> Schedule:
    """Combine changed schedule properties with the current schedule; 422 naming the field on bad input.

    Wall times without an offset are in the event's zone. Changing `starts_at` alone moves the event and
    keeps its duration. All-day events start at midnight and last whole days (`ends_at` exclusive, as in
    iCalendar; an end on the start day means one day).
    """
    timezone = props.get("timezone") or (current.timezone if current else DEFAULT_TIMEZONE)
    try:
        tz = zone(timezone)
    except RecurrenceError as error:
        raise ValidationFailed.field("properties.timezone", str(error)) from None
    all_day = bool(props.get("all_day", current.all_day if current else False))
    start = to_local(props["starts_at"], tz).replace(microsecond=0) if "starts_at" in props else current.dtstart_local
    duration = to_local(props["ends_at"], tz).replace(microsecond=0) - start if "ends_at" in props else current.duration
    if all_day:
        start = _midnight(start)
        duration = timedelta(days=max(1, duration.days + (1 if duration.seconds else 0)))
    if duration < timedelta(0):
        raise ValidationFailed.field("properties.ends_at", "must not be before starts_at")
    if duration > MAX_DURATION:
        raise ValidationFailed.field("properties.ends_at", "an occurrence may last at most 366 days")
    rule = props.get("rrule", current.rrule if current else None)
    if rule:
        try:
            rule = normalise_rrule(rule, tz=tz, all_day=all_day)
        except RecurrenceError as error:
            raise ValidationFailed.field("properties.rrule", str(error)) from None
    exdates = props.get("exdates", current.exdates if current else ())
    rdates = props.get("rdates", current.rdates if current else ())
    return Schedule(
        dtstart_local=start,
        duration=duration,
        timezone=timezone,
        rrule=rule or None,
        rdates=_local_list(rdates or (), tz, all_day),
        exdates=_local_list(exdates or (), tz, all_day),
        all_day=all_day,
    )


def apply_schedule(event, schedule: Schedule) -> None:
    """Store a schedule and its derived UTC columns on an event; 422 when it yields no occurrence."""
    try:
        span = bounds(schedule)
    except RecurrenceError as error:
        raise ValidationFailed.field("properties.rrule", str(error)) from None
    event.timezone = schedule.timezone
    event.all_day = schedule.all_day
    event.dtstart_local = schedule.dtstart_local
    event.duration = schedule.duration
    event.rrule = schedule.rrule
    event.rdates = list(schedule.rdates)
    event.exdates = list(schedule.exdates)
    event.starts_at = span.first_start
    event.ends_at = span.first_end
    event.active_from = span.active_from
    event.active_until = span.active_until


def duration_text(duration: timedelta) -> str:
    """ISO 8601 / RFC 5545 duration such as P1DT8H or PT5H30M."""
    total = int(duration.total_seconds())
    days, rest = divmod(total, 86400) if duration.days >= 0 else (0, total)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    clock = "".join(f"{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M"), (seconds, "S")) if n)
    text = "P" + (f"{days}D" if days else "") + (f"T{clock}" if clock else "")
    return text if text != "P" else "PT0S"

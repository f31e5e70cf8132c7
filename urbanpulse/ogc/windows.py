"""The `datetime` parameter of OGC API - Features (an instant or an interval) as an event window in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from urbanpulse.core.errors import ValidationFailed
from urbanpulse.pois.hours import CITY_ZONE

DEFAULT_DAYS = 30
MAX_DAYS = 366
INSTANT = timedelta(seconds=1)


def _moment(text: str, *, end: bool) -> datetime:
    """An RFC 3339 date-time (with offset; naive ones are Europe/Paris) or a full date (a local day)."""
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime.combine(day + timedelta(days=1) if end else day, time(), CITY_ZONE)
        value = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        message = f"not an RFC 3339 date or date-time: {text!r}"
        raise ValidationFailed.field("datetime", message, location="query") from None
    return value if value.tzinfo else value.replace(tzinfo=CITY_ZONE)


def window(value: str | None, now: datetime) -> tuple[datetime, datetime]:
    """[start, end) in UTC: the next 30 days by default; an open end or start spans at most 366 days."""
    if not value:
        return now, now + timedelta(days=DEFAULT_DAYS)
    if "/" not in value:
        start = _moment(value, end=False)
        end = _moment(value, end=True) if len(value) == 10 else start + INSTANT
    else:
        first, _, last = value.partition("/")
        open_start, open_end = first in ("", ".."), last in ("", "..")
        if open_start and open_end:
            start, end = now, now + timedelta(days=MAX_DAYS)
        elif open_start:
            end = _moment(last, end=True)
            start = end - timedelta(days=MAX_DAYS)
        elif open_end:
            start = _moment(first, end=False)
            end = start + timedelta(days=MAX_DAYS)
        else:
            start, end = _moment(first, end=False), _moment(last, end=True)
    if end <= start:
        raise ValidationFailed.field("datetime", "the interval ends before it starts", location="query")
    if end - start > timedelta(days=MAX_DAYS):
        raise ValidationFailed.field("datetime", f"the interval may span at most {MAX_DAYS} days", location="query")
    return start.astimezone(UTC), end.astimezone(UTC)

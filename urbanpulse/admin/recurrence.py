"""The event form's recurrence choices (none, weekly on days, monthly, raw RRULE) to and from an RRULE value."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from urbanpulse.pois.hours import CITY_ZONE

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
MODES = ("none", "weekly", "monthly", "rrule")
_SIMPLE = re.compile(r"^FREQ=(WEEKLY|MONTHLY)(?:;BYDAY=([A-Z,]+))?(?:;(UNTIL|COUNT)=([0-9TZ]+))?$")


@dataclass
class Recurrence:
    """What the form shows: a mode, the weekdays (weekly), an end (date or count) or the raw rule."""

    mode: str = "none"
    days: list[str] = field(default_factory=list)
    until: date | None = None
    count: int | None = None
    raw: str = ""


def build_rrule(choice: Recurrence) -> str | None:
    """The RRULE value for the form's choice; None for a one-off event (the service validates the rule)."""
    if choice.mode == "none":
        return None
    if choice.mode == "rrule":
        return choice.raw.strip() or None
    parts = [f"FREQ={choice.mode.upper()}"]
    if choice.mode == "weekly":
        days = [day for day in WEEKDAYS if day in choice.days]
        if days:
            parts.append("BYDAY=" + ",".join(days))
    if choice.until is not None:
        parts.append("UNTIL=" + choice.until.strftime("%Y%m%d"))
    elif choice.count:
        parts.append(f"COUNT={choice.count}")
    return ";".join(parts)


def _until_date(raw: str) -> date | None:
    try:
        if raw.endswith("Z"):
            moment = datetime.strptime(raw, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            return moment.astimezone(CITY_ZONE).date()
        return datetime.strptime(raw[:8], "%Y%m%d").date()
    except ValueError:
        return None


def split_rrule(rule: str | None) -> Recurrence:
    """The form's choice for a stored rule: simple weekly/monthly rules get their own fields, others stay raw."""
    if not rule:
        return Recurrence()
    match = _SIMPLE.match(rule)
    if not match:
        return Recurrence(mode="rrule", raw=rule)
    freq, byday, end_kind, end_value = match.groups()
    days = byday.split(",") if byday else []
    if (freq == "MONTHLY" and byday) or any(day not in WEEKDAYS for day in days):
        return Recurrence(mode="rrule", raw=rule)
    choice = Recurrence(mode=freq.lower(), days=days)
    if end_kind == "UNTIL":
        choice.until = _until_date(end_value)
        if choice.until is None:
            return Recurrence(mode="rrule", raw=rule)
    elif end_kind == "COUNT":
        choice.count = int(end_value)
    return choice

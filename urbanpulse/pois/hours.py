"""Opening hours in OpenStreetMap syntax, evaluated with the maintained opening-hours-py parser."""

from __future__ import annotations

import functools
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from marshmallow import ValidationError
from opening_hours import OpeningHours, State

from urbanpulse.core.errors import ValidationFailed

CITY_ZONE = ZoneInfo("Europe/Paris")


@functools.lru_cache(maxsize=4096)
def parse_opening_hours(expression: str) -> OpeningHours:
    """The parsed expression (French public holidays for PH); ValidationError with the parser's message."""
    try:
        return OpeningHours(expression, country="FR")
    except Exception as error:  # the parser raises its own ParserError/SyntaxError types
        raise ValidationError(f"invalid opening_hours: {' '.join(str(error).split())}") from None


def joined_rules(rules: list[str]) -> str | None:
    """Rules joined into one expression, or None when there is none or it does not parse (an importer then
    gives no hours rather than wrong ones)."""
    if not rules:
        return None
    expression = "; ".join(rules)
    try:
        parse_opening_hours(expression)
    except ValidationError:
        return None
    return expression


def local_time(at: datetime | None) -> datetime:
    """`at` (or now) as a naive Europe/Paris wall time, as the parser expects; naive input is local."""
    if at is None:
        return datetime.now(CITY_ZONE).replace(tzinfo=None)
    if at.tzinfo is None:
        return at
    try:
        return at.astimezone(CITY_ZONE).replace(tzinfo=None)
    except OverflowError:  # e.g. 9999-12-31T23:59:59-12:00 is past year 9999 in Paris
        raise ValidationFailed.field("at", "is outside the supported range of dates", location="query") from None


def is_open(expression: str | None, local: datetime) -> bool | None:
    """True/False at `local` (naive Europe/Paris), None when the hours are unknown or unparseable."""
    if not expression:
        return None
    # Opening hours change on whole minutes, so answers are shared within a minute (many POIs share hours).
    if local.second or local.microsecond:
        local = local.replace(second=0, microsecond=0)
    return _is_open_in_minute(expression, local)


@functools.lru_cache(maxsize=4096)
def _is_open_in_minute(expression: str, local: datetime) -> bool | None:
    try:
        hours = parse_opening_hours(expression)
    except ValidationError:
        return None
    if hours.is_unknown(local):
        return None
    return bool(hours.is_open(local))


def next_change(expression: str | None, local: datetime) -> datetime | None:
    """When the state at `local` (naive Europe/Paris) next changes, within about a week; None if unknown."""
    if not expression:
        return None
    try:
        hours = parse_opening_hours(expression)
    except ValidationError:
        return None
    if hours.is_unknown(local):
        return None
    change = hours.next_change(local)
    return change if change is not None and change - local <= timedelta(days=8) else None


def is_public_holiday(day: date) -> bool:
    """Whether `day` is a French public holiday (the parser's own calendar, as `PH` reads it)."""
    return bool(parse_opening_hours("PH").is_open(datetime.combine(day, time(12))))


def week(expression: str | None, monday: date) -> list[dict] | None:
    """Seven days from `monday`: {day, holiday, open: [(start, end) wall times]}; None if unknown."""
    if not expression:
        return None
    try:
        hours = parse_opening_hours(expression)
    except ValidationError:
        return None
    days = []
    for offset in range(7):
        day = monday + timedelta(days=offset)
        start = datetime.combine(day, time())
        spans = [
            (begin, end)
            for begin, end, state, _ in hours.intervals(start, start + timedelta(days=1))
            if state == State.OPEN
        ]
        days.append({"day": day, "holiday": is_public_holiday(day), "open": spans})
    return days

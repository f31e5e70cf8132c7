"""Tourinsoft opening periods as OpenStreetMap opening hours.

A syndication's opening field (`OUVERTURE` by default) lists periods separated by `|`, each
`from#to#days#opens#closes[#opens#closes]`: dates as `dd/mm/yyyy` (or ISO), days as French or English day names
separated by commas, semicolons or spaces (`Tous les jours`, `Toute la semaine` or nothing: every day), times as
`10:00`, `10h00` or `10h`. A period with no time at all is open all day. Periods that have ended are left out;
days or times that do not read give no hours rather than wrong ones.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from urbanpulse.pois.hours import joined_rules

DAY_CODES = {
    "lundi": "Mo", "mardi": "Tu", "mercredi": "We", "jeudi": "Th", "vendredi": "Fr", "samedi": "Sa",
    "dimanche": "Su", "monday": "Mo", "tuesday": "Tu", "wednesday": "We", "thursday": "Th", "friday": "Fr",
    "saturday": "Sa", "sunday": "Su", "fériés": "PH", "feries": "PH", "férié": "PH",
}  # fmt: skip
EVERY_DAY = ("tous les jours", "toute la semaine", "every day", "daily")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
TIME = re.compile(r"^(\d{1,2})\s*[:hH]\s*(\d{2})?$")


def _date(text: str) -> date:
    text = text.strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return datetime.strptime(text[:10], pattern).date()
        except ValueError:
            continue
    raise ValueError(f"not a date: {text!r}")


def _time(text: str) -> str:
    match = TIME.match(text.strip())
    if not match or int(match.group(1)) > 24 or int(match.group(2) or 0) > 59:
        raise ValueError(f"not a time: {text!r}")
    return f"{int(match.group(1)):02d}:{match.group(2) or '00'}"


def _days(text: str) -> str | None:
    """OSM day codes, None for every day."""
    lowered = text.strip().lower()
    if not lowered or any(words in lowered for words in EVERY_DAY):
        return None
    codes = []
    for word in re.split(r"[,;/\s]+", lowered):
        if not word or word in ("et", "and", "les", "jours"):
            continue
        code = DAY_CODES.get(word)
        if code is None:
            raise ValueError(f"not a day: {word!r}")
        if code not in codes:
            codes.append(code)
    return ",".join(codes)


def _osm_date(day: date) -> str:
    return f"{day.year} {MONTHS[day.month - 1]} {day.day:02d}"


def opening_hours(value: str | None, *, today: date | None = None) -> str | None:
    """The periods of `value` as one OSM expression (None when there is none, or when one does not read)."""
    today = today or date.today()
    rules = []
    for chunk in (value or "").split("|"):
        parts = [part.strip() for part in chunk.split("#")]
        if not any(parts):
            continue
        parts += [""] * (3 - len(parts))
        try:
            start, end = _date(parts[0]), _date(parts[1] or parts[0])
            if end < today:
                continue
            days = _days(parts[2])
            times = [part for part in parts[3:] if part]
            if len(times) % 2:
                raise ValueError("an opening time without its closing time")
            spans = [f"{_time(times[i])}-{_time(times[i + 1])}" for i in range(0, len(times), 2)]
        except ValueError:
            return None
        rule = f"{_osm_date(start)}-{_osm_date(end)}"
        rule += f" {days}" if days else ""
        rule += f" {','.join(spans)}" if spans else " 00:00-24:00"
        rules.append(rule)
    return joined_rules(rules)

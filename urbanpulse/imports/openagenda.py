"""OpenAgenda (API v2) events as candidates for the import engine: a JSON file as the API answers
(`{"events": [...]}`, or a plain list), or the API itself (an agenda's `/v2/agendas/{uid}/events` URL, read page
by page with its `after` cursor, the key sent in the `key` header).

Per-language `title` and `description` (languages we do not store are dropped, a missing one stays missing);
`timings` (instants with their offsets) become the event's first occurrence and extra dates at their Paris
wall-clock times, so an evening concert stays at 20:00 on both sides of a DST change; `status` becomes the
event's status (cancelled, postponed...); `location` its place. An event deleted upstream (`deleted`), or no
longer published there (`state` under 2: refused or awaiting moderation), is a Removal: unpublished here if it
was imported, never touched otherwise.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

from urbanpulse.imports import sources
from urbanpulse.imports.engine import Candidate, Rejection, Removal, SourceError
from urbanpulse.imports.jsonld import translations

PARIS = ZoneInfo("Europe/Paris")
PAGE_SIZE = 100
MAX_PAGES = 1_000  # 100,000 events: far beyond any town's agenda; stops a cursor that never ends
PUBLISHED_STATE = 2
# OpenAgenda's status codes (v2): 1 scheduled, 2 rescheduled, 3 moved online, 4 postponed, 5 full, 6 cancelled.
STATUS = {1: "scheduled", 2: "rescheduled", 3: "moved_online", 4: "postponed", 5: "scheduled", 6: "cancelled"}
# Keywords (any language OpenAgenda gives) to our event categories; the first match wins, else DEFAULT_CATEGORY.
CATEGORY_OF_KEYWORD = [
    ("concert", "concert"), ("musique", "concert"), ("marché", "market"), ("market", "market"),
    ("exposition", "exhibition"), ("exhibition", "exhibition"), ("festival", "festival"),
    ("théâtre", "theatre"), ("theatre", "theatre"), ("spectacle", "theatre"), ("visite", "guided_tour"),
    ("conférence", "conference"), ("sport", "sport"), ("enfants", "family"), ("famille", "family"),
]  # fmt: skip
DEFAULT_CATEGORY = "other"


def read_source(source: str, *, api_key: str | None = None, since: str | None = None) -> Iterator[dict]:
    """The events of a file or of the API (pages followed to the end); SourceError when it cannot be read."""
    if source.startswith(("http://", "https://")):
        yield from _pages(source, api_key=api_key, since=since)
        return
    value = sources.json_file(source)
    events = value.get("events") if isinstance(value, dict) else value
    if not isinstance(events, list):
        raise SourceError(f"{source} holds no list of events")
    yield from (event for event in events if isinstance(event, dict))


def _pages(url: str, *, api_key: str | None, since: str | None) -> Iterator[dict]:
    headers = {"key": api_key} if api_key else {}
    after = None
    for _ in range(MAX_PAGES):
        params: dict = {"size": PAGE_SIZE, "detailed": 1}
        if since:
            params["updatedAt[gte]"] = since
        if after:
            params["after[]"] = after
        body = sources.json_answer(url, what="OpenAgenda", params=params, headers=headers)
        events = [event for event in body.get("events") or [] if isinstance(event, dict)]
        yield from events
        after = body.get("after")
        if not events or not after:
            return
    raise SourceError(f"OpenAgenda's pages did not end after {MAX_PAGES} pages")


def _instant(value) -> datetime:
    moment = datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        raise ValueError(f"a timing without its offset: {value}")
    return moment.astimezone(PARIS).replace(tzinfo=None)


def _timings(event: dict) -> list[tuple[datetime, datetime]]:
    periods = set()
    for timing in event.get("timings") or []:
        start, end = _instant(timing["begin"]), _instant(timing["end"])
        if end <= start:
            raise ValueError(f"a timing ending before it begins ({timing['begin']})")
        periods.add((start, end))
    return sorted(periods)


def _position(location) -> tuple[float, float] | None:
    if not isinstance(location, dict):
        return None
    try:
        lat, lon = float(location["latitude"]), float(location["longitude"])
    except (KeyError, TypeError, ValueError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lon, lat


def _address(location) -> str | None:
    if not isinstance(location, dict):
        return None
    parts = [location.get("name"), location.get("address")]
    if location.get("city") and location.get("city") not in str(location.get("address") or ""):
        parts.append(" ".join(filter(None, (location.get("postalCode"), location.get("city")))))
    text = ", ".join(str(part) for part in parts if part)
    return text[:300] or None


def _category(event: dict) -> str:
    words = " ".join(
        str(word).lower()
        for keywords in (event.get("keywords") or {}).values()
        if isinstance(keywords, list)
        for word in keywords
    )
    return next((category for keyword, category in CATEGORY_OF_KEYWORD if keyword in words), DEFAULT_CATEGORY)


def candidate(event: dict) -> Candidate | Rejection | Removal:
    """One OpenAgenda event as a candidate event, a removal, or a rejection naming why."""
    uid = event.get("uid")
    if uid in (None, ""):
        return Rejection("?", "no uid")
    external_id = str(uid)
    if event.get("deleted") or (event.get("state") is not None and event.get("state") < PUBLISHED_STATE):
        return Removal(external_id)
    title = translations(event.get("title"))
    if not title.get("fr"):
        return Rejection(external_id, "no title in French" if event.get("title") else "no title in any language")
    position = _position(event.get("location"))
    if position is None:
        return Rejection(external_id, "missing or invalid coordinates")
    try:
        periods = _timings(event)
    except (KeyError, TypeError, ValueError) as error:
        return Rejection(external_id, f"unparseable timings: {error}")
    if not periods:
        return Rejection(external_id, "no timing")
    first_start, first_end = periods[0]
    fields = {
        "title": title,
        "description": translations(event.get("description")),
        "category": _category(event),
        "address": _address(event.get("location")),
        "starts_at": first_start,
        "ends_at": first_end,
        "rdates": [start for start, _ in periods[1:]],
        "timezone": "Europe/Paris",
        "status": STATUS.get(event.get("status"), "scheduled"),
    }
    return Candidate(external_id, "event", str(event.get("updatedAt") or "") or None, fields, position)

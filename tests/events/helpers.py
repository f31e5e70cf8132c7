"""Event test data made through the real services, and a small SSE reader."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from urbanpulse.editing.actor import Actor
from urbanpulse.pois.hours import CITY_ZONE

PLACE_DALTON = (1.60722, 50.72333)
BELFRY = (1.6146, 50.7259)


def event_feature(*, lon: float | None = None, lat: float | None = None, **properties) -> dict:
    """A valid event Feature; keyword arguments override properties."""
    props = {
        "title": {"fr": "Marché de la place Dalton", "en": "Place Dalton market"},
        "description": {"fr": "Marché en plein air."},
        "category": "market",
        "starts_at": "2026-03-21T08:00:00",
        "ends_at": "2026-03-21T13:00:00",
        "rrule": "FREQ=WEEKLY;BYDAY=SA",
        "status": "scheduled",
        "publication": "published",
        "price": "free",
    }
    props.update(properties)
    geometry = {"type": "Point", "coordinates": [lon, lat]} if lon is not None else None
    if geometry is None and "venue_poi_id" not in props:
        geometry = {"type": "Point", "coordinates": list(PLACE_DALTON)}
    return {"type": "Feature", "geometry": geometry, "properties": props}


def make_event(**kwargs):
    """Create an event through the service (as the seed, the import and the back office do)."""
    from urbanpulse.events.service import create_event_from_feature

    return create_event_from_feature(event_feature(**kwargs), actor=Actor.system("test"))


def paris(*args) -> datetime:
    """An aware Europe/Paris datetime."""
    return datetime(*args, tzinfo=CITY_ZONE)


def utc(*args) -> datetime:
    """An aware UTC datetime."""
    return datetime(*args, tzinfo=UTC)


def parse_sse(text: str) -> list[dict]:
    """The frames of an event stream: [{"id", "event", "data", "comment"}], data decoded from JSON."""
    frames = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        if not block.strip():
            continue
        frame: dict = {}
        for line in block.split("\n"):
            field, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if field == "":
                frame["comment"] = value
            elif field == "data":
                frame["data"] = json.loads(value)
            elif field in ("id", "event", "retry"):
                frame[field] = value
        frames.append(frame)
    return frames

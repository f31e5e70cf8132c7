"""Load seeds/events.json through the event service (idempotent by UID).

Events whose source says they are illustrative samples (the BOUDA placeholders) are created as drafts:
the notes ask for them to be replaced or confirmed before publication.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from sqlalchemy import select

from urbanpulse.core.extensions import db
from urbanpulse.editing.actor import Actor
from urbanpulse.editing.seeding import refreshed
from urbanpulse.events import service
from urbanpulse.events.models import Event
from urbanpulse.events.schemas import EventPropertiesSchema
from urbanpulse.pois.models import Poi

SEED_FILE = "events.json"
SAMPLE_MARK = "illustrative sample"


def _properties(item: dict, venue_id) -> dict:
    return {
        "uid": item["uid"],
        "title": item["title"],
        "description": item.get("description") or {},
        "category": item["category"],
        "venue_poi_id": str(venue_id) if venue_id else None,
        "timezone": item.get("timezone") or "Europe/Paris",
        "starts_at": item["starts_at"],
        "ends_at": item["ends_at"],
        "rrule": item.get("rrule"),
        "exdates": item.get("exdates") or [],
        "rdates": item.get("rdates") or [],
        "status": item.get("status") or "scheduled",
        "price": item.get("price"),
        "organiser": item.get("organiser"),
        "booking_url": item.get("booking_url"),
        "source": item.get("source"),
        "notes": item.get("notes"),
    }


def _geometry(item: dict) -> dict | None:
    location = item.get("location")
    if isinstance(location, dict):
        return location
    if isinstance(location, list | tuple):
        return {"type": "Point", "coordinates": list(location)}
    return None


def load(seeds_dir: Path, *, actor: Actor) -> dict:
    """Create missing events; refresh those last written by a system actor; never touch editors' changes."""
    path = seeds_dir / SEED_FILE
    if not path.exists():
        return {"missing": SEED_FILE}
    counts: Counter = Counter()
    for item in json.loads(path.read_text(encoding="utf-8"))["events"]:
        venue_id = None
        if item.get("venue_poi_slug"):
            venue_id = db.session.scalar(select(Poi.id).where(Poi.slug == item["venue_poi_slug"]))
            if venue_id is None:
                counts["skipped (venue POI missing)"] += 1
                continue
        feature = {"type": "Feature", "geometry": _geometry(item), "properties": _properties(item, venue_id)}
        existing = db.session.scalar(select(Event).where(Event.uid == item["uid"]))
        if existing is None:
            sample = SAMPLE_MARK in (item.get("source") or "")
            feature["properties"]["publication"] = "draft" if sample else "published"
            service.create_event_from_feature(feature, actor=actor)
            counts["created"] += 1
        elif existing.updated_by is not None or existing.deleted_at is not None:
            counts["kept (edited by the tourism office)"] += 1
        else:
            counts[_refresh(existing, feature, actor)] += 1
    return dict(counts)


def _refresh(event: Event, feature: dict, actor: Actor) -> str:
    from marshmallow import ValidationError

    try:
        properties = EventPropertiesSchema().load(feature["properties"])
    except ValidationError as error:
        raise service.validation_failed(error) from None
    geometry = None if feature["geometry"] is None else _point(feature["geometry"])
    return refreshed(
        event,
        lambda if_match: service.update_event(
            event_id=event.id, if_match=if_match, actor=actor, geometry=geometry, properties=properties
        ),
    )


def _point(geometry: dict):
    from shapely.geometry import Point

    return Point(*geometry["coordinates"][:2])

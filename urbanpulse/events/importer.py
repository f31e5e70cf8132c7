"""`flask events import SOURCE`: upsert a feed's events by UID, cancel the ones that left it, report counts.

Each event is written in its own transaction through the event service (the same validation as the API),
so a broken event is reported and skipped with nothing of it written, and a second run changes nothing.
"""

from __future__ import annotations

import logging

from flask import current_app
from shapely.geometry import Point
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from urbanpulse.core.errors import DomainError
from urbanpulse.core.extensions import db
from urbanpulse.editing.actor import Actor
from urbanpulse.editing.etags import item_etag
from urbanpulse.events import service
from urbanpulse.events.fetch import read_source
from urbanpulse.events.ical_parse import parse_calendar, parse_feed
from urbanpulse.events.models import Event
from urbanpulse.events.schemas import EventPropertiesSchema

log = logging.getLogger(__name__)
IMPORT_ACTOR = "import"


def _message(error: Exception) -> str:
    if isinstance(error, DomainError) and error.errors:
        return "; ".join(f"{e['field']}: {' '.join(e['messages'])}" for e in error.errors)
    return getattr(error, "detail", None) or str(error)


def _update(existing: Event, feature: dict, actor: Actor) -> str:
    from marshmallow import ValidationError

    try:
        properties = EventPropertiesSchema().load(feature["properties"])
    except ValidationError as error:
        raise service.validation_failed(error) from None
    geometry = feature["geometry"]
    keep_venue = existing.venue_poi_id is not None  # an editor placed it at a POI: keep that
    version = existing.version
    updated = service.update_event(
        event_id=existing.id,
        if_match=item_etag(existing.id, existing.version),
        actor=actor,
        properties=properties,
        geometry=service.KEEP if keep_venue else (Point(*geometry["coordinates"]) if geometry else None),
    )
    return "updated" if updated.version != version else "unchanged"


def _upsert(uid: str, feature: dict, *, source: str, publication: str, actor: Actor) -> str:
    existing = db.session.scalar(select(Event).where(Event.uid == uid))
    if existing is None:
        feature["properties"]["publication"] = publication
        service.create_event_from_feature(feature, actor=actor, import_source=source)
        return "created"
    if existing.import_source != source:
        raise DomainError("this UID belongs to an event that was not imported from this source")
    if existing.deleted_at is not None:
        return "skipped"  # deleted by an editor: an import does not bring it back
    return _update(existing, feature, actor)


def _cancel_vanished(source: str, present: set[str], actor: Actor, report: dict) -> None:
    query = select(Event.id, Event.uid, Event.version).where(
        Event.import_source == source, Event.deleted_at.is_(None), Event.status != "cancelled"
    )
    for event_id, uid, version in db.session.execute(query).all():
        if uid in present:
            continue
        try:
            service.update_event(
                event_id=event_id,
                if_match=item_etag(event_id, version),
                actor=actor,
                properties={"status": "cancelled"},
            )
            report["cancelled"] += 1
        except (DomainError, SQLAlchemyError) as error:
            db.session.rollback()
            report["failed"].append({"uid": uid, "error": f"could not cancel: {_message(error)}"})


def import_feed(data: bytes, *, source: str, publish: bool = True, language: str = "fr") -> dict:
    """Import the bytes of a feed (FeedError when it is not iCalendar); returns the counts."""
    calendar = parse_calendar(data)
    parsed = parse_feed(calendar, language=language)
    actor = Actor.system(IMPORT_ACTOR)
    report: dict = {"source": source, "created": 0, "updated": 0, "unchanged": 0, "skipped": 0, "cancelled": 0}
    report["failed"], report["warnings"] = list(parsed.failed), parsed.warnings
    for uid, feature in parsed.features.items():
        try:
            outcome = _upsert(uid, feature, source=source, publication="published" if publish else "draft", actor=actor)
            report[outcome] += 1
        except (DomainError, SQLAlchemyError) as error:
            db.session.rollback()
            report["failed"].append({"uid": uid, "error": _message(error)})
    # An event the feed still lists, even a broken one, has not vanished.
    present = set(parsed.features) | {item["uid"] for item in parsed.failed if item.get("uid")}
    _cancel_vanished(source, present, actor, report)
    log.info("events import", extra={k: v if not isinstance(v, list) else len(v) for k, v in report.items()})
    return report


def import_source(source: str, *, publish: bool = True, language: str = "fr") -> dict:
    """Read a file or URL (with the configured guards) and import it."""
    config = current_app.config
    data, canonical = read_source(
        source,
        allowed_hosts=config["EVENTS_IMPORT_ALLOWED_HOSTS"],
        max_bytes=config["EVENTS_IMPORT_MAX_BYTES"],
        timeout_s=config["EVENTS_IMPORT_TIMEOUT_S"],
    )
    return import_feed(data, source=canonical, publish=publish, language=language)

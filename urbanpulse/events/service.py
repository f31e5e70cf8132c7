"""Event writes and single-item reads: validation, If-Match, history, cache invalidation, live feed."""

from __future__ import annotations

import uuid

from geoalchemy2.elements import WKTElement
from geoalchemy2.shape import to_shape
from marshmallow import ValidationError
from shapely.geometry import Point
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from urbanpulse.core.errors import Conflict, DomainError, NotFound, ValidationFailed, flatten_validation_messages
from urbanpulse.core.extensions import db
from urbanpulse.editing import history, unit
from urbanpulse.editing.actor import Actor
from urbanpulse.editing.etags import check_if_match
from urbanpulse.editing.items import locked
from urbanpulse.editing.merge import merge_patch
from urbanpulse.events.models import Event
from urbanpulse.events.scheduling import (
    SCHEDULE_FIELDS,
    apply_schedule,
    build_schedule,
    duration_text,
    schedule_of,
)
from urbanpulse.media.service import check_publishable
from urbanpulse.pois.models import Poi

ENTITY = "event"
UID_SUFFIX = "@urbanpulse-boulogne"
KEEP = object()
MISSING = "no such event"
SIMPLE_FIELDS = (
    "uid",
    "category",
    "address",
    "status",
    "publication",
    "price",
    "organiser",
    "booking_url",
    "online_url",
    "source",
    "notes",
)
MERGED_FIELDS = ("title", "description")


def validation_failed(error: ValidationError) -> ValidationFailed:
    """Turn a marshmallow error on a Feature into a 422 naming the fields."""
    errors = flatten_validation_messages({"json": error.messages})
    return ValidationFailed("Invalid input: " + ", ".join(e["field"] for e in errors), errors=errors)


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


# The fields a live-feed message lists as `changed`: those of the snapshot below (history's names).
FEED_FIELDS = frozenset(
    (*SIMPLE_FIELDS, *MERGED_FIELDS, "venue_poi_id", "location", "timezone", "all_day", "dtstart_local")
) | {"duration", "rrule", "exdates", "rdates", "media"}


def snapshot(event: Event) -> dict:
    """The editable state of an event as plain JSON values (what history compares)."""
    state = {field: getattr(event, field) for field in (*SIMPLE_FIELDS, *MERGED_FIELDS)}
    point = to_shape(event.location) if event.location is not None else None
    state.update(
        venue_poi_id=str(event.venue_poi_id) if event.venue_poi_id else None,
        location=[point.x, point.y] if point is not None else None,
        timezone=event.timezone,
        all_day=bool(event.all_day),
        dtstart_local=_iso(event.dtstart_local),
        duration=duration_text(event.duration),
        rrule=event.rrule,
        exdates=[_iso(value) for value in event.exdates or []],
        rdates=[_iso(value) for value in event.rdates or []],
    )
    return state


def is_public(event: Event) -> bool:
    """Whether the public may see the event."""
    return event.publication == "published" and event.deleted_at is None


def _point(geometry: Point) -> WKTElement:
    return WKTElement(f"SRID=4326;POINT({geometry.x!r} {geometry.y!r})", extended=True)


def _check_venue(venue_id: uuid.UUID | None) -> None:
    if venue_id is None:
        return
    venue = db.session.get(Poi, venue_id)
    if venue is None or venue.deleted_at is not None:
        raise ValidationFailed.field("properties.venue_poi_id", "no such point of interest")


def _check_one_place(event: Event) -> None:
    if event.venue_poi_id is not None and event.location is not None:
        raise ValidationFailed(
            "an event takes place at a venue POI or at its own point, not both",
            errors=[
                {"field": "properties.venue_poi_id", "in": "json", "messages": ["give a venue or a geometry"]},
                {"field": "geometry", "in": "json", "messages": ["give a venue or a geometry"]},
            ],
        )


def _check_uid_free(uid: str, *, except_id: uuid.UUID | None = None) -> None:
    owner = db.session.scalar(select(Event.id).where(Event.uid == uid))
    if owner is not None and owner != except_id:
        raise Conflict(
            f"uid {uid!r} is already used",
            errors=[{"field": "properties.uid", "in": "json", "messages": ["already used"]}],
        )


def _flush() -> None:
    try:
        db.session.flush()
    except IntegrityError:
        # Only a concurrent insert of the same uid gets past the checks above.
        unit.abandon()
        raise Conflict(
            "uid already used", errors=[{"field": "properties.uid", "in": "json", "messages": ["used"]}]
        ) from None


def _committed(event: Event) -> Event:
    unit.finish()  # the change relay then retires cached answers and tiles and tells the live feed
    return event


def create_event(*, geometry: Point | None, properties: dict, actor: Actor, import_source: str | None = None) -> Event:
    """Create an event (publication draft unless given) and its first history entry."""
    try:
        props = {k: merge_patch({}, v) if k in MERGED_FIELDS else v for k, v in properties.items()}
        event_id = uuid.uuid4()
        event = Event(
            id=event_id,
            uid=props.get("uid") or f"{event_id}{UID_SUFFIX}",
            title=props["title"],
            description=props.get("description", {}),
            category=props["category"],
            venue_poi_id=props.get("venue_poi_id"),
            location=_point(geometry) if geometry is not None else None,
            address=props.get("address"),
            status=props.get("status", "scheduled"),
            publication=props.get("publication", "draft"),
            price=props.get("price"),
            organiser=props.get("organiser"),
            booking_url=props.get("booking_url"),
            online_url=props.get("online_url"),
            source=props.get("source"),
            notes=props.get("notes"),
            import_source=import_source,
            version=1,
            created_by=actor.user_id,
            updated_by=actor.user_id,
        )
        apply_schedule(event, build_schedule(props, None))
        _check_venue(event.venue_poi_id)
        _check_one_place(event)
        _check_uid_free(event.uid)
        db.session.add(event)
        _flush()
        changes = history.diff({}, snapshot(event))
        history.record_version(event, entity_type=ENTITY, action="create", actor=actor, changes=changes)
    except DomainError:
        unit.abandon()
        raise
    return _committed(event)


def create_event_from_feature(feature: dict, *, actor: Actor, import_source: str | None = None) -> Event:
    """Validate a GeoJSON Feature (as the API does) and create the event; for seed, import and scripts."""
    from urbanpulse.events.schemas import EventFeatureInSchema

    try:
        data = EventFeatureInSchema().load(feature)
    except ValidationError as error:
        raise validation_failed(error) from None
    return create_event(
        geometry=data["geometry"], properties=data["properties"], actor=actor, import_source=import_source
    )


def get_event(*, event_id: uuid.UUID, include_unpublished: bool = False) -> Event:
    """An event that is not deleted; drafts only when `include_unpublished`."""
    event = db.session.get(Event, event_id)
    if event is None or event.deleted_at is not None or (event.publication != "published" and not include_unpublished):
        raise NotFound(MISSING)
    return event


def _apply_changes(event: Event, properties: dict, geometry) -> None:
    for field, value in properties.items():
        if field in MERGED_FIELDS:
            setattr(event, field, merge_patch(getattr(event, field) or {}, value))
        elif field in SIMPLE_FIELDS or field == "venue_poi_id":
            setattr(event, field, value)
    if not (event.title or {}).get("fr"):
        raise ValidationFailed.field("properties.title.fr", "French title is required")
    if any(field in properties for field in SCHEDULE_FIELDS):
        apply_schedule(event, build_schedule(properties, schedule_of(event)))
    if geometry is not KEEP:
        event.location = _point(geometry) if geometry is not None else None
    if properties.get("publication") == "published":
        check_publishable(entity_type=ENTITY, item_id=event.id)
    if "venue_poi_id" in properties:
        _check_venue(event.venue_poi_id)
    _check_one_place(event)
    if "uid" in properties:
        _check_uid_free(event.uid, except_id=event.id)


def update_event(*, event_id: uuid.UUID, if_match: str | None, actor: Actor, properties=None, geometry=KEEP) -> Event:
    """Apply a partial change if If-Match names the current version; translations are merge-patched."""
    try:
        event = locked(Event, event_id, missing=MISSING)
        check_if_match(if_match, item_id=event.id, version=event.version)
        before = snapshot(event)
        _apply_changes(event, properties or {}, geometry)
        _flush()
        changes = history.diff(before, snapshot(event))
    except DomainError:
        unit.abandon()
        raise
    if not changes:
        unit.abandon()
        return get_event(event_id=event_id, include_unpublished=True)
    history.record_update(event, entity_type=ENTITY, actor=actor, changes=changes)
    return _committed(event)


def delete_event(*, event_id: uuid.UUID, if_match: str | None, actor: Actor) -> None:
    """Soft-delete: the event leaves every public read and calendar; its history stays."""
    try:
        event = locked(Event, event_id, missing=MISSING)
        check_if_match(if_match, item_id=event.id, version=event.version)
    except DomainError:
        unit.abandon()
        raise
    history.record_deletion(event, entity_type=ENTITY, actor=actor)
    _committed(event)


def event_history(*, event_id: uuid.UUID) -> list:
    """Every change of an event (deleted ones included), oldest first."""
    return history.item_entries(Event, event_id, entity_type=ENTITY, missing=MISSING)


def media_changed(event: Event) -> None:
    """Commit a change of the event's photos (made by urbanpulse.media); the relay announces a public event updated."""
    _committed(event)

"""POI writes and single-item reads: validation rules, If-Match, history, cache invalidation."""

from __future__ import annotations

import uuid

from geoalchemy2.elements import WKTElement
from geoalchemy2.shape import to_shape
from marshmallow import ValidationError
from shapely.geometry import Point

from urbanpulse.core.errors import NotFound, ValidationFailed
from urbanpulse.core.extensions import db
from urbanpulse.core.textsearch import search_document
from urbanpulse.editing import history, unit
from urbanpulse.editing.actor import Actor
from urbanpulse.editing.etags import check_if_match
from urbanpulse.editing.items import locked
from urbanpulse.editing.merge import merge_patch
from urbanpulse.editing.slugs import Slugs
from urbanpulse.media.service import check_publishable
from urbanpulse.pois.models import Poi

ENTITY = "poi"
EDITABLE_FIELDS = (
    "slug",
    "category",
    "tags",
    "name",
    "description",
    "address",
    "opening_hours",
    "accessibility",
    "contact",
    "status",
    "source",
    "location_estimated",
)
MERGED_FIELDS = ("name", "description", "accessibility", "contact")
MISSING = "no such point of interest"
SLUGS = Slugs(Poi, entity_type=ENTITY, fallback="poi")


def validation_failed(error: ValidationError) -> ValidationFailed:
    """Turn a marshmallow error on a Feature into a 422 naming the fields."""
    from urbanpulse.core.errors import flatten_validation_messages

    errors = flatten_validation_messages({"json": error.messages})
    return ValidationFailed("Invalid input: " + ", ".join(e["field"] for e in errors), errors=errors)


def snapshot(poi: Poi) -> dict:
    """The editable state of a POI as plain JSON values (what history compares)."""
    state = {field: getattr(poi, field) for field in EDITABLE_FIELDS}
    state["tags"] = list(state["tags"] or [])
    point = to_shape(poi.location) if poi.location is not None else None
    state["location"] = [point.x, point.y] if point is not None else None
    return state


def _refresh_search_text(poi: Poi) -> None:
    poi.search_text = search_document(poi.name, poi.tags)


def _point(geometry: Point) -> WKTElement:
    return WKTElement(f"SRID=4326;POINT({geometry.x!r} {geometry.y!r})", extended=True)


def create_poi(*, geometry: Point, properties: dict, actor: Actor) -> Poi:
    """Create a POI (status draft unless given) and its first history entry."""
    # Objects are stored as a merge patch would leave them (no null members), so re-sending them is a no-op.
    properties = {k: merge_patch({}, v) if k in MERGED_FIELDS else v for k, v in properties.items()}
    slug = SLUGS.claim(properties.get("slug"), properties["name"]["fr"])
    poi = Poi(
        id=uuid.uuid4(),
        slug=slug,
        category=properties["category"],
        tags=properties.get("tags", []),
        name=properties["name"],
        description=properties.get("description", {}),
        address=properties.get("address"),
        opening_hours=properties.get("opening_hours"),
        accessibility=properties.get("accessibility", {}),
        contact=properties.get("contact", {}),
        status=properties.get("status", "draft"),
        source=properties.get("source"),
        location_estimated=properties.get("location_estimated", False),
        location=_point(geometry),
        version=1,
        created_by=actor.user_id,
        updated_by=actor.user_id,
    )
    _refresh_search_text(poi)
    db.session.add(poi)
    unit.flush()
    history.record_version(
        poi, entity_type=ENTITY, action="create", actor=actor, changes=history.diff({}, snapshot(poi))
    )
    unit.finish()
    return poi


def feature_data(feature: dict) -> dict:
    """A GeoJSON Feature validated as the API does ({geometry, properties}); 422 naming the fields."""
    from urbanpulse.pois.schemas import PoiFeatureInSchema

    try:
        return PoiFeatureInSchema().load(feature)
    except ValidationError as error:
        raise validation_failed(error) from None


def create_poi_from_feature(feature: dict, *, actor: Actor) -> Poi:
    """Validate a GeoJSON Feature (as the API does) and create the POI; for seed, CLI and back office."""
    data = feature_data(feature)
    return create_poi(geometry=data["geometry"], properties=data["properties"], actor=actor)


def get_poi(*, poi_id: uuid.UUID, include_unpublished: bool = False) -> Poi:
    """A POI that is not deleted; drafts and archived ones only when `include_unpublished`."""
    poi = db.session.get(Poi, poi_id)
    if poi is None or poi.deleted_at is not None:
        raise NotFound(MISSING)
    if poi.status != "published" and not include_unpublished:
        raise NotFound(MISSING)
    return poi


def update_poi(
    *,
    poi_id: uuid.UUID,
    if_match: str | None,
    actor: Actor,
    geometry: Point | None = None,
    properties: dict | None = None,
) -> Poi:
    """Apply a partial change if If-Match names the current version; objects are merge-patched."""
    poi = locked(Poi, poi_id, missing=MISSING)
    check_if_match(if_match, item_id=poi.id, version=poi.version)
    before = snapshot(poi)
    for field, value in (properties or {}).items():
        if field in MERGED_FIELDS:
            value = merge_patch(getattr(poi, field) or {}, value)
        setattr(poi, field, value)
    if not (poi.name or {}).get("fr"):
        unit.abandon()
        raise ValidationFailed.field("properties.name.fr", "French name is required")
    if (properties or {}).get("status") == "published":
        try:
            check_publishable(entity_type=ENTITY, item_id=poi.id)
        except ValidationFailed:
            unit.abandon()
            raise
    if "slug" in (properties or {}):
        SLUGS.check_free(poi.slug, except_id=poi.id)
    if geometry is not None:
        poi.location = _point(geometry)
    _refresh_search_text(poi)
    db.session.flush()
    after = snapshot(poi)
    changes = history.diff(before, after)
    if not changes:
        unit.abandon()
        return get_poi(poi_id=poi_id, include_unpublished=True)
    history.record_update(poi, entity_type=ENTITY, actor=actor, changes=changes)
    unit.finish()
    return poi


def delete_poi(*, poi_id: uuid.UUID, if_match: str | None, actor: Actor) -> None:
    """Soft-delete: the POI leaves every public read; its history stays."""
    poi = locked(Poi, poi_id, missing=MISSING)
    check_if_match(if_match, item_id=poi.id, version=poi.version)
    history.record_deletion(poi, entity_type=ENTITY, actor=actor)
    unit.finish()


def poi_history(*, poi_id: uuid.UUID) -> list:
    """Every change of a POI (deleted ones included), oldest first."""
    return history.item_entries(Poi, poi_id, entity_type=ENTITY, missing=MISSING)


def media_changed(poi: Poi) -> None:
    """Commit a change of the POI's photos (made by urbanpulse.media); the change relay retires what showed them."""
    unit.finish()

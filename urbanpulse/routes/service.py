"""Route writes and single-item reads: validation rules, derived measures, If-Match, history, cache."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from geoalchemy2.elements import WKTElement
from geoalchemy2.shape import to_shape
from marshmallow import ValidationError
from sqlalchemy import delete, select

from urbanpulse.core.errors import DomainError, NotFound, ValidationFailed, flatten_validation_messages
from urbanpulse.core.extensions import db
from urbanpulse.editing import history, unit
from urbanpulse.editing.actor import Actor
from urbanpulse.editing.etags import check_if_match
from urbanpulse.editing.items import locked
from urbanpulse.editing.merge import merge_patch
from urbanpulse.editing.slugs import Slugs
from urbanpulse.media.service import check_publishable
from urbanpulse.routes import stops as stop_rules
from urbanpulse.routes.geometry import (
    LOOP_CLOSURE_M,
    Parts,
    RouteLine,
    close_loop,
    loop_gap_m,
    parts_of,
    to_ewkt,
    to_geojson,
)
from urbanpulse.routes.models import Route, RouteStop
from urbanpulse.routes.vocab import minutes_for

ENTITY = "route"
DOMAIN = "routes"
MISSING = "no such route"
# A route whose French name has no Latin letter or digit is slugged "route", "route-2"...
SLUGS = Slugs(Route, entity_type=ENTITY, fallback="route")
TRANSLATED = ("name", "summary", "description")
EDITABLE_FIELDS = (
    "slug",
    *TRANSLATED,
    "theme",
    "kind",
    "difficulty",
    "is_loop",
    "status",
    "source",
    "official_length_m",
    "estimated_waypoints",
)
DEFAULTS = {"summary": {}, "description": {}, "is_loop": False, "status": "draft", "estimated_waypoints": []}


def invalid(errors: list[dict]) -> ValidationFailed:
    """A 422 naming every failing field, with the messages in `detail` too."""
    detail = "; ".join(f"{e['field']}: {' '.join(e['messages'])}" for e in errors)
    return ValidationFailed(f"Invalid input: {detail}", errors=errors)


def validation_failed(error: ValidationError) -> ValidationFailed:
    """A marshmallow error on a Feature as a 422 naming the fields."""
    return invalid(flatten_validation_messages({"json": error.messages}))


def route_parts(route: Route) -> Parts:
    """The stored line as parts of (lon, lat)."""
    return parts_of(to_shape(route.geom))


def _stop_state(stop) -> dict:
    return {"poi_id": str(stop.poi_id), "note": stop.note or {}, "trigger_radius_m": stop.trigger_radius_m}


def snapshot(route: Route, stops) -> dict:
    """The editable state of a route as plain JSON values (what history compares)."""
    state = {field: getattr(route, field) for field in EDITABLE_FIELDS}
    state["estimated_waypoints"] = list(state["estimated_waypoints"] or [])
    state["geometry"] = to_geojson(route_parts(route))
    state["stops"] = [_stop_state(stop) for stop in stops]
    return state


def _check_translations(route: Route) -> list[dict]:
    errors = []
    for field in TRANSLATED:
        value = getattr(route, field) or {}
        if (field == "name" or value) and not value.get("fr"):
            errors.append({"field": f"properties.{field}.fr", "in": "json", "messages": ["French text is required"]})
    return errors


def _derive(route: Route, parts: Parts, stops: list[dict]) -> list[RouteStop]:
    """Set the line and its measures on `route`; the stops placed along it; 422 naming every culprit."""
    errors = _check_translations(route)
    if route.is_loop:
        gap = loop_gap_m(parts)
        if gap > LOOP_CLOSURE_M:
            message = (
                f"a loop ends where it starts; this line's ends are {gap:.0f} m apart (max {LOOP_CLOSURE_M:.0f} m)"
            )
            errors.append({"field": "properties.is_loop", "in": "json", "messages": [message]})
        else:
            parts = close_loop(parts)
    line = RouteLine(parts)
    for index, number in enumerate(route.estimated_waypoints or []):
        if number > line.vertex_count:
            message = f"waypoint {number} does not exist; the line has {line.vertex_count} positions"
            errors.append({"field": f"properties.estimated_waypoints.{index}", "in": "json", "messages": [message]})
    resolved, stop_errors = stop_rules.resolve(stops, publishing=route.status == "published")
    if not stop_errors:
        placed, stop_errors = stop_rules.place(line, resolved)
    errors += stop_errors
    if errors:
        raise invalid(errors)
    route.geom = WKTElement(to_ewkt(parts), extended=True)
    route.length_m = line.length_m
    route.duration_min = minutes_for(line.length_m, route.kind)
    return [
        RouteStop(
            route_id=route.id,
            position=number,
            poi_id=stop.poi_id,
            note=stop.note,
            trigger_radius_m=stop.trigger_radius_m,
            distance_along_m=stop.location.along_m,
            offset_m=stop.location.offset_m,
            poi_lon=stop.lon,
            poi_lat=stop.lat,
        )
        for number, stop in enumerate(placed, start=1)
    ]


def _committed(route: Route) -> Route:
    unit.finish()
    return route


def create_route(*, parts: Parts, properties: dict, actor: Actor) -> Route:
    """Create a route (a draft unless `status` says otherwise) with its stops and first history entry."""
    # Objects are stored as a merge patch would leave them (no null members), so re-sending them is a no-op.
    values = {**DEFAULTS, **{k: v for k, v in properties.items() if k != "stops"}}
    for field in TRANSLATED:
        values[field] = merge_patch({}, values.get(field) or {})
    values["slug"] = SLUGS.claim(values.get("slug"), values["name"]["fr"])
    route = Route(id=uuid.uuid4(), version=1, created_by=actor.user_id, updated_by=actor.user_id, **values)
    try:
        new_stops = _derive(route, parts, properties.get("stops", []))
    except DomainError:
        unit.abandon()
        raise
    db.session.add(route)
    db.session.flush()
    db.session.add_all(new_stops)
    db.session.flush()
    changes = history.diff({}, snapshot(route, new_stops))
    history.record_version(route, entity_type=ENTITY, action="create", actor=actor, changes=changes)
    return _committed(route)


def feature_data(feature: dict) -> dict:
    """A GeoJSON Feature validated as the API does ({geometry, properties}); 422 naming the fields."""
    from urbanpulse.routes.schemas import RouteFeatureInSchema

    try:
        return RouteFeatureInSchema().load(feature)
    except ValidationError as error:
        raise validation_failed(error) from None


def create_route_from_feature(feature: dict, *, actor: Actor) -> Route:
    """Validate a GeoJSON Feature (as the API does) and create the route; for seed, CLI and back office."""
    data = feature_data(feature)
    return create_route(parts=data["geometry"], properties=data["properties"], actor=actor)


def get_route(*, route_id: uuid.UUID, include_unpublished: bool = False) -> Route:
    """A route that is not deleted; drafts only when `include_unpublished`."""
    route = db.session.get(Route, route_id)
    if route is None or route.deleted_at is not None or (route.status != "published" and not include_unpublished):
        raise NotFound(MISSING)
    return route


def get_routes(*, route_ids: Sequence[uuid.UUID], include_unpublished: bool = False) -> list[Route]:
    """The routes of `route_ids` that are not deleted (drafts only when `include_unpublished`), in one query."""
    query = select(Route).where(Route.id.in_(list(route_ids)), Route.deleted_at.is_(None))
    if not include_unpublished:
        query = query.where(Route.status == "published")
    return list(db.session.scalars(query))


def current_stops(route_id: uuid.UUID) -> list:
    """The stored stops of a route as plain rows, in order."""
    table = RouteStop.__table__
    return db.session.execute(select(table).where(table.c.route_id == route_id).order_by(table.c.position)).all()


def update_route(
    *,
    route_id: uuid.UUID,
    if_match: str | None,
    actor: Actor,
    parts: Parts | None = None,
    properties: dict | None = None,
) -> Route:
    """Apply a partial change if If-Match names the current version; the line and stops are re-derived."""
    route = locked(Route, route_id, missing=MISSING)
    check_if_match(if_match, item_id=route.id, version=route.version)
    stops_before = current_stops(route.id)
    before = snapshot(route, stops_before)
    properties = properties or {}
    try:
        for field, value in properties.items():
            if field in TRANSLATED:
                value = merge_patch(getattr(route, field) or {}, value) if value is not None else {}
            if field != "stops":
                setattr(route, field, value)
        if "slug" in properties:
            SLUGS.check_free(route.slug, except_id=route.id)
        if properties.get("status") == "published":
            check_publishable(entity_type=ENTITY, item_id=route.id)
        stops_in = properties.get("stops", [_stop_state(stop) for stop in stops_before])
        stops_in = [
            {**stop, "poi_id": uuid.UUID(str(stop["poi_id"]))} if "poi_id" in stop else stop for stop in stops_in
        ]
        new_stops = _derive(route, parts if parts is not None else route_parts(route), stops_in)
    except DomainError:
        unit.abandon()
        raise
    db.session.execute(delete(RouteStop).where(RouteStop.route_id == route.id))
    db.session.add_all(new_stops)
    db.session.flush()
    changes = history.diff(before, snapshot(route, new_stops))
    if not changes:
        unit.abandon()
        return get_route(route_id=route_id, include_unpublished=True)
    history.record_update(route, entity_type=ENTITY, actor=actor, changes=changes)
    return _committed(route)


def delete_route(*, route_id: uuid.UUID, if_match: str | None, actor: Actor) -> None:
    """Soft-delete: the route leaves every public read; its history stays."""
    route = locked(Route, route_id, missing=MISSING)
    check_if_match(if_match, item_id=route.id, version=route.version)
    history.record_deletion(route, entity_type=ENTITY, actor=actor)
    _committed(route)


def route_history(*, route_id: uuid.UUID) -> list:
    """Every change of a route (deleted ones included), oldest first."""
    return history.item_entries(Route, route_id, entity_type=ENTITY, missing=MISSING)


def media_changed(route: Route) -> None:
    """Commit a change of the route's photos (made by urbanpulse.media) and retire what showed the old ones."""
    _committed(route)

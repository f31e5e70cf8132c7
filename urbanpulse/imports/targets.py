"""Where imported objects go: POIs, events and routes, each written through its domain's service functions and
read back as the same fields the importers produce (so the engine can tell the office's edits apart).

A route's steps may name places of the same source: such a target is `deferred` (imported after every other
object of the run) and `prepare`s its fields, turning steps into a line and stops, once those places exist."""

from __future__ import annotations

import uuid

from geoalchemy2.shape import to_shape
from marshmallow import ValidationError
from sqlalchemy import func, select

from urbanpulse.core.errors import NotFound, ValidationFailed
from urbanpulse.core.extensions import db
from urbanpulse.editing.actor import Actor
from urbanpulse.editing.etags import item_etag
from urbanpulse.events import service as events
from urbanpulse.events.models import Event
from urbanpulse.events.schemas import EventFeaturePatchSchema
from urbanpulse.imports.models import ImportRecord
from urbanpulse.pois import service as pois
from urbanpulse.pois.models import Poi
from urbanpulse.pois.schemas import PoiFeaturePatchSchema
from urbanpulse.routes import service as routes
from urbanpulse.routes.models import Route
from urbanpulse.routes.schemas import RouteFeaturePatchSchema

GEOMETRY = "geometry"


def _present(fields: dict) -> dict:
    return {key: value for key, value in fields.items() if value not in (None, "", [], {})}


def _point(position) -> dict:
    return {"type": "Point", "coordinates": list(position)}


def _translation_patch(current: dict | None, new: dict | None) -> dict:
    """A merge patch turning `current` into `new` exactly (languages gone upstream removed)."""
    patch = {lang: None for lang in (current or {}) if lang not in (new or {})}
    patch.update(new or {})
    return patch


def _patch(item, properties: dict, translated: tuple, schema, invalid, *, publish: dict, geometry=None) -> dict:
    """The API's validated patch (a Feature) writing `properties` into `item`: translations replaced exactly,
    `publish` added when the object came back upstream, `geometry` when it moved; `invalid` turns marshmallow's
    errors into the domain's 422."""
    properties = dict(properties)
    for key in translated:
        if key in properties:
            properties[key] = _translation_patch(getattr(item, key), properties[key])
    body = {"type": "Feature", "properties": {**properties, **publish}}
    if geometry is not None:
        body["geometry"] = geometry
    try:
        return schema().load(body)
    except ValidationError as error:
        raise invalid(error) from None


def _names(fieldsets: list[dict]) -> list[str]:
    return [fields["name"]["fr"] for fields in fieldsets if (fields.get("name") or {}).get("fr")]


def _iso(value) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else value


class PoiTarget:
    """Imported places of interest."""

    TRANSLATED = ("name", "description")

    def reserve(self, fieldsets: list[dict]) -> None:
        """Ahead of creating POIs with these fields in the current batch: their slugs, locked and read at once."""
        pois.SLUGS.reserve(_names(fieldsets))

    def create(self, fields: dict, position, actor: Actor, *, source: str, external_id: str) -> uuid.UUID:
        """A published POI; validated as the API does."""
        properties = {**_present(fields), "status": "published", "source": f"{source}: {external_id}"[:2000]}
        feature = {"type": "Feature", "geometry": _point(position), "properties": properties}
        return pois.create_poi_from_feature(feature, actor=actor).id

    def current(self, target_id) -> dict | None:
        """Our values of the imported fields (None once the office deleted the POI)."""
        poi = db.session.get(Poi, target_id)
        if poi is None or poi.deleted_at is not None:
            return None
        point = to_shape(poi.location)
        return {
            "name": poi.name,
            "description": poi.description,
            "category": poi.category,
            "address": poi.address,
            "opening_hours": poi.opening_hours,
            "contact": poi.contact,
            "tags": list(poi.tags or []),
            GEOMETRY: [point.x, point.y],
        }

    def update(self, target_id, changes: dict, actor: Actor, *, republish: bool = False) -> None:
        """Write the changed fields (and publish again an object back upstream)."""
        poi = db.session.get(Poi, target_id)
        data = _patch(
            poi, {key: value for key, value in changes.items() if key != GEOMETRY}, self.TRANSLATED,
            PoiFeaturePatchSchema, pois.validation_failed, publish={"status": "published"} if republish else {},
            geometry=_point(changes[GEOMETRY]) if GEOMETRY in changes else None,
        )  # fmt: skip
        pois.update_poi(
            poi_id=target_id,
            if_match=item_etag(poi.id, poi.version),
            actor=actor,
            geometry=data.get("geometry"),
            properties=data.get("properties"),
        )

    def unpublish(self, target_id, actor: Actor) -> None:
        """Archive (a tombstone for the offline app; the history keeps everything)."""
        poi = db.session.get(Poi, target_id)
        if poi is None or poi.deleted_at is not None:
            raise NotFound("gone")
        if poi.status != "archived":
            pois.update_poi(
                poi_id=target_id,
                if_match=item_etag(poi.id, poi.version),
                actor=actor,
                properties={"status": "archived"},
            )


class EventTarget:
    """Imported events: the first period is the event, the others its extra dates (rdates), local time."""

    TRANSLATED = ("title", "description")

    def create(self, fields: dict, position, actor: Actor, *, source: str, external_id: str) -> uuid.UUID:
        """A published, scheduled event; validated as the API does."""
        properties = {key: _iso(value) if key in ("starts_at", "ends_at") else value for key, value in fields.items()}
        properties["rdates"] = [_iso(value) for value in fields.get("rdates", [])]
        properties = {**_present(properties), "publication": "published", "source": f"{source}: {external_id}"[:2000]}
        feature = {"type": "Feature", "geometry": _point(position), "properties": properties}
        return events.create_event_from_feature(feature, actor=actor).id

    def current(self, target_id) -> dict | None:
        """Our values of the imported fields (None once the office deleted the event)."""
        event = db.session.get(Event, target_id)
        if event is None or event.deleted_at is not None:
            return None
        point = to_shape(event.location) if event.location is not None else None
        return {
            "title": event.title,
            "description": event.description,
            "category": event.category,
            "address": event.address,
            "starts_at": event.dtstart_local,
            "ends_at": event.dtstart_local + event.duration,
            "rdates": sorted(event.rdates or []),
            "timezone": event.timezone,
            "status": event.status,
            GEOMETRY: [point.x, point.y] if point is not None else None,
        }

    def update(self, target_id, changes: dict, actor: Actor, *, republish: bool = False) -> None:
        """Write the changed fields (and publish again an event back upstream)."""
        event = db.session.get(Event, target_id)
        properties = {key: value for key, value in changes.items() if key != GEOMETRY}
        for key in ("starts_at", "ends_at"):
            if key in properties:
                properties[key] = _iso(properties[key])
        if "rdates" in properties:
            properties["rdates"] = [_iso(value) for value in properties["rdates"]]
        data = _patch(
            event, properties, self.TRANSLATED, EventFeaturePatchSchema, events.validation_failed,
            publish={"publication": "published"} if republish else {},
            geometry=_point(changes[GEOMETRY]) if GEOMETRY in changes else None,
        )  # fmt: skip
        extra = {"geometry": data["geometry"]} if "geometry" in data else {}
        events.update_event(
            event_id=target_id, if_match=item_etag(event.id, event.version), actor=actor,
            properties=data.get("properties"), **extra,
        )  # fmt: skip

    def unpublish(self, target_id, actor: Actor) -> None:
        """Back to draft: out of every public read and of the offline app (a tombstone in the sync)."""
        event = db.session.get(Event, target_id)
        if event is None or event.deleted_at is not None:
            raise NotFound("gone")
        if event.publication != "draft":
            events.update_event(
                event_id=target_id,
                if_match=item_etag(event.id, event.version),
                actor=actor,
                properties={"publication": "draft"},
            )


class RouteTarget:
    """Imported tours: a line through their ordered steps, the steps that are imported POIs as stops."""

    TRANSLATED = ("name", "description")
    deferred = True

    def reserve(self, fieldsets: list[dict]) -> None:
        """Ahead of creating routes with these fields in the current batch: their slugs, locked and read at once."""
        routes.SLUGS.reserve(_names(fieldsets))

    def prepare(self, fields: dict, source: str) -> dict:
        """The fields with `steps` resolved into `line` ([lon, lat]...) and `stops` (POI ids, in order); 422
        when a step names a place that this source did not import and gives no position of its own."""
        steps = fields["steps"]
        refs = sorted({step["ref"] for step in steps if step["ref"]})
        places = {}
        if refs:
            rows = db.session.execute(
                select(
                    ImportRecord.external_id,
                    Poi.id,
                    func.ST_X(func.geometry(Poi.location)),
                    func.ST_Y(func.geometry(Poi.location)),
                )
                .join(Poi, Poi.id == ImportRecord.target_id)
                .where(
                    ImportRecord.source == source,
                    ImportRecord.kind == "poi",
                    ImportRecord.state == "active",
                    ImportRecord.external_id.in_(refs),
                    Poi.deleted_at.is_(None),
                    Poi.status == "published",
                )
            )
            places = {ref: (poi_id, [lon, lat]) for ref, poi_id, lon, lat in rows}
        line, stops = [], []
        for number, step in enumerate(steps, start=1):
            place = places.get(step["ref"]) if step["ref"] else None
            position = step["position"] or (place[1] if place else None)
            if position is None:
                raise ValidationFailed.field(
                    f"steps.{number}", f"names {step['ref']}, which this source did not import"
                )
            if not line or line[-1] != position:
                line.append(position)
            if place is not None and str(place[0]) not in stops:
                stops.append(str(place[0]))
        if fields.get("is_loop") and line[0] != line[-1]:
            line.append(line[0])  # a loop tour comes back to where it starts
        if len(line) < 2:
            raise ValidationFailed.field("steps", "the steps give fewer than two distinct positions")
        prepared = {key: value for key, value in fields.items() if key != "steps"}
        return {**prepared, "line": line, "stops": stops}

    @staticmethod
    def _properties(fields: dict) -> dict:
        properties = {key: value for key, value in fields.items() if key not in ("line", "stops")}
        if "stops" in fields:
            properties["stops"] = [{"poi_id": poi_id} for poi_id in fields["stops"]]
        return properties

    def create(self, fields: dict, position, actor: Actor, *, source: str, external_id: str) -> uuid.UUID:
        """A published route; validated as the API does."""
        properties = {**_present(self._properties(fields)), "status": "published"}
        properties["source"] = f"{source}: {external_id}"[:2000]
        feature = {"type": "Feature", "geometry": {"type": "LineString", "coordinates": fields["line"]}}
        return routes.create_route_from_feature({**feature, "properties": properties}, actor=actor).id

    def current(self, target_id) -> dict | None:
        """Our values of the imported fields (None once the office deleted the route)."""
        route = db.session.get(Route, target_id)
        if route is None or route.deleted_at is not None:
            return None
        line = [list(position) for part in routes.route_parts(route) for position in part]
        return {
            "name": route.name,
            "description": route.description,
            "theme": route.theme,
            "kind": route.kind,
            "difficulty": route.difficulty,
            "is_loop": route.is_loop,
            "official_length_m": route.official_length_m,
            "line": line,
            "stops": [str(stop.poi_id) for stop in routes.current_stops(route.id)],
            GEOMETRY: line[0],
        }

    def update(self, target_id, changes: dict, actor: Actor, *, republish: bool = False) -> None:
        """Write the changed fields (and publish again a tour back upstream)."""
        route = db.session.get(Route, target_id)
        properties = self._properties({key: value for key, value in changes.items() if key != GEOMETRY})
        line = {"type": "LineString", "coordinates": changes["line"]} if "line" in changes else None
        data = _patch(
            route, properties, self.TRANSLATED, RouteFeaturePatchSchema, routes.validation_failed,
            publish={"status": "published"} if republish else {}, geometry=line,
        )  # fmt: skip
        routes.update_route(
            route_id=target_id,
            if_match=item_etag(route.id, route.version),
            actor=actor,
            parts=data.get("geometry"),
            properties=data.get("properties"),
        )

    def unpublish(self, target_id, actor: Actor) -> None:
        """Back to draft: out of every public read and of the offline app."""
        route = db.session.get(Route, target_id)
        if route is None or route.deleted_at is not None:
            raise NotFound("gone")
        if route.status != "draft":
            routes.update_route(
                route_id=target_id,
                if_match=item_etag(route.id, route.version),
                actor=actor,
                properties={"status": "draft"},
            )


TARGETS = {"poi": PoiTarget(), "event": EventTarget(), "route": RouteTarget()}

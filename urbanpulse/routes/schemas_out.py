"""Route responses, as documented in OpenAPI."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from urbanpulse.geo.fields import POINT_GEOMETRY_JSONSCHEMA
from urbanpulse.media.schemas import MediaOutSchema
from urbanpulse.routes.schemas import LINE_GEOMETRY_JSONSCHEMA
from urbanpulse.routes.vocab import DIFFICULTIES, KINDS, ROUTE_STATUSES, THEMES
from urbanpulse.web.schemas_common import (
    HistoryEntryOutSchema,
    LinkSchema,
    MatchCountSchema,
    language_out,
    local_time_out,
    translated_out,
)


def _point(description: str, **kwargs):
    return fields.Dict(metadata={**POINT_GEOMETRY_JSONSCHEMA, "description": description}, **kwargs)


class StopSummaryOutSchema(Schema):
    """A stop's POI."""

    position = fields.Integer(required=True, metadata={"description": "1-based number of the stop on the route"})
    poi_id = fields.UUID(required=True)
    poi_slug = fields.String(required=True)
    name = translated_out("the POI's name: a string when lang is given, else the translation object")
    category = fields.String(required=True)
    category_label = translated_out("label in the requested language, or all languages")
    location = _point("the POI's position", required=True)
    cover_url = fields.String(allow_none=True, metadata={"description": "the POI's cover photo, about 320 px WebP"})


class StopOutSchema(StopSummaryOutSchema):
    """A stop as listed in a route."""

    note = translated_out("what to see there (null with lang when there is none)", nullable=True)
    trigger_radius_m = fields.Integer(
        required=True, metadata={"description": "a phone announces the stop within this radius"}
    )
    distance_along_m = fields.Float(
        required=True, metadata={"description": "where the stop projects onto the line (geodesic m)"}
    )
    media = fields.List(fields.Nested(MediaOutSchema), metadata={"description": "the POI's photos"})
    offset_m = fields.Float(
        required=True, metadata={"description": "distance from the POI to the line (geodesic m, at most 200)"}
    )
    poi_status = fields.String(metadata={"description": "editors only: draft, published, archived or deleted"})


class SimplifiedOutSchema(Schema):
    """How much a line served with simplify_m was simplified."""

    tolerance_m = fields.Float(required=True)
    positions = fields.Integer(required=True, metadata={"description": "positions served"})
    positions_full = fields.Integer(required=True, metadata={"description": "positions of the full line"})


class RoutePropertiesOutSchema(Schema):
    """Properties of a route Feature as served."""

    id = fields.UUID(required=True)
    slug = fields.String(required=True)
    name = translated_out("string when lang is given, else the translation object")
    summary = translated_out("string (null when there is none) when lang is given, else the object", nullable=True)
    description = translated_out("string (null when there is none) when lang is given, else the object", nullable=True)
    theme = fields.String(required=True, validate=validate.OneOf(THEMES))
    theme_label = translated_out("label")
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    kind_label = translated_out("label")
    difficulty = fields.String(required=True, validate=validate.OneOf(DIFFICULTIES))
    difficulty_label = translated_out("label")
    is_loop = fields.Boolean(required=True)
    length_m = fields.Float(
        required=True, metadata={"description": "derived: geodesic length of the full line on WGS84, 0.1 m"}
    )
    duration_min = fields.Integer(
        required=True, metadata={"description": "derived: length at the kind's pace, stops excluded"}
    )
    pace_kmh = fields.Float(required=True)
    official_length_m = fields.Float(required=True, allow_none=True)
    estimated_waypoints = fields.List(fields.Integer(), required=True)
    stop_count = fields.Integer(required=True)
    media = fields.List(fields.Nested(MediaOutSchema), required=True)
    stops = fields.List(fields.Nested(StopOutSchema), metadata={"description": "single route only, in order"})
    simplified = fields.Nested(SimplifiedOutSchema, metadata={"description": "with simplify_m"})
    status = fields.String(required=True, validate=validate.OneOf(ROUTE_STATUSES))
    source = fields.String(required=True, allow_none=True)
    version = fields.Integer(required=True)
    created_at = local_time_out(required=True)
    updated_at = local_time_out(required=True)
    created_by = fields.UUID(allow_none=True, metadata={"description": "editors only"})
    updated_by = fields.UUID(allow_none=True, metadata={"description": "editors only"})
    distance_m = fields.Float(metadata={"description": "nearby only: geodesic metres to the line, 0.1 m"})
    lang = language_out()


class RouteFeatureOutSchema(Schema):
    """A route as a GeoJSON Feature."""

    type = fields.String(required=True, validate=validate.Equal("Feature"))
    id = fields.UUID(required=True)
    geometry = fields.Dict(required=True, metadata=LINE_GEOMETRY_JSONSCHEMA)
    properties = fields.Nested(RoutePropertiesOutSchema, required=True)


class RouteCollectionOutSchema(MatchCountSchema):
    """A GeoJSON FeatureCollection of routes (without their stop lists)."""

    type = fields.String(required=True, validate=validate.Equal("FeatureCollection"))
    features = fields.List(fields.Nested(RouteFeatureOutSchema), required=True)
    numberReturned = fields.Integer(required=True)
    links = fields.List(fields.Nested(LinkSchema), metadata={"description": "listing only: self and next"})


class NextStopOutSchema(StopSummaryOutSchema):
    """The next stop ahead of the walker."""

    distance_along_m = fields.Float(required=True, metadata={"description": "the stop's own distance along the line"})
    distance_m = fields.Float(
        required=True, metadata={"description": "how far ahead along the route (wrapping round a loop)"}
    )
    wraps = fields.Boolean(required=True, metadata={"description": "true when reached by going round a loop's end"})
    eta_min = fields.Integer(required=True)
    eta_at = local_time_out("arrival time, Europe/Paris", required=True)


class AtStopOutSchema(StopSummaryOutSchema):
    """A stop whose trigger radius holds the walker."""

    distance_m = fields.Float(required=True, metadata={"description": "straight-line metres to the POI"})


class ProgressOutSchema(Schema):
    """A walker's progress along a route; past 5 km from the line (`far`) only the distance to it."""

    route_id = fields.UUID(required=True)
    status = fields.String(
        required=True,
        validate=validate.OneOf(("on_route", "off_route", "far")),
        metadata={"description": "on_route (<= 50 m), off_route, or far (> 5 km: no progress)"},
    )
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    pace_kmh = fields.Float(required=True)
    is_loop = fields.Boolean(required=True)
    length_m = fields.Float(required=True)
    position = _point("the walker's position as given", required=True)
    nearest_point = _point("the nearest point of the line", required=True)
    off_route_m = fields.Float(required=True, metadata={"description": "geodesic metres from the walker to the line"})
    distance_along_m = fields.Float(required=True, allow_none=True)
    remaining_m = fields.Float(required=True, allow_none=True)
    fraction = fields.Float(required=True, allow_none=True)
    eta_min = fields.Integer(
        required=True, allow_none=True, metadata={"description": "minutes to the end at the kind's pace"}
    )
    eta_at = local_time_out("arrival at the end, Europe/Paris", required=True, allow_none=True)
    at_stop = fields.Nested(AtStopOutSchema, required=True, allow_none=True)
    next_stop = fields.Nested(NextStopOutSchema, required=True, allow_none=True)


class VocabularyItemOutSchema(Schema):
    """A theme, kind or difficulty."""

    id = fields.String(required=True)
    label = translated_out("label in the requested language, or all languages")
    pace_kmh = fields.Float(metadata={"description": "kinds only"})


class VocabularyOutSchema(Schema):
    """The route vocabularies."""

    themes = fields.List(fields.Nested(VocabularyItemOutSchema), required=True)
    kinds = fields.List(fields.Nested(VocabularyItemOutSchema), required=True)
    difficulties = fields.List(fields.Nested(VocabularyItemOutSchema), required=True)


class RouteHistoryEntryOutSchema(HistoryEntryOutSchema):
    """One change of a route."""

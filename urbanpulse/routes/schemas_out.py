"""Route responses, as documented in OpenAPI."""

from __future__ import annotations

from marshmallow import Schema, fields

from urbanpulse.geo.fields import POINT_GEOMETRY_JSONSCHEMA
from urbanpulse.pois.schemas import HistoryEntryOutSchema
from urbanpulse.routes.schemas import LINE_GEOMETRY_JSONSCHEMA
from urbanpulse.schemas_common import LinkSchema


def _text_or_translation(description: str):
    return fields.Raw(
        metadata={"description": description, "oneOf": [{"type": "string"}, {"type": "object"}], "nullable": True}
    )


def _point(description: str):
    return fields.Dict(metadata={**POINT_GEOMETRY_JSONSCHEMA, "description": description})


class StopSummaryOutSchema(Schema):
    """A stop's POI."""

    position = fields.Integer(metadata={"description": "1-based number of the stop on the route"})
    poi_id = fields.UUID()
    poi_slug = fields.String()
    name = _text_or_translation("the POI's name: a string when lang is given, else the translation object")
    category = fields.String()
    category_label = _text_or_translation("label in the requested language, or all languages")
    location = _point("the POI's position")


class StopOutSchema(StopSummaryOutSchema):
    """A stop as listed in a route."""

    note = _text_or_translation("what to see there")
    trigger_radius_m = fields.Integer(metadata={"description": "a phone announces the stop within this radius"})
    distance_along_m = fields.Float(metadata={"description": "where the stop projects onto the line (geodesic m)"})
    offset_m = fields.Float(metadata={"description": "distance from the POI to the line (geodesic m, at most 200)"})
    poi_status = fields.String(metadata={"description": "editors only: draft, published, archived or deleted"})


class RoutePropertiesOutSchema(Schema):
    """Properties of a route Feature as served."""

    id = fields.UUID()
    slug = fields.String()
    name = _text_or_translation("string when lang is given, else the translation object")
    summary = _text_or_translation("string when lang is given, else the translation object")
    description = _text_or_translation("string when lang is given, else the translation object")
    theme = fields.String()
    theme_label = _text_or_translation("label")
    kind = fields.String(metadata={"description": "walk, bike or boat"})
    kind_label = _text_or_translation("label")
    difficulty = fields.String()
    difficulty_label = _text_or_translation("label")
    is_loop = fields.Boolean()
    length_m = fields.Float(metadata={"description": "derived: geodesic length of the full line on WGS84, 0.1 m"})
    duration_min = fields.Integer(metadata={"description": "derived: length at the kind's pace, stops excluded"})
    pace_kmh = fields.Float()
    official_length_m = fields.Float(allow_none=True)
    estimated_waypoints = fields.List(fields.Integer())
    stop_count = fields.Integer()
    stops = fields.List(fields.Nested(StopOutSchema), metadata={"description": "single route only, in order"})
    simplified = fields.Dict(metadata={"description": "with simplify_m: tolerance_m, positions, positions_full"})
    status = fields.String()
    source = fields.String(allow_none=True)
    version = fields.Integer()
    created_at = fields.String()
    updated_at = fields.String()
    created_by = fields.String(allow_none=True, metadata={"description": "editors only"})
    updated_by = fields.String(allow_none=True, metadata={"description": "editors only"})
    distance_m = fields.Float(metadata={"description": "nearby only: geodesic metres to the line, 0.1 m"})
    lang = fields.String(metadata={"description": "language served for the name, when lang is given"})


class RouteFeatureOutSchema(Schema):
    """A route as a GeoJSON Feature."""

    type = fields.String(required=True)
    id = fields.UUID(required=True)
    geometry = fields.Dict(required=True, metadata=LINE_GEOMETRY_JSONSCHEMA)
    properties = fields.Nested(RoutePropertiesOutSchema, required=True)


class RouteCollectionOutSchema(Schema):
    """A GeoJSON FeatureCollection of routes (without their stop lists)."""

    type = fields.String(required=True)
    features = fields.List(fields.Nested(RouteFeatureOutSchema), required=True)
    numberReturned = fields.Integer(required=True)
    numberMatched = fields.Integer()
    links = fields.List(fields.Nested(LinkSchema))


class NextStopOutSchema(StopSummaryOutSchema):
    """The next stop ahead of the walker."""

    distance_along_m = fields.Float(metadata={"description": "the stop's own distance along the line"})
    distance_m = fields.Float(metadata={"description": "how far ahead along the route (wrapping round a loop)"})
    wraps = fields.Boolean(metadata={"description": "true when reached by going round a loop's end"})
    eta_min = fields.Integer()
    eta_at = fields.String(metadata={"description": "arrival time, Europe/Paris"})


class AtStopOutSchema(StopSummaryOutSchema):
    """A stop whose trigger radius holds the walker."""

    distance_m = fields.Float(metadata={"description": "straight-line metres to the POI"})


class ProgressOutSchema(Schema):
    """A walker's progress along a route."""

    route_id = fields.UUID()
    status = fields.String(metadata={"description": "on_route (<= 50 m), off_route, or far (> 5 km: no progress)"})
    kind = fields.String()
    pace_kmh = fields.Float()
    is_loop = fields.Boolean()
    length_m = fields.Float()
    position = _point("the walker's position as given")
    nearest_point = _point("the nearest point of the line")
    off_route_m = fields.Float(metadata={"description": "geodesic metres from the walker to the line"})
    distance_along_m = fields.Float(allow_none=True)
    remaining_m = fields.Float(allow_none=True)
    fraction = fields.Float(allow_none=True)
    eta_min = fields.Integer(allow_none=True, metadata={"description": "minutes to the end at the kind's pace"})
    eta_at = fields.String(allow_none=True)
    at_stop = fields.Nested(AtStopOutSchema, allow_none=True)
    next_stop = fields.Nested(NextStopOutSchema, allow_none=True)


class VocabularyItemOutSchema(Schema):
    """A theme, kind or difficulty."""

    id = fields.String()
    label = _text_or_translation("label in the requested language, or all languages")
    pace_kmh = fields.Float(metadata={"description": "kinds only"})


class VocabularyOutSchema(Schema):
    """The route vocabularies."""

    themes = fields.List(fields.Nested(VocabularyItemOutSchema))
    kinds = fields.List(fields.Nested(VocabularyItemOutSchema))
    difficulties = fields.List(fields.Nested(VocabularyItemOutSchema))


class RouteHistoryEntryOutSchema(HistoryEntryOutSchema):
    """One change of a route."""

"""Route request bodies and query arguments."""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates, validates_schema
from webargs.fields import DelimitedList

from urbanpulse.geo.fields import BBOX_JSONSCHEMA, POSITION_JSONSCHEMA
from urbanpulse.pois.schemas import MAX_LIMIT, MAX_RADIUS_M, SLUG_PATTERN
from urbanpulse.routes.geometry import MAX_PARTS, MAX_SEGMENT_M, MAX_VERTICES, parse_line
from urbanpulse.routes.vocab import DIFFICULTIES, KINDS, ROUTE_STATUSES, THEMES
from urbanpulse.web.schemas_common import BBox, TranslationPatchSchema, TranslationSchema, lang_field

MAX_STOPS = 200
MIN_TRIGGER_RADIUS_M, MAX_TRIGGER_RADIUS_M, DEFAULT_TRIGGER_RADIUS_M = 10, 1000, 50
MIN_SIMPLIFY_M, MAX_SIMPLIFY_M = 1.0, 1000.0
DERIVED_FIELDS = ("length_m", "duration_min", "distance_along_m", "pace_kmh", "stop_count")

_LINE_JSONSCHEMA = {"type": "array", "minItems": 2, "items": POSITION_JSONSCHEMA}
LINE_GEOMETRY_JSONSCHEMA = {
    "type": "object",
    "required": ["type", "coordinates"],
    "properties": {
        "type": {"type": "string", "enum": ["LineString", "MultiLineString"]},
        "coordinates": {
            "type": "array",
            "minItems": 1,
            "description": "LineString: [[lon, lat], ...] (at least two); MultiLineString: an array of those. "
            f"Positions of a line at most {MAX_SEGMENT_M / 1000:.0f} km apart, {MAX_VERTICES} in all",
        },
        "bbox": BBOX_JSONSCHEMA,
    },
    "additionalProperties": False,
    "oneOf": [
        {"properties": {"type": {"enum": ["LineString"]}, "coordinates": _LINE_JSONSCHEMA}},
        {
            "properties": {
                "type": {"enum": ["MultiLineString"]},
                "coordinates": {"type": "array", "minItems": 1, "maxItems": MAX_PARTS, "items": _LINE_JSONSCHEMA},
            }
        },
    ],
    "description": 'GeoJSON LineString or MultiLineString in WGS84, e.g. {"type": "LineString", '
    '"coordinates": [[1.61163, 50.72547], [1.61448, 50.7274]]}',
}


class LineGeometry(fields.Field):
    """A GeoJSON LineString/MultiLineString, loaded as a list of parts of (lon, lat)."""

    def __init__(self, **kwargs):
        super().__init__(metadata={**LINE_GEOMETRY_JSONSCHEMA, **kwargs.pop("metadata", {})}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return parse_line(value)


def _reject_derived(data, where: str):
    if isinstance(data, dict):
        derived = [name for name in DERIVED_FIELDS if name in data]
        if derived:
            raise ValidationError({name: [f"derived by the server{where}; do not send it"] for name in derived})
    return data


def _slug_field():
    return fields.String(validate=[validate.Length(min=1, max=120), validate.Regexp(SLUG_PATTERN)])


class RouteStopInSchema(Schema):
    """A stop: a POI (by id or slug), an optional note and the radius that triggers it on a phone."""

    poi_id = fields.UUID(metadata={"description": "the POI's id (or give poi_slug)"})
    poi_slug = fields.String(
        validate=[validate.Length(min=1, max=120), validate.Regexp(SLUG_PATTERN)],
        metadata={"description": "the POI's slug (or give poi_id)"},
    )
    note = fields.Nested(TranslationSchema, allow_none=True)
    trigger_radius_m = fields.Integer(
        load_default=DEFAULT_TRIGGER_RADIUS_M,
        validate=validate.Range(MIN_TRIGGER_RADIUS_M, MAX_TRIGGER_RADIUS_M),
        metadata={"description": f"metres, {MIN_TRIGGER_RADIUS_M}-{MAX_TRIGGER_RADIUS_M} (default 50)"},
    )

    @pre_load
    def _no_derived(self, data, **kwargs):
        return _reject_derived(data, " from where the POI projects onto the line")

    @validates_schema
    def _one_poi_reference(self, data, **kwargs):
        if ("poi_id" in data) == ("poi_slug" in data):
            raise ValidationError("give exactly one of poi_id and poi_slug", field_name="poi_id")


class RoutePropertiesSchema(Schema):
    """The editable properties of a route."""

    slug = _slug_field()
    name = fields.Nested(TranslationSchema, required=True)
    summary = fields.Nested(TranslationSchema)
    description = fields.Nested(TranslationSchema)
    theme = fields.String(required=True, validate=validate.OneOf(THEMES))
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    difficulty = fields.String(required=True, validate=validate.OneOf(DIFFICULTIES))
    is_loop = fields.Boolean(metadata={"description": "the line ends where it starts (ends at most 50 m apart)"})
    stops = fields.List(fields.Nested(RouteStopInSchema), validate=validate.Length(max=MAX_STOPS))
    status = fields.String(validate=validate.OneOf(ROUTE_STATUSES))
    source = fields.String(allow_none=True, validate=validate.Length(max=2000))
    official_length_m = fields.Float(
        allow_none=True,
        validate=validate.Range(min=0, max=10_000_000, min_inclusive=False),
        metadata={"description": "the signposted length, when it differs from the drawn line"},
    )
    estimated_waypoints = fields.List(
        fields.Integer(validate=validate.Range(min=1)),
        validate=validate.Length(max=MAX_VERTICES),
        metadata={"description": "1-based numbers of the line's positions that are estimates"},
    )

    @pre_load
    def _no_derived(self, data, **kwargs):
        return _reject_derived(data, " from the geometry")

    @validates("estimated_waypoints")
    def _unique_waypoints(self, value, **kwargs):
        if len(set(value)) != len(value):
            raise ValidationError("waypoint numbers must be unique")


class RoutePatchPropertiesSchema(RoutePropertiesSchema):
    """Properties of a PATCH: all optional; translations are merge patches; `stops` replaces the list."""

    name = fields.Nested(TranslationPatchSchema)
    summary = fields.Nested(TranslationPatchSchema, allow_none=True)
    description = fields.Nested(TranslationPatchSchema, allow_none=True)
    theme = fields.String(validate=validate.OneOf(THEMES))
    kind = fields.String(validate=validate.OneOf(KINDS))
    difficulty = fields.String(validate=validate.OneOf(DIFFICULTIES))


class RouteFeatureInSchema(Schema):
    """A GeoJSON Feature with a LineString/MultiLineString geometry, as sent to create a route."""

    type = fields.String(required=True, validate=validate.Equal("Feature"))
    geometry = LineGeometry(required=True)
    properties = fields.Nested(RoutePropertiesSchema, required=True)


class RouteFeaturePatchSchema(Schema):
    """A partial GeoJSON Feature: a new geometry and/or some properties."""

    type = fields.String(validate=validate.Equal("Feature"))
    geometry = LineGeometry()
    properties = fields.Nested(RoutePatchPropertiesSchema, load_default=dict)


def _simplify_field():
    return fields.Float(
        validate=validate.Range(MIN_SIMPLIFY_M, MAX_SIMPLIFY_M),
        metadata={
            "description": "simplify the drawn line to this tolerance in metres (1-1000) for small zooms; "
            "lengths stay those of the full line"
        },
    )


def _vocabulary_list(values: tuple[str, ...], what: str):
    return DelimitedList(
        fields.String(validate=validate.OneOf(values)),
        validate=validate.Length(min=1, max=len(values)),
        metadata={"description": f"one or several comma-separated {what}"},
    )


class RouteListQueryArgsSchema(Schema):
    """GET /routes."""

    theme = _vocabulary_list(THEMES, "themes")
    kind = _vocabulary_list(KINDS, "kinds")
    difficulty = _vocabulary_list(DIFFICULTIES, "difficulties")
    max_length_m = fields.Float(validate=validate.Range(min=0, min_inclusive=False, max=10_000_000))
    bbox = BBox()
    status = fields.String(validate=validate.OneOf(ROUTE_STATUSES), metadata={"description": "editors only"})
    limit = fields.Integer(load_default=50, validate=validate.Range(1, MAX_LIMIT))
    cursor = fields.String(validate=validate.Length(max=200))
    simplify_m = _simplify_field()
    lang = lang_field()


class RouteNearbyQueryArgsSchema(Schema):
    """GET /routes/nearby."""

    lat = fields.Float(required=True, validate=validate.Range(-90, 90))
    lon = fields.Float(required=True, validate=validate.Range(-180, 180))
    radius = fields.Float(
        load_default=1000.0,
        validate=validate.Range(min=0, max=MAX_RADIUS_M, min_inclusive=False),
        metadata={"description": "metres from the line (default 1000, max 50000)"},
    )
    limit = fields.Integer(load_default=20, validate=validate.Range(1, MAX_LIMIT))
    theme = _vocabulary_list(THEMES, "themes")
    kind = _vocabulary_list(KINDS, "kinds")
    simplify_m = _simplify_field()
    lang = lang_field()


class RouteQueryArgsSchema(Schema):
    """GET /routes/{id}."""

    simplify_m = _simplify_field()
    lang = lang_field()


class ProgressQueryArgsSchema(Schema):
    """GET /routes/{id}/progress."""

    lat = fields.Float(required=True, validate=validate.Range(-90, 90))
    lon = fields.Float(required=True, validate=validate.Range(-180, 180))
    lang = lang_field()


class GpxImportFormSchema(Schema):
    """POST /routes/import-gpx (multipart/form-data): the file, and what GPX cannot say."""

    file = Upload(required=True, metadata={"description": "a GPX 1.0/1.1 file with a track (or a route)"})
    name = fields.String(
        validate=validate.Length(min=1, max=300),
        metadata={"description": "French name (default: the GPX <name>)"},
    )
    slug = _slug_field()
    theme = fields.String(
        validate=validate.OneOf(THEMES), metadata={"description": "default: the GPX <keywords> if a theme"}
    )
    kind = fields.String(
        validate=validate.OneOf(KINDS), metadata={"description": "default: the track <type> if a kind, else walk"}
    )
    difficulty = fields.String(required=True, validate=validate.OneOf(DIFFICULTIES))
    is_loop = fields.Boolean(metadata={"description": "default: true when the track ends within 50 m of its start"})
    status = fields.String(load_default="draft", validate=validate.OneOf(ROUTE_STATUSES))

"""marshmallow fields for GeoJSON geometry (RFC 7946: [lon, lat], WGS84)."""

from __future__ import annotations

import math

from marshmallow import ValidationError, fields
from shapely.geometry import Point, mapping


def check_position(position, path: str = "coordinates") -> tuple[float, float]:
    """A finite [lon, lat] (altitude ignored) within WGS84 bounds, or ValidationError."""
    if not isinstance(position, list | tuple) or len(position) not in (2, 3):
        raise ValidationError(f"{path} must be [longitude, latitude]")
    if any(isinstance(v, bool) or not isinstance(v, int | float) for v in position):
        raise ValidationError(f"{path} must hold numbers")
    lon, lat = float(position[0]), float(position[1])
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise ValidationError(f"{path} must be finite numbers")
    if not -180 <= lon <= 180:
        raise ValidationError(f"{path}: longitude {lon} is outside [-180, 180]")
    if not -90 <= lat <= 90:
        raise ValidationError(f"{path}: latitude {lat} is outside [-90, 90]")
    return lon, lat


POSITION_JSONSCHEMA = {
    "type": "array",
    "minItems": 2,
    "maxItems": 3,
    "items": {"type": "number", "minimum": -180, "maximum": 180},
    "description": "[longitude, latitude] in WGS84 (latitude within [-90, 90]; an altitude is ignored)",
}
BBOX_JSONSCHEMA = {
    "type": "array",
    "minItems": 4,
    "maxItems": 6,
    "items": {"type": "number"},
    "description": "RFC 7946 bounding box (4 or 6 numbers); checked, then ignored",
}


def check_bbox(value) -> None:
    """An RFC 7946 `bbox` member: 4 or 6 finite numbers (it is not stored), or ValidationError."""
    if (
        not isinstance(value, list | tuple)
        or len(value) not in (4, 6)
        or any(isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) for v in value)
    ):
        raise ValidationError({"bbox": ["must be an array of 4 or 6 finite numbers"]})


POINT_GEOMETRY_JSONSCHEMA = {
    "type": "object",
    "required": ["type", "coordinates"],
    "properties": {
        "type": {"type": "string", "enum": ["Point"]},
        "coordinates": POSITION_JSONSCHEMA,
        "bbox": BBOX_JSONSCHEMA,
    },
    "additionalProperties": False,
}


class PointGeometry(fields.Field):
    """A GeoJSON Point geometry, loaded as a shapely Point."""

    def __init__(self, **kwargs):
        metadata = {**POINT_GEOMETRY_JSONSCHEMA, **kwargs.pop("metadata", {})}
        metadata.setdefault("description", 'GeoJSON Point, e.g. {"type": "Point", "coordinates": [1.6146, 50.7259]}')
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> Point:
        if not isinstance(value, dict):
            raise ValidationError("must be a GeoJSON geometry object")
        if value.get("type") != "Point":
            raise ValidationError(f"geometry type must be Point, not {value.get('type')!r}")
        extra = set(value) - {"type", "coordinates", "bbox"}
        if extra:
            raise ValidationError(f"unknown geometry members: {', '.join(sorted(extra))}")
        if "bbox" in value:
            check_bbox(value["bbox"])
        lon, lat = check_position(value.get("coordinates"))
        return Point(lon, lat)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else mapping(value)

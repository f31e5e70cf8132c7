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


POINT_GEOMETRY_JSONSCHEMA = {
    "type": "object",
    "required": ["type", "coordinates"],
    "properties": {
        "type": {"type": "string", "enum": ["Point"]},
        "coordinates": {
            "type": "array",
            "minItems": 2,
            "maxItems": 3,
            "items": {"type": "number"},
            "description": "[longitude, latitude] in WGS84",
        },
    },
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
        lon, lat = check_position(value.get("coordinates"))
        return Point(lon, lat)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else mapping(value)

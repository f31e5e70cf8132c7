"""Geometries as the ORM and the services hold them (WKB/WKT elements, shapely, GeoJSON) to shapely."""

from __future__ import annotations

from collections.abc import Iterable

import shapely
from geoalchemy2.elements import WKBElement, WKTElement
from geoalchemy2.shape import to_shape
from shapely import wkt
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry


def to_shapely(value) -> BaseGeometry | None:
    """One geometry in WGS84: a GeoAlchemy element, a shapely geometry, a GeoJSON dict or [lon, lat]."""
    if value is None:
        return None
    if isinstance(value, BaseGeometry):
        return value
    if isinstance(value, WKTElement):
        # Extended WKT ("SRID=4326;POINT(...)") as the services write it.
        return wkt.loads(str(value.data).split(";", 1)[-1])
    if isinstance(value, WKBElement):
        return to_shape(value)
    if isinstance(value, bytes | memoryview):
        return shapely.from_wkb(bytes(value))
    if isinstance(value, dict):
        return shape(value)
    if isinstance(value, list | tuple) and len(value) in (2, 3):
        return Point(value[0], value[1])
    raise TypeError(f"not a geometry: {type(value).__name__}")


def shapes(values: Iterable) -> list[BaseGeometry]:
    """The non-empty geometries among `values`."""
    found = (to_shapely(value) for value in values)
    return [geometry for geometry in found if geometry is not None and not geometry.is_empty]

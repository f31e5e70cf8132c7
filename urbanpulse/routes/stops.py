"""Stops: resolving POIs, placing them in order along the line (200 m rule), and stops as read back."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace

from geoalchemy2.shape import to_shape
from sqlalchemy import or_, select, text

from urbanpulse.core.extensions import db
from urbanpulse.pois.models import Poi
from urbanpulse.routes.geometry import Location, RouteLine

MAX_STOP_OFFSET_M = 200.0
STOP_PATH = "properties.stops"


def _error(index: int, key: str, message: str) -> dict:
    return {"field": f"{STOP_PATH}.{index}.{key}", "in": "json", "messages": [message]}


@dataclass(frozen=True)
class PlacedStop:
    """A stop ready to be stored: its POI, note, radius and where it falls on the line."""

    poi_id: uuid.UUID
    note: dict
    trigger_radius_m: int
    lon: float
    lat: float
    location: Location


def resolve(stops: list[dict], *, publishing: bool) -> tuple[list[tuple[dict, Poi]], list[dict]]:
    """Each stop with its (not deleted) POI; errors name the stop when the POI is unknown or not public."""
    ids = [stop["poi_id"] for stop in stops if "poi_id" in stop]
    slugs = [stop["poi_slug"] for stop in stops if "poi_slug" in stop]
    found = db.session.scalars(
        select(Poi).where(Poi.deleted_at.is_(None), or_(Poi.id.in_(ids), Poi.slug.in_(slugs)))
    ).all()
    by_id = {poi.id: poi for poi in found}
    by_slug = {poi.slug: poi for poi in found}
    resolved, errors = [], []
    for index, stop in enumerate(stops):
        key = "poi_id" if "poi_id" in stop else "poi_slug"
        poi = by_id.get(stop[key]) if key == "poi_id" else by_slug.get(stop[key])
        if poi is None:
            errors.append(_error(index, key, f"stop {index}: no point of interest {str(stop[key])!r}"))
        elif publishing and poi.status != "published":
            errors.append(
                _error(
                    index,
                    key,
                    f"stop {index}: POI {poi.slug!r} is {poi.status}; publish it first or keep the route a draft",
                )
            )
        else:
            resolved.append((stop, poi))
    return resolved, errors


def place_in_order(line: RouteLine, points: list[tuple[float, float]]) -> list[Location]:
    """Locate each point on the line from the previous stop on; a stop too far away does not move the cursor."""
    located: list[Location] = []
    previous = None
    for lon, lat in points:
        location = line.locate(lon, lat, after=previous)
        located.append(location)
        if location.offset_m <= MAX_STOP_OFFSET_M:
            previous = location
    return located


def place(line: RouteLine, resolved: list[tuple[dict, Poi]]) -> tuple[list[PlacedStop], list[dict]]:
    """Stops placed along the line; a stop farther than 200 m from it (or behind the previous one) is an error."""
    points = []
    for _, poi in resolved:
        point = to_shape(poi.location)
        points.append((point.x, point.y))
    located = place_in_order(line, points)
    placed, errors = [], []
    previous_along = 0.0
    for index, ((stop, poi), (lon, lat), location) in enumerate(zip(resolved, points, located, strict=True)):
        key = "poi_id" if "poi_id" in stop else "poi_slug"
        if location.offset_m > MAX_STOP_OFFSET_M:
            anywhere = line.locate(lon, lat)
            if anywhere.offset_m <= MAX_STOP_OFFSET_M:
                message = (
                    f"stop {index} (POI {poi.slug!r}) is on the line at {anywhere.along_m:.0f} m, before the "
                    f"previous stop (at {previous_along:.0f} m); stops must follow the direction of the line"
                )
            else:
                message = (
                    f"stop {index} (POI {poi.slug!r}) is {anywhere.offset_m:.0f} m from the line; "
                    f"max {MAX_STOP_OFFSET_M:.0f} m"
                )
            errors.append(_error(index, key, message))
            continue
        previous_along = location.along_m
        note = {k: v for k, v in (stop.get("note") or {}).items() if v is not None}
        placed.append(PlacedStop(poi.id, note, stop["trigger_radius_m"], lon, lat, location))
    return placed, errors


@dataclass(frozen=True)
class ReadStop:
    """A stop as served: its POI's current name, category and position, and where it falls on the line."""

    position: int
    poi_id: uuid.UUID
    slug: str
    name: dict
    category: str
    poi_status: str
    visible: bool
    lon: float
    lat: float
    note: dict
    trigger_radius_m: int
    distance_along_m: float
    offset_m: float
    poi_version: int
    media: list  # the POI's photos


STOPS_SQL = """
SELECT s.route_id, s.position, s.poi_id, s.note, s.trigger_radius_m, s.distance_along_m, s.offset_m,
    s.poi_lon, s.poi_lat, p.slug, p.name, p.category, p.status, p.version, p.media,
    p.deleted_at IS NOT NULL AS deleted, p.status = 'published' AND p.deleted_at IS NULL AS visible,
    ST_X(p.location::geometry) AS lon, ST_Y(p.location::geometry) AS lat
FROM route_stops s JOIN pois p ON p.id = s.poi_id
WHERE s.route_id = ANY(:route_ids) ORDER BY s.route_id, s.position
"""


def _stops_of_rows(rows, line: RouteLine, *, public: bool) -> list[ReadStop]:
    stops = [
        ReadStop(
            position=row.position,
            poi_id=row.poi_id,
            slug=row.slug,
            name=row.name,
            category=row.category,
            poi_status="deleted" if row.deleted else row.status,
            visible=row.visible,
            lon=row.lon,
            lat=row.lat,
            note=row.note or {},
            trigger_radius_m=row.trigger_radius_m,
            distance_along_m=row.distance_along_m,
            offset_m=row.offset_m,
            poi_version=row.version,
            media=row.media or [],
        )
        for row in rows
    ]
    if any((row.lon, row.lat) != (row.poi_lon, row.poi_lat) for row in rows):
        located = place_in_order(line, [(stop.lon, stop.lat) for stop in stops])
        stops = [
            replace(stop, distance_along_m=loc.along_m, offset_m=loc.offset_m)
            for stop, loc in zip(stops, located, strict=True)
        ]
    return [stop for stop in stops if stop.visible or not public]


def read_stops_of(lines: dict[uuid.UUID, RouteLine], *, public: bool) -> dict[uuid.UUID, list[ReadStop]]:
    """The stops of routes (keyed by id, with their lines) in order, in one query; recomputed along the line
    if a POI has moved since the route was saved. Public callers get only stops of published, not deleted POIs.
    """
    rows = db.session.execute(text(STOPS_SQL), {"route_ids": list(lines)}).all()
    by_route: dict[uuid.UUID, list] = {route_id: [] for route_id in lines}
    for row in rows:
        by_route[row.route_id].append(row)
    return {route_id: _stops_of_rows(found, lines[route_id], public=public) for route_id, found in by_route.items()}

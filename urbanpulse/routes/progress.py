"""'Where am I on this walk': a position projected onto the route, what is left, the next stop and ETAs."""

from __future__ import annotations

from datetime import datetime, timedelta

from urbanpulse.routes.geometry import RouteLine, geodesic_m
from urbanpulse.routes.serialize import local_iso, metres, stop_summary
from urbanpulse.routes.stops import ReadStop
from urbanpulse.routes.vocab import PACE_KMH, metres_per_minute, minutes_for

ON_ROUTE_M = 50.0  # GPS error in town plus the width of a quay or a rampart walk
FAR_M = 5_000.0  # beyond this, the walker is not on the walk: no progress, only how far the line is
AHEAD_M = 1.0  # a stop less than this ahead counts as reached, not as the next one


def _eta(distance_m: float, kind: str, now: datetime) -> dict:
    minutes = minutes_for(distance_m, kind)
    arrival = now + timedelta(minutes=distance_m / metres_per_minute(kind))
    return {"eta_min": minutes, "eta_at": local_iso(arrival.replace(microsecond=0))}


def next_stop(stops: list[ReadStop], along_m: float, length_m: float, *, is_loop: bool) -> tuple[ReadStop, float, bool]:
    """The first stop ahead, its distance along the route from `along_m`, and whether it wraps round a loop."""
    for stop in stops:
        if stop.distance_along_m > along_m + AHEAD_M:
            return stop, stop.distance_along_m - along_m, False
    if is_loop and stops:
        first = stops[0]
        return first, (length_m - along_m) + first.distance_along_m, True
    return None, 0.0, False


def _at_stop(stops: list[ReadStop], lon: float, lat: float, lang: str | None) -> dict | None:
    inside = []
    for stop in stops:
        distance = geodesic_m(lon, lat, stop.lon, stop.lat)
        if distance <= stop.trigger_radius_m:
            inside.append((distance, stop.position, stop))
    if not inside:
        return None
    distance, _, stop = min(inside)
    return {**stop_summary(stop, lang=lang), "distance_m": metres(distance)}


def progress(
    route, line: RouteLine, stops: list[ReadStop], *, lon: float, lat: float, lang: str | None, now: datetime
) -> dict:
    """Progress of a walker at (lon, lat) along `route`; past FAR_M from the line only the distance to it."""
    location = line.locate(lon, lat)
    length = line.length_m
    result = {
        "route_id": str(route.id),
        "kind": route.kind,
        "pace_kmh": PACE_KMH[route.kind],
        "is_loop": bool(route.is_loop),
        "length_m": metres(length),
        "position": {"type": "Point", "coordinates": [lon, lat]},
        "nearest_point": {"type": "Point", "coordinates": [location.lon, location.lat]},
        "off_route_m": metres(location.offset_m),
    }
    if location.offset_m > FAR_M:
        empty = ("distance_along_m", "remaining_m", "fraction", "eta_min", "eta_at", "next_stop", "at_stop")
        return {**result, "status": "far", **dict.fromkeys(empty)}
    along = location.along_m
    remaining = max(0.0, length - along)
    # The ETAs count the way back to the line too (as the crow flies).
    rejoin = location.offset_m
    result.update(
        status="on_route" if location.offset_m <= ON_ROUTE_M else "off_route",
        distance_along_m=metres(along),
        remaining_m=metres(remaining),
        fraction=round(along / length, 4),
        **_eta(rejoin + remaining, route.kind, now),
        at_stop=_at_stop(stops, lon, lat, lang),
        next_stop=None,
    )
    stop, distance, wraps = next_stop(stops, along, length, is_loop=route.is_loop)
    if stop is not None:
        result["next_stop"] = {
            **stop_summary(stop, lang=lang),
            "distance_along_m": metres(stop.distance_along_m),
            "distance_m": metres(distance),
            "wraps": wraps,
            **_eta(rejoin + distance, route.kind, now),
        }
    return result

"""What the app's walk pages show: the published routes, one route with its stops and a drawing of its line."""

from __future__ import annotations

import math
import uuid

from urbanpulse.routes import queries
from urbanpulse.routes.reading import route_representation
from urbanpulse.routes.serialize import route_properties

LIST_LIMIT = 100
DRAWING_SIZE = 1000
DRAWING_MARGIN = 40


def walks(*, lang: str) -> list[dict]:
    """The published routes, oldest first, with their length, duration, theme and difficulty."""
    rows, _, _ = queries.listing(limit=LIST_LIMIT)
    return [route_properties(row, lang=lang, editor=False, stop_count=row.stop_count) for row in rows]


def walk(route_id: uuid.UUID, *, lang: str) -> dict:
    """One published route as its Feature's properties, plus its geometry and an SVG drawing (NotFound else)."""
    feature, _ = route_representation(route_id, lang=lang, editor=False)
    return {**feature["properties"], "geometry": feature["geometry"], "drawing": drawing(feature)}


def drawing(feature: dict) -> dict:
    """The line and the stops in SVG coordinates (a local equirectangular view, north up), for a page
    that shows the walk without a map library."""
    geometry = feature["geometry"]
    lines = geometry["coordinates"] if geometry["type"] == "MultiLineString" else [geometry["coordinates"]]
    stops = [stop["location"]["coordinates"] for stop in feature["properties"].get("stops", [])]
    points = [point for line in lines for point in line] + stops
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    shrink = math.cos(math.radians((min(lats) + max(lats)) / 2))
    width = max((max(lons) - min(lons)) * shrink, 1e-9)
    height = max(max(lats) - min(lats), 1e-9)
    scale = (DRAWING_SIZE - 2 * DRAWING_MARGIN) / max(width, height)

    def at(point) -> tuple[float, float]:
        x = DRAWING_MARGIN + (point[0] - min(lons)) * shrink * scale
        y = DRAWING_MARGIN + (max(lats) - point[1]) * scale
        return round(x, 1), round(y, 1)

    paths = [" ".join(f"{'M' if i == 0 else 'L'}{x},{y}" for i, (x, y) in enumerate(map(at, line))) for line in lines]
    return {
        "width": round(2 * DRAWING_MARGIN + width * scale),
        "height": round(2 * DRAWING_MARGIN + height * scale),
        "paths": paths,
        "stops": [at(point) for point in stops],
    }


def walk_mode_data(route: dict) -> dict:
    """What walk mode needs to follow a walker on the phone when the service cannot be reached."""
    geometry = route["geometry"]
    lines = geometry["coordinates"] if geometry["type"] == "MultiLineString" else [geometry["coordinates"]]
    return {
        "lines": lines,
        "length_m": route["length_m"],
        "is_loop": route["is_loop"],
        "stops": [
            {"position": stop["position"], "name": stop["name"], "distance_along_m": stop["distance_along_m"]}
            for stop in route.get("stops", [])
        ],
        "photos": photo_urls(route),
    }


def photo_urls(route: dict) -> list[str]:
    """Every derived size of the walk's photos and its stops' covers: what "download for offline" keeps."""
    urls = [size["url"] for item in route.get("media", []) for size in item.get("sizes", [])]
    urls += [stop["cover_url"] for stop in route.get("stops", []) if stop.get("cover_url")]
    return list(dict.fromkeys(urls))

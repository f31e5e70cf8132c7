"""Web Mercator tile arithmetic (EPSG:3857, XYZ numbering as ST_TileEnvelope), shared by SQL and invalidation.

A point belongs to exactly one tile per zoom: the one whose half-open square [x0, x1) x (y0, y1] holds it
(the SQL of the POI layer assigns points with the same floor() arithmetic), so a POI is drawn, counted in
clusters and invalidated in one tile per zoom. Lines belong to every tile whose buffered square they cross.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

MAX_ZOOM = 22
EXTENT = 4096  # MVT coordinates per tile side
BUFFER = 64  # MVT units drawn beyond the tile edge (lines and labels crossing it)
HALF_WORLD_M = 20037508.342789244  # ST_TileEnvelope's default bounds
EARTH_RADIUS_M = 6378137.0
MAX_LAT = 85.0511287798066
# Python's and PostGIS's projections may differ in the last bits: points this close to an edge count as
# on both sides when invalidating (never when drawing).
EDGE_EPSILON_M = 0.001


def tile_size_m(z: int) -> float:
    """Side of a zoom-z tile in Web Mercator metres."""
    return 2 * HALF_WORLD_M / (1 << z)


def mercator(lon: float, lat: float) -> tuple[float, float]:
    """WGS84 degrees to EPSG:3857 metres (latitudes clamped to the Mercator range)."""
    lat = max(-MAX_LAT, min(MAX_LAT, lat))
    x = EARTH_RADIUS_M * math.radians(lon)
    y = EARTH_RADIUS_M * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))
    return x, y


def mercator_coords(coords: np.ndarray) -> np.ndarray:
    """An (N, 2) array of [lon, lat] to EPSG:3857 metres (for shapely.transform)."""
    lon = np.radians(coords[:, 0])
    lat = np.radians(np.clip(coords[:, 1], -MAX_LAT, MAX_LAT))
    return np.column_stack((EARTH_RADIUS_M * lon, EARTH_RADIUS_M * np.log(np.tan(np.pi / 4 + lat / 2))))


def _index(offset_m: float, size: float, count: int) -> int:
    return min(max(math.floor(offset_m / size), 0), count - 1)


def tiles_near_point(mx: float, my: float, z: int, epsilon_m: float = EDGE_EPSILON_M) -> set[tuple[int, int]]:
    """The (x, y) of the tile holding a Mercator point at zoom z, and of neighbours within `epsilon_m`."""
    size, count = tile_size_m(z), 1 << z
    xs = {_index(mx + d + HALF_WORLD_M, size, count) for d in (-epsilon_m, epsilon_m)}
    ys = {_index(HALF_WORLD_M - my + d, size, count) for d in (-epsilon_m, epsilon_m)}
    return {(x, y) for x in xs for y in ys}


def _boxes(z: int, tiles: list[tuple[int, int]], margin_m: float) -> np.ndarray:
    size = tile_size_m(z)
    xy = np.asarray(tiles, dtype=float).reshape(-1, 2)
    xmin = -HALF_WORLD_M + xy[:, 0] * size - margin_m
    ymax = HALF_WORLD_M - xy[:, 1] * size + margin_m
    return shapely.box(xmin, ymax - size - 2 * margin_m, xmin + size + 2 * margin_m, ymax)


def _meeting(geometry: BaseGeometry, z: int, tiles: list[tuple[int, int]], margin_m: float) -> set[tuple[int, int]]:
    if not tiles:
        return set()
    hits = shapely.intersects(geometry, _boxes(z, tiles, margin_m))
    return {tile for tile, hit in zip(tiles, hits, strict=True) if hit}


def tiles_touching(
    geometry: BaseGeometry, margin_m: Callable[[int], float], cap: int, max_zoom: int = MAX_ZOOM
) -> dict[int, set[tuple[int, int]] | None]:
    """Per zoom, the tiles whose square grown by `margin_m(z)` meets a Mercator geometry; None past `cap`.

    One quadtree descent: a tile can only meet the geometry if its parent (grown by the parent's larger
    margin) does, so a long thin line costs the tiles along it, not those of its bounding box.
    """
    shapely.prepare(geometry)
    levels: dict[int, set[tuple[int, int]] | None] = {}
    level = _meeting(geometry, 0, [(0, 0)], margin_m(0))
    for z in range(max_zoom + 1):
        if z:
            children = [(2 * x + dx, 2 * y + dy) for x, y in level for dx in (0, 1) for dy in (0, 1)]
            level = _meeting(geometry, z, children, margin_m(z))
        if len(level) > cap:
            levels.update(dict.fromkeys(range(z, max_zoom + 1)))
            break
        levels[z] = level
    return levels

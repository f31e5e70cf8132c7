"""Exact invalidation of cached tiles: the tiles showing a geometry's old and new position, at every zoom.

The change relay (`urbanpulse.cache.relay`) hands every committed change to `TileVersions`, whoever wrote.
"""

from __future__ import annotations

from collections.abc import Iterable

import shapely
from shapely.geometry import Point

from urbanpulse.cache.changelog import Change
from urbanpulse.tiles import cache
from urbanpulse.tiles.geometry import shapes
from urbanpulse.tiles.grid import (
    BUFFER,
    EXTENT,
    MAX_ZOOM,
    mercator_coords,
    tile_size_m,
    tiles_near_point,
    tiles_touching,
)
from urbanpulse.tiles.layers.base import SIMPLIFY_UNITS

# Past this many tiles at one zoom, a line bumps the whole zoom's version instead of listing them.
MAX_TILES_PER_ZOOM = 4096


def _margin_m(z: int) -> float:
    return tile_size_m(z) * (BUFFER + SIMPLIFY_UNITS) / EXTENT


def version_keys(geometries: Iterable) -> set[str]:
    """The version keys of every tile (or zoom) that shows any of the WGS84 `geometries`."""
    keys: set[str] = set()
    for geometry in shapes(geometries):
        projected = shapely.transform(geometry, mercator_coords)
        if isinstance(projected, Point):
            for z in range(MAX_ZOOM + 1):
                keys.update(cache.tile_version_key(z, x, y) for x, y in tiles_near_point(projected.x, projected.y, z))
            continue
        for z, tiles in tiles_touching(projected, _margin_m, MAX_TILES_PER_ZOOM).items():
            if tiles is None:
                keys.add(cache.zoom_version_key(z))
            else:
                keys.update(cache.tile_version_key(z, x, y) for x, y in tiles)
    return keys


class TileVersions:
    """Relay consumer: a committed change retires the tiles showing the row's old and new positions, at every
    zoom, when it changed something a layer draws."""

    def changed(self, changes: Iterable[Change], effects) -> None:
        """Queue the replacement of the version of every tile the changes redraw."""
        drawn = _drawn()
        geometries = [
            geometry
            for change in changes
            if change.entity in drawn and change.touches(drawn[change.entity])
            for geometry in (change.old_geom, change.new_geom)
            if geometry is not None
        ]
        for key in version_keys(geometries):
            effects.replace(key, cache.VERSION_TTL_S)

    def retire_all(self, effects, *, announce: bool) -> None:
        """Queue the replacement of the global version: every cached tile is retired."""
        effects.replace(cache.global_version_key(), cache.VERSION_TTL_S)


def _drawn() -> dict[str, frozenset[str] | None]:
    from urbanpulse.tiles.layers import available

    drawn: dict[str, frozenset[str] | None] = {}
    for layer in available():
        for table, columns in layer.drawn.items():
            known = drawn.get(table, frozenset())
            drawn[table] = None if columns is None or known is None else known | columns
    return drawn

"""Tile arithmetic and MVT decoding for the tile tests."""

from __future__ import annotations

import math

import mapbox_vector_tile

from urbanpulse.tiles.grid import EXTENT, HALF_WORLD_M, mercator, tile_size_m, tiles_near_point


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The tile that holds a point at zoom z."""
    (tile,) = tiles_near_point(*mercator(lon, lat), z, epsilon_m=0)
    return tile


def url(z: int, x: int, y: int, **params) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"/api/v1/tiles/{z}/{x}/{y}.mvt" + (f"?{query}" if query else "")


def decode(data: bytes) -> dict:
    """Layers of an MVT, with y pointing down as in the tile (no flip)."""
    return mapbox_vector_tile.decode(data, default_options={"y_coord_down": True})


def lonlat(z: int, x: int, y: int, point: list[int]) -> tuple[float, float]:
    """A tile-coordinate point back to WGS84 degrees."""
    size = tile_size_m(z)
    mx = -HALF_WORLD_M + (x + point[0] / EXTENT) * size
    my = HALF_WORLD_M - (y + point[1] / EXTENT) * size
    lon = math.degrees(mx / 6378137.0)
    lat = math.degrees(2 * math.atan(math.exp(my / 6378137.0)) - math.pi / 2)
    return lon, lat


def features(client, z: int, x: int, y: int, layer: str = "pois", **params) -> list[dict]:
    """The features of one layer of a tile ([] for 204)."""
    response = client.get(url(z, x, y, **params))
    assert response.status_code in (200, 204), response.get_data(as_text=True)
    if response.status_code == 204:
        return []
    return decode(response.data).get(layer, {}).get("features", [])

"""Exact invalidation of cached tiles: the tiles showing a geometry's old and new position, at every zoom.

`touch(geometries)` is called after every committed write (tracking.py does it for every ORM write of a
tracked model, whatever the write path); it can also be called directly with WGS84 geometries.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable

import redis
import shapely
from shapely.geometry import Point

from urbanpulse.core.extensions import redis_client
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

log = logging.getLogger(__name__)
# Past this many tiles at one zoom, a line bumps the whole zoom's version instead of listing them.
MAX_TILES_PER_ZOOM = 4096
_retry_lock = threading.Lock()
# Per Redis client (an app has one): missed invalidations this process still has to make up for.
_retrying: dict[int, int] = {}


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


def touch(geometries: Iterable) -> int:
    """Invalidate the cached tiles showing `geometries` (old and new positions); how many versions changed.

    When Redis cannot be reached, a background retry replaces the global version as soon as it is back,
    so no tile cached before the write is served after it.
    """
    keys = sorted(version_keys(geometries))
    if not keys:
        return 0
    try:
        pipe = redis_client.client.pipeline(transaction=False)
        for key in keys:
            pipe.set(key, cache.new_token(), ex=cache.VERSION_TTL_S)
        pipe.execute()
    except (redis.RedisError, OSError) as error:
        log.warning("tile invalidation failed (%s); every tile will be retired when Redis is back", error)
        _retire_all_later(redis_client.client)
    return len(keys)


def touch_all() -> None:
    """Retire every cached tile (after a bulk change made outside the tracked models, e.g. raw SQL)."""
    try:
        redis_client.client.set(cache.global_version_key(), cache.new_token(), ex=cache.VERSION_TTL_S)
    except (redis.RedisError, OSError) as error:
        log.warning("retiring every tile failed (%s); retrying until Redis is back", error)
        _retire_all_later(redis_client.client)


def retire_owed() -> bool:
    """True while this process owes the app's Redis a retire of every tile (its tile reads then skip the cache)."""
    return id(redis_client.client) in _retrying


def _retire_all_later(client: redis.Redis) -> None:
    with _retry_lock:
        start = id(client) not in _retrying
        _retrying[id(client)] = _retrying.get(id(client), 0) + 1
    if start:
        key = cache.global_version_key()
        threading.Thread(target=_retry, args=(client, key), name="tile-cache-retire", daemon=True).start()


def _retry(client: redis.Redis, key: str) -> None:
    while True:
        with _retry_lock:
            seen = _retrying[id(client)]
        try:
            client.set(key, cache.new_token(), ex=cache.VERSION_TTL_S)
        except (redis.RedisError, OSError):
            time.sleep(0.1)
            continue
        with _retry_lock:
            if _retrying[id(client)] == seen:  # no invalidation was missed meanwhile: done
                del _retrying[id(client)]
                log.info("every cached tile retired after a missed invalidation")
                return

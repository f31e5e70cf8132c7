"""Rendered tiles in Redis, stamped with the versions they were built under.

A tile entry is valid while the global, zoom-wide and per-tile version keys still hold the values it was
stamped with. Writers replace versions with fresh random tokens (never counters: a version key lost to
eviction is recreated with a new token, so no old entry can match again). Readers take the stamp before
reading PostGIS, so a tile built from data older than a write is stamped with a version the write has
already replaced, or is about to: it is never served after the write's invalidation.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

import redis

from urbanpulse.cache.relay import usable
from urbanpulse.cache.store import run as store_run
from urbanpulse.core.redis_client import database_namespace

log = logging.getLogger(__name__)
ENTRY_TTL_S = 6 * 3600
VERSION_TTL_S = 7 * 24 * 3600


@dataclass(frozen=True)
class Tile:
    """A rendered tile: its gzip-compressed bytes (b"" when empty) and the strong ETag of the raw bytes."""

    gzipped: bytes
    etag: str

    @property
    def empty(self) -> bool:
        """No feature in any requested layer."""
        return not self.gzipped


def global_version_key() -> str:
    """The version of every tile (replaced after a failed or bulk invalidation)."""
    return f"up:tv:{database_namespace()}"


def zoom_version_key(z: int) -> str:
    """The version of every tile of a zoom (bumped when a line touches too many tiles to list)."""
    return f"up:tv:{database_namespace()}:{z}"


def tile_version_key(z: int, x: int, y: int) -> str:
    """The version of one tile, whatever the layers, categories and language."""
    return f"up:tv:{database_namespace()}:{z}/{x}/{y}"


def _entry_key(z: int, x: int, y: int, variant: str) -> str:
    return f"up:tile:{database_namespace()}:{z}/{x}/{y}:{variant}"


def new_token() -> bytes:
    """A fresh version value."""
    return secrets.token_hex(8).encode()


def _versions(client: redis.Redis, keys: list[str]) -> list[bytes]:
    values = client.mget(keys)
    missing = [key for key, value in zip(keys, values, strict=True) if value is None]
    if missing:
        pipe = client.pipeline(transaction=False)
        for key in missing:
            pipe.set(key, new_token(), nx=True, ex=VERSION_TTL_S)
        pipe.execute()
        values = client.mget(keys)
    return values


def lookup(z: int, x: int, y: int, variant: str) -> tuple[bytes | None, Tile | None]:
    """(stamp to store a freshly built tile under, the cached tile if still valid); (None, None) without Redis."""
    keys = [global_version_key(), zoom_version_key(z), tile_version_key(z, x, y)]

    def read(client: redis.Redis):
        *versions, entry = client.mget([*keys, _entry_key(z, x, y, variant)])
        if any(value is None for value in versions):
            versions = _versions(client, keys)
        return b"|".join(versions), entry

    found = store_run(read) if usable() else None
    if found is None:
        return None, None
    stamp, entry = found
    if entry:
        entry_stamp, etag, gzipped = entry.split(b"\n", 2)
        if entry_stamp == stamp:
            return stamp, Tile(gzipped, etag.decode())
    return stamp, None


def store(z: int, x: int, y: int, variant: str, stamp: bytes, tile: Tile) -> None:
    """Keep a tile built under `stamp`."""
    value = b"\n".join((stamp, tile.etag.encode(), tile.gzipped))
    store_run(lambda client: client.set(_entry_key(z, x, y, variant), value, ex=ENTRY_TTL_S))

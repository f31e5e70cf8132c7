"""Tiles as served: from the Redis cache when still valid, else rendered by PostGIS layer by layer."""

from __future__ import annotations

import gzip
import hashlib
import re
from collections.abc import Sequence
from datetime import datetime

from urbanpulse.core.errors import ValidationFailed
from urbanpulse.pois.hours import CITY_ZONE
from urbanpulse.tiles import cache, invalidation
from urbanpulse.tiles.cache import Tile
from urbanpulse.tiles.grid import MAX_ZOOM
from urbanpulse.tiles.layers.base import TileLayer, TileRequest

_NUMBER = re.compile(r"\d{1,8}")


def parse_tile(z: str, x: str, y: str) -> tuple[int, int, int]:
    """Path segments to (z, x, y); 422 naming each bad one (z in 0..22, x and y in 0..2^z-1)."""
    errors: list[dict] = []

    def number(name: str, value: str, upper: int | None, bounds: str) -> int | None:
        if not _NUMBER.fullmatch(value) or (upper is not None and int(value) >= upper):
            errors.append({"field": name, "in": "path", "messages": [f"must be a whole number {bounds}"]})
            return None
        return int(value)

    zoom = number("z", z, MAX_ZOOM + 1, f"from 0 to {MAX_ZOOM}")
    upper = 1 << zoom if zoom is not None else None
    bounds = f"from 0 to {upper - 1} at zoom {zoom}" if upper else "(tile column/row)"
    column, row = number("x", x, upper, bounds), number("y", y, upper, bounds)
    if errors:
        raise ValidationFailed("Invalid input: " + ", ".join(e["field"] for e in errors), errors=errors)
    return zoom, column, row


def _variant(layers: Sequence[TileLayer], categories: Sequence[str], lang: str) -> str:
    parts = ["+".join(layer.name for layer in layers), "+".join(sorted(categories)) or "*", lang]
    if any(layer.time_dependent for layer in layers):
        parts.append(datetime.now(CITY_ZONE).date().isoformat())
    return ":".join(parts)


def build(layers: Sequence[TileLayer], request: TileRequest) -> Tile:
    """Render the layers of one tile with PostGIS."""
    data = b"".join(layer.render(request) for layer in layers)
    etag = '"' + hashlib.blake2b(data, digest_size=16).hexdigest() + '"'
    return Tile(gzip.compress(data, compresslevel=6, mtime=0) if data else b"", etag)


def tile(*, z: int, x: int, y: int, layers: Sequence[TileLayer], categories: Sequence[str], lang: str) -> Tile:
    """One tile: cached while no write touched it, else rendered (and cached under the versions read first)."""
    variant = _variant(layers, categories, lang)
    if invalidation.retire_owed():  # an edit could not retire its tiles yet: what Redis holds may be older
        return build(layers, TileRequest(z, x, y, lang, tuple(sorted(categories)), cache_allowed=False))
    stamp, cached = cache.lookup(z, x, y, variant)
    if cached is not None:
        return cached
    rendered = build(layers, TileRequest(z, x, y, lang, tuple(sorted(categories))))
    if stamp is not None:
        cache.store(z, x, y, variant, stamp, rendered)
    return rendered

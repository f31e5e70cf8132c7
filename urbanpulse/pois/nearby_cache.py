"""Exact nearby answers from cached per-cell candidate sets.

A tourist's position falls in a grid cell (CACHE_CELL_M). For a (cell, radius, limit, categories) the
cache holds every published POI that could rank in the answer for *any* position in the cell: by the
triangle inequality, those within min(r + d, D_k(c) + 2d) of the cell centre c (d: the centre-to-corner
distance, D_k: distance of the k-th nearest POI to c). Each request then ranks those candidates exactly
from its own position, with the same geodesic ranking as the uncached path, so answers are identical.
Entries are tagged with the generations of the regions they cover (bumped by writes) and the epoch.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from flask import current_app

from urbanpulse.cache import generations as counters
from urbanpulse.cache import replica_positions, store
from urbanpulse.cache.keys import cell_of, epoch_key, region_generation_key, regions_for_disk
from urbanpulse.cache.relay import usable
from urbanpulse.core.db_read import fetch_all
from urbanpulse.core.metrics import CACHE_REQUESTS
from urbanpulse.core.redis_client import database_namespace
from urbanpulse.geo.geodesic import approx_distances_m
from urbanpulse.pois import queries

DOMAIN = "pois"
ENTRY_FORMAT = 3  # part of the key: entries of another layout are never read
MAX_CACHED_CANDIDATES = 5000
# Bound on the relative error of geo.approx_distances_m within MAX_RADIUS_FOR_CACHE, valid up to
# MAX_CACHED_LATITUDE (measured: 0.22 % at Boulogne's latitude, 0.31 % at 60°, 0.50 % at 70°).
APPROX_ERROR = 0.005
MAX_CACHED_LATITUDE = 65.0
_rows_by_stamp: OrderedDict = OrderedDict()
ROW_CACHE_SIZE = 5_000
# Decoded entries this worker has used, by key: a hit then only reads the (tiny) generation counters
# from Redis, not the whole entry. Bounded by the bytes of their arrays (40 per candidate).
LOCAL_ENTRIES_MAX_BYTES = 32 * 1024 * 1024
_local_entries: OrderedDict = OrderedDict()
_local_bytes = 0
_local_lock = threading.Lock()


def _entry_key(cell, radius_m: float, limit: int, categories: Sequence[str]) -> str:
    categories_part = ",".join(sorted(categories))
    return f"up:nb{ENTRY_FORMAT}:{database_namespace()}:{cell[0]}:{cell[1]}:{radius_m:g}:{limit}:{categories_part}"


def _compute_candidates(*, centre_lon, centre_lat, half_diag_m, radius_m, limit, categories) -> dict | None:
    nearest = queries.nearby(
        lat=centre_lat, lon=centre_lon, radius_m=queries.MAX_RADIUS_FOR_CACHE, limit=limit, categories=categories
    )
    kth = nearest[limit - 1][1] if len(nearest) >= limit else float("inf")
    reach_m = min(radius_m + half_diag_m, kth + 0.1 + 2 * half_diag_m)
    sql = queries.within_sql(category_count=len(categories), light=True)
    params = queries.nearby_params(lat=centre_lat, lon=centre_lon, radius_m=reach_m, categories=categories)
    rows = fetch_all(sql, {**params, "fetch": MAX_CACHED_CANDIDATES + 1})
    if len(rows) > MAX_CACHED_CANDIDATES:
        return None
    return {
        "ids": b"".join(row.id.bytes for row in rows),
        "stamps": np.fromiter((row.stamp for row in rows), dtype=np.int64, count=len(rows)),
        "lons": np.fromiter((row.lon for row in rows), dtype=np.float64, count=len(rows)),
        "lats": np.fromiter((row.lat for row in rows), dtype=np.float64, count=len(rows)),
    }


def encode_entry(generations: list[str], candidates: dict) -> bytes:
    """Compact binary entry: a generations line, then ids (16 bytes each), row stamps, lons, lats."""
    count = len(candidates["lons"])
    header = (",".join(generations) + f"\n{count}\n").encode()
    return (
        header
        + candidates["ids"]
        + candidates["stamps"].astype("<i8").tobytes()
        + candidates["lons"].astype("<f8").tobytes()
        + candidates["lats"].astype("<f8").tobytes()
    )


def decode_entry(raw: bytes) -> dict:
    """The inverse of `encode_entry` (arrays are views on the bytes, no copy)."""
    generations, count, payload = raw.split(b"\n", 2)
    n = int(count)
    ids_end, stamps_end, lons_end = 16 * n, 24 * n, 32 * n
    return {
        "generations": generations.decode().split(","),
        "ids": payload[:ids_end],
        "stamps": np.frombuffer(payload, dtype="<i8", count=n, offset=ids_end),
        "lons": np.frombuffer(payload, dtype="<f8", count=n, offset=stamps_end),
        "lats": np.frombuffer(payload, dtype="<f8", count=n, offset=lons_end),
    }


def _remember(row) -> None:
    with _local_lock:
        _rows_by_stamp[(row.id.bytes, row.stamp)] = row
        if len(_rows_by_stamp) > ROW_CACHE_SIZE:
            _rows_by_stamp.popitem(last=False)


def _rows_for(pairs: list[tuple[bytes, int]]) -> list | None:
    """Full rows of (16-byte id, stamp) pairs, from this worker's memo or else PostgreSQL; None if one changed."""
    rows = [_rows_by_stamp.get(pair) for pair in pairs]
    missing = [pair for pair, row in zip(pairs, rows, strict=True) if row is None]
    if not missing:
        return rows
    sql = f"SELECT {queries.COLUMNS} FROM pois p WHERE p.id = ANY(CAST(:ids AS uuid[]))"
    for row in fetch_all(sql, {"ids": [str(uuid.UUID(bytes=pair[0])) for pair in missing]}):
        _remember(row)
    rows = [_rows_by_stamp.get(pair) for pair in pairs]
    return None if any(row is None for row in rows) else rows


def _decoded(raw: bytes | None) -> dict | None:
    try:
        return decode_entry(raw) if raw else None
    except (ValueError, UnicodeDecodeError):
        return None


def _rank_candidates(entry: dict, lon: float, lat: float, radius_m: float, limit: int):
    lons, lats = entry["lons"], entry["lats"]
    approx = approx_distances_m(lon, lat, lons, lats)
    inside = np.flatnonzero(approx <= (radius_m + 0.5) / (1 - APPROX_ERROR))
    if inside.size > limit:
        kth = np.partition(approx[inside], limit - 1)[limit - 1]
        inside = inside[approx[inside] <= (kth * (1 + APPROX_ERROR) + 1.1) / (1 - APPROX_ERROR)]
    ids = entry["ids"]
    tie_keys = [ids[16 * i : 16 * i + 16] for i in inside.tolist()]
    ranked = queries.rank_exact(lon, lat, lons[inside], lats[inside], tie_keys, radius_m)[:limit]
    stamps = entry["stamps"][inside].tolist()
    pairs = [(tie_keys[j], stamps[j]) for _, j in ranked]
    rows = _rows_for(pairs)
    if rows is None:
        return None
    return [(row, distance) for row, (distance, _) in zip(rows, ranked, strict=True)]


def _entry_bytes(entry: dict) -> int:
    return 40 * len(entry["lons"])


def _keep_local(key: str, entry: dict) -> None:
    global _local_bytes
    with _local_lock:  # gthread workers share these between threads
        previous = _local_entries.pop(key, None)
        if previous is not None:
            _local_bytes -= _entry_bytes(previous)
        _local_entries[key] = entry
        _local_bytes += _entry_bytes(entry)
        while _local_bytes > LOCAL_ENTRIES_MAX_BYTES and _local_entries:
            _local_bytes -= _entry_bytes(_local_entries.popitem(last=False)[1])


def _lookup(key: str, generation_keys: list[str]) -> tuple[dict | None, list[str]] | None:
    """(entry usable or not, current generations); None when Redis cannot be asked.

    The local copy of an entry is only trusted when its generations are still the current ones,
    which are always read from Redis, so every worker sees every write at once.
    """
    local = _local_entries.get(key)
    if local is None:
        fetched = store.run(lambda client: client.pipeline(transaction=False).get(key).mget(generation_keys).execute())
        if fetched is None:
            return None
        raw_entry, raw_generations = fetched
        tags = store.run(lambda client: counters.current(client, generation_keys, raw_generations))
        return (_decoded(raw_entry), tags) if tags is not None else None
    tags = store.run(lambda client: counters.current(client, generation_keys))
    if tags is None:
        return None
    if local["generations"] == tags:
        return local, tags
    # Another worker may have refilled the shared entry since this copy was taken.
    return _decoded(store.run(lambda client: client.get(key))), tags


class CellLookup(NamedTuple):
    """Where a request's answer is cached: its entry's key and the generation counters that tag it."""

    key: str
    generation_keys: list[str]
    centre_lon: float
    centre_lat: float
    half_diag_m: float


def cell_lookup(*, lat: float, lon: float, radius_m: float, limit: int, categories: Sequence[str]) -> CellLookup:
    """The cached entry serving (lat, lon): its key, and the counters of the epoch and of every region its
    candidates may come from (`categories` sorted and without repeats)."""
    row, col, centre_lon, centre_lat, half_diag_m = cell_of(lon, lat, current_app.config["CACHE_CELL_M"])
    generation_keys = [epoch_key()] + [
        region_generation_key(DOMAIN, region)
        for region in regions_for_disk(centre_lon, centre_lat, radius_m + half_diag_m)
    ]
    key = _entry_key((row, col), radius_m, limit, categories)
    return CellLookup(key, generation_keys, centre_lon, centre_lat, half_diag_m)


def nearby(*, lat: float, lon: float, radius_m: float, limit: int, categories: Sequence[str] = ()):
    """The same answer as `queries.nearby` (without text or open_now), from the cache when possible."""
    categories = sorted(set(categories))
    if not current_app.config["CACHE_ENABLED"] or abs(lat) > MAX_CACHED_LATITUDE or not usable():
        CACHE_REQUESTS.labels("nearby", "bypass").inc()
        return queries.nearby(lat=lat, lon=lon, radius_m=radius_m, limit=limit, categories=categories)
    cell = cell_lookup(lat=lat, lon=lon, radius_m=radius_m, limit=limit, categories=categories)
    key, generation_keys = cell.key, cell.generation_keys
    looked_up = _lookup(key, generation_keys)
    if looked_up is None:
        CACHE_REQUESTS.labels("nearby", "error").inc()
        return queries.nearby(lat=lat, lon=lon, radius_m=radius_m, limit=limit, categories=categories)
    entry, generations = looked_up
    if entry is not None and entry["generations"] == generations:
        result = _rank_candidates(entry, lon, lat, radius_m, limit)
        if result is not None:
            _keep_local(key, entry)
            CACHE_REQUESTS.labels("nearby", "hit").inc()
            return result
    CACHE_REQUESTS.labels("nearby", "miss").inc()
    replica_positions.require_invalidations_replayed()
    entry = _fill(
        key,
        generations,
        centre_lon=cell.centre_lon,
        centre_lat=cell.centre_lat,
        half_diag_m=cell.half_diag_m,
        radius_m=radius_m,
        limit=limit,
        categories=categories,
    )
    if entry is None:
        return queries.nearby(lat=lat, lon=lon, radius_m=radius_m, limit=limit, categories=categories)
    _keep_local(key, entry)
    return _rank_candidates(entry, lon, lat, radius_m, limit) or queries.nearby(
        lat=lat, lon=lon, radius_m=radius_m, limit=limit, categories=categories
    )


def _fill(key: str, generations: list[str], **compute_args) -> dict | None:
    """Compute an entry once across all workers (others wait briefly for it), tagged with `generations`.

    The generations were read before the database, so a write committed meanwhile has bumped them and
    the entry is never served after that write returns.
    """
    acquired = store.acquire_lock(key)
    if acquired is False:
        deadline = time.monotonic() + 0.5
        while time.monotonic() < deadline:
            time.sleep(0.01)
            raw = store.run(lambda client: client.get(key))
            entry = _decoded(raw)
            if entry is not None and entry["generations"] == generations:
                return entry
    try:
        candidates = _compute_candidates(**compute_args)
        if candidates is None:
            return None
        ttl_s = current_app.config["CACHE_TTL_S"]
        store.run(lambda client: client.set(key, encode_entry(generations, candidates), ex=ttl_s))
        return {"generations": generations, **candidates}
    finally:
        if acquired:
            store.release_lock(key)

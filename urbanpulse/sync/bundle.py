"""The first-install bundle: every public item in one gzip download, with the cursor to continue from.

Bundles are cached in Redis under the last *final* history position (see `horizon.py`) of the content
types, so a bundle is rebuilt exactly when some change became final, and never depends on the cache
invalidation of the write path. A bundle may include changes newer than its key; its cursor is taken
before its content is read, so the deltas after it replay them and a client never misses one.
"""

from __future__ import annotations

import gzip
import hashlib
import time
from dataclasses import dataclass

import orjson

from urbanpulse.cache import store
from urbanpulse.core.models_common import utcnow
from urbanpulse.core.redis_client import database_namespace
from urbanpulse.pois.hours import CITY_ZONE
from urbanpulse.sync import cursor as cursors
from urbanpulse.sync.adapters import available
from urbanpulse.sync.cursor import Cursor
from urbanpulse.sync.horizon import Position, final_position, horizon

FORMAT = 1
TTL_S = 24 * 3600
PAGE = 1000
BUILD_LOCK_MS = 30_000
WAIT_FOR_OTHER_BUILD_S = 10.0


@dataclass(frozen=True)
class Bundle:
    """A gzip-compressed snapshot and the strong ETag of its uncompressed JSON."""

    gzipped: bytes
    etag: str

    def json(self) -> bytes:
        """The uncompressed JSON."""
        return gzip.decompress(self.gzipped)


def _key(lang: str | None, mark: Position) -> str:
    return f"up:sync:bundle:{database_namespace()}:v{FORMAT}:{lang or 'all'}:{mark.txid}.{mark.id}"


def build(lang: str | None, below: int) -> Bundle:
    """Read every public item now; the cursor continues from the horizon `below` (taken before reading)."""
    types = available()
    features: list[dict] = []
    for sync_type in types:
        after = None
        while True:
            rows = sync_type.snapshot_page(after, PAGE, lang)
            features.extend(feature for _, feature in rows)
            if len(rows) < PAGE:
                break
            after = rows[-1][0]
    names = tuple(t.name for t in types)
    body = {
        "type": "FeatureCollection",
        "features": features,
        "removed": [],
        "numberReturned": len(features),
        "next_cursor": cursors.encode(Cursor(names, lang, position=Position(below, 0))),
        "has_more": False,
        "snapshot": True,
        "generated_at": utcnow().astimezone(CITY_ZONE).isoformat(),
        "types": list(names),
        "lang": lang,
    }
    data = orjson.dumps(body)
    etag = '"' + hashlib.blake2b(data, digest_size=16).hexdigest() + '"'
    return Bundle(gzip.compress(data, compresslevel=9, mtime=0), etag)


def _decode(value: bytes | None) -> Bundle | None:
    if not value:
        return None
    etag, _, gzipped = value.partition(b"\n")
    return Bundle(gzipped, etag.decode())


def _store(key: str, bundle: Bundle) -> None:
    store.run(lambda client: client.set(key, bundle.etag.encode() + b"\n" + bundle.gzipped, ex=TTL_S))


def current(lang: str | None) -> Bundle:
    """The bundle of the current content: from Redis when it is up to date, else built (by one worker)."""
    below = horizon()
    key = _key(lang, final_position([t.entity for t in available()], below))
    cached = _decode(store.run(lambda client: client.get(key)))
    if cached:
        return cached
    lock = key + ":lock"
    if store.run(lambda client: bool(client.set(lock, b"1", nx=True, px=BUILD_LOCK_MS))) is not False:
        try:
            bundle = build(lang, below)
            _store(key, bundle)
            return bundle
        finally:
            store.run(lambda client: client.delete(lock))
    deadline = time.monotonic() + WAIT_FOR_OTHER_BUILD_S
    while time.monotonic() < deadline:  # another worker is building this very bundle
        time.sleep(0.05)
        cached = _decode(store.run(lambda client: client.get(key)))
        if cached:
            return cached
    return build(lang, below)

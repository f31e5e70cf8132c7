"""Generation counters that never take a value twice, even when Redis restarts empty or evicts them.

Cached entries are tagged with the counters they were computed under. A counter that Redis lost (a
restart without persistence, `allkeys-lru` eviction) must not start again at a value an old entry
(in Redis or in a worker's memory) was tagged with, so missing counters start at a random value.
"""

from __future__ import annotations

import secrets


def fresh_start() -> int:
    """A random starting value, far below the 64-bit limit of INCR."""
    return secrets.randbits(52)


def current(client, keys: list[str], raw: list[bytes | None] | None = None) -> list[str]:
    """The counters' values as text (`raw`: what an MGET of `keys` already returned), creating missing ones."""
    if raw is None:
        raw = client.mget(keys)
    missing = [key for key, value in zip(keys, raw, strict=True) if value is None]
    if not missing:
        return [value.decode() for value in raw]
    pipe = client.pipeline(transaction=False)
    for key in missing:
        pipe.set(key, fresh_start(), nx=True)
    pipe.mget(keys)
    raw = pipe.execute()[-1]
    return [value.decode() if value is not None else "0" for value in raw]


def bump(pipe, key: str) -> None:
    """Queue on `pipe` the increment of `key` (first created at a random value if Redis lost it)."""
    pipe.set(key, fresh_start(), nx=True)
    pipe.incr(key)

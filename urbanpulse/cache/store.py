"""Safe Redis access for every cache (answers, nearby, tiles) and the change relay: millisecond time-outs,
one circuit breaker per Redis client, metrics.

After a failure the breaker stays open for a moment (a dead Redis costs one time-out, not one per request),
and the client is marked recovering: `cache.relay.usable` relays what was committed meanwhile before any
cached entry is trusted again.
"""

from __future__ import annotations

import logging
import threading
import time

import redis

from urbanpulse.core.extensions import redis_client
from urbanpulse.core.metrics import CACHE_ERRORS
from urbanpulse.core.redis_client import database_namespace

log = logging.getLogger(__name__)
BREAKER_OPEN_S = 1.0
_state = threading.Lock()
_open_until: dict[int, float] = {}  # per Redis client (an app has one)
_recovering: set[int] = set()


def available() -> bool:
    """False for a moment after a Redis failure of the current app's client."""
    return time.monotonic() >= _open_until.get(id(redis_client.client), 0.0)


def record_failure(error: Exception) -> None:
    """Open the breaker after a Redis error and remember that the relay must catch up before the next use."""
    client_id = id(redis_client.client)
    with _state:
        _open_until[client_id] = time.monotonic() + BREAKER_OPEN_S
        _recovering.add(client_id)
    CACHE_ERRORS.inc()
    log.warning("redis unavailable, serving from PostGIS: %s", error)


def recovering() -> bool:
    """Whether the current client failed since changes were last relayed to it."""
    return id(redis_client.client) in _recovering


def recovered() -> None:
    """The relay caught up after a failure: cached entries may be trusted again."""
    with _state:
        _recovering.discard(id(redis_client.client))


def run(operation):
    """Call `operation(client)`; None when Redis is down or slow (the caller then computes directly)."""
    if not available():
        return None
    try:
        return operation(redis_client.client)
    except (redis.RedisError, OSError) as error:
        record_failure(error)
        return None


def acquire_lock(key: str, ttl_ms: int = 3000) -> bool | None:
    """Try to become the one process computing `key` (thundering-herd guard); None when Redis is down."""
    return run(lambda client: bool(client.set(_lock_key(key), b"1", nx=True, px=ttl_ms)))


def release_lock(key: str) -> None:
    """Let others compute `key` again."""
    run(lambda client: client.delete(_lock_key(key)))


def _lock_key(key: str) -> str:
    return f"up:lock:{database_namespace()}:{key}"

"""Safe Redis access for the cache: millisecond time-outs, a short circuit breaker, metrics."""

from __future__ import annotations

import logging
import time

import redis

from urbanpulse.core.extensions import redis_client
from urbanpulse.core.metrics import CACHE_ERRORS

log = logging.getLogger(__name__)
BREAKER_OPEN_S = 1.0
_breaker_open_until = 0.0


def available() -> bool:
    """False for a moment after a Redis failure, so a dead Redis costs one time-out, not one per request."""
    return time.monotonic() >= _breaker_open_until


def record_failure(error: Exception) -> None:
    """Open the breaker after a Redis error."""
    global _breaker_open_until
    _breaker_open_until = time.monotonic() + BREAKER_OPEN_S
    CACHE_ERRORS.inc()
    log.warning("redis unavailable, serving from PostGIS: %s", error)


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
    return run(lambda client: bool(client.set(f"up:lock:{key}", b"1", nx=True, px=ttl_ms)))


def release_lock(key: str) -> None:
    """Let others compute `key` again."""
    run(lambda client: client.delete(f"up:lock:{key}"))

"""Invalidation after writes: every service calls `content_changed` after its commit.

Cached entries are tagged with the generations of the regions (and domain) they were computed from;
bumping a generation makes every entry that depends on it unusable at once, in every worker. If Redis
cannot be reached, the writing process keeps retrying in the background to bump the global epoch,
which retires every entry, so an edit made while Redis was away is never hidden by an older result.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable

import redis

from urbanpulse.cache import generations
from urbanpulse.cache.keys import EPOCH_KEY, domain_generation_key, region_generation_key, region_of
from urbanpulse.core.extensions import redis_client
from urbanpulse.core.metrics import CACHE_INVALIDATIONS

log = logging.getLogger(__name__)
_state = threading.Lock()
# Per Redis client (an app has one): invalidations this process could not make and still owes.
_owed: dict[int, int] = {}


def content_changed(domain: str, points: Iterable[tuple[float, float]] = ()) -> None:
    """Retire cached results of `domain` near `points` ((lon, lat), old and new positions) and domain-wide."""
    regions = sorted({region_generation_key(domain, region_of(*point)) for point in points})
    keys = [domain_generation_key(domain), *regions]
    try:
        pipe = redis_client.client.pipeline(transaction=False)
        for key in keys:
            generations.bump(pipe, key)
        pipe.execute()
        CACHE_INVALIDATIONS.labels(domain).inc()
    except (redis.RedisError, OSError) as error:
        log.warning("cache invalidation of %s failed (%s); the epoch will be bumped when Redis is back", domain, error)
        _owe_epoch_bump(redis_client.client)


def _owe_epoch_bump(client: redis.Redis) -> None:
    with _state:
        start = id(client) not in _owed
        _owed[id(client)] = _owed.get(id(client), 0) + 1
    if start:
        threading.Thread(target=_retry_epoch_bump, args=(client,), name="cache-epoch-retry", daemon=True).start()


def _retry_epoch_bump(client: redis.Redis) -> None:
    while True:
        with _state:
            seen = _owed[id(client)]
        try:
            pipe = client.pipeline(transaction=False)
            generations.bump(pipe, EPOCH_KEY)
            pipe.execute()
        except (redis.RedisError, OSError):
            time.sleep(0.1)
            continue
        with _state:
            if _owed[id(client)] == seen:  # no invalidation was missed meanwhile: done
                del _owed[id(client)]
                log.info("cache epoch bumped after a missed invalidation")
                return


def epoch_bump_owed() -> bool:
    """True while this process still owes the app's Redis an epoch bump (its cached reads are then bypassed)."""
    return id(redis_client.client) in _owed

"""WAL positions kept in Redis so that reads from replicas never go back in time (issue 17): the primary's
position after each caller's write, and after each relayed invalidation.

A cache entry tagged with the generations that an invalidation bumped must be computed from data at least as
new as that invalidation: a fill on a replica that has not replayed it would bring the old answer back.
"""

from __future__ import annotations

from urbanpulse.cache import store
from urbanpulse.core import replicas
from urbanpulse.core.redis_client import database_namespace

# Raise a caller's position, never lower it (two writes of one caller may finish in either order).
_RAISE_SCRIPT = """
local current = redis.call('GET', KEYS[1])
if (not current) or tonumber(current) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
else
  redis.call('EXPIRE', KEYS[1], ARGV[2])
end
"""


def invalidation_position_key() -> str:
    """The primary's WAL position (bytes) read with the last relayed round of changes."""
    return f"up:relay:{database_namespace()}:lsn"


def caller_position_key(caller: str) -> str:
    """The primary's WAL position (bytes) after `caller`'s last write."""
    return f"up:ryw:{database_namespace()}:{caller}"


def require_invalidations_replayed() -> None:
    """Before a cache fill: this request's replica reads must have replayed the last relayed invalidation
    (the primary when Redis cannot say)."""
    if not replicas.wanted():
        return
    raw = store.run(lambda client: client.get(invalidation_position_key()))
    replicas.require_position(int(raw) if raw is not None else replicas.PRIMARY)


def record_caller_position(caller: str, lsn: int, ttl_s: int) -> bool:
    """Remember that `caller` wrote up to `lsn`; False when Redis could not be told."""
    done = store.run(lambda client: client.eval(_RAISE_SCRIPT, 1, caller_position_key(caller), lsn, ttl_s))
    return done is not None or store.available()


def caller_position(caller: str) -> int:
    """The position `caller`'s reads must see: 0 when they wrote nothing lately, PRIMARY when Redis cannot say."""
    if not store.available():
        return replicas.PRIMARY
    raw = store.run(lambda client: client.get(caller_position_key(caller)))
    if raw is None:
        return 0 if store.available() else replicas.PRIMARY
    return int(raw)

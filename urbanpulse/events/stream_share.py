"""Each client address's share of live-feed streams, counted across workers in Redis.

One sorted set per address holds a member per open stream, scored with the time it expires at (the stream's
longest life plus a margin), so a stream whose worker died without closing it stops counting on its own.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import redis

# Claim atomically: forget expired streams, refuse at the cap, else add this one (score: expiry in ms).
_CLAIM = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now_ms)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  return 0
end
redis.call('ZADD', KEYS[1], now_ms + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1
"""
# A stream lives at most its configured lifetime; the margin covers a slow last write before it ends.
MARGIN_S = 60


@dataclass(frozen=True)
class Share:
    """One stream counted for one address."""

    client: redis.Redis
    key: str
    member: str

    def release(self) -> None:
        """Stop counting the stream (its client went away or it ended)."""
        self.client.zrem(self.key, self.member)


def claim(client: redis.Redis, *, prefix: str, address: str, cap: int, max_s: float) -> Share | None:
    """Count one more stream for `address`, or None when it already holds `cap` (RedisError: no feed)."""
    key = f"{prefix}:clients:{address}"
    member = uuid.uuid4().hex
    lifetime_ms = int((max_s + MARGIN_S) * 1000)
    if not client.eval(_CLAIM, 1, key, member, cap, lifetime_ms):
        return None
    return Share(client, key, member)

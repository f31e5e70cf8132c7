"""Invalidation of cached results after a write; every write path's service calls this after commit."""

from __future__ import annotations

import logging

import redis

from urbanpulse.extensions import redis_client

log = logging.getLogger(__name__)
GENERATION_KEY = "up:gen:{domain}"


def content_changed(domain: str) -> None:
    """Bump the domain's cache generation so no result computed before the write is served again."""
    try:
        redis_client.incr(GENERATION_KEY.format(domain=domain))
    except redis.RedisError as error:
        log.warning("cache invalidation of %s failed: %s", domain, error)

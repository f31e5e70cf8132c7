"""Whole-answer caching for list queries (routes, events): body bytes tagged with the domain generation."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app

from urbanpulse.cache import store
from urbanpulse.cache.invalidation import epoch_bump_owed
from urbanpulse.cache.keys import EPOCH_KEY, domain_generation_key
from urbanpulse.metrics import CACHE_REQUESTS


def cached_body(*, domain: str, key: str, ttl_s: int, compute: Callable[[], bytes]) -> bytes:
    """The body for `key`, computed at most once per domain generation (and TTL) across all workers.

    Generations are read before computing, so an entry made from data older than a write is never
    served after that write's invalidation.
    """
    if not current_app.config["CACHE_ENABLED"] or epoch_bump_owed() or not store.available():
        CACHE_REQUESTS.labels(domain, "bypass").inc()
        return compute()
    full_key = f"up:body:{domain}:{key}"
    fetched = store.run(
        lambda client: (
            client.pipeline(transaction=False).get(full_key).mget([EPOCH_KEY, domain_generation_key(domain)]).execute()
        )
    )
    if fetched is None:
        CACHE_REQUESTS.labels(domain, "error").inc()
        return compute()
    raw, generations = fetched
    tag = b",".join(g or b"0" for g in generations)
    if raw:
        stored_tag, _, body = raw.partition(b"\n")
        if stored_tag == tag:
            CACHE_REQUESTS.labels(domain, "hit").inc()
            return body
    CACHE_REQUESTS.labels(domain, "miss").inc()
    body = compute()
    store.run(lambda client: client.set(full_key, tag + b"\n" + body, ex=ttl_s))
    return body


def default_ttl_s() -> int:
    """The configured TTL of cached answers."""
    return current_app.config["CACHE_TTL_S"]

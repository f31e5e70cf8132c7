"""Whole-answer caching for public reads (routes, events): body bytes tagged with the generations they used.

An answer may depend on several domains (a route shows its stops' POI names, an event its venue): its tag
is the global epoch plus the generation of each of those domains, read in one round trip *before* the
answer is computed, so an entry made from data older than a write is never served after that write's
invalidation. Only anonymous answers are shared; an editor's answer never goes to nor comes from Redis.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence

import orjson
from flask import current_app, request

from urbanpulse.cache import generations, replica_positions, store
from urbanpulse.cache.keys import domain_generation_key, epoch_key
from urbanpulse.cache.relay import usable
from urbanpulse.core.metrics import CACHE_REQUESTS
from urbanpulse.core.redis_client import database_namespace

HERD_WAIT_S = 0.5
HERD_POLL_S = 0.01


def public_request() -> bool:
    """Whether the caller is anonymous (no Authorization header): only such answers are shared."""
    return "Authorization" not in request.headers


def answer_key(**parts) -> str:
    """A short key for everything an answer depends on: blake2b of its canonical JSON (sorted keys)."""
    material = orjson.dumps(parts, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS, default=str)
    return hashlib.blake2b(material, digest_size=16).hexdigest()


def json_bytes(payload) -> bytes:
    """`payload` serialised as the JSON views answer."""
    return orjson.dumps(payload, option=orjson.OPT_NON_STR_KEYS)


def shared_json(*, name: str, domains: Sequence[str], key: dict, ttl_s: int, build: Callable[[], object]) -> bytes:
    """The JSON bytes of `build()`: through the cache for anonymous callers, always computed for the others."""
    if not public_request():
        return json_bytes(build())
    return cached_body(
        name=name, domains=domains, key=answer_key(**key), ttl_s=ttl_s, compute=lambda: json_bytes(build())
    )


def _tagged_body(raw: bytes | None, tag: bytes) -> bytes | None:
    if not raw:
        return None
    stored_tag, _, body = raw.partition(b"\n")
    return body if stored_tag == tag else None


def cached_body(*, name: str, domains: Sequence[str], key: str, ttl_s: int, compute: Callable[[], bytes]) -> bytes:
    """The body for `key`, computed at most once per generation of `domains` (and TTL) across all workers.

    `name` labels the metrics (urbanpulse_cache_requests_total{cache=name}) and the Redis keys.
    """
    if not current_app.config["CACHE_ENABLED"] or not usable():
        CACHE_REQUESTS.labels(name, "bypass").inc()
        return compute()
    full_key = f"up:body:{database_namespace()}:{name}:{key}"
    generation_keys = [epoch_key(), *(domain_generation_key(domain) for domain in domains)]
    fetched = store.run(lambda client: client.pipeline(transaction=False).get(full_key).mget(generation_keys).execute())
    current = None
    if fetched is not None:
        raw, raw_generations = fetched
        # Counters Redis lost are recreated at a random value, so an old entry never matches them again.
        current = store.run(lambda client: generations.current(client, generation_keys, raw_generations))
    if current is None:
        CACHE_REQUESTS.labels(name, "error").inc()
        return compute()
    tag = ",".join(current).encode()
    body = _tagged_body(raw, tag)
    if body is not None:
        CACHE_REQUESTS.labels(name, "hit").inc()
        return body
    CACHE_REQUESTS.labels(name, "miss").inc()
    replica_positions.require_invalidations_replayed()
    return _fill(full_key, tag, ttl_s, compute)


def _fill(full_key: str, tag: bytes, ttl_s: int, compute: Callable[[], bytes]) -> bytes:
    """Compute once across workers while others wait briefly for the entry (only one of the same `tag`)."""
    acquired = store.acquire_lock(full_key)
    if acquired is False:
        deadline = time.monotonic() + HERD_WAIT_S
        while time.monotonic() < deadline and store.available():
            time.sleep(HERD_POLL_S)
            body = _tagged_body(store.run(lambda client: client.get(full_key)), tag)
            if body is not None:
                return body
    try:
        body = compute()
        store.run(lambda client: client.set(full_key, tag + b"\n" + body, ex=ttl_s))
        return body
    finally:
        if acquired:
            store.release_lock(full_key)


def default_ttl_s() -> int:
    """The configured TTL of cached answers (invalidation is by generation; the TTL only frees memory)."""
    return current_app.config["CACHE_TTL_S"]

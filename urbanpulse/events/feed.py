"""The live feed in Redis: one stream entry per public change, kept for a bounded time.

Every worker (and the CLI) appends to the same Redis stream after its commit, so every SSE client of every
worker sees every change; stream ids are the SSE event ids, so a reconnecting client resumes from where it
stopped (while the entries are retained). A change that could not be appended (Redis away) is not silently
lost: the process appends a `reset` message as soon as Redis answers again, so clients reload.
"""

from __future__ import annotations

import logging
import re
import threading
import time

import orjson
import redis
from flask import current_app

from urbanpulse.core.extensions import redis_client

log = logging.getLogger(__name__)
STREAM_ID = re.compile(r"^\d{1,20}-\d{1,20}$")
MESSAGE_TYPES = ("published", "updated", "cancelled", "unpublished", "deleted")
# Types that say "this event is no longer public": they carry no content of the event.
REMOVAL_TYPES = ("unpublished", "deleted")
RESET = {"type": "reset", "reason": "changes were made while the live feed was unavailable; reload the events"}
_owed = threading.Lock()
_missed: dict[tuple[int, str], int] = {}  # (Redis client, stream key) -> changes not appended yet


def stream_key() -> str:
    """The Redis stream of the live feed."""
    return current_app.config["EVENTS_FEED_KEY"]


def publish(payload: dict) -> str | None:
    """Append a message (after the write committed); Redis trouble is logged, never raised to the writer."""
    retention_ms = current_app.config["EVENTS_FEED_RETENTION_S"] * 1000
    min_id = max(0, int(time.time() * 1000) - retention_ms)
    try:
        entry_id = redis_client.xadd(
            stream_key(),
            {"data": orjson.dumps(payload)},
            minid=min_id,
            approximate=True,
        )
    except redis.RedisError as error:
        log.warning("live feed publish failed for event %s: %s", payload.get("event_id"), error)
        _owe_reset(redis_client.client, stream_key(), retention_ms)
        return None
    return entry_id.decode() if isinstance(entry_id, bytes) else entry_id


def _owe_reset(client: redis.Redis, key: str, retention_ms: int) -> None:
    target = (id(client), key)
    with _owed:
        start = target not in _missed
        _missed[target] = _missed.get(target, 0) + 1
    if start:
        args = (client, key, retention_ms)
        threading.Thread(target=_reset_when_back, args=args, name="events-feed-reset", daemon=True).start()


def _reset_when_back(client: redis.Redis, key: str, retention_ms: int) -> None:
    target = (id(client), key)
    while True:
        with _owed:
            seen = _missed[target]
        try:
            min_id = max(0, int(time.time() * 1000) - retention_ms)
            client.xadd(key, {"data": orjson.dumps(RESET)}, minid=min_id, approximate=True)
        except redis.RedisError:
            time.sleep(0.2)
            continue
        with _owed:
            if _missed[target] == seen:  # no change was missed while appending: done
                del _missed[target]
                log.info("live feed reset appended after missed changes")
                return


def reset_owed() -> bool:
    """True while this process still owes the app's live feed a `reset` for changes it could not append."""
    return any(client_id == id(redis_client.client) for client_id, _key in _missed)


def parse_id(value: str | None) -> tuple[int, int] | None:
    """A stream id as a comparable pair, or None when it is not one."""
    if not value or not STREAM_ID.match(value.strip()):
        return None
    millis, seq = value.strip().split("-")
    return int(millis), int(seq)


def decode_entry(entry_id, fields: dict) -> tuple[str, dict]:
    """(id, payload) of a raw stream entry."""
    key = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
    raw = fields.get(b"data", fields.get("data", b"{}"))
    return key, orjson.loads(raw)

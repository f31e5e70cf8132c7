"""Usage per key, day (UTC) and API group: counted in Redis on each keyed request (one pipelined round trip),
flushed to PostgreSQL (api_key_usage) at most every API_KEY_USAGE_FLUSH_S by whichever request wins a Redis
lock, or by `flask apikeys flush-usage` (cron). A flush renames the pending hash before reading it, so counts
made meanwhile land in a new one; a crash loses at most one flush interval, never counts twice unless it dies
between the commit and the deletion of the renamed hash. /metrics gets the same counts without a key label.
"""

from __future__ import annotations

import contextlib
import logging
import time
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import redis
from flask import current_app
from prometheus_client import Counter
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from urbanpulse.core.extensions import db, redis_client
from urbanpulse.core.redis_client import database_namespace

log = logging.getLogger(__name__)
METRICS = {"r": "requests", "e": "client_errors", "t": "throttled"}

KEYED_REQUESTS = Counter(
    "urbanpulse_api_key_requests",
    "Requests made with an API key, by API group and outcome (no per-key series)",
    ["group", "outcome"],
)
KEY_REFUSALS = Counter("urbanpulse_api_key_refusals", "Requests refused for their API key, by reason", ["reason"])

_UPSERT = text(
    """
    INSERT INTO api_key_usage (key_id, day, "group", requests, client_errors, throttled)
    SELECT u.key_id, u.day, u.grp, u.requests, u.client_errors, u.throttled
    FROM unnest(CAST(:key_ids AS uuid[]), CAST(:days AS date[]), CAST(:groups AS text[]),
                CAST(:requests AS bigint[]), CAST(:client_errors AS bigint[]), CAST(:throttled AS bigint[]))
         AS u(key_id, day, grp, requests, client_errors, throttled)
    JOIN api_keys ON api_keys.id = u.key_id
    ON CONFLICT (key_id, day, "group") DO UPDATE SET
        requests = api_key_usage.requests + EXCLUDED.requests,
        client_errors = api_key_usage.client_errors + EXCLUDED.client_errors,
        throttled = api_key_usage.throttled + EXCLUDED.throttled
    """
)
_LAST_USED = text(
    """
    UPDATE api_keys SET last_used_at = GREATEST(COALESCE(last_used_at, u.at), u.at)
    FROM unnest(CAST(:key_ids AS uuid[]), CAST(:ats AS timestamptz[])) AS u(key_id, at)
    WHERE api_keys.id = u.key_id
    """
)


def _names() -> tuple[str, str, str, str]:
    base = f"up:{database_namespace()}:apikeys"
    return f"{base}:pending", f"{base}:flushing", f"{base}:last-used", f"{base}:flush-due"


def _mutex() -> str:
    return f"up:{database_namespace()}:apikeys:flush-mutex"


def outcome_of(status: int) -> str:
    """How a keyed request ended, for the counters: ok, client_error, throttled or server_error."""
    if status == 429:
        return "throttled"
    if 400 <= status < 500:
        return "client_error"
    return "server_error" if status >= 500 else "ok"


def count(*, key_id: uuid.UUID, group: str, status: int) -> None:
    """Count one keyed request in Redis (and /metrics); flush to PostgreSQL when this request wins the lock."""
    outcome = outcome_of(status)
    KEYED_REQUESTS.labels(group, outcome).inc()
    pending, _, last_used, lock = _names()
    field = f"{key_id}|{datetime.now(UTC).date().isoformat()}|{group}|"
    try:
        pipe = redis_client.client.pipeline(transaction=False)
        pipe.hincrby(pending, field + "r", 1)
        if outcome == "client_error":
            pipe.hincrby(pending, field + "e", 1)
        elif outcome == "throttled":
            pipe.hincrby(pending, field + "t", 1)
        pipe.hset(last_used, str(key_id), int(time.time()))
        pipe.set(lock, 1, nx=True, ex=current_app.config["API_KEY_USAGE_FLUSH_S"])
        due = pipe.execute()[-1]
    except redis.RedisError as error:
        log.warning("API key usage not counted: %s", error)
        return
    if due:
        try:
            flush()
        except SQLAlchemyError as error:  # the counts stay in Redis for the next flush
            log.warning("API key usage not flushed: %s", error)


def _parse(fields: dict) -> dict[tuple[str, str, str], dict[str, int]]:
    rows: dict[tuple[str, str, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(METRICS.values(), 0))
    for raw_field, raw_value in fields.items():
        name = raw_field.decode() if isinstance(raw_field, bytes) else raw_field
        key_id, day, group, metric = name.split("|")
        rows[(key_id, day, group)][METRICS[metric]] += int(raw_value)
    return rows


def flush() -> int:
    """Move the counts waiting in Redis into api_key_usage; returns how many (key, day, group) rows changed.

    One flusher at a time (a Redis mutex), so a renamed hash is never read twice."""
    client = redis_client.client
    try:
        if not client.set(_mutex(), 1, nx=True, ex=30):
            return 0
    except redis.RedisError as error:
        log.warning("API key usage not flushed: %s", error)
        return 0
    try:
        return _flush(client)
    finally:
        with contextlib.suppress(redis.RedisError):  # else it expires
            client.delete(_mutex())


def _flush(client) -> int:
    pending, flushing, last_used, _ = _names()
    try:
        if not client.exists(flushing):  # else a flush died before its commit: finish that one first
            try:
                client.rename(pending, flushing)
            except redis.ResponseError:  # nothing pending
                return 0
        rows = _parse(client.hgetall(flushing))
        last = {k.decode(): int(v) for k, v in client.hgetall(last_used).items()}
    except redis.RedisError as error:
        log.warning("API key usage not flushed: %s", error)
        return 0
    if rows:
        keys = list(rows)
        with db.engine.begin() as conn:
            conn.execute(
                _UPSERT,
                {
                    "key_ids": [k[0] for k in keys],
                    "days": [date.fromisoformat(k[1]) for k in keys],
                    "groups": [k[2] for k in keys],
                    **{metric: [rows[k][metric] for k in keys] for metric in METRICS.values()},
                },
            )
            if last:
                conn.execute(
                    _LAST_USED,
                    {
                        "key_ids": list(last),
                        "ats": [datetime.fromtimestamp(at, UTC) for at in last.values()],
                    },
                )
    try:
        client.delete(flushing)
    except redis.RedisError as error:
        log.warning("flushed API key usage left in Redis (it will be counted again): %s", error)
    return len(rows)


def daily_usage(*, key_id: uuid.UUID, days: int = 30) -> list[dict]:
    """The key's counts per day and group over the last `days` days, flushed ones plus those still in Redis."""
    since = datetime.now(UTC).date() - timedelta(days=days - 1)
    totals: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(METRICS.values(), 0))
    stored = db.session.execute(
        text(
            'SELECT day, "group", requests, client_errors, throttled FROM api_key_usage '
            "WHERE key_id = :key_id AND day >= :since"
        ),
        {"key_id": key_id, "since": since},
    )
    for row in stored:
        for metric in METRICS.values():
            totals[(row.day.isoformat(), row.group)][metric] += getattr(row, metric)
    pending, flushing, _, _ = _names()
    waiting = []
    try:
        for name in (flushing, pending):
            waiting.append(dict(redis_client.client.hscan_iter(name, match=f"{key_id}|*", count=500)))
    except redis.RedisError:
        waiting = []  # what is stored is still right, only late
    for fields in waiting:
        for (_, day, group), counts in _parse(fields).items():
            if day >= since.isoformat():
                for metric, value in counts.items():
                    totals[(day, group)][metric] += value
    return [
        {"day": date.fromisoformat(day), "group": group, **counts} for (day, group), counts in sorted(totals.items())
    ]

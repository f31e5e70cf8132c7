"""Usage per key, day (UTC) and API group: counted in each process's memory (nothing on the request's path),
pushed to Redis every API_KEY_USAGE_PUSH_S (1 s) by a background thread of the process, and flushed to
PostgreSQL (api_key_usage) at most every API_KEY_USAGE_FLUSH_S by whichever process wins a Redis lock, or by
`flask apikeys flush-usage` (cron). A killed process loses at most its last push interval; Redis keeps the rest.
A flush renames the pending hash before reading it, so counts made meanwhile land in a new one; it never counts
twice unless it dies between its commit and the deletion of the renamed hash. /metrics gets the same counts,
without a key label.

The same push also keeps each key's day quota (`per_day`, UTC days): it adds the requests this process
admitted to a Redis counter per key and day (`INCRBY`, whose answer is the total of every process), so the key
check compares the last total it heard plus what this process admitted since, with no round trip on a busy
key's path. A key this process has not heard of for API_KEY_DAY_TOTAL_STALE_S is read once (`GET`) before it
is checked. Each process may thus admit up to one push interval of its own requests past the quota; with Redis
unreachable the last known total is used (failing open, as the rate limiter's in-memory fallback does).
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import threading
import time
import uuid
from collections import Counter as Counter_
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import redis
from flask import Flask, current_app
from prometheus_client import Counter
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from urbanpulse.core.extensions import db, redis_client
from urbanpulse.core.redis_client import database_namespace

log = logging.getLogger(__name__)
METRICS = {"r": "requests", "e": "client_errors", "t": "throttled"}
DAY_TOTAL_TTL_S = 2 * 86400  # a day's total outlives its day by one, for a late push
DAY_TOTAL_KEPT_S = 60  # a key not checked for this long is no longer refreshed by each push

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


DayKey = tuple[str, str]  # (key id, UTC day)


class _Buffer:
    """This process's counts not yet in Redis: {field: n}, {key id: last use} and the admitted requests per
    (key, day), pushed every second; and the day totals of every process as last heard from Redis."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.fields: Counter_[str] = Counter_()
        self.last_used: dict[str, int] = {}
        self.admitted: Counter_[DayKey] = Counter_()
        self.in_flight: Counter_[DayKey] = Counter_()  # taken by a push whose answer is not back yet
        self.day_totals: dict[DayKey, tuple[int, float]] = {}  # (total, monotonic time heard)
        self.day_used: dict[DayKey, float] = {}  # monotonic time a request of the key was last checked here
        self.pusher: threading.Thread | None = None

    def take(self) -> tuple[Counter_[str], dict[str, int], Counter_[DayKey]]:
        with self.lock:
            fields, last_used, admitted = self.fields, self.last_used, self.admitted
            self.fields, self.last_used, self.admitted = Counter_(), {}, Counter_()
            self.in_flight.update(admitted)
        return fields, last_used, admitted

    def put_back(self, fields: Counter_[str], last_used: dict[str, int], admitted: Counter_[DayKey]) -> None:
        with self.lock:
            self.fields.update(fields)
            for key_id, at in last_used.items():
                self.last_used[key_id] = max(at, self.last_used.get(key_id, 0))
            self.in_flight.subtract(admitted)
            self.admitted.update(admitted)

    def to_refresh(self, admitted: Counter_[DayKey]) -> list[DayKey]:
        """The day totals a push reads again besides those it adds to: keys checked here in the last minute
        (the others are forgotten, and read again when next checked)."""
        now = time.monotonic()
        today = _today()
        with self.lock:
            for day_key in [k for k, at in self.day_used.items() if now - at > DAY_TOTAL_KEPT_S or k[1] != today]:
                del self.day_used[day_key]
                self.day_totals.pop(day_key, None)
            return [k for k in self.day_used if k not in admitted]

    def heard(self, day_keys: list[DayKey], totals: list, *, landed: Counter_[DayKey]) -> None:
        """Record the day totals Redis answered (INCRBY or GET) for `day_keys`, which include the counts of
        `landed` (no longer in flight)."""
        now = time.monotonic()
        with self.lock:
            for day_key, total in zip(day_keys, totals, strict=True):
                self.day_totals[day_key] = (int(total or 0), now)
            self.in_flight.subtract(landed)
            self.in_flight = +self.in_flight  # drops the zeros

    def local(self, day_key: DayKey) -> int:
        """What this process admitted for `day_key` that no total heard from Redis includes yet."""
        return self.admitted[day_key] + self.in_flight[day_key]


_buffers: dict[tuple[str, str], _Buffer] = {}


def _buffer() -> _Buffer:
    """The process's buffer for the current app's Redis and database (apps sharing both share it)."""
    where = (current_app.config["REDIS_URL"], database_namespace())
    buffer = _buffers.get(where)
    if buffer is None:
        buffer = _buffers.setdefault(where, _Buffer())
    return buffer


def count(*, key_id: uuid.UUID, group: str, status: int) -> None:
    """Count one keyed request: in this process's buffer (no round trip on the request's path) and /metrics.

    A background thread (a greenlet under gevent) of each process pushes the buffer to Redis every
    API_KEY_USAGE_PUSH_S, so a worker that stops loses at most that much."""
    outcome = outcome_of(status)
    KEYED_REQUESTS.labels(group, outcome).inc()
    today = _today()
    field = f"{key_id}|{today}|{group}|"
    buffer = _buffer()
    with buffer.lock:
        buffer.fields[field + "r"] += 1
        if outcome == "client_error":
            buffer.fields[field + "e"] += 1
        elif outcome == "throttled":
            buffer.fields[field + "t"] += 1
        if outcome != "throttled":  # a refused request does not use up the day's quota
            buffer.admitted[(str(key_id), today)] += 1
        buffer.last_used[str(key_id)] = int(time.time())
        if buffer.pusher is None:
            app = current_app._get_current_object()
            buffer.pusher = threading.Thread(target=_push_forever, args=(app,), name="api-key-usage", daemon=True)
            buffer.pusher.start()


def _today() -> str:
    return datetime.now(UTC).date().isoformat()


def _day_total_key(day_key: DayKey) -> str:
    key_id, day = day_key
    return f"up:{database_namespace()}:apikeys:day:{day}:{key_id}"


def admitted_today(key_id: uuid.UUID) -> int:
    """How many of the key's requests were admitted today (UTC) by every process, as far as this one knows:
    the last total heard from Redis plus this process's own since; read from Redis when that total is older
    than API_KEY_DAY_TOTAL_STALE_S (a key this process serves often is refreshed by every push)."""
    day_key = (str(key_id), _today())
    buffer = _buffer()
    with buffer.lock:
        heard = buffer.day_totals.get(day_key)
        local = buffer.local(day_key)
        buffer.day_used[day_key] = time.monotonic()
    if heard is None or time.monotonic() - heard[1] > current_app.config["API_KEY_DAY_TOTAL_STALE_S"]:
        total = heard[0] if heard else 0
        try:
            total = int(redis_client.client.get(_day_total_key(day_key)) or 0)
        except redis.RedisError as error:
            log.warning("API key day total unknown, the last one heard is used (Redis: %s)", error)
        with buffer.lock:
            # Another thread's push may have heard a newer total meanwhile: keep the larger.
            newer = buffer.day_totals.get(day_key)
            if newer is None or newer[0] < total:
                buffer.day_totals[day_key] = (total, time.monotonic())
            else:
                total = newer[0]
        return total + local
    return heard[0] + local


def _push_forever(app: Flask) -> None:
    interval_s = app.config["API_KEY_USAGE_PUSH_S"]
    atexit.register(_push_at_exit, app)
    while True:
        time.sleep(interval_s)
        with app.app_context():
            try:
                push()
            except Exception:  # the thread must survive anything; the counts stay buffered or in Redis
                log.exception("API key usage push failed")


def _push_at_exit(app: Flask) -> None:
    with app.app_context(), contextlib.suppress(Exception):
        push(flush_when_due=False)


def push(*, flush_when_due: bool = True) -> None:
    """Move this process's buffered counts into Redis (one pipeline); then, when API_KEY_USAGE_FLUSH_S has
    passed since the last flush anywhere (a Redis lock), flush Redis into PostgreSQL."""
    buffer = _buffer()
    fields, last_used, admitted = buffer.take()
    refreshed = buffer.to_refresh(admitted)
    pending, _, last_used_key, due_key = _names()
    try:
        pipe = redis_client.client.pipeline(transaction=False)
        for day_key, n in admitted.items():
            pipe.incrby(_day_total_key(day_key), n)
        for day_key in refreshed:
            pipe.get(_day_total_key(day_key))
        for day_key in admitted:
            pipe.expire(_day_total_key(day_key), DAY_TOTAL_TTL_S)
        for field, n in fields.items():
            pipe.hincrby(pending, field, n)
        if last_used:
            pipe.hset(last_used_key, mapping=last_used)
        if flush_when_due:
            pipe.set(due_key, 1, nx=True, ex=current_app.config["API_KEY_USAGE_FLUSH_S"])
        results = pipe.execute() if len(pipe) else []
    except redis.RedisError as error:
        buffer.put_back(fields, last_used, admitted)
        log.warning("API key usage kept in memory (Redis: %s)", error)
        return
    day_keys = [*admitted, *refreshed]
    buffer.heard(day_keys, results[: len(day_keys)], landed=admitted)
    if flush_when_due and results and results[-1]:
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
    """Move the counts waiting in Redis (and this process's buffer) into api_key_usage; returns how many
    (key, day, group) rows changed. One flusher at a time (a Redis mutex), so a renamed hash is read once."""
    push(flush_when_due=False)
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
    push(flush_when_due=False)  # this process's last second too
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

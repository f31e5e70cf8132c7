"""The one path from a committed change to every cache: the change log (filled by database triggers) relayed
to Redis, exactly once, whoever wrote and whichever process relays.

A relay round reads the log rows committed since the last relayed position, lets each consumer (the cached
answers, the tiles, the live feed: `runtime.domains.change_consumers`) queue its effects, and applies them
together with the new position in one Redis transaction (WATCH/MULTI): two processes relaying at once never
apply a change twice, and a process that dies mid-round applies nothing, so the next round does it all.

The position is the horizon of the round's snapshot (the oldest transaction still running: every change of an
older one is visible or never will be) plus the ids of the changes of younger transactions already applied,
so a long transaction elsewhere never delays a change that committed meanwhile.

Rounds run right after a commit in the writing process (read-your-writes), in every worker when PostgreSQL
notifies a commit or at least every `CHANGE_POLL_S` (another instance, the CLI, an operator's SQL), and
before the cache is used again after a Redis failure (`usable`).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

import psycopg
import redis
from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from urbanpulse.cache import changelog, generations, replica_positions, store
from urbanpulse.core.config import to_libpq_url
from urbanpulse.core.extensions import db, redis_client
from urbanpulse.core.redis_client import database_namespace

log = logging.getLogger(__name__)
CONSUMERS = "urbanpulse.change_consumers"
_WROTE_CONTENT = "urbanpulse.wrote_content"
_RELAY_DUE = "urbanpulse.relay_due"
# Past this many changes in one round, every cached answer is retired instead of listing what changed.
BULK_CHANGES = 2000
KEEP_LOG_S = 3600
PRUNE_EVERY_S = 300


@dataclass
class Effects:
    """What a round does to Redis, collected from every consumer and applied in one transaction."""

    bumps: set[str] = field(default_factory=set)
    replacements: dict[str, int] = field(default_factory=dict)
    appends: list[tuple[str, dict, int]] = field(default_factory=list)

    def bump(self, key: str) -> None:
        """Increment a generation counter (entries tagged with the old value stop matching)."""
        self.bumps.add(key)

    def replace(self, key: str, ttl_s: int) -> None:
        """Give a version key a fresh random value."""
        self.replacements[key] = ttl_s

    def append(self, stream: str, fields: dict, min_id_ms: int) -> None:
        """Append an entry to a Redis stream, trimming entries older than `min_id_ms`."""
        self.appends.append((stream, fields, min_id_ms))

    def queue(self, pipe) -> None:
        """Queue every effect on a MULTI pipeline."""
        for key in sorted(self.bumps):
            generations.bump(pipe, key)
        for key, ttl_s in sorted(self.replacements.items()):
            pipe.set(key, generations.fresh_start(), ex=ttl_s)
        for stream, fields, min_id_ms in self.appends:
            pipe.xadd(stream, fields, minid=min_id_ms, approximate=True)


def position_key() -> str:
    """The relayed horizon (a transaction id) of this database."""
    return f"up:relay:{database_namespace()}:pos"


def applied_key() -> str:
    """Changes of transactions at or past the horizon already relayed (member: log id, score: txid)."""
    return f"up:relay:{database_namespace()}:applied"


def _consumers() -> list:
    return current_app.extensions.get(CONSUMERS, [])


def relay(*, limit: int = BULK_CHANGES) -> int | None:
    """Relay what was committed and not yet relayed; how many changes, or None when Redis or PostgreSQL failed."""
    if not store.available():
        return None
    try:
        for _ in range(20):
            done = _round(redis_client.client, limit)
            if done is not None:
                return done
        log.warning("change relay: too many concurrent relays, giving up this round")
        return None
    except (redis.RedisError, OSError) as error:
        store.record_failure(error)
        return None
    except SQLAlchemyError as error:
        log.warning("change relay: PostgreSQL unavailable: %s", error)
        return None


def _round(client: redis.Redis, limit: int) -> int | None:
    """One WATCH/MULTI round; None when another relay moved the position meanwhile (then try again)."""
    pos_key, done_key = position_key(), applied_key()
    with client.pipeline(transaction=True) as pipe:
        pipe.watch(pos_key, done_key)
        raw_pos = pipe.get(pos_key)
        applied = [int(member) for member in pipe.zrange(done_key, 0, -1)] if raw_pos is not None else []
        with db.engine.connect() as conn, conn.begin():
            conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            horizon = changelog.horizon(conn)
            # Without a position (first start, or Redis lost its state), what the log still holds is relayed.
            since = int(raw_pos) if raw_pos is not None else 0
            rows = changelog.unread_rows(conn, since_txid=since, applied=applied, limit=limit + 1)
            # Read in the same snapshot, and only when the round will apply something (idle rounds return below).
            idle = not rows and raw_pos is not None and int(raw_pos) == horizon
            position = None if idle else _wal_position(conn)
        effects = Effects()
        if len(rows) > limit:
            # Too many changes to list: retire everything, then mark what is visible now as relayed.
            for consumer in _consumers():
                consumer.retire_all(effects, announce=True)
            with db.engine.connect() as conn, conn.begin():
                rows = changelog.unread_rows(conn, since_txid=horizon, applied=applied, limit=10**9)
                position = _wal_position(conn)
        else:
            if raw_pos is None:
                # Redis may have kept entries older than changes it never saw: retire them.
                for consumer in _consumers():
                    consumer.retire_all(effects, announce=False)
            elif not rows and int(raw_pos) == horizon:
                return 0
            if rows:
                effects = _effects_of(changelog.per_transaction(rows), effects)
        pipe.multi()
        effects.queue(pipe)
        younger = {row.id: row.txid for row in rows if row.txid >= horizon}
        if younger:
            pipe.zadd(done_key, younger)
        pipe.zremrangebyscore(done_key, "-inf", f"({horizon}")
        pipe.set(pos_key, horizon)
        pipe.set(replica_positions.invalidation_position_key(), position)
        try:
            pipe.execute()
        except redis.WatchError:
            return None
    return len(rows)


def _wal_position(conn) -> int:
    """The primary's WAL insert position, read after the round's snapshot: every change the round sees was
    committed before it, so a replica that has replayed it shows them all (`cache.replica_positions`)."""
    return conn.exec_driver_sql("SELECT (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::bigint").scalar()


def _effects_of(changes: list[changelog.Change], effects: Effects) -> Effects:
    """What the consumers make of `changes`; a consumer that fails retires everything instead (never the write)."""
    try:
        for consumer in _consumers():
            consumer.changed(changes, effects)
        return effects
    except Exception:
        log.exception(
            "change relay could not read %d changes; every tile will be retired, every answer too", len(changes)
        )
        effects = Effects()
        for consumer in _consumers():
            consumer.retire_all(effects, announce=True)
        return effects


def pending() -> int:
    """How many committed changes are not relayed yet (0 when Redis has no position: nothing to catch up)."""
    client = redis_client.client
    raw_pos = client.get(position_key())
    if raw_pos is None:
        return 0
    applied = [int(member) for member in client.zrange(applied_key(), 0, -1)]
    with db.engine.connect() as conn:
        return len(changelog.unread_rows(conn, since_txid=int(raw_pos), applied=applied, limit=10**9))


def usable() -> bool:
    """Whether cached entries may be used now: Redis answers, and after a Redis failure, what was committed
    meanwhile has been relayed (else an entry cached before a write could be served after it)."""
    if not store.available():
        return False
    if not store.recovering():
        return True
    if relay() is None:
        return False
    store.recovered()
    return True


# Read-your-writes: the writing process relays right after its commit.
def _after_flush(session: Session, _context) -> None:
    if any(
        getattr(type(obj), "__tablename__", None) in changelog.DOMAIN_OF
        for objects in (session.new, session.dirty, session.deleted)
        for obj in objects
    ):
        session.info[_WROTE_CONTENT] = True


def _after_commit(session: Session) -> None:
    if session.info.pop(_WROTE_CONTENT, False):
        session.info[_RELAY_DUE] = True


def _after_rollback(session: Session) -> None:
    session.info.pop(_WROTE_CONTENT, None)


def _after_transaction_end(session: Session, transaction) -> None:
    # Here the session has given its connection back, so the round reuses it instead of holding a second one.
    if transaction.parent is None and session.info.pop(_RELAY_DUE, False):
        relay()


_installed = False


def install(app: Flask, consumers: Iterable) -> None:
    """Register the consumers, relay after every commit that wrote content, and listen in each worker."""
    global _installed
    app.extensions[CONSUMERS] = list(consumers)
    if not _installed:
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)
        event.listen(Session, "after_transaction_end", _after_transaction_end)
        _installed = True
    if app.config["CHANGE_LISTENER_ENABLED"]:
        app.before_request(lambda: ensure_listener(app))


_listeners: dict[tuple[int, int], threading.Event] = {}
_listeners_lock = threading.Lock()


def ensure_listener(app: Flask) -> None:
    """Start this process's listener for `app` once (after a fork too), relaying once before the first answer."""
    key = (os.getpid(), id(app))
    if key in _listeners:
        return
    with _listeners_lock:
        if key in _listeners:
            return
        relay()
        stop = threading.Event()
        _listeners[key] = stop
        threading.Thread(target=_listen, args=(app, stop), name="change-relay", daemon=True).start()


def stop_listener(app: Flask) -> None:
    """Stop this process's listener for `app` (tests that drop its database or Redis)."""
    stop = _listeners.pop((os.getpid(), id(app)), None)
    if stop is not None:
        stop.set()


def _listen(app: Flask, stop: threading.Event) -> None:
    """Relay whenever PostgreSQL notifies a commit of content, and at least every CHANGE_POLL_S."""
    poll_s = app.config["CHANGE_POLL_S"]
    url = to_libpq_url(app.config["SQLALCHEMY_DATABASE_URI"])
    backoff_s, pruned_at = 0.5, time.monotonic()
    while not stop.is_set():
        try:
            with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
                conn.execute(f"LISTEN {changelog.NOTIFY_CHANNEL}")
                backoff_s = 0.5
                while not stop.is_set():
                    with app.app_context():
                        relay()
                        if time.monotonic() - pruned_at > PRUNE_EVERY_S:
                            pruned_at = time.monotonic()
                            _prune()
                    for _ in conn.notifies(timeout=poll_s, stop_after=1):
                        pass
        except (psycopg.Error, OSError) as error:
            log.warning("change listener: %s; retrying in %.1f s", error, backoff_s)
        except Exception:
            log.exception("change listener failed; retrying in %.1f s", backoff_s)
        stop.wait(backoff_s)
        backoff_s = min(backoff_s * 2, 10.0)


def _prune() -> None:
    try:
        raw_pos = redis_client.client.get(position_key())
        if raw_pos is None:
            return
        with db.engine.begin() as conn:
            changelog.prune(conn, below_txid=int(raw_pos), keep_s=KEEP_LOG_S)
    except (redis.RedisError, OSError, SQLAlchemyError) as error:
        log.info("change log pruning skipped: %s", error)

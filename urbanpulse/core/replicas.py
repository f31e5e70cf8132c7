"""Public reads from PostgreSQL replicas, never staler than the caller may see (issue 17).

A GET or HEAD request runs its public read queries (`core.db_read`) on a replica from DATABASE_REPLICA_URLS
when one qualifies, else on the primary:
- it has replayed the request's required WAL position: the caller's last write (`auth.read_your_writes`) and,
  when the answer fills a cache entry, the position recorded with the invalidation that preceded it
  (`cache.replica_positions`);
- it is no staler than REPLICA_MAX_LAG_S: a standby that has received WAL it has not replayed yet is as stale as
  its last replayed commit, one that has replayed all it received is current (Patroni's synchronous standby has
  received every acknowledged commit);
- it answers (one that fails is skipped for REPLICA_RETRY_S).
A listed server that is not in recovery (a replica promoted by a failover) is current. Positions are checked at
most every REPLICA_CHECK_S per replica and process, and again at once when a request needs a newer one.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from dataclasses import dataclass

from flask import Flask, current_app, g, has_request_context, request
from prometheus_client import Counter
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from urbanpulse.core.config import to_sqlalchemy_url

log = logging.getLogger(__name__)
# Defined here rather than in core.metrics, which the ORM session's module may not import (an import circle).
DB_READS = Counter("urbanpulse_db_reads", "Read queries of GET requests by server", ["target"])
EXTENSION = "urbanpulse.replicas"
# The request must read from the primary (its required position could not be known).
PRIMARY = -1
_REQUIRED = "urbanpulse_required_lsn"
_CHOSEN = "urbanpulse_replica"
READ_METHODS = ("GET", "HEAD")

_POSITION_SQL = """
SELECT pg_is_in_recovery() AS standby,
       (CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END
        - '0/0'::pg_lsn)::bigint AS lsn,
       CASE WHEN NOT pg_is_in_recovery() THEN 0
            WHEN pg_last_wal_receive_lsn() IS NOT NULL AND pg_last_wal_replay_lsn() >= pg_last_wal_receive_lsn()
            THEN 0
            ELSE coalesce(extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp()), 1e9)
       END::float8 AS stale_s
"""


@dataclass
class Replica:
    """One replica server: its engine and what this process last learnt of its position."""

    name: str
    engine: Engine
    lsn: int = -1
    stale_s: float = 1e9
    checked_at: float = float("-inf")
    down_until: float = float("-inf")

    def refresh(self) -> None:
        """Read the server's replayed position and staleness (one round trip); mark it down when it fails."""
        try:
            with self.engine.connect() as connection:
                row = connection.exec_driver_sql(_POSITION_SQL).one()
        except SQLAlchemyError as error:
            self.mark_down(error)
            return
        self.lsn, self.stale_s, self.checked_at = row.lsn or 0, row.stale_s, time.monotonic()

    def mark_down(self, error: Exception) -> None:
        """Skip this replica for a while (its pool is discarded: its connections predate the failure)."""
        retry_s = current_app.config["REPLICA_RETRY_S"]
        self.down_until, self.checked_at = time.monotonic() + retry_s, float("-inf")
        self.engine.dispose(close=False)
        log.warning("replica %s skipped for %.0f s: %s", self.name, retry_s, str(error).splitlines()[0])


class ReplicaSet:
    """The configured replicas, tried from a random one."""

    def __init__(self, replicas: list[Replica]):
        self.replicas = replicas
        self._lock = threading.Lock()

    def choose(self, required_lsn: int, *, max_lag_s: float, check_s: float) -> Replica | None:
        """A replica that has replayed `required_lsn` and is no staler than `max_lag_s`; None: use the primary."""
        if required_lsn == PRIMARY or not self.replicas:
            return None
        start = random.randrange(len(self.replicas))
        now = time.monotonic()
        for offset in range(len(self.replicas)):
            replica = self.replicas[(start + offset) % len(self.replicas)]
            if now < replica.down_until:
                continue
            if now - replica.checked_at > check_s or replica.lsn < required_lsn:
                with self._lock:
                    replica.refresh()
            if replica.checked_at > float("-inf") and replica.lsn >= required_lsn and replica.stale_s <= max_lag_s:
                return replica
        return None


def init_app(app: Flask) -> None:
    """Create one engine per DATABASE_REPLICA_URLS entry (read-only sessions, the primary's pool settings)."""
    options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    connect_args = dict(options.get("connect_args", {}))
    # A promoted or misconfigured server still refuses writes on these connections.
    connect_args["options"] = (connect_args.get("options", "") + " -c default_transaction_read_only=on").strip()
    options["connect_args"] = connect_args
    replicas = [
        Replica(name=_display_name(url), engine=create_engine(to_sqlalchemy_url(url), **options))
        for url in app.config["DATABASE_REPLICA_URLS"]
    ]
    app.extensions[EXTENSION] = ReplicaSet(replicas)
    app.after_request(_skip_a_failed_replica)


def _display_name(url: str) -> str:
    return url.rsplit("@", 1)[-1].split("?", 1)[0]


def configured() -> bool:
    """Whether this app has replicas to read from."""
    return bool(configured_replicas())


def configured_replicas() -> list[Replica]:
    """This app's replicas (none when DATABASE_REPLICA_URLS is empty)."""
    replica_set = current_app.extensions.get(EXTENSION)
    return replica_set.replicas if replica_set is not None else []


def require_position(lsn: int) -> None:
    """Raise the WAL position this request's replica reads must have replayed (PRIMARY: read the primary)."""
    current = g.get(_REQUIRED, 0)
    if current == PRIMARY or lsn == PRIMARY:
        setattr(g, _REQUIRED, PRIMARY)
    else:
        setattr(g, _REQUIRED, max(current, lsn))


def _skip_a_failed_replica(response):
    # A 503 (database unavailable or busy) on a request that read from a replica: that replica may be the server
    # that failed, so the next requests skip it (and HAProxy retries GETs on another instance).
    if response.status_code == 503:
        chosen = g.pop(_CHOSEN, None)
        if chosen is not None:
            chosen[0].mark_down(RuntimeError("a request that read from it failed with 503"))
    return response


def forget_required_position() -> None:
    """Start a request with no requirement (an app context may outlive one request, e.g. in tests)."""
    g.pop(_REQUIRED, None)
    g.pop(_CHOSEN, None)


def wanted() -> bool:
    """Whether this request's public reads may go to a replica: a GET or HEAD, with replicas configured."""
    return has_request_context() and request.method in READ_METHODS and configured()


def replica_for_read() -> Replica | None:
    """The replica this request's public read may use now (the one its earlier reads used, while it still
    qualifies: a request's queries see one server); None: the primary."""
    required = g.get(_REQUIRED, 0)
    chosen = g.get(_CHOSEN)
    if chosen is not None and chosen[1] == required and time.monotonic() >= chosen[0].down_until:
        replica = chosen[0]
    else:
        config = current_app.config
        replica = current_app.extensions[EXTENSION].choose(
            required, max_lag_s=config["REPLICA_MAX_LAG_S"], check_s=config["REPLICA_CHECK_S"]
        )
        setattr(g, _CHOSEN, (replica, required) if replica is not None else None)
    DB_READS.labels("replica" if replica is not None else "primary").inc()
    return replica

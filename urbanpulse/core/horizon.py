"""The horizon of this database's writes: the oldest transaction that may still make rows visible here.

Rows become visible when their transaction commits, which is not in id order: a transaction that started first
may commit last. A reader that only takes rows whose txid is below every transaction still running (the
horizon) reads a prefix of a log that can no longer grow.

Transaction ids are shared by every database of the PostgreSQL cluster; a transaction running in another
database cannot write here, so it does not hold the horizon back (otherwise a long migration or test in a
neighbouring database would stall every reader here).
"""

from __future__ import annotations

from sqlalchemy import text

# A running transaction is ignored only when it is seen running in another database; one that ends between
# the snapshot and the read of pg_stat_activity (or is invisible to this role) keeps holding the horizon.
HORIZON_SQL = text(
    """
    SELECT pg_snapshot_xmax(s)::text::bigint AS xmax,
           pg_current_xact_id_if_assigned()::text::bigint AS own,
           ARRAY(
               SELECT x::text::bigint FROM pg_snapshot_xip(s) AS x
               WHERE NOT EXISTS (
                   SELECT 1 FROM pg_stat_activity a
                   WHERE a.backend_xid = x::xid
                     AND a.datid <> (SELECT oid FROM pg_database WHERE datname = current_database())
               )
           ) AS running
    FROM pg_current_snapshot() AS s
    """
)


def database_horizon(executor) -> int:
    """The smallest transaction id whose rows may still be invisible or yet to be written (`executor`: a
    Session or Connection); the caller's own uncommitted writes count as not final."""
    row = executor.execute(HORIZON_SQL).one()
    candidates = [row.xmax, *row.running]
    if row.own is not None:
        candidates.append(row.own)
    return min(candidates)

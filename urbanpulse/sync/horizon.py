"""Where the change log is final: history positions below which no new row can ever appear.

Every write records a history row in its own transaction, tagged with that transaction's id (`txid`). Rows
become visible when their transaction commits, which is not in id order: a transaction that started first
may commit last. A reader that only takes rows whose txid is below every transaction still running (the
horizon) reads a prefix of the log that can no longer grow, so a cursor past it never skips a change.

Transaction ids are shared by every database of the PostgreSQL cluster; a transaction running in another
database cannot write this history table, so it does not hold the horizon back (otherwise a long migration
or test in a neighbouring database would stall every sync here).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text

from urbanpulse.core.extensions import db

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


@dataclass(frozen=True, order=True)
class Position:
    """A place in the change log: history rows are ordered by (txid, id)."""

    txid: int
    id: int

    def as_list(self) -> list[int]:
        """[txid, id], as stored in a cursor."""
        return [self.txid, self.id]


START = Position(0, 0)


def horizon() -> int:
    """The smallest transaction id whose history rows may still be invisible or yet to be written."""
    row = db.session.execute(HORIZON_SQL).one()
    candidates = [row.xmax, *row.running]
    if row.own is not None:  # the caller's own uncommitted writes are not final either
        candidates.append(row.own)
    return min(candidates)


def final_position(entity_types: list[str], below: int) -> Position:
    """The last history position of `entity_types` with txid below `below` (START when there is none)."""
    row = db.session.execute(
        text(
            "SELECT txid, id FROM history WHERE txid < :below AND entity_type = ANY(:types) "
            "ORDER BY txid DESC, id DESC LIMIT 1"
        ),
        {"below": below, "types": entity_types},
    ).first()
    return Position(row.txid, row.id) if row else START


def changes_after(after: Position, below: int, entity_types: list[str], batch: int) -> list:
    """Up to `batch` history rows (entity_type, entity_id, txid, id) after `after` and below the horizon."""
    return db.session.execute(
        text(
            "SELECT entity_type, entity_id, txid, id FROM history "
            "WHERE (txid, id) > (:txid, :id) AND txid < :below AND entity_type = ANY(:types) "
            "ORDER BY txid, id LIMIT :batch"
        ),
        {"txid": after.txid, "id": after.id, "below": below, "types": entity_types, "batch": batch},
    ).all()

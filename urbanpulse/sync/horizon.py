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
from urbanpulse.core.horizon import database_horizon


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
    return database_horizon(db.session)


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

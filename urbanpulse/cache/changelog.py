"""The change log: one row per changed row of a content table, written by database triggers (migration 0007)
in the writing transaction, whoever writes (API, back office, CLI, import, another instance, an operator's SQL).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import shapely
from geoalchemy2 import Geometry
from shapely.geometry.base import BaseGeometry
from sqlalchemy import BigInteger, DateTime, Identity, Index, String, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, mapped_column

from urbanpulse.core.extensions import db
from urbanpulse.core.horizon import database_horizon

NOTIFY_CHANNEL = "urbanpulse_changes"
# Content tables whose triggers write the log, and the cache domain each belongs to.
DOMAIN_OF = {"pois": "pois", "routes": "routes", "route_stops": "routes", "events": "events"}


class ChangeLogEntry(db.Model):
    """A committed change of a content row: which row, its geometry before and after, and (events) the rows."""

    __tablename__ = "change_log"
    __table_args__ = (Index("ix_change_log_txid", "txid", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    txid: Mapped[int] = mapped_column(BigInteger, server_default=text("(pg_current_xact_id()::text::bigint)"))
    logged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=text("now()"))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    op: Mapped[str] = mapped_column(String(1))
    changed: Mapped[list[str] | None] = mapped_column(ARRAY(String))  # updated columns (None: insert, delete)
    old_geom = mapped_column(Geometry(srid=4326, spatial_index=False), nullable=True)
    new_geom = mapped_column(Geometry(srid=4326, spatial_index=False), nullable=True)
    old_row: Mapped[dict | None] = mapped_column(JSONB)
    new_row: Mapped[dict | None] = mapped_column(JSONB)


@dataclass(frozen=True)
class Change:
    """What one transaction did to one content row: its state before (None: created) and after (None: deleted)."""

    entity: str
    entity_id: uuid.UUID
    old_geom: BaseGeometry | None
    new_geom: BaseGeometry | None
    old_row: dict | None
    new_row: dict | None
    columns: frozenset[str]  # the columns an update changed (empty for a creation or deletion)
    created: bool
    deleted: bool

    def touches(self, columns: frozenset[str] | None) -> bool:
        """Whether the change created, deleted or changed any of `columns` (None: any column)."""
        if self.created or self.deleted:
            return True
        return bool(self.columns) if columns is None else not self.columns.isdisjoint(columns)

    @property
    def domain(self) -> str:
        """The cache domain this row belongs to."""
        return DOMAIN_OF[self.entity]


_UNREAD_SQL = text(
    """
    SELECT id, txid, entity, entity_id, op, changed, ST_AsBinary(old_geom) AS old_wkb, ST_AsBinary(new_geom) AS new_wkb,
           old_row, new_row
    FROM change_log
    WHERE txid >= :since AND NOT (id = ANY(:applied))
    ORDER BY id
    LIMIT :limit
    """
)


def unread_rows(conn: Connection, *, since_txid: int, applied: list[int], limit: int) -> list:
    """Committed log rows of transactions from `since_txid` on, minus those already `applied`, oldest first."""
    return conn.execute(_UNREAD_SQL, {"since": since_txid, "applied": applied, "limit": limit}).all()


def horizon(conn: Connection) -> int:
    """The oldest transaction still running here: every log row of an older one is committed (or never will be)."""
    return database_horizon(conn)


def per_transaction(rows) -> list[Change]:
    """One Change per (transaction, row): the state before the transaction's first write and after its last."""
    merged: dict[tuple[int, str, uuid.UUID], list] = {}
    for row in rows:
        merged.setdefault((row.txid, row.entity, row.entity_id), []).append(row)
    changes = []
    for (_, entity, entity_id), writes in merged.items():
        first, last = writes[0], writes[-1]
        changes.append(
            Change(
                entity=entity,
                entity_id=entity_id,
                old_geom=_shape(first.old_wkb),
                new_geom=_shape(last.new_wkb),
                old_row=first.old_row,
                new_row=last.new_row,
                columns=frozenset(column for write in writes for column in write.changed or ()),
                created=first.op == "I" and last.op != "D",
                deleted=last.op == "D" and first.op != "I",
            )
        )
    return changes


def _shape(wkb) -> BaseGeometry | None:
    return shapely.from_wkb(bytes(wkb)) if wkb is not None else None


def prune(conn: Connection, *, below_txid: int, keep_s: int) -> int:
    """Delete rows already relayed (older than `below_txid`) and older than `keep_s` seconds; how many."""
    result = conn.execute(
        text("DELETE FROM change_log WHERE txid < :below AND logged_at < now() - make_interval(secs => :keep)"),
        {"below": below_txid, "keep": keep_s},
    )
    return result.rowcount

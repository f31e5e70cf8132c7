"""The history table: one entry per change of any editable item."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, Integer, String, func, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from urbanpulse.core.extensions import db


class HistoryEntry(db.Model):
    """Who changed which fields of an item, from what to what, and when."""

    __tablename__ = "history"
    __table_args__ = (
        Index("ix_history_entity", "entity_type", "entity_id", "version"),
        Index("ix_history_txid", "txid", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    actor_label: Mapped[str] = mapped_column(String(254))
    changes: Mapped[dict] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # The writing transaction's top-level id, set by PostgreSQL: delta sync orders changes by (txid, id) and
    # only reads ids below every transaction still running, so no change can appear behind a sync cursor.
    txid: Mapped[int] = mapped_column(BigInteger, server_default=text("(pg_current_xact_id()::text::bigint)"))

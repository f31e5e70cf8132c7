"""What the importers remember: each imported object (source, external id) with the values last imported, and
each run with its counts, rejected objects and conflicts."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, Index, String, Text, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from urbanpulse.core.extensions import db


class ImportRecord(db.Model):
    """One upstream object and the item it became; `imported` holds the values last written by the import, so
    that a value changed since in our item is known to be the office's edit."""

    __tablename__ = "import_records"
    __table_args__ = (
        UniqueConstraint("source", "external_id", name="uq_import_records_source_external_id"),
        Index("ix_import_records_target", "kind", "target_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    source: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    upstream_updated: Mapped[str | None] = mapped_column(String(64))
    imported: Mapped[dict] = mapped_column(JSONB, default=dict, server_default="{}")
    state: Mapped[str] = mapped_column(String(16), default="active", server_default="active")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ImportRun(db.Model):
    """One run of an importer and what it did."""

    __tablename__ = "import_runs"
    __table_args__ = (Index("ix_import_runs_source_started", "source", "started_at"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    source: Mapped[str] = mapped_column(String(64))
    location: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), default="running", server_default="running")
    message: Mapped[str | None] = mapped_column(Text)  # why a run failed or unpublished nothing
    counts: Mapped[dict] = mapped_column(JSONB, default=dict, server_default="{}")
    rejected: Mapped[list] = mapped_column(JSONB, default=list, server_default="[]")
    conflicts: Mapped[list] = mapped_column(JSONB, default=list, server_default="[]")

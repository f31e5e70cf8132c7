"""The media table (one row per image of an item) and media_blobs (the PostgreSQL store's bytes)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from urbanpulse.core.extensions import db
from urbanpulse.core.models_common import TimestampMixin, uuid_pk

MEDIA_STATUSES = ("processing", "ready", "failed")


class Media(TimestampMixin, db.Model):
    """An image of a POI, route or event: its original, its derived sizes and its texts and rights."""

    __tablename__ = "media"
    __table_args__ = (
        CheckConstraint("status IN ('processing', 'ready', 'failed')", name="ck_media_status"),
        CheckConstraint("owner_type IN ('poi', 'route', 'event')", name="ck_media_owner_type"),
        Index("ix_media_owner", "owner_type", "owner_id", "position"),
        Index("ix_media_one_cover", "owner_type", "owner_id", unique=True, postgresql_where=text("is_cover")),
        Index("ix_media_processing", "updated_at", postgresql_where=text("status = 'processing'")),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    owner_type: Mapped[str] = mapped_column(String(16))
    owner_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    position: Mapped[int] = mapped_column(Integer)
    is_cover: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    original_key: Mapped[str] = mapped_column(String(80))
    original_type: Mapped[str] = mapped_column(String(32))
    original_bytes: Mapped[int] = mapped_column(BigInteger)
    filename: Mapped[str | None] = mapped_column(String(255))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    alt: Mapped[dict] = mapped_column(JSONB, default=dict, server_default="{}")
    caption: Mapped[dict] = mapped_column(JSONB, default=dict, server_default="{}")
    credit: Mapped[str | None] = mapped_column(String(300))
    licence: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16), default="processing", server_default="processing")
    # [{"width", "height", "format", "key", "bytes"}], filled by the processing job.
    sizes: Mapped[list] = mapped_column(JSONB, default=list, server_default="[]")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")
    )


class MediaBlob(db.Model):
    """The bytes of a stored file, content-addressed (the PostgreSQL store, shared by every instance)."""

    __tablename__ = "media_blobs"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


UPSTREAM_STATUSES = ("waiting", "fetched", "failed", "refused")


class UpstreamImage(TimestampMixin, db.Model):
    """An image an import found upstream for an item: fetched once in the background (never in the import's
    transaction) into a media row, with its credit and licence; `refused` when its licence forbids the app's
    use (never downloaded, never shown)."""

    __tablename__ = "upstream_images"
    __table_args__ = (
        CheckConstraint("status IN ('waiting', 'fetched', 'failed', 'refused')", name="ck_upstream_images_status"),
        Index("uq_upstream_images_owner_url", "owner_type", "owner_id", "url", unique=True),
        Index("ix_upstream_images_waiting", "updated_at", postgresql_where=text("status = 'waiting'")),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    owner_type: Mapped[str] = mapped_column(String(16))
    owner_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    url: Mapped[str] = mapped_column(String(2000))
    source: Mapped[str] = mapped_column(String(64))
    credit: Mapped[str | None] = mapped_column(String(300))
    licence: Mapped[str | None] = mapped_column(String(300))
    caption: Mapped[dict] = mapped_column(JSONB, default=dict, server_default="{}")
    status: Mapped[str] = mapped_column(String(16), default="waiting", server_default="waiting")
    # What the source declares of the file (size, date); a new value behind the same URL: fetched again.
    version: Mapped[str | None] = mapped_column(String(200))
    media_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))  # kept when the office deletes it
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    error: Mapped[str | None] = mapped_column(String(500))

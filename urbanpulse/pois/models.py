"""The pois table."""

from __future__ import annotations

import uuid
from datetime import datetime

from geoalchemy2 import Geography
from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from urbanpulse.core.extensions import db
from urbanpulse.core.models_common import TimestampMixin, uuid_pk

POI_STATUSES = ("draft", "published", "archived")
# Public reads filter on exactly this predicate so the partial indexes below apply.
PUBLIC_PREDICATE = "status = 'published' AND deleted_at IS NULL"


class Poi(TimestampMixin, db.Model):
    """A place a tourist can visit, with translations, hours and a WGS84 point."""

    __tablename__ = "pois"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'published', 'archived')", name="ck_pois_status"),
        Index("ix_pois_slug_pattern", "slug", postgresql_ops={"slug": "text_pattern_ops"}),
        Index(
            "ix_pois_public_location",
            "location",
            postgresql_using="gist",
            postgresql_where=text(PUBLIC_PREDICATE),
        ),
        Index(
            "ix_pois_public_category_location",
            "category",
            "location",
            postgresql_using="gist",
            postgresql_where=text(PUBLIC_PREDICATE),
        ),
        Index(
            "ix_pois_public_geom",
            text("(location::geometry)"),
            postgresql_using="gist",
            postgresql_where=text(PUBLIC_PREDICATE),
        ),
        Index(
            "ix_pois_search_text",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
            postgresql_where=text(PUBLIC_PREDICATE),
        ),
        # The map viewport's order (geo.viewport): geohash key then id, so a page of any box reads few rows.
        # Migration 0013 gives the key the "C" collation (byte order); reflection does not show collations.
        Index(
            "ix_pois_public_viewport",
            text("st_geohash(location, 12)"),
            "id",
            postgresql_where=text(PUBLIC_PREDICATE),
        ),
        Index(
            "ix_pois_public_category_viewport",
            "category",
            text("st_geohash(location, 12)"),
            "id",
            postgresql_where=text(PUBLIC_PREDICATE),
        ),
        Index("ix_pois_updated_at", "updated_at"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    category: Mapped[str] = mapped_column(String(32))
    tags: Mapped[list[str]] = mapped_column(ARRAY(String(40)), default=list, server_default="{}")
    name: Mapped[dict] = mapped_column(JSONB)
    description: Mapped[dict] = mapped_column(JSONB, default=dict, server_default="{}")
    location = mapped_column(Geography(geometry_type="POINT", srid=4326, spatial_index=False), nullable=False)
    address: Mapped[str | None] = mapped_column(String(300))
    opening_hours: Mapped[str | None] = mapped_column(String(500))
    accessibility: Mapped[dict] = mapped_column(JSONB, default=dict, server_default="{}")
    contact: Mapped[dict] = mapped_column(JSONB, default=dict, server_default="{}")
    media: Mapped[list] = mapped_column(JSONB, default=list, server_default="[]")
    status: Mapped[str] = mapped_column(String(16), default="draft", server_default="draft")
    source: Mapped[str | None] = mapped_column(Text)
    location_estimated: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")
    )
    updated_by: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")
    )
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

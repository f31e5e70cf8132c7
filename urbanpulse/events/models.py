"""The events table: one row per event (a recurring event is one row; occurrences are computed)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from geoalchemy2 import Geography
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Interval,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from urbanpulse.core.extensions import db
from urbanpulse.core.models_common import TimestampMixin, uuid_pk

# Public reads filter on exactly this predicate so the partial indexes below apply.
PUBLIC_PREDICATE = "publication = 'published' AND deleted_at IS NULL"
# The span from the first occurrence's start to the last one's end (NULL end: the rule never ends).
ACTIVE_RANGE_SQL = "tstzrange(active_from, active_until, '[]')"


class Event(TimestampMixin, db.Model):
    """An event, one-off or recurring, at a venue POI or at its own point."""

    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint(
            "status IN ('scheduled', 'cancelled', 'postponed', 'rescheduled', 'moved_online')",
            name="ck_events_status",
        ),
        CheckConstraint("publication IN ('draft', 'published')", name="ck_events_publication"),
        CheckConstraint("venue_poi_id IS NULL OR location IS NULL", name="ck_events_one_place"),
        CheckConstraint("ends_at >= starts_at", name="ck_events_end_after_start"),
        CheckConstraint("active_until IS NULL OR active_until >= active_from", name="ck_events_active_range"),
        Index(
            "ix_events_public_active",
            text(ACTIVE_RANGE_SQL),
            postgresql_using="gist",
            postgresql_where=text(PUBLIC_PREDICATE),
        ),
        Index("ix_events_active", text(ACTIVE_RANGE_SQL), postgresql_using="gist"),
        Index("ix_events_venue_poi_id", "venue_poi_id"),
        Index("ix_events_import_source", "import_source", postgresql_where=text("import_source IS NOT NULL")),
        Index("ix_events_updated_at", "updated_at"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    uid: Mapped[str] = mapped_column(String(255), unique=True)
    title: Mapped[dict] = mapped_column(JSONB)
    description: Mapped[dict] = mapped_column(JSONB, default=dict, server_default="{}")
    category: Mapped[str] = mapped_column(String(32))
    venue_poi_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("pois.id", ondelete="SET NULL")
    )
    location = mapped_column(Geography(geometry_type="POINT", srid=4326, spatial_index=False), nullable=True)
    address: Mapped[str | None] = mapped_column(String(300))
    # The schedule, in the event's wall-clock time so 08:00 stays 08:00 across daylight-saving changes.
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Paris", server_default="Europe/Paris")
    all_day: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    dtstart_local: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    duration: Mapped[timedelta] = mapped_column(Interval)
    rrule: Mapped[str | None] = mapped_column(String(500))
    exdates: Mapped[list[datetime]] = mapped_column(ARRAY(DateTime(timezone=False)), default=list, server_default="{}")
    rdates: Mapped[list[datetime]] = mapped_column(ARRAY(DateTime(timezone=False)), default=list, server_default="{}")
    # Derived from the schedule (UTC): the first occurrence, and the span every occurrence lies in.
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    active_from: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    active_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), default="scheduled", server_default="scheduled")
    publication: Mapped[str] = mapped_column(String(16), default="draft", server_default="draft")
    price: Mapped[str | None] = mapped_column(String(200))
    organiser: Mapped[str | None] = mapped_column(String(300))
    booking_url: Mapped[str | None] = mapped_column(String(1000))
    online_url: Mapped[str | None] = mapped_column(String(1000))
    source: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    # Set for events created by `flask events import`: the feed (URL or absolute path) they came from.
    import_source: Mapped[str | None] = mapped_column(String(2000))
    # The served list of its images, written by urbanpulse.media (never by the item's own PATCH).
    media: Mapped[list] = mapped_column(JSONB, default=list, server_default="[]")
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")
    )
    updated_by: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")
    )
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

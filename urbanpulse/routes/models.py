"""The routes and route_stops tables."""

from __future__ import annotations

import uuid
from datetime import datetime

from geoalchemy2 import Geography
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from urbanpulse.core.extensions import db
from urbanpulse.core.models_common import TimestampMixin, uuid_pk

# Public reads filter on exactly this predicate so the partial index below applies.
PUBLIC_PREDICATE = "status = 'published' AND deleted_at IS NULL"


class Route(TimestampMixin, db.Model):
    """A walk, ride or boat trip: a WGS84 line with derived length and duration."""

    __tablename__ = "routes"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'published')", name="ck_routes_status"),
        CheckConstraint("kind IN ('walk', 'bike', 'boat')", name="ck_routes_kind"),
        CheckConstraint("length_m > 0", name="ck_routes_length"),
        Index("ix_routes_public_geom", "geom", postgresql_using="gist", postgresql_where=text(PUBLIC_PREDICATE)),
        Index("ix_routes_updated_at", "updated_at"),
        Index("ix_routes_slug_pattern", "slug", postgresql_ops={"slug": "text_pattern_ops"}),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[dict] = mapped_column(JSONB)
    summary: Mapped[dict] = mapped_column(JSONB, default=dict, server_default="{}")
    description: Mapped[dict] = mapped_column(JSONB, default=dict, server_default="{}")
    theme: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    difficulty: Mapped[str] = mapped_column(String(16))
    is_loop: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    # Always a MultiLineString (one part for a plain line); served as a LineString when it has one part.
    geom = mapped_column(Geography(geometry_type="MULTILINESTRING", srid=4326, spatial_index=False), nullable=False)
    length_m: Mapped[float] = mapped_column(Double)
    duration_min: Mapped[int] = mapped_column(Integer)
    official_length_m: Mapped[float | None] = mapped_column(Double)
    estimated_waypoints: Mapped[list[int]] = mapped_column(ARRAY(Integer), default=list, server_default="{}")
    status: Mapped[str] = mapped_column(String(16), default="draft", server_default="draft")
    source: Mapped[str | None] = mapped_column(Text)
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


class RouteStop(db.Model):
    """A stop of a route: a POI, in order, with where it projects onto the line."""

    __tablename__ = "route_stops"
    __table_args__ = (
        CheckConstraint("position >= 1", name="ck_route_stops_position"),
        Index("ix_route_stops_poi_id", "poi_id"),
    )

    route_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("routes.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    poi_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("pois.id", ondelete="RESTRICT"))
    note: Mapped[dict] = mapped_column(JSONB, default=dict, server_default="{}")
    trigger_radius_m: Mapped[int] = mapped_column(Integer)
    # Derived at write time from the POI position recorded next to it; recomputed at read if the POI moved.
    distance_along_m: Mapped[float] = mapped_column(Double)
    offset_m: Mapped[float] = mapped_column(Double)
    poi_lon: Mapped[float] = mapped_column(Double)
    poi_lat: Mapped[float] = mapped_column(Double)

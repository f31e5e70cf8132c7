"""The api_keys table (hashes only, never a key) and api_key_usage (requests per key, day and API group)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.dialects.postgresql import ARRAY, CIDR, UUID
from sqlalchemy.orm import Mapped, mapped_column

from urbanpulse.core.extensions import db
from urbanpulse.core.models_common import TimestampMixin, uuid_pk

STATUSES = ("active", "suspended", "revoked")


class ApiKey(TimestampMixin, db.Model):
    """A third party's key: who holds it, how it is recognised, what it may do and how much."""

    __tablename__ = "api_keys"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'suspended', 'revoked')", name="ck_api_keys_status"),
        CheckConstraint("per_minute > 0 AND per_day > 0", name="ck_api_keys_quotas"),
        Index("ix_api_keys_hash", "hash", unique=True),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(120))
    owner_email: Mapped[str] = mapped_column(String(254))
    # The first characters of the key (`upb_live_` and a few more), shown to tell keys apart.
    prefix: Mapped[str] = mapped_column(String(24))
    # SHA-256 of the whole key: keys are 256 random bits, so a fast hash is enough (nothing to guess) and cheap
    # on every request, unlike a password hash.
    hash: Mapped[str] = mapped_column(String(64))
    per_minute: Mapped[int] = mapped_column(Integer)
    per_day: Mapped[int] = mapped_column(Integer)
    allowed_origins: Mapped[list[str]] = mapped_column(ARRAY(Text()), default=list, server_default="{}")
    allowed_cidrs: Mapped[list] = mapped_column(ARRAY(CIDR()), default=list, server_default="{}")
    groups: Mapped[list[str]] = mapped_column(ARRAY(Text()), default=list, server_default="{}")
    status: Mapped[str] = mapped_column(String(16), default="active", server_default="active")
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")
    )
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ApiKeyUsage(db.Model):
    """One key's counts for one day (UTC) and one API group, flushed from Redis."""

    __tablename__ = "api_key_usage"

    key_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("api_keys.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    group: Mapped[str] = mapped_column(String(32), primary_key=True)
    requests: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    client_errors: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    throttled: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")

"""The users table: tourism-office accounts."""

from __future__ import annotations

import uuid

from sqlalchemy import Boolean, CheckConstraint, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from urbanpulse.core.extensions import db
from urbanpulse.core.models_common import TimestampMixin, uuid_pk

ROLES = ("editor", "admin")


class User(TimestampMixin, db.Model):
    """An account that may write content (editor) and manage accounts (admin)."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('editor', 'admin')", name="ck_users_role"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    email: Mapped[str] = mapped_column(String(254), unique=True, index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    # Bumped by a password change or a deactivation; bearer tokens carry it and die when it moves on.
    token_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

"""Imports every domain's models so the metadata (Alembic, tests) sees all tables."""

from urbanpulse.auth.models import User  # noqa: F401

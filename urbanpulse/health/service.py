"""Checks behind /readyz: PostgreSQL reachable and migrated to head, Redis reachable."""

from __future__ import annotations

import functools
from pathlib import Path

from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from urbanpulse.core.extensions import db, redis_client

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


@functools.cache
def migration_heads() -> frozenset[str]:
    """The head revisions of the migration scripts shipped with this code."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def check_database() -> dict:
    """{"status": "ok"|"down"|"outdated", ...} for PostgreSQL and the migration level."""
    try:
        with db.engine.connect() as conn:
            applied = frozenset(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    except SQLAlchemyError as error:
        return {"status": "down", "detail": type(getattr(error, "orig", error)).__name__}
    heads = migration_heads()
    if applied != heads:
        return {
            "status": "outdated",
            "detail": f"database at {sorted(applied)}, code expects {sorted(heads)}",
        }
    return {"status": "ok"}


def check_redis() -> dict:
    """{"status": "ok"|"down"} for Redis."""
    try:
        redis_client.ping()
    except Exception as error:
        return {"status": "down", "detail": type(error).__name__}
    return {"status": "ok"}


def readiness() -> tuple[bool, dict]:
    """Whether the service can serve traffic, and the state of each dependency."""
    checks = {"postgres": check_database(), "redis": check_redis()}
    ready = checks["postgres"]["status"] == "ok"
    status = "ok" if ready and checks["redis"]["status"] == "ok" else ("degraded" if ready else "unavailable")
    return ready, {"status": status, "checks": checks}

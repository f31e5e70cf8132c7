"""Checks behind /readyz: PostgreSQL reachable and migrated to head (else a read replica), Redis reachable."""

from __future__ import annotations

import functools
from pathlib import Path

from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from urbanpulse.core import replicas
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
    return _check_migrated(db.engine)


def _check_migrated(engine) -> dict:
    try:
        with engine.connect() as conn:
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


def check_replicas() -> dict:
    """{"status": "ok"|"down", "serving": n} for the configured read replicas (each reachable and migrated)."""
    states = [_check_migrated(replica.engine)["status"] for replica in replicas.configured_replicas()]
    serving = states.count("ok")
    return {"status": "ok" if serving else "down", "serving": serving, "configured": len(states)}


def check_redis() -> dict:
    """{"status": "ok"|"down"} for Redis."""
    try:
        redis_client.ping()
    except Exception as error:
        return {"status": "down", "detail": type(error).__name__}
    return {"status": "ok"}


def readiness() -> tuple[bool, dict]:
    """Whether the service can serve traffic, and the state of each dependency.

    With the primary down, an instance whose replicas answer still serves reads (writes get 503): it stays
    ready, degraded, so the balancer keeps sending it the reads rather than failing them all.
    """
    checks = {"postgres": check_database(), "redis": check_redis()}
    ready = checks["postgres"]["status"] == "ok"
    reads_only = False
    if checks["postgres"]["status"] == "down" and replicas.configured_replicas():
        checks["replicas"] = check_replicas()
        ready = reads_only = checks["replicas"]["status"] == "ok"
    healthy = ready and not reads_only and checks["redis"]["status"] == "ok"
    status = "ok" if healthy else ("degraded" if ready else "unavailable")
    return ready, {"status": status, "checks": checks}

"""Configured sources and their runs through the job queue: scheduled (every `every_h` hours after the source's last
run, as import_runs records it) or asked for from the back office ("run now"). One run of a source at a time
(a PostgreSQL advisory lock), whoever queued it.

IMPORT_SOURCES is a JSON list, e.g.
`[{"name": "datatourisme", "location": "/srv/flux/boulonnais.zip", "every_h": 24},
  {"name": "openagenda", "location": "https://api.openagenda.com/v2/agendas/123/events", "every_h": 1,
   "incremental": true}]`: `name` is the source (datatourisme, openagenda, tourinsoft); `every_h` 0 runs only on
request; `partial` and (OpenAgenda, the DATAtourisme API: location `api` or its URL) `incremental` (read what
changed since the last successful run) as the CLI's flags. Keys stay in the environment (OPENAGENDA_API_KEY,
DATATOURISME_API_KEY), never in this setting.
"""

from __future__ import annotations

import contextlib
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import redis
from flask import current_app
from rq import Queue
from sqlalchemy import func, select, text

from urbanpulse.core.extensions import db
from urbanpulse.core.redis_client import RedisTarget
from urbanpulse.imports import engine
from urbanpulse.imports.models import ImportRun
from urbanpulse.imports.readers import SOURCE_KINDS, import_area, open_source

log = logging.getLogger(__name__)
QUEUE = "imports"
JOB_TIMEOUT_S = 3 * 3600


class SourcesMisconfigured(ValueError):
    """IMPORT_SOURCES does not read; the message says where."""


@dataclass(frozen=True)
class ConfiguredSource:
    """A source the office imports from regularly."""

    name: str
    location: str
    every_h: float = 0
    partial: bool = False
    incremental: bool = False


def configured_sources() -> dict[str, ConfiguredSource]:
    """IMPORT_SOURCES by name; SourcesMisconfigured naming the fault."""
    raw = current_app.config.get("IMPORT_SOURCES") or "[]"
    try:
        entries = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError as error:
        raise SourcesMisconfigured(f"IMPORT_SOURCES is not JSON: {error}") from None
    if not isinstance(entries, list):
        raise SourcesMisconfigured("IMPORT_SOURCES must be a JSON list of sources")
    sources = {}
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or entry.get("name") not in SOURCE_KINDS:
            raise SourcesMisconfigured(f"IMPORT_SOURCES[{number}]: name must be one of {', '.join(SOURCE_KINDS)}")
        unknown = set(entry) - {"name", "location", "every_h", "partial", "incremental"}
        if unknown or not isinstance(entry.get("location"), str) or not entry["location"]:
            fault = ", ".join(sorted(unknown)) or "location missing"
            raise SourcesMisconfigured(
                f"IMPORT_SOURCES[{number}]: a location, and no other keys than every_h, partial, incremental ({fault})"
            )
        every_h = entry.get("every_h", 0)
        if not isinstance(every_h, int | float) or isinstance(every_h, bool) or not 0 <= every_h <= 24 * 366:
            raise SourcesMisconfigured(f"IMPORT_SOURCES[{number}]: every_h must be a number of hours (0: on request)")
        if entry["name"] in sources:
            raise SourcesMisconfigured(f"IMPORT_SOURCES[{number}]: {entry['name']} is configured twice")
        sources[entry["name"]] = ConfiguredSource(
            entry["name"], entry["location"], float(every_h), bool(entry.get("partial")), bool(entry.get("incremental"))
        )
    return sources


def _queued_key(name: str) -> str:
    from urbanpulse.core.redis_client import database_namespace

    return f"up:{database_namespace()}:imports:queued:{name}"


def _queue() -> Queue:
    connection = RedisTarget.of(current_app.config).connect(socket_connect_timeout=2, socket_timeout=30)
    return Queue(QUEUE, connection=connection)


def enqueue_run(name: str) -> bool:
    """Queue a run of the configured source `name`; False when one is already queued (or Redis is away)."""
    if name not in configured_sources():
        raise KeyError(name)
    target = _queue()
    try:
        if not target.connection.set(_queued_key(name), 1, nx=True, ex=JOB_TIMEOUT_S):
            return False
        target.enqueue_call("urbanpulse.imports.schedule.run_job", args=(name,), timeout=JOB_TIMEOUT_S,
                            result_ttl=86400, failure_ttl=86400)  # fmt: skip
    except (redis.RedisError, OSError) as error:
        log.warning("import of %s not queued: %s", name, error)
        return False
    return True


def due_sources(now: datetime | None = None) -> list[str]:
    """The scheduled sources whose last run started `every_h` hours ago or more (or never ran)."""
    now = now or datetime.now(UTC)
    sources = [source for source in configured_sources().values() if source.every_h > 0]
    if not sources:
        return []
    last = dict(
        db.session.execute(
            select(ImportRun.source, func.max(ImportRun.started_at))
            .where(ImportRun.source.in_([s.name for s in sources]))
            .group_by(ImportRun.source)
        ).all()
    )
    db.session.rollback()
    return [s.name for s in sources if last.get(s.name) is None or last[s.name] <= now - timedelta(hours=s.every_h)]


def queue_due() -> list[str]:
    """Queue a run of every due source (the worker's sweep calls this every minute); the names queued."""
    return [name for name in due_sources() if enqueue_run(name)]


def _last_success_start(name: str) -> str | None:
    started = db.session.scalar(
        select(func.max(ImportRun.started_at)).where(ImportRun.source == name, ImportRun.status == "ok")
    )
    return started.isoformat() if started else None


def run_source(name: str) -> dict:
    """Run the configured source `name` now, in this process (one run of a source at a time); its report."""
    source = configured_sources()[name]
    lock = text("SELECT pg_try_advisory_lock(hashtext(:key))")
    connection = db.engine.connect()
    try:
        if not connection.execute(lock, {"key": f"import:{name}"}).scalar():
            return {"source": name, "status": "already_running"}
        since = _last_success_start(name) if source.incremental else None
        area = import_area()
        try:
            opened = open_source(name, source.location, partial=source.partial, since=since)
        except engine.SourceError as error:
            engine.record_failure(name, source.location.split("?")[0], str(error))
            log.warning("scheduled import of %s failed: %s", name, error)
            return {"source": name, "status": "failed", "message": str(error)}
        try:
            report = engine.run(name, opened.objects, area=area, complete=opened.complete, location=opened.location)
        except engine.SourceError as error:  # recorded as a failed run by the engine
            log.warning("scheduled import of %s failed: %s", name, error)
            return {"source": name, "status": "failed", "message": str(error)}
        return report.as_dict()
    finally:
        connection.execute(text("SELECT pg_advisory_unlock_all()"))
        connection.close()


def run_job(name: str) -> dict:
    """The queued job: forget the queued mark, then run the source."""
    with contextlib.suppress(redis.RedisError, OSError):  # else it expires
        _queue().connection.delete(_queued_key(name))
    try:
        return run_source(name)
    finally:
        db.session.remove()

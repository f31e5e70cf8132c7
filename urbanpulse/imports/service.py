"""What the back office shows of the imports, and the one write it makes: an editor taking the upstream value of a
field the import left because the office had edited it (through the item's own service, as `take_upstream`)."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from urbanpulse.core.errors import Conflict, NotFound
from urbanpulse.core.extensions import db
from urbanpulse.editing import unit
from urbanpulse.editing.actor import Actor
from urbanpulse.imports.engine import stored
from urbanpulse.imports.models import ImportRecord, ImportRun
from urbanpulse.imports.targets import TARGETS

RUNS_SHOWN = 20


def sources_overview() -> list[dict]:
    """Each source that ever ran: its latest run and how many of its objects are active / unpublished here."""
    latest = select(ImportRun).distinct(ImportRun.source).order_by(ImportRun.source, ImportRun.started_at.desc())
    runs = {run.source: run for run in db.session.scalars(latest)}
    states = db.session.execute(
        select(ImportRecord.source, ImportRecord.state, func.count()).group_by(ImportRecord.source, ImportRecord.state)
    )
    counts: dict[str, dict[str, int]] = {}
    for source, state, number in states:
        counts.setdefault(source, {})[state] = number
    return [
        {"source": source, "last_run": run, "objects": counts.get(source, {})} for source, run in sorted(runs.items())
    ]


def recent_runs(source: str, limit: int = RUNS_SHOWN) -> list[ImportRun]:
    """The source's latest runs, newest first."""
    query = select(ImportRun).where(ImportRun.source == source).order_by(ImportRun.started_at.desc()).limit(limit)
    return list(db.session.scalars(query))


def get_run(run_id: uuid.UUID) -> ImportRun:
    """One run (404 when unknown)."""
    run = db.session.get(ImportRun, run_id)
    if run is None:
        raise NotFound("no such import run")
    return run


def take_upstream(*, run_id: uuid.UUID, external_id: str, field: str, actor: Actor) -> ImportRecord:
    """Write the upstream value that run `run_id` reported in conflict for `field` of `external_id` into the
    item (history, cache and live feed as any edit), and remember it as imported: the conflict is resolved."""
    run = get_run(run_id)
    conflict = next((c for c in run.conflicts or [] if c.get("id") == external_id), None)
    reported = next((f for f in (conflict or {}).get("fields", []) if f.get("field") == field), None)
    if reported is None:
        raise NotFound(f"run {run_id} reported no conflict on {field} of {external_id}")
    record = db.session.execute(
        select(ImportRecord).where(ImportRecord.source == run.source, ImportRecord.external_id == external_id)
    ).scalar_one_or_none()
    if record is None:
        raise NotFound(f"{external_id} is not imported from {run.source}")
    target = TARGETS[record.kind]
    if target.current(record.target_id) is None:
        raise Conflict("the item was deleted here; there is nothing to update")
    with unit.batch():  # the item's change and the record's commit together
        target.update(record.target_id, {field: reported["upstream"]}, actor)
        record.imported = {**record.imported, field: stored(reported["upstream"])}
    return record

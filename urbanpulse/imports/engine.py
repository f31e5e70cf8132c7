"""The rules every importer keeps, whatever the source:

- idempotent: one item per (source, external id); an object whose upstream update stamp has not changed is
  skipped, and running the same snapshot twice changes nothing (and says so);
- the office's edits win: a field whose value in our item differs from the value the import last wrote was
  edited here, so the import leaves it and records a conflict (once the office takes the upstream value, the
  conflict is resolved);
- deletions are safe: an object missing from a complete snapshot is unpublished (a tombstone for the offline
  app), never deleted; items entered by hand or from another source are never touched; a snapshot under half
  of the previous one (or empty) unpublishes nothing without `allow_shrink`;
- bad objects are rejected one by one with their id and reason, and the rest imports.

Every write goes through the domains' service functions (history entry with `import:<source>` as actor, cache
invalidation, live feed); the writes of a few hundred objects share a transaction, their new rows inserted
together at its commit, and an object refused after it wrote is undone alone by importing its batch again with a
savepoint per object (urbanpulse.editing.unit).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import SQLAlchemyError

from urbanpulse.core.errors import DomainError, ValidationFailed
from urbanpulse.core.extensions import db
from urbanpulse.editing import unit
from urbanpulse.editing.actor import Actor
from urbanpulse.imports.models import ImportRecord, ImportRun
from urbanpulse.imports.targets import TARGETS
from urbanpulse.media import upstream

BATCH_SIZE = 200  # objects per transaction: the commit and the change relay are paid once per batch
SHRINK_FLOOR = 0.5  # a complete snapshot under half of the previous one is suspicious
GEOMETRY = "geometry"


class SourceError(Exception):
    """The source itself could not be read (the command exits non-zero; nothing is unpublished)."""


@dataclass(frozen=True)
class Candidate:
    """An upstream object ready to import: its kind (poi, event, route), update stamp, fields and (lon, lat);
    a route's position may be unknown (None) until its steps are resolved. `images` ({url, credit, licence,
    caption}) go to the media pipeline (urbanpulse.media.upstream), not through the compared fields."""

    external_id: str
    kind: str
    updated: str | None
    fields: dict
    position: tuple[float, float] | None
    images: tuple = ()


@dataclass(frozen=True)
class Rejection:
    """An upstream object that cannot be imported, and why."""

    external_id: str
    reason: str


@dataclass(frozen=True)
class Removal:
    """An upstream object that its source says was removed (an incremental read): it is unpublished here."""

    external_id: str


@dataclass
class Report:
    """What a run did."""

    source: str
    counts: dict = field(
        default_factory=lambda: dict.fromkeys(
            ("created", "updated", "unchanged", "unpublished", "republished", "rejected", "conflicts"), 0
        )
    )
    rejected: list = field(default_factory=list)
    conflicts: list = field(default_factory=list)
    status: str = "ok"
    message: str = ""
    images_waiting: list = field(default_factory=list)  # upstream images to fetch once the run has committed

    def as_dict(self) -> dict:
        """The report as JSON-ready data."""
        return {
            "source": self.source,
            "status": self.status,
            "message": self.message,
            "counts": self.counts,
            "rejected": self.rejected,
            "conflicts": self.conflicts,
        }


def comparable(value) -> str:
    """A value as canonical JSON, so that stored and fresh values compare equal when they mean the same."""

    def default(item):
        if isinstance(item, datetime):
            return item.replace(tzinfo=None).isoformat(timespec="minutes")
        return str(item)

    if isinstance(value, dict):
        value = {key: item for key, item in value.items() if item not in (None, "", [], {})}
    if value in ("", [], {}):
        value = None
    return json.dumps(value, sort_keys=True, default=default, ensure_ascii=False)


def stored(value):
    """A value as kept in import_records.imported (JSON)."""
    return json.loads(comparable(value))


def run(
    source: str,
    objects: Iterable[Candidate | Rejection | Removal],
    *,
    area: tuple[float, float, float, float],
    complete: bool = True,
    allow_shrink: bool = False,
    location: str | None = None,
) -> Report:
    """Import `objects` of `source`; see the module's rules. Raises SourceError when the source is unreadable.

    Objects are read BATCH_SIZE at a time: their import records come in one query, and their writes commit
    together (a refused object is undone alone, see `_import_chunk`); memory stays flat in the size of the
    snapshot."""
    actor = Actor.system(f"import:{source}")
    report = Report(source)
    run_row = ImportRun(source=source, location=location)
    db.session.add(run_row)
    db.session.commit()
    seen: set[str] = set()
    deferred: list[Candidate] = []
    stream = iter(objects)
    while True:
        chunk, failure = _next_chunk(stream)
        _import_chunk(chunk, source, area, actor, report, seen, deferred)
        _progress(run_row, report)
        if failure is not None:
            _finish(run_row, report, status="failed", message=str(failure))
            raise failure
        if len(chunk) < BATCH_SIZE:
            break
    # Objects that name others of the source (a tour's steps) come last, once those others exist.
    for start in range(0, len(deferred), BATCH_SIZE):
        _import_chunk(deferred[start : start + BATCH_SIZE], source, area, actor, report, seen, None)
        _progress(run_row, report)
    if complete:
        _unpublish_missing(source, seen, actor, report, allow_shrink=allow_shrink)
    _finish(run_row, report, status=report.status, message=report.message)
    upstream.queue(report.images_waiting)  # fetched by the media worker, once their rows are committed
    return report


def _next_chunk(stream) -> tuple[list, SourceError | None]:
    chunk: list = []
    try:
        for item in stream:
            chunk.append(item)
            if len(chunk) == BATCH_SIZE:
                break
    except SourceError as error:
        return chunk, error
    return chunk, None


def _import_chunk(chunk: list, source: str, area, actor: Actor, report: Report, seen: set[str], deferred) -> None:
    """Import one batch; with a `deferred` list, candidates whose target is deferred are put there instead.

    First as a deferred batch (no savepoint per object; each table's new rows go in one statement at the commit);
    when an object must be undone after it wrote, or the batch's writes fail, the batch is rolled back and imported
    again with a savepoint per object, which undoes such an object alone (or fails where it always did)."""
    if deferred is not None:
        now = []
        for item in chunk:
            (deferred if _is_deferred(item) else now).append(item)
        chunk = now
    rewind = _rewinder(report)
    try:
        _write_chunk(chunk, source, area, actor, report, seen, deferred=True)
    except (unit.Retry, SQLAlchemyError):
        rewind()
        _write_chunk(chunk, source, area, actor, report, seen, deferred=False)


def _rewinder(report: Report):
    """A function putting the report back as it is now (what a rolled-back batch had added is forgotten)."""
    counts = dict(report.counts)
    lengths = len(report.rejected), len(report.conflicts), len(report.images_waiting)

    def rewind() -> None:
        report.counts.update(counts)
        for items, length in zip((report.rejected, report.conflicts, report.images_waiting), lengths, strict=True):
            del items[length:]

    return rewind


def _write_chunk(chunk: list, source: str, area, actor: Actor, report: Report, seen: set[str], *, deferred: bool):
    records = _records(source, [item.external_id for item in chunk])
    known = set(records)
    with unit.batch(deferred=deferred):
        _reserve(chunk, records)
        for item in chunk:
            seen.add(item.external_id)
            if isinstance(item, Rejection):
                _reject(report, item.external_id, item.reason)
            elif isinstance(item, Removal):
                record = records.get(item.external_id)
                if record is not None and record.state == "active":
                    _unpublish(record, actor, report)
            elif item.position is not None and not _inside(item.position, area):
                _reject(report, item.external_id, "outside the configured area")
            else:
                try:
                    with unit.item():
                        _import_one(item, source, area, actor, report, records)
                except DomainError as error:
                    _reject(report, item.external_id, _reason(error))
        db.session.add_all(record for external_id, record in records.items() if external_id not in known)


def _reserve(chunk: list, records: dict) -> None:
    """Let the targets prepare, in a few statements, what the batch's new objects will claim (their slugs)."""
    creating: dict[str, list[dict]] = {}
    for item in chunk:
        if isinstance(item, Candidate) and item.external_id not in records:
            creating.setdefault(item.kind, []).append(item.fields)
    for kind, fields in creating.items():
        reserve = getattr(TARGETS[kind], "reserve", None)
        if reserve is not None:
            reserve(fields)


def _is_deferred(item) -> bool:
    return isinstance(item, Candidate) and getattr(TARGETS[item.kind], "deferred", False)


def _reason(error: DomainError) -> str:
    fields = [
        f"{item.get('field')}: {'; '.join(item.get('messages') or [item.get('message')])}"
        for item in getattr(error, "errors", None) or []
    ]
    return "; ".join(fields) or str(error)


def _reject(report: Report, external_id: str, reason: str) -> None:
    report.counts["rejected"] += 1
    report.rejected.append({"id": external_id, "reason": reason})


def _inside(position, area) -> bool:
    lon, lat = position
    return area[0] <= lon <= area[2] and area[1] <= lat <= area[3]


def _records(source: str, external_ids: list[str]) -> dict[str, ImportRecord]:
    if not external_ids:
        return {}
    rows = db.session.execute(
        db.select(ImportRecord).where(ImportRecord.source == source, ImportRecord.external_id.in_(external_ids))
    ).scalars()
    return {row.external_id: row for row in rows}


def _import_one(item: Candidate, source: str, area, actor: Actor, report: Report, records: dict) -> None:
    target = TARGETS[item.kind]
    given, position = item.fields, item.position
    if getattr(target, "deferred", False):
        given = target.prepare(item.fields, source)
        position = tuple(given["line"][0])  # where a tour starts is known once its steps are resolved
        if not _inside(position, area):
            raise ValidationFailed("outside the configured area")
    fields = {**given, GEOMETRY: list(position)}
    record = records.get(item.external_id)
    if record is None:
        target_id = target.create(given, position, actor, source=source, external_id=item.external_id)
        record = ImportRecord(
            source=source,
            external_id=item.external_id,
            kind=item.kind,
            target_id=target_id,
            upstream_updated=item.updated,
            imported={name: stored(value) for name, value in fields.items()},
        )
        # Inserted with the rest of the batch (one statement for all) when the batch commits; the same object twice
        # in one snapshot is then an update of this record.
        records[item.external_id] = record
        report.counts["created"] += 1
        _offer_images(item, target_id, source, report)
        return
    came_back = record.state == "unpublished"
    if item.updated and item.updated == record.upstream_updated and not came_back:
        report.counts["unchanged"] += 1  # whatever the office did since (even a deletion) stays as it is
        return
    current = target.current(record.target_id)
    if current is None:  # deleted here by the office: an import never brings it back
        report.counts["unchanged"] += 1
        return
    changes, imported, conflicts = {}, dict(record.imported), []
    for name, value in fields.items():
        fresh, last, ours = comparable(value), comparable(record.imported.get(name)), comparable(current.get(name))
        if fresh == ours:
            imported[name] = stored(value)  # nothing to write (or the office took the upstream value)
        elif fresh == last:
            continue  # upstream did not change this field; ours may be the office's edit
        elif ours != last:
            conflicts.append({"field": name, "ours": json.loads(ours), "upstream": json.loads(fresh)})
        else:
            changes[name] = value
            imported[name] = stored(value)
    if changes or came_back:
        target.update(record.target_id, changes, actor, republish=came_back)
    _offer_images(item, record.target_id, source, report)
    record.imported, record.upstream_updated, record.state = imported, item.updated, "active"
    record.updated_at = datetime.now(UTC)
    db.session.flush()
    if came_back:
        report.counts["republished"] += 1
    if changes:
        report.counts["updated"] += 1
    elif not came_back:
        report.counts["unchanged"] += 1
    if conflicts:
        report.counts["conflicts"] += 1
        report.conflicts.append(
            {"id": item.external_id, "kind": item.kind, "target_id": str(record.target_id), "fields": conflicts}
        )


def _offer_images(item: Candidate, target_id, source: str, report: Report) -> None:
    if item.images:
        report.images_waiting += upstream.offer(
            entity_type=item.kind, item_id=target_id, images=list(item.images), source=source
        )


def _unpublish_missing(source: str, seen: set[str], actor: Actor, report: Report, *, allow_shrink: bool) -> None:
    active = db.session.scalar(
        db.select(db.func.count()).where(ImportRecord.source == source, ImportRecord.state == "active")
    )
    missing_ids = db.select(ImportRecord.id).where(
        ImportRecord.source == source,
        ImportRecord.state == "active",
        # One array parameter, not one bind per id: a 10,000-object snapshot stays one small statement.
        ImportRecord.external_id != sa.all_(sa.bindparam("seen", sorted(seen), type_=ARRAY(sa.String))),
    )
    missing = list(db.session.scalars(missing_ids))
    if not missing:
        return
    if not allow_shrink and (not seen or len(seen) < SHRINK_FLOOR * active):
        report.status = "shrink_refused"
        report.message = (
            f"the snapshot holds {len(seen)} objects, under {SHRINK_FLOOR:.0%} of the {active} imported before: "
            f"{len(missing)} would be unpublished; nothing was (run again with --allow-shrink to confirm)"
        )
        return
    for start in range(0, len(missing), BATCH_SIZE):
        ids = missing[start : start + BATCH_SIZE]
        with unit.batch():
            for record in db.session.scalars(db.select(ImportRecord).where(ImportRecord.id.in_(ids))).all():
                _unpublish(record, actor, report)


def _unpublish(record: ImportRecord, actor: Actor, report: Report) -> None:
    try:
        with unit.item():
            TARGETS[record.kind].unpublish(record.target_id, actor)
    except DomainError:
        pass  # deleted here meanwhile: nothing to unpublish
    record.state = "unpublished"
    record.updated_at = datetime.now(UTC)
    report.counts["unpublished"] += 1


def _progress(run_row: ImportRun, report: Report) -> None:
    """The counts so far, for the Imports page while the run goes on (one small commit per batch)."""
    run_row.counts = dict(report.counts)
    db.session.commit()


def record_failure(source: str, location: str | None, message: str) -> None:
    """A run that could not even open its source, recorded as failed (the Imports page and the schedule see it)."""
    _finish(ImportRun(source=source, location=location), Report(source), status="failed", message=message)


def _finish(run_row: ImportRun, report: Report, *, status: str, message: str) -> None:
    run_row.finished_at = datetime.now(UTC)
    run_row.status = status
    run_row.message = message or None
    run_row.counts = report.counts
    run_row.rejected = report.rejected[:1000]
    run_row.conflicts = report.conflicts[:1000]
    report.status, report.message = status, message
    db.session.add(run_row)
    db.session.commit()

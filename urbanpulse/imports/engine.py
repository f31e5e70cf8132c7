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
invalidation, live feed), one object per transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from urbanpulse.core.errors import DomainError
from urbanpulse.core.extensions import db
from urbanpulse.editing.actor import Actor
from urbanpulse.imports.models import ImportRecord, ImportRun
from urbanpulse.imports.targets import TARGETS

SHRINK_FLOOR = 0.5  # a complete snapshot under half of the previous one is suspicious
GEOMETRY = "geometry"


class SourceError(Exception):
    """The source itself could not be read (the command exits non-zero; nothing is unpublished)."""


@dataclass(frozen=True)
class Candidate:
    """An upstream object ready to import: its kind (poi, event), update stamp, fields and (lon, lat)."""

    external_id: str
    kind: str
    updated: str | None
    fields: dict
    position: tuple[float, float]


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
    """Import `objects` of `source`; see the module's rules. Raises SourceError when the source is unreadable."""
    actor = Actor.system(f"import:{source}")
    report = Report(source)
    run_row = ImportRun(source=source, location=location)
    db.session.add(run_row)
    db.session.commit()
    seen: set[str] = set()
    try:
        for item in objects:
            seen.add(item.external_id)
            if isinstance(item, Rejection):
                _reject(report, item.external_id, item.reason)
                continue
            if isinstance(item, Removal):
                _remove(source, item.external_id, actor, report)
                continue
            if not _inside(item.position, area):
                _reject(report, item.external_id, "outside the configured area")
                continue
            try:
                _import_one(item, source, actor, report)
            except DomainError as error:
                db.session.rollback()
                _reject(report, item.external_id, _reason(error))
    except SourceError as error:
        db.session.rollback()
        _finish(run_row, report, status="failed", message=str(error))
        raise
    if complete:
        _unpublish_missing(source, seen, actor, report, allow_shrink=allow_shrink)
    _finish(run_row, report, status=report.status, message=report.message)
    return report


def _reason(error: DomainError) -> str:
    fields = [f"{item.get('field')}: {item.get('message')}" for item in getattr(error, "errors", None) or []]
    return "; ".join(fields) or str(error)


def _reject(report: Report, external_id: str, reason: str) -> None:
    report.counts["rejected"] += 1
    report.rejected.append({"id": external_id, "reason": reason})


def _inside(position, area) -> bool:
    lon, lat = position
    return area[0] <= lon <= area[2] and area[1] <= lat <= area[3]


def _record(source: str, external_id: str) -> ImportRecord | None:
    return db.session.execute(
        db.select(ImportRecord).where(ImportRecord.source == source, ImportRecord.external_id == external_id)
    ).scalar_one_or_none()


def _import_one(item: Candidate, source: str, actor: Actor, report: Report) -> None:
    target = TARGETS[item.kind]
    fields = {**item.fields, GEOMETRY: list(item.position)}
    record = _record(source, item.external_id)
    if record is None:
        target_id = target.create(item.fields, item.position, actor, source=source, external_id=item.external_id)
        db.session.add(
            ImportRecord(
                source=source,
                external_id=item.external_id,
                kind=item.kind,
                target_id=target_id,
                upstream_updated=item.updated,
                imported={name: stored(value) for name, value in fields.items()},
            )
        )
        db.session.commit()
        report.counts["created"] += 1
        return
    current = target.current(record.target_id)
    if current is None:  # deleted here by the office: an import never brings it back
        report.counts["unchanged"] += 1
        return
    came_back = record.state == "unpublished"
    if item.updated and item.updated == record.upstream_updated and not came_back:
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
    record.imported, record.upstream_updated, record.state = imported, item.updated, "active"
    record.updated_at = datetime.now(UTC)
    db.session.commit()
    if came_back:
        report.counts["republished"] += 1
    if changes:
        report.counts["updated"] += 1
    elif not came_back:
        report.counts["unchanged"] += 1
    if conflicts:
        report.counts["conflicts"] += 1
        report.conflicts.append({"id": item.external_id, "target_id": str(record.target_id), "fields": conflicts})


def _unpublish_missing(source: str, seen: set[str], actor: Actor, report: Report, *, allow_shrink: bool) -> None:
    active = (
        db.session.execute(db.select(ImportRecord).where(ImportRecord.source == source, ImportRecord.state == "active"))
        .scalars()
        .all()
    )
    missing = [record for record in active if record.external_id not in seen]
    if not missing:
        return
    if not allow_shrink and (not seen or len(seen) < SHRINK_FLOOR * len(active)):
        report.status = "shrink_refused"
        report.message = (
            f"the snapshot holds {len(seen)} objects, under {SHRINK_FLOOR:.0%} of the {len(active)} imported before: "
            f"{len(missing)} would be unpublished; nothing was (run again with --allow-shrink to confirm)"
        )
        return
    for record in missing:
        _unpublish(record, actor, report)


def _remove(source: str, external_id: str, actor: Actor, report: Report) -> None:
    record = _record(source, external_id)
    if record is None or record.state != "active":
        return
    _unpublish(record, actor, report)


def _unpublish(record: ImportRecord, actor: Actor, report: Report) -> None:
    try:
        TARGETS[record.kind].unpublish(record.target_id, actor)
    except DomainError:
        db.session.rollback()  # deleted here meanwhile: nothing to unpublish
    record.state = "unpublished"
    record.updated_at = datetime.now(UTC)
    db.session.commit()
    report.counts["unpublished"] += 1


def _finish(run_row: ImportRun, report: Report, *, status: str, message: str) -> None:
    run_row.finished_at = datetime.now(UTC)
    run_row.status = status
    run_row.counts = report.counts
    run_row.rejected = report.rejected[:1000]
    run_row.conflicts = report.conflicts[:1000]
    report.status, report.message = status, message
    db.session.add(run_row)
    db.session.commit()

"""Recording and reading history entries."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from urbanpulse.core.errors import NotFound
from urbanpulse.core.extensions import db
from urbanpulse.core.models_common import utcnow
from urbanpulse.editing.actor import Actor
from urbanpulse.editing.models import HistoryEntry


def diff(old: dict, new: dict) -> dict:
    """{field: {"old": ..., "new": ...}} for every top-level field whose value changed."""
    return {
        key: {"old": old.get(key), "new": new.get(key)}
        for key in sorted(set(old) | set(new))
        if old.get(key) != new.get(key)
    }


def record(
    *, entity_type: str, entity_id: uuid.UUID, version: int, action: str, actor: Actor, changes: dict
) -> HistoryEntry:
    """Add a history entry to the current transaction (committed with the change itself)."""
    entry = HistoryEntry(
        entity_type=entity_type,
        entity_id=entity_id,
        version=version,
        action=action,
        actor_id=actor.user_id,
        actor_label=actor.label,
        changes=changes,
    )
    db.session.add(entry)
    return entry


def record_version(item, *, entity_type: str, action: str, actor: Actor, changes: dict) -> HistoryEntry:
    """Record `changes` as the item's current version (committed with the change itself)."""
    return record(
        entity_type=entity_type,
        entity_id=item.id,
        version=item.version,
        action=action,
        actor=actor,
        changes=changes,
    )


def record_update(item, *, entity_type: str, actor: Actor, changes: dict) -> HistoryEntry:
    """Make the changed item a new version by `actor`, updated now, and record its `changes`."""
    item.version += 1
    item.updated_by = actor.user_id
    item.updated_at = utcnow()
    return record_version(item, entity_type=entity_type, action="update", actor=actor, changes=changes)


def record_deletion(item, *, entity_type: str, actor: Actor) -> HistoryEntry:
    """Soft-delete the item as a new version by `actor` and record it; its history stays."""
    item.deleted_at = utcnow()
    item.version += 1
    item.updated_by = actor.user_id
    deleted = {"deleted": {"old": False, "new": True}}
    return record_version(item, entity_type=entity_type, action="delete", actor=actor, changes=deleted)


def entries_for(*, entity_type: str, entity_id: uuid.UUID) -> list[HistoryEntry]:
    """An item's history, oldest first."""
    query = (
        select(HistoryEntry)
        .where(HistoryEntry.entity_type == entity_type, HistoryEntry.entity_id == entity_id)
        .order_by(HistoryEntry.version, HistoryEntry.id)
    )
    return list(db.session.scalars(query))


def item_entries(model, item_id: uuid.UUID, *, entity_type: str, missing: str) -> list[HistoryEntry]:
    """The history of a `model` item (deleted ones included), oldest first; 404 saying `missing` if it never was."""
    if db.session.get(model, item_id) is None:
        raise NotFound(missing)
    return entries_for(entity_type=entity_type, entity_id=item_id)

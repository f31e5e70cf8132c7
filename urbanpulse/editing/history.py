"""Recording and reading history entries."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from urbanpulse.editing.actor import Actor
from urbanpulse.editing.models import HistoryEntry
from urbanpulse.extensions import db


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


def entries_for(*, entity_type: str, entity_id: uuid.UUID) -> list[HistoryEntry]:
    """An item's history, oldest first."""
    query = (
        select(HistoryEntry)
        .where(HistoryEntry.entity_type == entity_type, HistoryEntry.entity_id == entity_id)
        .order_by(HistoryEntry.version, HistoryEntry.id)
    )
    return list(db.session.scalars(query))

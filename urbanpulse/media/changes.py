"""What every media change shares: the item's images, and committing their new list as a new version."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from urbanpulse.core.extensions import db
from urbanpulse.core.models_common import utcnow
from urbanpulse.editing import history
from urbanpulse.editing.actor import Actor
from urbanpulse.media.models import Media
from urbanpulse.media.owners import Owner
from urbanpulse.media.representation import history_state, served

# The author of processing results: a new version that changes no editor's input (see `processed_since`).
WORKER = Actor.system("media")


def original_key(digest: str) -> str:
    """The store key of an original (never served)."""
    return f"orig/{digest}"


def rows_of(owner: Owner, item_id: uuid.UUID) -> list[Media]:
    """An item's images in their order."""
    query = select(Media).where(Media.owner_type == owner.entity_type, Media.owner_id == item_id)
    return list(db.session.scalars(query.order_by(Media.position)))


def _project(item, rows: list[Media]) -> None:
    """Write the item's served list (what reads, sync and tiles show)."""
    item.media = [served(row) for row in rows]


def commit_change(owner: Owner, item, *, before: list[dict], actor: Actor, system: bool = False) -> None:
    """Make the item's new media list a new version (history entry) and commit it through its owner."""
    db.session.flush()
    rows = rows_of(owner, item.id)
    _project(item, rows)
    changes = history.diff({"media": before}, {"media": history_state(rows)})
    if system:  # a processing result: the item's last editor stays its last editor
        item.version += 1
        item.updated_at = utcnow()
        history.record_version(item, entity_type=owner.entity_type, action="update", actor=actor, changes=changes)
    else:
        history.record_update(item, entity_type=owner.entity_type, actor=actor, changes=changes)
    owner.committed(item)


def processed_since(owner: Owner, item, if_match: str | None) -> bool:
    """Whether every version after the one `if_match` names only added processing results (sizes made):
    an editor who read the item before its photos were processed has not missed anyone's change."""
    from urbanpulse.editing.etags import parse_if_match
    from urbanpulse.editing.models import HistoryEntry

    seen = [version for item_id, version in parse_if_match(if_match) if item_id == str(item.id)]
    if not seen or max(seen) >= item.version:
        return False
    query = select(HistoryEntry.actor_id, HistoryEntry.actor_label).where(
        HistoryEntry.entity_type == owner.entity_type,
        HistoryEntry.entity_id == item.id,
        HistoryEntry.version > max(seen),
    )
    later = db.session.execute(query).all()
    return len(later) == item.version - max(seen) and all(
        actor_id is None and label == WORKER.label for actor_id, label in later
    )

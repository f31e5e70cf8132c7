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

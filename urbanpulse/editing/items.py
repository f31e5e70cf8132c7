"""Reading an editable item for a write."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from urbanpulse.core.errors import NotFound
from urbanpulse.core.extensions import db


def locked(model, item_id: uuid.UUID, *, missing: str):
    """The `model` row `item_id`, not deleted, locked until the transaction ends; 404 saying `missing` if none."""
    item = db.session.scalar(select(model).where(model.id == item_id, model.deleted_at.is_(None)).with_for_update())
    if item is None:
        raise NotFound(missing)
    return item

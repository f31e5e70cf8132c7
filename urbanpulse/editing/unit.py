"""Where a write ends: its own transaction, or, inside `batch()`, a savepoint of a larger one.

The services end each write with `finish()` (commit) and abandon one with `abandon()` (rollback). An importer that
writes thousands of items wraps a few hundred of them in `batch()` and each one in `item()`: an item's writes are
a savepoint, released or rolled back alone when the item is refused, and the batch commits once. The commit's
wait for the disk and the change relay that follows a commit are then paid once per batch instead of once per
item, while every item still goes through the same service functions (history, triggers, validation).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from urbanpulse.core.extensions import db

_BATCH = "urbanpulse.unit.batch"


def in_batch() -> bool:
    """Whether writes are being gathered into a batch."""
    return bool(db.session.info.get(_BATCH))


def finish() -> None:
    """End a write: commit it, or inside a batch flush it (the batch commits)."""
    if in_batch():
        db.session.flush()
    else:
        db.session.commit()


def abandon() -> None:
    """Undo a write: roll its transaction back, or inside a batch only the current item's savepoint."""
    nested = db.session.get_nested_transaction() if in_batch() else None
    if nested is not None and nested.is_active:
        nested.rollback()
    else:
        db.session.rollback()


@contextmanager
def batch() -> Iterator[None]:
    """Gather the writes made inside into one transaction, committed at the end (rolled back on an error)."""
    db.session.info[_BATCH] = True
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    finally:
        db.session.info.pop(_BATCH, None)


@contextmanager
def item() -> Iterator[None]:
    """One item of a batch: its writes kept, or all undone (and only they) when it raises."""
    nested = db.session.begin_nested()
    try:
        yield
    except BaseException:
        if nested.is_active:
            nested.rollback()
        raise
    if nested.is_active:
        nested.commit()

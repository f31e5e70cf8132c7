"""Where a write ends: its own transaction, or, inside `batch()`, a savepoint of a larger one.

The services end each write with `finish()` (commit) and abandon one with `abandon()` (rollback). An importer that
writes thousands of items wraps a few hundred of them in `batch()` and each one in `item()`: an item's writes are
a savepoint, released or rolled back alone when the item is refused, and the batch commits once. The commit's
wait for the disk and the change relay that follows a commit are then paid once per batch instead of once per
item, while every item still goes through the same service functions (history, triggers, validation).

A `batch(deferred=True)` goes further: no savepoint per item, and the items' inserts wait for the commit, where
each table's rows go in one statement. An item refused before it wrote anything (most refusals: validation)
costs nothing to undo; one that must be undone after writing raises `Retry`, and the caller runs the batch
again as an ordinary one, which undoes that item alone as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.orm import Session

from urbanpulse.core.extensions import db

_BATCH = "urbanpulse.unit.batch"
_DEFERRED = "deferred"
_ITEM = "urbanpulse.unit.item"  # (writes, pending objects) when the current item of a deferred batch began
_WRITES = "urbanpulse.unit.writes"
_MEMO = "urbanpulse.unit.memo"
_UNDO = "urbanpulse.unit.undo"


class Retry(Exception):
    """An item of a deferred batch must be undone alone after it wrote: roll the batch back, run it again as an
    ordinary batch (a savepoint per item)."""


def in_batch() -> bool:
    """Whether writes are being gathered into a batch."""
    return bool(db.session.info.get(_BATCH))


def deferring() -> bool:
    """Whether writes are being gathered into a deferred batch (flushed all together at its commit)."""
    return db.session.info.get(_BATCH) == _DEFERRED


def flush() -> None:
    """Send the pending writes now, or, in a deferred batch, leave them for its commit."""
    if not deferring():
        db.session.flush()


def finish() -> None:
    """End a write: commit it, or inside a batch flush it (the batch commits; a deferred one flushes then)."""
    if deferring():
        return
    if in_batch():
        db.session.flush()
    else:
        db.session.commit()


def abandon() -> None:
    """Undo a write: roll its transaction back, or inside a batch only the current item's savepoint. In a
    deferred batch an item that wrote nothing has nothing to undo; one that wrote raises `Retry`."""
    if deferring():
        if not _item_clean():
            raise Retry("an item wrote, then was abandoned")
        return
    nested = db.session.get_nested_transaction() if in_batch() else None
    if nested is not None and nested.is_active:
        nested.rollback()
    else:
        db.session.rollback()


def memo() -> dict:
    """A cache for the current batch (e.g. the slugs it locked and read up front), forgotten when the batch ends.
    Outside a batch, a fresh dict every time (nothing is remembered)."""
    if not in_batch():
        return {}
    return db.session.info.setdefault(_MEMO, {})


def on_undo(callback) -> None:
    """Call `callback` if the current item of the batch is undone (to take back what it put in the memo)."""
    if in_batch():
        db.session.info.setdefault(_UNDO, []).append(callback)


def _undo_since(mark: int) -> None:
    callbacks = db.session.info.get(_UNDO, [])
    while len(callbacks) > mark:
        callbacks.pop()()


@contextmanager
def batch(*, deferred: bool = False) -> Iterator[None]:
    """Gather the writes made inside into one transaction, committed at the end (rolled back on an error);
    `deferred`: see the module's docstring."""
    info = db.session.info
    info[_BATCH] = _DEFERRED if deferred else True
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    finally:
        for key in (_BATCH, _MEMO, _UNDO, _ITEM, _WRITES):
            info.pop(key, None)


@contextmanager
def item() -> Iterator[None]:
    """One item of a batch: its writes kept, or all undone (and only they) when it raises."""
    if deferring():
        with _deferred_item():
            yield
        return
    mark = len(db.session.info.get(_UNDO, ()))
    nested = db.session.begin_nested()
    try:
        yield
    except BaseException:
        _undo_since(mark)
        if nested.is_active:
            nested.rollback()
        raise
    if nested.is_active:
        nested.commit()


@contextmanager
def _deferred_item() -> Iterator[None]:
    info = db.session.info
    info[_ITEM] = (info.get(_WRITES, 0), len(db.session.new))
    mark = len(info.get(_UNDO, ()))
    try:
        yield
    except Exception as error:
        _undo_since(mark)
        if not _item_clean():
            raise Retry("an item wrote, then failed") from error
        raise
    finally:
        info.pop(_ITEM, None)


def _item_clean() -> bool:
    """Whether the current item of a deferred batch left the session as it found it (nothing to undo)."""
    session = db.session
    began = session.info.get(_ITEM)
    if began is None:
        return False
    return began == (session.info.get(_WRITES, 0), len(session.new)) and not session.dirty and not session.deleted


@event.listens_for(Session, "after_flush")
def _count_flush(session: Session, _context) -> None:
    if session.info.get(_BATCH) == _DEFERRED:
        session.info[_WRITES] = session.info.get(_WRITES, 0) + 1


@event.listens_for(Session, "do_orm_execute")
def _count_statement(state) -> None:
    # Any statement but a plain SELECT may have written (or locked): the item is then not clean.
    if not state.is_select and state.session.info.get(_BATCH) == _DEFERRED:
        state.session.info[_WRITES] = state.session.info.get(_WRITES, 0) + 1

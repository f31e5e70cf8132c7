"""Tile invalidation for every ORM write of a drawn model (API, CLI, seed, import alike).

After each flush, the layers' handlers list the geometries the flushed changes touch (old and new
positions, read from the attribute history); after the commit they are invalidated; a rollback drops them.
Nothing here may break a write: a handler that fails retires every cached tile instead.
"""

from __future__ import annotations

import functools
import logging

from sqlalchemy import event
from sqlalchemy.orm import Session

from urbanpulse.tiles import invalidation

log = logging.getLogger(__name__)
_PENDING = "urbanpulse.tiles.touched"
_EVERYTHING = "urbanpulse.tiles.touch_all"
_installed = False


@functools.cache
def _handlers() -> dict:
    from urbanpulse.tiles.layers import available

    return {model: handler for layer in available() for model, handler in layer.tracked.items()}


def _after_flush(session: Session, _context) -> None:
    handlers = _handlers()
    touched = session.info.setdefault(_PENDING, [])
    for objects, entire in ((session.new, True), (session.deleted, True), (session.dirty, False)):
        for obj in objects:
            handler = handlers.get(type(obj))
            if handler is None:
                continue
            try:
                touched.extend(handler(obj, entire))
            except Exception:
                log.exception("could not tell which tiles %r touches; every tile will be retired", obj)
                session.info[_EVERYTHING] = True


def _after_commit(session: Session) -> None:
    touched = session.info.pop(_PENDING, None)
    everything = session.info.pop(_EVERYTHING, False)
    try:
        if everything:
            invalidation.touch_all()
        elif touched:
            invalidation.touch(touched)
    except Exception:  # the data is committed already: report, never fail the caller
        log.exception("tile invalidation after a commit failed")


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_EVERYTHING, None)


def install() -> None:
    """Listen to every Session (idempotent)."""
    global _installed
    if _installed:
        return
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_rollback", _after_rollback)
    _installed = True

"""Sync cursors: opaque to clients, bound to the types and language they were issued for.

A cursor is either in the snapshot phase (the public items are being listed by id; every change from the
horizon `h` on will follow as a delta) or in the delta phase (history position `p` reached).
"""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass

import orjson

from urbanpulse.core.errors import ValidationFailed
from urbanpulse.sync.horizon import Position

FORMAT = 1
MAX_INT = 2**63 - 1


@dataclass(frozen=True)
class Cursor:
    """Where a client is: snapshot (`horizon`, `after`) or delta (`position`), for `types` and `lang`."""

    types: tuple[str, ...]
    lang: str | None
    position: Position | None = None  # delta phase
    horizon: int | None = None  # snapshot phase: deltas start at this transaction id
    after: tuple[int, uuid.UUID | None] = (0, None)  # snapshot phase: (type index, last id sent)

    @property
    def in_snapshot(self) -> bool:
        """True while the public items are still being listed."""
        return self.position is None


def encode(cursor: Cursor) -> str:
    """The opaque form handed to clients."""
    state: dict = {"v": FORMAT, "t": list(cursor.types), "l": cursor.lang}
    if cursor.in_snapshot:
        index, last = cursor.after
        state.update(m="s", h=cursor.horizon, k=[index, str(last) if last else None])
    else:
        state.update(m="d", p=cursor.position.as_list())
    return base64.urlsafe_b64encode(orjson.dumps(state)).decode().rstrip("=")


def _invalid(message: str = "not a cursor returned by this API") -> ValidationFailed:
    return ValidationFailed.field("since", message, location="query")


def _int(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_INT:
        raise _invalid()
    return value


def decode(text: str) -> Cursor:
    """The cursor inside `text`; 422 naming `since` when it was not made here."""
    try:
        state = orjson.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (binascii.Error, ValueError):
        raise _invalid() from None
    if not isinstance(state, dict) or state.get("v") != FORMAT:
        raise _invalid()
    types, lang = state.get("t"), state.get("l")
    if not isinstance(types, list) or not types or not all(isinstance(t, str) for t in types):
        raise _invalid()
    if lang is not None and not isinstance(lang, str):
        raise _invalid()
    if state.get("m") == "d":
        position = state.get("p")
        if not isinstance(position, list) or len(position) != 2:
            raise _invalid()
        return Cursor(tuple(types), lang, position=Position(_int(position[0]), _int(position[1])))
    if state.get("m") == "s":
        after = state.get("k")
        if not isinstance(after, list) or len(after) != 2:
            raise _invalid()
        try:
            last = uuid.UUID(after[1]) if after[1] is not None else None
        except (TypeError, ValueError, AttributeError):
            raise _invalid() from None
        return Cursor(tuple(types), lang, horizon=_int(state.get("h")), after=(_int(after[0]), last))
    raise _invalid()

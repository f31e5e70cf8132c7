"""Keyset paging shared by every listing: opaque cursors bound to their filters, and capped match counts.

A cursor holds the sort key of the last row served (never an offset), so rows created or deleted between
two pages neither shift nor repeat the rows after it, and a fingerprint of the filters it was made for: a
cursor replayed with other filters is refused (400 naming `cursor`) rather than silently continuing a
different listing.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

import orjson

from urbanpulse.core.errors import DomainError

CURSOR_VERSION = 1
# numberMatched is counted exactly up to this many matches; past it the listing says "at least CAP + 1".
MATCH_COUNT_CAP = 200
T = TypeVar("T")


class InvalidCursor(DomainError):
    """A `cursor` this API did not make, or made for other filters."""

    status, title, type_slug = 400, "Bad Request", "invalid-cursor"

    def __init__(self, message: str):
        super().__init__(f"cursor: {message}", errors=[{"field": "cursor", "in": "query", "messages": [message]}])


def fingerprint(filters: dict) -> str:
    """A short digest of the filters a listing was asked with (key order does not matter)."""
    canonical = orjson.dumps(filters, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
    return hashlib.blake2b(canonical, digest_size=8).hexdigest()


def encode(position: list, *, filters: dict) -> str:
    """An opaque cursor after `position` (the sort key of the last row served) for these filters."""
    state = {"v": CURSOR_VERSION, "f": fingerprint(filters), "p": position}
    return base64.urlsafe_b64encode(orjson.dumps(state)).decode().rstrip("=")


def decode(cursor: str | None, *, filters: dict, parse: Callable[[list], T]) -> T | None:
    """The position inside a cursor, checked by `parse`; None without a cursor; InvalidCursor (400) otherwise."""
    if not cursor:
        return None
    try:
        state = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError):
        state = None
    if not isinstance(state, dict) or state.get("v") != CURSOR_VERSION or not isinstance(state.get("p"), list):
        raise InvalidCursor("not a cursor returned by this API")
    if state.get("f") != fingerprint(filters):
        raise InvalidCursor("this cursor belongs to a listing with other filters; repeat that query or drop cursor")
    try:
        return parse(state["p"])
    except (ValueError, TypeError, IndexError, KeyError, AttributeError):
        raise InvalidCursor("not a cursor returned by this API") from None


def as_uuid(value) -> str:
    """A UUID from a cursor, as text (ValueError otherwise)."""
    if not isinstance(value, str):
        raise TypeError("not a uuid")
    return str(uuid.UUID(value))


def as_number(value) -> float:
    """A finite number from a cursor."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value or abs(value) == float("inf"):
        raise TypeError("not a number")
    return float(value)


def as_instant(value) -> datetime:
    """An aware ISO 8601 instant from a cursor."""
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("naive")
    return moment


def matched(count: int) -> dict:
    """The match count members of a collection: `numberMatched` when exact, else `numberMatchedAtLeast`.

    `count` was taken with `LIMIT MATCH_COUNT_CAP + 1`: above the cap it only says there are more.
    """
    cap = MATCH_COUNT_CAP
    return {"numberMatched": count} if count <= cap else {"numberMatchedAtLeast": cap + 1}

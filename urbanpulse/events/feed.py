"""The live feed in Redis: one stream entry per public change, kept for a bounded time.

The change relay (`urbanpulse.cache.relay`) appends the messages from the change log, whoever wrote (API, CLI,
another instance, SQL), so every SSE client of every worker sees every change, and a change committed while
Redis was away is appended when it is back. Stream ids are the SSE event ids, so a reconnecting client resumes
from where it stopped (while the entries are retained); past that it is told to reload (`reset`).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterable
from datetime import datetime

import orjson
from flask import current_app

from urbanpulse.cache.changelog import Change
from urbanpulse.events.serialize import local_iso
from urbanpulse.events.service import FEED_FIELDS

log = logging.getLogger(__name__)
STREAM_ID = re.compile(r"^\d{1,20}-\d{1,20}$")
MESSAGE_TYPES = ("published", "updated", "cancelled", "unpublished", "deleted")
# Types that say "this event is no longer public": they carry no content of the event.
REMOVAL_TYPES = ("unpublished", "deleted")
RESET = {"type": "reset", "reason": "changes were made while the live feed was unavailable; reload the events"}


def stream_key() -> str:
    """The Redis stream of the live feed."""
    return current_app.config["EVENTS_FEED_KEY"]


class LiveFeed:
    """Relay consumer: one stream entry per committed change of a public event (drafts never appear)."""

    def changed(self, changes: Iterable[Change], effects) -> None:
        """Queue a message for each change that a public reader may see."""
        for change in changes:
            if change.entity != "events":
                continue
            payload = message(change)
            if payload is not None:
                effects.append(stream_key(), {"data": orjson.dumps(payload)}, _min_id_ms())

    def retire_all(self, effects, *, announce: bool) -> None:
        """Tell open streams to reload when changes were too many to list (not when Redis lost its state)."""
        if announce:
            effects.append(stream_key(), {"data": orjson.dumps(RESET)}, _min_id_ms())


def _min_id_ms() -> int:
    return max(0, int(time.time() * 1000) - current_app.config["EVENTS_FEED_RETENTION_S"] * 1000)


def _public(row: dict | None) -> bool:
    return row is not None and row.get("publication") == "published" and row.get("deleted_at") is None


def message(change: Change) -> dict | None:
    """The live-feed message of an event's change (None for a draft's), from the rows the change log kept."""
    old, new = change.old_row, change.new_row
    was_public, now_public = _public(old), _public(new)
    if now_public and not was_public:
        kind = "published"
    elif was_public and not now_public:
        kind = "deleted" if new is None or new.get("deleted_at") is not None else "unpublished"
    elif now_public:
        cancelled = new["status"] == "cancelled" and (old or {}).get("status") != "cancelled"
        kind = "cancelled" if cancelled else "updated"
    else:
        return None
    row = new if new is not None else old
    payload: dict = {"type": kind, "event_id": str(change.entity_id), "version": row["version"]}
    if kind in REMOVAL_TYPES:
        return payload
    payload.update(
        uid=new["uid"],
        status=new["status"],
        category=new["category"],
        title=new["title"],
        starts_at=local_iso(datetime.fromisoformat(new["starts_at"])),
        ends_at=local_iso(datetime.fromisoformat(new["ends_at"])),
        recurring=bool(new.get("rrule") or new.get("rdates")),
        changed=[] if change.created else sorted(change.columns & FEED_FIELDS),
    )
    return payload


def parse_id(value: str | None) -> tuple[int, int] | None:
    """A stream id as a comparable pair, or None when it is not one."""
    if not value or not STREAM_ID.match(value.strip()):
        return None
    millis, seq = value.strip().split("-")
    return int(millis), int(seq)


def decode_entry(entry_id, fields: dict) -> tuple[str, dict]:
    """(id, payload) of a raw stream entry."""
    key = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
    raw = fields.get(b"data", fields.get("data", b"{}"))
    return key, orjson.loads(raw)

"""What sync needs from each content type: its public Features by id, a snapshot page, who was ever public.

A type is one small adapter module; `available()` lists those whose domain is installed, in a fixed order.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import text

from urbanpulse.extensions import db


@dataclass(frozen=True)
class SyncType:
    """One content type as sync sees it."""

    name: str  # the `types` value and a tombstone's "type", e.g. "pois"
    entity: str  # history.entity_type, e.g. "poi"
    public_features: Callable[[Sequence[uuid.UUID], str | None], dict[uuid.UUID, dict]]
    snapshot_page: Callable[[uuid.UUID | None, int, str | None], list[tuple[uuid.UUID, dict]]]
    ever_public: Callable[[Sequence[uuid.UUID]], set[uuid.UUID]]
    # Features of this type embed items of other types (e.g. an event's venue): entity -> ids of ours to resend.
    dependents: dict[str, Callable[[Sequence[uuid.UUID]], list[uuid.UUID]]] = field(default_factory=dict)


def public_sql(predicate: str, alias: str) -> str:
    """A model's public predicate (`status = 'published' AND deleted_at IS NULL`) for a table alias."""
    return " AND ".join(f"{alias}.{clause.strip()}" for clause in predicate.split(" AND "))


def ever_published(entity: str, status_field: str) -> Callable[[Sequence[uuid.UUID]], set[uuid.UUID]]:
    """Ids whose history shows `status_field` set to 'published' at least once (a client may hold them)."""

    def check(ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
        if not ids:
            return set()
        rows = db.session.execute(
            text(
                "SELECT DISTINCT entity_id FROM history WHERE entity_type = :entity AND entity_id = ANY(:ids) "
                "AND changes -> :field ->> 'new' = 'published'"
            ),
            {"entity": entity, "ids": list(ids), "field": status_field},
        )
        return {row.entity_id for row in rows}

    return check


def tag(feature: dict, name: str) -> dict:
    """A Feature with the foreign member `collection` naming its type (RFC 7946 §6.1)."""
    feature["collection"] = name
    return feature


def available() -> list[SyncType]:
    """Every installed type, in sync order."""
    from urbanpulse.sync.adapters import events, pois, routes

    return [pois.TYPE, routes.TYPE, events.TYPE]


def by_name() -> dict[str, SyncType]:
    """Installed types by `types` name."""
    return {sync_type.name: sync_type for sync_type in available()}

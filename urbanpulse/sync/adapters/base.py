"""The parts every sync adapter module shares; the registry of installed ones is the package (`available()`)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import text

from urbanpulse.core.extensions import db


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

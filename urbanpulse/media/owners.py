"""The items that carry media (POIs, routes, events), each described by its own domain.

The media package sits below the content domains, so it never imports them: each domain gives an `Owner`
(its model and its service's own commit-and-invalidate step), and `create_app` registers them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app

from urbanpulse.core.errors import NotFound

EXTENSION_KEY = "urbanpulse.media.owners"


@dataclass(frozen=True)
class Owner:
    """How the media service reaches one kind of item."""

    kind: str  # the collection in URLs: "pois"
    entity_type: str  # as in history: "poi"
    model: type
    missing: str
    is_public: Callable[[object], bool]
    # Commits the session and does what the domain does after a commit of a change (cache, feed...).
    committed: Callable[[object], None]


def register(app, owners: list[Owner]) -> None:
    """Make `owners` known to the app (by URL collection and by entity type)."""
    table = app.extensions.setdefault(EXTENSION_KEY, {})
    for owner in owners:
        table[owner.kind] = owner
        table[owner.entity_type] = owner


def owner_for(name: str) -> Owner:
    """The owner kind named by its URL collection or entity type; 404 when none."""
    owner = current_app.extensions.get(EXTENSION_KEY, {}).get(name)
    if owner is None:
        raise NotFound(f"no items of kind {name!r} carry media")
    return owner


def collections() -> list[str]:
    """The URL collections that carry media ("pois", "routes", "events")."""
    return sorted({owner.kind for owner in current_app.extensions.get(EXTENSION_KEY, {}).values()})

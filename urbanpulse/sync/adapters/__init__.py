"""What sync needs from each content type: its public Features by id, a snapshot page, who was ever public.

A type is one small adapter module; `available()` lists those whose domain is installed, in a fixed order.
"""

from __future__ import annotations

from urbanpulse.sync.adapters.base import SyncType


def available() -> list[SyncType]:
    """Every installed type, in sync order."""
    from urbanpulse.sync.adapters import events, pois, routes

    return [pois.TYPE, routes.TYPE, events.TYPE]


def by_name() -> dict[str, SyncType]:
    """Installed types by `types` name."""
    return {sync_type.name: sync_type for sync_type in available()}

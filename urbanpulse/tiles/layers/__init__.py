"""What a tile layer provides: its MVT bytes for a tile, and the geometries an ORM write touches.

Each content type is one small module; `available()` lists the installed ones in drawing order.
"""

from __future__ import annotations

from urbanpulse.tiles.layers.base import TileLayer


def available() -> list[TileLayer]:
    """Every installed layer, in drawing order (lines under points)."""
    from urbanpulse.tiles.layers import events, pois, routes

    return [routes.LAYER, pois.LAYER, events.LAYER]


def by_name() -> dict[str, TileLayer]:
    """Installed layers by name."""
    return {layer.name: layer for layer in available()}

"""The parts every tile layer module shares; the registry of installed ones is the package (`available()`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from shapely.geometry.base import BaseGeometry

from urbanpulse.tiles.grid import BUFFER, EXTENT, tile_size_m

# Extra MVT units around the tile edge when invalidating lines: simplification may move them this much.
SIMPLIFY_UNITS = 4


@dataclass(frozen=True)
class TileRequest:
    """One tile of one layer: where, in which language, for which categories (POIs)."""

    z: int
    x: int
    y: int
    lang: str
    categories: tuple[str, ...] = ()
    cache_allowed: bool = True  # False while Redis may hold entries older than a write (layers then skip it)

    def params(self) -> dict:
        """Bind parameters every layer's SQL shares."""
        size = tile_size_m(self.z)
        return {
            "z": self.z,
            "x": self.x,
            "y": self.y,
            "lang": self.lang,
            "size": size,
            "margin": size * (BUFFER + SIMPLIFY_UNITS) / EXTENT,
            "tolerance": size * SIMPLIFY_UNITS / EXTENT,
        }


@dataclass(frozen=True)
class TileLayer:
    """A layer of the vector tiles."""

    name: str
    render: Callable[[TileRequest], bytes]  # this layer's MVT bytes (b"" when it has nothing there)
    # ORM model -> (instance, is_new) -> WGS84 geometries a flushed write touches, old and new positions.
    tracked: dict[type, Callable[[object, bool], Sequence[BaseGeometry]]] = field(default_factory=dict)
    time_dependent: bool = False  # its content changes with the date (cache entries are per day)


def name_sql(column: str) -> str:
    """A translation column in the `:lang` language, falling back to en then fr (as i18n.pick)."""
    return f"COALESCE(NULLIF({column} ->> :lang, ''), NULLIF({column} ->> 'en', ''), {column} ->> 'fr')"

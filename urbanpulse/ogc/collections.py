"""The four collections: what each is, its queryable properties, and its extents (read from the data)."""

from __future__ import annotations

from dataclasses import dataclass

import orjson

from urbanpulse.cache.responses import cached_body
from urbanpulse.core.db_read import fetch_all
from urbanpulse.events.categories import CATEGORIES as EVENT_CATEGORIES
from urbanpulse.pois.categories import CATEGORIES as POI_CATEGORIES
from urbanpulse.routes.vocab import DIFFICULTIES, KINDS, THEMES

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
GREGORIAN = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
# Extents are cached like the API's answers: retired by any write to the content, so always current.
EXTENT_TTL_S = 3600
EXTENT_DOMAINS = ("pois", "routes", "events")


@dataclass(frozen=True)
class Collection:
    """One feature collection: its id, texts, queryables (name -> allowed values) and extent SQL."""

    id: str
    title: str
    description: str
    queryables: dict
    extent_sql: str
    temporal_sql: str | None = None
    geometry: str = "point"


COLLECTIONS = {
    c.id: c
    for c in (
        Collection(
            "pois",
            "Points of interest",
            "Published places of Boulogne-sur-Mer: heritage, museums, the port, beaches, restaurants...",
            {"category": POI_CATEGORIES},
            "SELECT ST_Extent(location::geometry) AS box FROM pois WHERE status = 'published' AND deleted_at IS NULL",
        ),
        Collection(
            "routes",
            "Heritage walks and rides",
            "Published maritime heritage routes (lines), with length, duration, theme and difficulty.",
            {"theme": THEMES, "kind": KINDS, "difficulty": DIFFICULTIES},
            "SELECT ST_Extent(geom::geometry) AS box FROM routes WHERE status = 'published' AND deleted_at IS NULL",
            geometry="line",
        ),
        Collection(
            "route-stops",
            "Stops of the routes",
            "The ordered stops (published places) of each published route; id `<route id>/<position>`.",
            {"route_id": None},
            """SELECT ST_Extent(p.location::geometry) AS box FROM route_stops s
               JOIN routes r ON r.id = s.route_id AND r.status = 'published' AND r.deleted_at IS NULL
               JOIN pois p ON p.id = s.poi_id AND p.status = 'published' AND p.deleted_at IS NULL""",
        ),
        Collection(
            "events",
            "Event occurrences",
            "Occurrences of published events (recurrences expanded, Europe/Paris local time); id "
            "`<event id>/<UTC start>`. `datetime` selects the occurrences meeting an instant or interval "
            "(default: the next 30 days).",
            {"category": EVENT_CATEGORIES},
            """SELECT ST_Extent(COALESCE(v.location, e.location)::geometry) AS box FROM events e
               LEFT JOIN pois v ON v.id = e.venue_poi_id
               WHERE e.publication = 'published' AND e.deleted_at IS NULL""",
            temporal_sql="""SELECT min(starts_at) AS first, max(active_until) AS last,
               bool_or(active_until IS NULL) AS open FROM events
               WHERE publication = 'published' AND deleted_at IS NULL""",
        ),
    )
}


def extent(collection: Collection) -> dict:
    """The spatial (and, for events, temporal) extent of the published items, through the shared cache."""
    body = cached_body(
        name="ogc.extent",
        domains=EXTENT_DOMAINS,
        key=collection.id,
        ttl_s=EXTENT_TTL_S,
        compute=lambda: orjson.dumps(_read_extent(collection)),
    )
    return orjson.loads(body)


def _read_extent(collection: Collection) -> dict:
    box = fetch_all(collection.extent_sql, {})[0].box
    numbers = _box_numbers(box) if box else [-180.0, -90.0, 180.0, 90.0]
    value: dict = {"spatial": {"bbox": [numbers], "crs": CRS84}}
    if collection.temporal_sql:
        row = fetch_all(collection.temporal_sql, {})[0]
        last = None if row.open or row.last is None else row.last.isoformat()
        value["temporal"] = {"interval": [[row.first.isoformat() if row.first else None, last]], "trs": GREGORIAN}
    return value


def _box_numbers(box: str) -> list[float]:
    # PostGIS prints a box2d as "BOX(xmin ymin,xmax ymax)".
    low, high = box[box.index("(") + 1 : box.index(")")].split(",")
    return [float(n) for n in (*low.split(), *high.split())]

"""The `events` layer: published events with a place (their venue POI or their own point) that occur in
the next WINDOW_DAYS days, from today (Europe/Paris); tiles holding events are cached per day.

Attributes: `id`, `name` (the title in the requested language), `category`, `status` (scheduled,
cancelled...), `starts_at` (the next occurrence, local ISO 8601), `venue_id` when held at a POI and `cover`
(its cover photo's thumbnail URL) when it has one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import text

from urbanpulse.core.extensions import db
from urbanpulse.core.i18n import pick
from urbanpulse.core.models_common import public_sql
from urbanpulse.events.models import PUBLIC_PREDICATE
from urbanpulse.events.queries import COLUMNS
from urbanpulse.events.recurrence import RecurrenceError, occurrences_from
from urbanpulse.events.scheduling import schedule_of
from urbanpulse.media.representation import cover_url
from urbanpulse.pois.hours import CITY_ZONE
from urbanpulse.tiles.grid import BUFFER, EXTENT, HALF_WORLD_M
from urbanpulse.tiles.layers.base import TileLayer, TileRequest

NAME = "events"
WINDOW_DAYS = 30
PLACE = "COALESCE(v.location, e.location)"

# Events placed in the tile (one tile per point, as POIs) whose active span meets the window; the exact
# occurrences are expanded in Python, then PostGIS encodes the survivors.
CANDIDATES = f"""
    WITH env AS (SELECT ST_TileEnvelope(:z, :x, :y) AS g)
    SELECT {COLUMNS},
           ST_X(ST_Transform({PLACE}::geometry, 3857)) AS mx, ST_Y(ST_Transform({PLACE}::geometry, 3857)) AS my
    FROM events e
    LEFT JOIN pois v ON v.id = e.venue_poi_id AND v.deleted_at IS NULL AND v.status = 'published'
    WHERE {public_sql(PUBLIC_PREDICATE, "e")}
      AND tstzrange(e.active_from, e.active_until, '[]') && tstzrange(:from, :to, '[)')
      AND {PLACE}::geometry && ST_Expand(ST_Transform((SELECT g FROM env), 4326), 1e-7)
"""  # noqa: S608 (constant fragments; values are bound)
ENCODE = f"""
    WITH env AS (SELECT ST_TileEnvelope(:z, :x, :y) AS g)
    SELECT ST_AsMVT(t, '{NAME}', {EXTENT}, 'geom') FROM (
        SELECT u.id, u.name, u.category, u.status, u.starts_at, u.venue_id, u.cover,
               ST_AsMVTGeom(ST_SetSRID(ST_MakePoint(u.mx, u.my), 3857), env.g, {EXTENT}, {BUFFER}, true) AS geom
        FROM unnest(CAST(:ids AS text[]), CAST(:names AS text[]), CAST(:categories AS text[]),
                    CAST(:statuses AS text[]), CAST(:starts AS text[]), CAST(:venues AS text[]),
                    CAST(:covers AS text[]), CAST(:mxs AS float8[]), CAST(:mys AS float8[]))
             AS u(id, name, category, status, starts_at, venue_id, cover, mx, my), env
    ) AS t
"""  # noqa: S608 (constant fragments; values are bound)


def window() -> tuple[datetime, datetime]:
    """Today 00:00 in Boulogne, and WINDOW_DAYS days later."""
    today = datetime.now(CITY_ZONE).replace(hour=0, minute=0, second=0, microsecond=0)
    return today, today + timedelta(days=WINDOW_DAYS)


def _next_start(row, start: datetime, end: datetime) -> datetime | None:
    try:
        first = next(occurrences_from(schedule_of(row), start), None)
    except RecurrenceError:
        return None
    return first[0] if first and first[0] < end else None


def _owned(row, request: TileRequest, size: float) -> bool:
    return (row.mx + HALF_WORLD_M) // size == request.x and (HALF_WORLD_M - row.my) // size == request.y


def render(request: TileRequest) -> bytes:
    """The layer's MVT bytes for one tile (b"" when no event takes place there in the window)."""
    start, end = window()
    params = request.params()
    rows = db.session.execute(text(CANDIDATES), {**params, "from": start, "to": end}).all()
    shown = []
    for row in rows:
        when = _next_start(row, start, end) if _owned(row, request, params["size"]) else None
        if when is not None:
            shown.append((row, when))
    if not shown:
        return b""
    shown.sort(key=lambda item: (item[1], str(item[0].id)))
    columns = {
        "ids": [str(row.id) for row, _ in shown],
        "names": [pick(row.title, request.lang)[0] for row, _ in shown],
        "categories": [row.category for row, _ in shown],
        "statuses": [row.status for row, _ in shown],
        "starts": [when.astimezone(CITY_ZONE).isoformat() for _, when in shown],
        "venues": [str(row.venue_id) if row.venue_id else None for row, _ in shown],
        "covers": [cover_url(row.media) for row, _ in shown],
        "mxs": [row.mx for row, _ in shown],
        "mys": [row.my for row, _ in shown],
    }
    return bytes(db.session.execute(text(ENCODE), {**params, **columns}).scalar_one() or b"")


LAYER = TileLayer(name=NAME, render=render, drawn={"events": None}, time_dependent=True)

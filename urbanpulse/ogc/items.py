"""Pages of each collection's items, read through the domains' own listings (the POI viewport of
`geo.viewport`, the routes' and events' listings), published content only."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC as UTC_ZONE
from datetime import datetime

from urbanpulse.core import keyset
from urbanpulse.core.db_read import fetch_all
from urbanpulse.core.errors import NotFound
from urbanpulse.core.models_common import public_sql
from urbanpulse.events import queries as event_queries
from urbanpulse.events.queries import Filters
from urbanpulse.events.recurrence import occurrences_from
from urbanpulse.events.scheduling import schedule_of
from urbanpulse.geo import viewport
from urbanpulse.ogc import flatten
from urbanpulse.pois import listing as poi_listing
from urbanpulse.pois.models import PUBLIC_PREDICATE as POI_PUBLIC
from urbanpulse.pois.queries import COLUMNS as POI_COLUMNS
from urbanpulse.routes import queries as route_queries


@dataclass(frozen=True)
class Page:
    """Features of one page, the exact match count when known, and the cursor of the next page."""

    features: list[dict]
    matched: int | None
    next_cursor: str | None


def _exact(count: int) -> int | None:
    # Counts are taken up to the cap: above it only "more than the cap" is known, and OGC lets us omit it.
    return count if count <= keyset.MATCH_COUNT_CAP else None


def pois(*, bbox, categories: Sequence[str], limit: int, cursor: str | None, lang: str) -> Page:
    """Published POIs, in the map viewport's order with a bbox (id order without), by keyset."""
    rows, count, next_cursor = poi_listing.listing(bbox=bbox, categories=categories, limit=limit, cursor=cursor)
    return Page([flatten.poi(row, lang) for row in rows], _exact(count), next_cursor)


def routes(*, bbox, themes, kinds, difficulties, limit: int, cursor: str | None, lang: str) -> Page:
    """Published routes meeting the bbox, oldest first, by keyset."""
    rows, count, next_cursor = route_queries.listing(
        bbox=bbox, themes=themes, kinds=kinds, difficulties=difficulties, limit=limit, cursor=cursor
    )
    return Page([flatten.route(row, lang) for row in rows], _exact(count), next_cursor)


STOP_COLUMNS = """s.route_id, s.position, s.poi_id, s.note, s.trigger_radius_m, r.name AS route_name,
    p.name, p.category, ST_X(p.location::geometry) AS lon, ST_Y(p.location::geometry) AS lat"""
STOP_FROM = f"""route_stops s
    JOIN routes r ON r.id = s.route_id AND r.status = 'published' AND r.deleted_at IS NULL
    JOIN pois p ON p.id = s.poi_id AND {public_sql(POI_PUBLIC, "p")}"""


def route_stops(*, bbox, route_ids: Sequence[str], limit: int, cursor: str | None, lang: str) -> Page:
    """The stops (published POIs) of published routes, by route then position, by keyset."""
    selection = {"bbox": list(bbox) if bbox else None, "route_id": sorted(route_ids)}
    after = keyset.decode(cursor, filters=selection, parse=lambda p: (keyset.as_uuid(p[0]), int(p[1])))
    clauses, params = ["TRUE"], {}
    if bbox:
        clauses.append(viewport.meets_sql("p.location"))
        params.update(viewport.box_params(bbox))
    if route_ids:
        clauses.append("s.route_id = ANY(CAST(:route_ids AS uuid[]))")
        params["route_ids"] = list(route_ids)
    where = " AND ".join(clauses)
    count = fetch_all(
        f"SELECT count(*) AS n FROM (SELECT 1 FROM {STOP_FROM} WHERE {where} LIMIT :cap) AS matched",
        {**params, "cap": keyset.MATCH_COUNT_CAP + 1},
    )[0].n
    if after:
        where += " AND (s.route_id, s.position) > (CAST(:after_route AS uuid), :after_position)"
        params.update(after_route=after[0], after_position=after[1])
    rows = fetch_all(
        f"SELECT {STOP_COLUMNS} FROM {STOP_FROM} WHERE {where} ORDER BY s.route_id, s.position LIMIT :limit",
        {**params, "limit": limit + 1},
    )
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = keyset.encode([str(last.route_id), last.position], filters=selection)
    return Page([flatten.route_stop(row, lang) for row in rows[:limit]], _exact(count), next_cursor)


def events(
    *, bbox, categories: Sequence[str], start: datetime, end: datetime, limit: int, cursor: str | None, lang: str
) -> Page:
    """Occurrences of published events meeting [start, end), by start then event id, by keyset.

    The number matched is not given: it would mean expanding every recurrence of the window.
    """
    selection = {
        "bbox": list(bbox) if bbox else None,
        "category": sorted(categories),
        "from": start.isoformat(),
        "to": end.isoformat(),
    }
    after = event_queries.decode_cursor(cursor, filters=selection)
    rows = event_queries.candidates(Filters(categories=tuple(categories), bbox=bbox), start, end)
    found, more = event_queries.page(rows, start, end, limit=limit, after=after)
    next_cursor = event_queries.encode_cursor(found[-1].key, filters=selection) if more and found else None
    return Page([flatten.occurrence(item, lang) for item in found], None, next_cursor)


def poi(feature_id: str, *, lang: str) -> dict:
    """One published POI."""
    rows = fetch_all(
        f"SELECT {POI_COLUMNS} FROM pois p WHERE {public_sql(POI_PUBLIC, 'p')} AND p.id = CAST(:id AS uuid)",
        {"id": _uuid(feature_id)},
    )
    if not rows:
        raise NotFound("no such feature")
    return flatten.poi(rows[0], lang)


def route(feature_id: str, *, lang: str) -> dict:
    """One published route."""
    row = route_queries.public_row(uuid.UUID(_uuid(feature_id)))
    if row is None:
        raise NotFound("no such feature")
    return flatten.route(row, lang)


def route_stop(feature_id: str, *, lang: str) -> dict:
    """One stop, `<route id>/<position>`."""
    route_id, _, position = feature_id.partition("/")
    if not position.isdigit():
        raise NotFound("no such feature")
    rows = fetch_all(
        f"SELECT {STOP_COLUMNS} FROM {STOP_FROM} WHERE s.route_id = CAST(:route_id AS uuid) AND s.position = :position",
        {"route_id": _uuid(route_id), "position": int(position)},
    )
    if not rows:
        raise NotFound("no such feature")
    return flatten.route_stop(rows[0], lang)


def occurrence(feature_id: str, *, lang: str) -> dict:
    """One occurrence, `<event id>/<UTC start as YYYYMMDDTHHMMSSZ>`, of a published event."""
    event_id, _, stamp = feature_id.partition("/")
    try:
        start = datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC_ZONE)
    except ValueError:
        raise NotFound("no such feature") from None
    row = event_queries.event_row(uuid.UUID(_uuid(event_id)), include_unpublished=False)
    if row is None:
        raise NotFound("no such feature")
    # occurrences_from also yields one already running at `start`: look for the one starting then.
    stream = occurrences_from(schedule_of(row), start)
    found = next((o for o in stream if o[0] >= start), None)
    if found is None or found[0] != start:
        raise NotFound("no such feature")
    return flatten.occurrence(event_queries.Occurrence(found[0], found[1], row), lang)


def _uuid(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise NotFound("no such feature") from None

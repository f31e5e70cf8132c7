"""Public event reads: SQL narrows candidates on the indexed active span; Python expands the recurrences.

Occurrences of all candidate events are merged lazily in (start, event id) order, so a page of `limit`
occurrences costs `limit` expansions per event at most, whatever the window.
"""

from __future__ import annotations

import heapq
import itertools
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import text

from urbanpulse.core import keyset
from urbanpulse.core.extensions import db
from urbanpulse.events.models import ACTIVE_RANGE_SQL
from urbanpulse.events.recurrence import RecurrenceError, occurrences_from
from urbanpulse.events.scheduling import schedule_of
from urbanpulse.geo import viewport

POINT_SQL = "ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography"
PLACE_SQL = "COALESCE(v.location, e.location)"
COLUMNS = f"""e.id, e.uid, e.title, e.description, e.category, e.status, e.publication, e.price, e.organiser,
    e.booking_url, e.online_url, e.address, e.all_day, e.timezone, e.dtstart_local, e.duration, e.rrule,
    e.exdates, e.rdates, e.starts_at, e.ends_at, e.version, e.venue_poi_id, e.source, e.notes, e.import_source,
    e.created_at, e.updated_at, e.created_by, e.updated_by, e.media,
    v.id AS venue_id, v.slug AS venue_slug, v.name AS venue_name, v.category AS venue_category,
    ST_X({PLACE_SQL}::geometry) AS lon, ST_Y({PLACE_SQL}::geometry) AS lat"""


@dataclass(frozen=True)
class Filters:
    """What a listing selects besides the time window."""

    categories: Sequence[str] = ()
    statuses: Sequence[str] = ()
    publication: str = "published"
    lat: float | None = None
    lon: float | None = None
    radius_m: float | None = None
    # (west, south, east, north): events whose place (own point or venue) lies in the box.
    bbox: tuple[float, float, float, float] | None = None

    @property
    def positioned(self) -> bool:
        """Whether a position was given (distances are computed)."""
        return self.lat is not None and self.lon is not None


@dataclass(frozen=True)
class Occurrence:
    """One occurrence of a candidate event row."""

    start: datetime
    end: datetime
    row: object

    @property
    def key(self) -> tuple[datetime, str]:
        """Listing order: start, then event id."""
        return self.start, str(self.row.id)


def _venue_join(publication: str) -> str:
    # A venue the public may not see is left out: the event then shows without a place.
    visible = "v.deleted_at IS NULL" + (" AND v.status = 'published'" if publication == "published" else "")
    return f"LEFT JOIN pois v ON v.id = e.venue_poi_id AND {visible}"


def _where(filters: Filters, params: dict) -> list[str]:
    clauses = ["e.deleted_at IS NULL"]
    if filters.publication != "all":
        clauses.append("e.publication = :publication")
        params["publication"] = filters.publication
    if filters.categories:
        clauses.append("e.category = ANY(:categories)")
        params["categories"] = list(filters.categories)
    if filters.statuses:
        clauses.append("e.status = ANY(:statuses)")
        params["statuses"] = list(filters.statuses)
    if filters.positioned:
        params.update(lat=filters.lat, lon=filters.lon)
        if filters.radius_m is not None:
            clauses.append(f"ST_DWithin({PLACE_SQL}, {POINT_SQL}, :radius)")
            params["radius"] = filters.radius_m
    if filters.bbox:
        clauses.append(viewport.meets_sql(PLACE_SQL))
        params.update(viewport.box_params(filters.bbox))
    return clauses


def _select(filters: Filters, params: dict) -> str:
    distance = f", ST_Distance({PLACE_SQL}, {POINT_SQL}) AS distance_m" if filters.positioned else ""
    return f"SELECT {COLUMNS}{distance} FROM events e {_venue_join(filters.publication)}"


def candidates(filters: Filters, start: datetime, end: datetime) -> list:
    """Event rows whose active span meets [start, end) (the GiST index on that span narrows them)."""
    params: dict = {"from": start, "to": end}
    clauses = [
        *_where(filters, params),
        f"{ACTIVE_RANGE_SQL.replace('active_', 'e.active_')} && tstzrange(:from, :to, '[)')",
    ]
    if filters.publication == "published":
        # Spelled like the partial index predicate so the planner can use it.
        clauses.append("e.publication = 'published'")
    sql = f"{_select(filters, params)} WHERE {' AND '.join(clauses)}"
    return db.session.execute(text(sql), params).all()


def event_row(event_id: uuid.UUID, *, include_unpublished: bool):
    """One event's row with its (visible) venue, or None."""
    filters = Filters(publication="all" if include_unpublished else "published")
    params: dict = {"id": event_id}
    clauses = [*_where(filters, params), "e.id = :id"]
    return db.session.execute(text(f"{_select(filters, params)} WHERE {' AND '.join(clauses)}"), params).first()


def _expand(row, start: datetime, end: datetime) -> Iterator[Occurrence]:
    try:
        stream = occurrences_from(schedule_of(row), start)
        for occurrence_start, occurrence_end in itertools.takewhile(lambda o: o[0] < end, stream):
            yield Occurrence(occurrence_start, occurrence_end, row)
    except RecurrenceError:
        return  # stored schedules were validated on write; never let one bad row break a listing


def merged(rows: Sequence, start: datetime, end: datetime) -> Iterator[Occurrence]:
    """Every occurrence of `rows` meeting [start, end), in (start, event id) order, lazily."""
    return heapq.merge(*(_expand(row, start, end) for row in rows), key=lambda occurrence: occurrence.key)


def page(
    rows: Sequence, start: datetime, end: datetime, *, limit: int, after: tuple[datetime, str] | None
) -> tuple[list[Occurrence], bool]:
    """At most `limit` occurrences after the cursor position, and whether more follow."""
    stream = merged(rows, start, end)
    if after is not None:
        stream = itertools.dropwhile(lambda occurrence: occurrence.key <= after, stream)
    selected = list(itertools.islice(stream, limit + 1))
    return selected[:limit], len(selected) > limit


def happening(rows: Sequence, at: datetime, until: datetime, *, limit: int, by_distance: bool):
    """Per event, the occurrence under way at `at` or else the next one starting before `until`."""
    first: dict[str, Occurrence] = {}
    for occurrence in merged(rows, at, until):
        first.setdefault(str(occurrence.row.id), occurrence)
    found = sorted(first.values(), key=lambda occurrence: occurrence.key)
    if by_distance:
        found.sort(key=lambda o: (o.row.distance_m is None, o.row.distance_m or 0.0))
    return found[:limit], len(found) > limit


def encode_cursor(after: tuple[datetime, str], *, filters: dict) -> str:
    """An opaque cursor after an occurrence (its start and event id), bound to the listing's filters."""
    return keyset.encode([after[0].astimezone(UTC).isoformat(), after[1]], filters=filters)


def decode_cursor(cursor: str | None, *, filters: dict) -> tuple[datetime, str] | None:
    """The position inside a cursor; 400 naming `cursor` when it was not made here or for these filters."""
    return keyset.decode(cursor, filters=filters, parse=lambda p: (keyset.as_instant(p[0]), keyset.as_uuid(p[1])))

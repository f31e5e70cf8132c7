"""Route reads over several rows: the filtered list and the routes passing near a point."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import text

from urbanpulse.core import keyset
from urbanpulse.core.extensions import db
from urbanpulse.geo import viewport
from urbanpulse.routes.models import PUBLIC_PREDICATE

POINT_SQL = "ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography"
VISIBLE_STOP_SQL = "p.status = 'published' AND p.deleted_at IS NULL"


def _public(alias: str = "r") -> str:
    return " AND ".join(f"{alias}.{clause.strip()}" for clause in PUBLIC_PREDICATE.split(" AND "))


def _columns(*, editor: bool) -> str:
    stop_filter = "" if editor else f" AND {VISIBLE_STOP_SQL}"
    return f"""r.id, r.slug, r.name, r.summary, r.description, r.theme, r.kind, r.difficulty, r.is_loop,
    r.length_m, r.duration_min, r.official_length_m, r.estimated_waypoints, r.status, r.source, r.version,
    r.created_at, r.updated_at, r.created_by, r.updated_by, r.media, ST_AsBinary(r.geom) AS wkb,
    (SELECT count(*) FROM route_stops s JOIN pois p ON p.id = s.poi_id
     WHERE s.route_id = r.id{stop_filter}) AS stop_count"""


def _vocabulary_filters(filters: list[str], params: dict, **lists: Sequence[str]) -> None:
    for column, values in lists.items():
        if values:
            filters.append(f"r.{column} = ANY(:{column})")
            params[column] = list(values)


def listing(
    *,
    themes: Sequence[str] = (),
    kinds: Sequence[str] = (),
    difficulties: Sequence[str] = (),
    max_length_m: float | None = None,
    bbox: Sequence[float] | None = None,
    status: str | None = None,
    editor: bool = False,
    limit: int = 50,
    cursor: str | None = None,
) -> tuple[list, int, str | None]:
    """Routes, oldest first (created_at then id: neither changes), by keyset: (rows, capped count, next cursor).

    `bbox` (west, south, east, north) keeps the routes whose line meets the box (`geo.viewport.meets_sql`).
    """
    selection = {
        "bbox": list(bbox) if bbox else None,
        "theme": sorted(set(themes)),
        "kind": sorted(set(kinds)),
        "difficulty": sorted(set(difficulties)),
        "max_length_m": max_length_m,
        "status": status or "published",
    }
    after = keyset.decode(
        cursor, filters=selection, parse=lambda p: (keyset.as_instant(p[0]).isoformat(), keyset.as_uuid(p[1]))
    )
    if status in (None, "published"):
        filters, params = [_public()], {}
    else:
        filters, params = ["r.deleted_at IS NULL", "r.status = :status"], {"status": status}
    _vocabulary_filters(filters, params, theme=themes, kind=kinds, difficulty=difficulties)
    if max_length_m is not None:
        filters.append("r.length_m <= :max_length_m")
        params["max_length_m"] = max_length_m
    if bbox:
        filters.append(viewport.meets_sql("r.geom"))
        params.update(viewport.box_params(bbox))
    where = " AND ".join(filters)
    count_sql = f"SELECT count(*) FROM (SELECT 1 FROM routes r WHERE {where} LIMIT :cap) AS matched"
    matched = db.session.execute(text(count_sql), {**params, "cap": keyset.MATCH_COUNT_CAP + 1}).scalar_one()
    if after:
        where += " AND (r.created_at, r.id) > (CAST(:after_at AS timestamptz), CAST(:after_id AS uuid))"
        params.update(after_at=after[0], after_id=after[1])
    sql = f"SELECT {_columns(editor=editor)} FROM routes r WHERE {where} ORDER BY r.created_at, r.id LIMIT :limit"
    rows = db.session.execute(text(sql), {**params, "limit": limit + 1}).all()
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = keyset.encode([last.created_at.isoformat(), str(last.id)], filters=selection)
    return rows[:limit], matched, next_cursor


def public_row(route_id) -> object | None:
    """One published route's row (the listing's columns), or None."""
    sql = f"SELECT {_columns(editor=False)} FROM routes r WHERE {_public()} AND r.id = :id"
    return db.session.execute(text(sql), {"id": route_id}).first()


def nearby_sql(*, with_theme: bool = False, with_kind: bool = False, editor: bool = False) -> str:
    """Published routes whose line passes within :radius metres of the point, nearest first (ties by id)."""
    # ST_DWithin on geography is answered from the partial GiST index ix_routes_public_geom.
    filters = [_public(), f"ST_DWithin(r.geom, {POINT_SQL}, :radius)"]
    if with_theme:
        filters.append("r.theme = ANY(:theme)")
    if with_kind:
        filters.append("r.kind = ANY(:kind)")
    return (
        f"SELECT {_columns(editor=editor)}, ST_Distance(r.geom, {POINT_SQL}) AS distance_m FROM routes r "
        f"WHERE {' AND '.join(filters)} ORDER BY distance_m, r.id LIMIT :limit"
    )


def nearby(
    *,
    lat: float,
    lon: float,
    radius_m: float,
    limit: int,
    themes: Sequence[str] = (),
    kinds: Sequence[str] = (),
    editor: bool = False,
) -> list:
    """Published routes within `radius_m` of (lat, lon), by geodesic distance to the line."""
    sql = nearby_sql(with_theme=bool(themes), with_kind=bool(kinds), editor=editor)
    params = {"lat": lat, "lon": lon, "radius": radius_m, "limit": limit}
    if themes:
        params["theme"] = list(themes)
    if kinds:
        params["kind"] = list(kinds)
    return db.session.execute(text(sql), params).all()

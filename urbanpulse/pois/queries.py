"""Public POI reads: nearby (exact geodesic ranking on a KNN index scan); the listing is in `listing`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from urbanpulse.core.db_read import fetch_all
from urbanpulse.core.textsearch import normalise
from urbanpulse.geo.geodesic import distances_m
from urbanpulse.pois.hours import is_open
from urbanpulse.pois.models import PUBLIC_PREDICATE

COLUMNS = """p.id, p.slug, p.category, p.tags, p.name, p.description, p.address, p.opening_hours,
    p.accessibility, p.contact, p.media, p.status, p.source, p.location_estimated, p.version,
    p.created_at, p.updated_at, p.created_by, p.updated_by, p.xmin::text::bigint AS stamp,
    ST_X(p.location::geometry) AS lon, ST_Y(p.location::geometry) AS lat"""
# `stamp` (the row's xmin) changes with every committed update, whoever wrote it (an operator's SQL keeps the
# version): the per-worker row memos key on it.
LIGHT_COLUMNS = (
    "p.id, p.xmin::text::bigint AS stamp, ST_X(p.location::geometry) AS lon, ST_Y(p.location::geometry) AS lat"
)
POINT_SQL = "ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography"
# The KNN operator on geography measures on a sphere; the spheroid distance differs by well under 1 %.
SPHERE_ERROR = 0.01
MAX_CANDIDATES = 20_000
# The k-th nearest POI to a cache cell's centre is looked for this far at most.
MAX_RADIUS_FOR_CACHE = 60_000
TEXT_MATCH_SQL = ":q <% p.search_text"


def _public(alias: str = "p") -> str:
    return " AND ".join(f"{alias}.{clause.strip()}" for clause in PUBLIC_PREDICATE.split(" AND "))


def _knn_branch(*, category_param: str | None, with_text: bool) -> str:
    # A pure KNN scan (ORDER BY <-> LIMIT) always stops after :fetch rows, whatever the radius or the
    # density: the radius is applied to the fetched rows. A text filter could make that scan walk the
    # whole index, so text searches are bounded by the radius (on the sphere, with a margin) instead.
    filters = [_public()]
    if category_param:
        filters.append(f"p.category = :{category_param}")
    if with_text:
        filters += [TEXT_MATCH_SQL, f"ST_DWithin(p.location, {POINT_SQL}, :sphere_radius, false)"]
    return (
        f"SELECT {COLUMNS}, p.location <-> {POINT_SQL} AS knn_m FROM pois p WHERE {' AND '.join(filters)} "
        f"ORDER BY p.location <-> {POINT_SQL} LIMIT :fetch"
    )


def nearby_sql(*, category_count: int, with_text: bool) -> str:
    """The candidate query; one KNN branch per category so each uses the (category, location) index."""
    if category_count <= 1:
        return _knn_branch(category_param="c0" if category_count else None, with_text=with_text)
    branches = " UNION ALL ".join(
        f"({_knn_branch(category_param=f'c{i}', with_text=with_text)})" for i in range(category_count)
    )
    return f"SELECT * FROM ({branches}) AS candidates ORDER BY knn_m LIMIT :fetch"


def within_sql(*, category_count: int, light: bool = False) -> str:
    """Every published POI (of the categories) within :sphere_radius on the sphere, nearest first, capped.

    `light` selects only id, version and coordinates (for cached candidate sets).
    """
    filters = [_public(), f"ST_DWithin(p.location, {POINT_SQL}, :sphere_radius, false)"]
    if category_count:
        filters.append("p.category IN (" + ", ".join(f":c{i}" for i in range(category_count)) + ")")
    columns = LIGHT_COLUMNS if light else COLUMNS
    return (
        f"SELECT {columns}, p.location <-> {POINT_SQL} AS knn_m FROM pois p WHERE {' AND '.join(filters)} "
        f"ORDER BY knn_m LIMIT :fetch"
    )


def nearby_params(
    *, lat: float, lon: float, radius_m: float, categories: Sequence[str] = (), q: str | None = None
) -> dict:
    """Bind parameters of `nearby_sql` (without :fetch)."""
    params = {"lat": lat, "lon": lon, "sphere_radius": radius_m / (1 - SPHERE_ERROR)}
    params.update({f"c{i}": category for i, category in enumerate(categories)})
    if q:
        params["q"] = normalise(q)
    return params


def rank_exact(lon: float, lat: float, lons, lats, tie_keys: Sequence, radius_m: float) -> list[tuple[float, int]]:
    """(distance_m rounded to 0.1, index) of the points within `radius_m`, nearest first, ties by `tie_keys`.

    Distances are geodesic on WGS84 (GeographicLib), the same on the cached and uncached paths; tie keys
    are the POI ids (as text, or as their 16 bytes, which sort the same way).
    """
    exact = distances_m(lon, lat, lons, lats).tolist()
    ranked = [(round(d, 1), key, i) for i, (d, key) in enumerate(zip(exact, tie_keys, strict=True)) if d <= radius_m]
    ranked.sort()
    return [(distance, i) for distance, _, i in ranked]


def nearby(
    *,
    lat: float,
    lon: float,
    radius_m: float,
    limit: int,
    categories: Sequence[str] = (),
    q: str | None = None,
    open_at: datetime | None = None,
) -> list[tuple[object, float]]:
    """Published POIs within `radius_m`, nearest first by geodesic distance (ties by id): [(row, distance_m)].

    Candidates come from a KNN index scan in sphere order; the scan widens until no POI left out could
    rank inside the first `limit` on the WGS84 spheroid, so the answer is exact.
    """
    categories = list(dict.fromkeys(categories))
    sql = nearby_sql(category_count=len(categories), with_text=bool(q))
    params = nearby_params(lat=lat, lon=lon, radius_m=radius_m, categories=categories, q=q)
    # A quarter more than asked (5 at least): each candidate costs a heap page, which at 1M POIs is mostly
    # outside shared buffers (measured: 40 rows read 37 pages, 0.77 ms; 25 rows 23 pages, 0.45-0.62 ms). Ranking
    # then needs a second batch only when the limit-th answer is within 1 % of the last candidate (0.2 %).
    fetch = limit + max(5, limit // 4)
    while True:
        rows = fetch_all(sql, {**params, "fetch": fetch})
        ranked = [
            (rows[i], distance)
            for distance, i in rank_exact(
                lon, lat, [row.lon for row in rows], [row.lat for row in rows], [str(row.id) for row in rows], radius_m
            )
        ]
        if open_at is not None:
            ranked = [item for item in ranked if is_open(item[0].opening_hours, open_at)]
        unseen_at_least = rows[-1].knn_m * (1 - SPHERE_ERROR) if rows else 0.0
        # Done when no POI left out can rank: beyond the radius, or behind the limit-th ranked one. (Without the
        # radius bound, a position with fewer than `limit` POIs in reach read the whole table, 40 rows then 160,
        # 640... measured at 10k POIs: 15 % of random positions, p90 400 ms.)
        done = (
            len(rows) < fetch
            or fetch >= MAX_CANDIDATES
            or unseen_at_least > radius_m
            or (len(ranked) >= limit and ranked[limit - 1][1] + 0.1 < unseen_at_least)
        )
        if done:
            return ranked[:limit]
        fetch = min(fetch * 4, MAX_CANDIDATES)

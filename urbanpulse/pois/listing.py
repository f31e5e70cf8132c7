"""The POI listing: map viewport (bbox), text search and plain lists, each paged by keyset on its own order.

- public viewport (bbox, no text): geohash key then id (`geo.viewport`), about `limit` rows read a page;
- text search: relevance (descending) then id;
- otherwise (no bbox, or an editor's status): id.

Every page counts its matches up to `keyset.MATCH_COUNT_CAP`: numberMatched is exact below it.
"""

from __future__ import annotations

from collections.abc import Sequence

from urbanpulse.core import keyset
from urbanpulse.core.db_read import fetch_all
from urbanpulse.core.models_common import public_sql
from urbanpulse.core.textsearch import normalise
from urbanpulse.geo import viewport
from urbanpulse.pois.models import PUBLIC_PREDICATE
from urbanpulse.pois.queries import COLUMNS, TEXT_MATCH_SQL

RELEVANCE_SQL = "word_similarity(:q, p.search_text)"


def _where(*, bbox, categories, q, status, public) -> tuple[list[str], dict]:
    filters = [public_sql(PUBLIC_PREDICATE, "p")] if public else ["p.deleted_at IS NULL", "p.status = :status"]
    params: dict = {} if public else {"status": status}
    if bbox:
        # `&&` lets the GiST index narrow the rows (on float4 boxes); the second test is the exact one.
        filters += ["p.location::geometry && ST_MakeEnvelope(:x1, :y1, :x2, :y2, 4326)", viewport.inside_sql("p")]
        params.update(zip(("x1", "y1", "x2", "y2"), bbox, strict=True))
    if categories:
        filters.append("p.category = ANY(:categories)")
        params["categories"] = list(categories)
    if q:
        filters.append(TEXT_MATCH_SQL)
        params["q"] = normalise(q)
    return filters, params


def _parse(order: str):
    def parse(position: list):
        if position[0] != order:
            raise ValueError("another order")
        if order == "key":
            return viewport.as_key(position[1]), keyset.as_uuid(position[2])
        if order == "relevance":
            return keyset.as_number(position[1]), keyset.as_uuid(position[2])
        return (keyset.as_uuid(position[1]),)

    return parse


def listing(
    *,
    bbox=None,
    categories: Sequence[str] = (),
    q: str | None = None,
    status: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> tuple[list, int, str | None]:
    """POIs in a viewport and/or matching a text: (rows, match count capped at CAP + 1, next cursor)."""
    categories = sorted(set(categories))
    public = status in (None, "published")
    filters = {"bbox": list(bbox) if bbox else None, "category": categories, "q": q, "status": status or "published"}
    order = "relevance" if q else "key" if bbox and public else "id"
    after = keyset.decode(cursor, filters=filters, parse=_parse(order))
    if order == "key":
        rows, count = _viewport_page(bbox=bbox, categories=categories, limit=limit, after=after)
    else:
        rows, count = _indexed_page(
            bbox=bbox, categories=categories, q=q, status=status, public=public, limit=limit, after=after
        )
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        position = [last.view_key] if order == "key" else [last.relevance] if order == "relevance" else []
        next_cursor = keyset.encode([order, *position, str(last.id)], filters=filters)
    return rows[:limit], count, next_cursor


def _viewport_page(*, bbox, categories, limit: int, after) -> tuple[list, int]:
    where = public_sql(PUBLIC_PREDICATE, "p")
    split = {"split_by": "category"} if categories else {}
    extra = {"splits": categories} if categories else {}
    page = viewport.page_sql(columns=COLUMNS, table="pois p", where=where, alias="p", after=after is not None, **split)
    rows = fetch_all(page, {**viewport.page_params(bbox, after), **extra, "limit": limit + 1})
    counted = viewport.page_sql(
        columns="p.id", table="pois p", where=where, alias="p", after=False, limit="cap", **split
    )
    count_params = {**viewport.page_params(bbox, None), **extra, "cap": keyset.MATCH_COUNT_CAP + 1}
    return rows, fetch_all(f"SELECT count(*) AS n FROM ({counted}) AS matched", count_params)[0].n


def _indexed_page(*, bbox, categories, q, status, public, limit: int, after) -> tuple[list, int]:
    filters, params = _where(bbox=bbox, categories=categories, q=q, status=status, public=public)
    count_sql = f"SELECT count(*) AS n FROM (SELECT 1 FROM pois p WHERE {' AND '.join(filters)} LIMIT :cap) AS matched"
    count = fetch_all(count_sql, {**params, "cap": keyset.MATCH_COUNT_CAP + 1})[0].n
    if q:
        if after:
            filters.append(
                f"({RELEVANCE_SQL} < CAST(:after_rank AS real) OR "
                f"({RELEVANCE_SQL} = CAST(:after_rank AS real) AND p.id > CAST(:after_id AS uuid)))"
            )
            params.update(after_rank=after[0], after_id=after[1])
        sql = (
            f"SELECT {COLUMNS}, {RELEVANCE_SQL} AS relevance FROM pois p WHERE {' AND '.join(filters)} "
            "ORDER BY relevance DESC, p.id LIMIT :limit"
        )
    else:
        if after:
            filters.append("p.id > CAST(:after_id AS uuid)")
            params["after_id"] = after[0]
        sql = f"SELECT {COLUMNS} FROM pois p WHERE {' AND '.join(filters)} ORDER BY p.id LIMIT :limit"
    return fetch_all(sql, {**params, "limit": limit + 1}), count

"""The map viewport order: points by their geohash (a Z-order curve), then id, read range by range.

A box is covered by a few geohash cells, each a contiguous range of the key `ST_GeoHash(location, 12)`,
so a btree index on (key, id) serves a page of any box by reading about `limit` rows, however many the box
holds: the ranges are read one after the other in key order (one ordered index scan each, stopped as soon
as the page is full), and a keyset cursor (key, id) resumes after the last row. The exact box test still
applies to every row; the rows read and dropped are those of the edge cells lying outside the box.
"""

from __future__ import annotations

import functools
import heapq
from collections.abc import Sequence

# PostGIS geohash: 5 bits a character, longitude bit first, halves [min, mid) and [mid, max].
PRECISION = 12
BITS = PRECISION * 5
BASE32 = "0123456789bcdefghjkmnpqrstuvwxyz"
# Above every key in the "C" collation ('{' follows 'z').
END_KEY = "{"
MAX_RANGES = 64


def key_sql(alias: str) -> str:
    """The order key of a row, spelled like the indexes on it (the "C" collation orders it as its bits)."""
    return f'(ST_GeoHash({alias}.location, {PRECISION}) COLLATE "C")'


def key_of_bits(value: int) -> str:
    """The geohash (PRECISION characters) of a BITS-bit code; END_KEY past the last one."""
    if value >= 1 << BITS:
        return END_KEY
    return "".join(BASE32[(value >> (5 * (PRECISION - 1 - i))) & 31] for i in range(PRECISION))


def _halves(cell: tuple) -> tuple[tuple, tuple]:
    """The two halves of a cell (code, bits, west, east, south, north), with PostGIS's arithmetic."""
    code, bits, west, east, south, north = cell
    code, child_bits = code << 1, bits + 1
    if bits % 2 == 0:  # a longitude bit
        mid = (west + east) / 2
        return (code, child_bits, west, mid, south, north), (code | 1, child_bits, mid, east, south, north)
    mid = (south + north) / 2
    return (code, child_bits, west, east, south, mid), (code | 1, child_bits, west, east, mid, north)


def _outside_area(cell: tuple, box: Sequence[float]) -> float:
    """The area of the cell outside the box, in square degrees (0 when the cell lies inside it)."""
    _, _, west, east, south, north = cell
    width = max(0.0, min(east, box[2]) - max(west, box[0]))
    height = max(0.0, min(north, box[3]) - max(south, box[1]))
    return (east - west) * (north - south) - width * height


def _meets(cell: tuple, box: Sequence[float]) -> bool:
    _, _, west, east, south, north = cell
    return west <= box[2] and east >= box[0] and south <= box[3] and north >= box[1]


@functools.lru_cache(maxsize=4096)
def cover(box: tuple[float, float, float, float], max_ranges: int = MAX_RANGES) -> tuple[tuple[str, str], ...]:
    """Key ranges [low, high) whose union holds every point of the box, at most `max_ranges`, in key order.

    The cell with the most area outside the box is halved first, while the cells stay within the budget,
    so the rows read and dropped (those of the ranges outside the box) keep to a thin band along its edge.
    """
    cell = (0, 0, -180.0, 180.0, -90.0, 90.0)
    while cell[1] < BITS:  # down to the smallest cell holding the whole box, at no cost in ranges
        halves = [half for half in _halves(cell) if _meets(half, box)]
        if len(halves) > 1:
            break
        cell = halves[0]
    done: list[tuple] = []
    heap = [(-_outside_area(cell, box), cell)]
    while heap and len(heap) + len(done) < max_ranges:
        outside, cell = heapq.heappop(heap)
        if outside == 0 or cell[1] >= BITS:
            done.append(cell)
            continue
        for half in _halves(cell):
            if _meets(half, box):
                heapq.heappush(heap, (-_outside_area(half, box), half))
    spans: list[tuple[int, int]] = []
    cells = done + [cell for _, cell in heap]
    for low, high in sorted((code << (BITS - bits), (code + 1) << (BITS - bits)) for code, bits, *_ in cells):
        if spans and spans[-1][1] == low:
            spans[-1] = (spans[-1][0], high)
        else:
            spans.append((low, high))
    return tuple((key_of_bits(low), key_of_bits(high)) for low, high in spans)


def ranges_after(ranges: Sequence[tuple[str, str]], after_key: str | None) -> list[tuple[str, str]]:
    """The ranges that still hold keys at or after `after_key` (all of them without a cursor)."""
    if after_key is None:
        return list(ranges)
    return [(max(low, after_key), high) for low, high in ranges if high > after_key]


def inside_sql(alias: str) -> str:
    """Whether a row's point lies in the box :x1, :y1, :x2, :y2 (edges included), exactly."""
    return (
        f"ST_X({alias}.location::geometry) BETWEEN :x1 AND :x2 AND ST_Y({alias}.location::geometry) BETWEEN :y1 AND :y2"
    )


def meets_sql(expression: str) -> str:
    """Whether a geography (a point or a line) meets the box :x1, :y1, :x2, :y2 (edges included), exactly.

    The box is one of longitudes and latitudes, as the POI viewport reads it (`inside_sql`): for a point
    both tests agree; routes and events use this one, since their lists are ordered otherwise (creation,
    start time) and hold few rows, so the box only filters them.
    """
    return f"ST_Intersects(({expression})::geometry, ST_MakeEnvelope(:x1, :y1, :x2, :y2, 4326))"


def box_params(box: Sequence[float]) -> dict:
    """The bind parameters :x1, :y1, :x2, :y2 of a (west, south, east, north) box."""
    return dict(zip(("x1", "y1", "x2", "y2"), box, strict=True))


def page_sql(
    *, columns: str, table: str, where: str, alias: str, after: bool, limit: str = "limit", split_by: str | None = None
) -> str:
    """Rows of the box in (key, id) order, at most :<limit>, after (:after_key, :after_id) when `after`.

    Binds :lows and :highs (the ranges of `cover`, trimmed by `ranges_after`) and the box. Each range is
    read by its own index scan in key order, stopping at :<limit> rows inside the box; the ranges follow
    each other in key order, so the nested loop over them yields the whole page in order and the outer
    LIMIT stops it early. The box test sits outside a planning fence (OFFSET 0): estimated inside the scan,
    its selectivity would lead the planner to read every row of a range and sort them.

    `split_by` (a column, its values bound as :splits) reads each range once per value, from an index on
    (column, key, id), and merges those few rows by key: a filter on the column then skips no rows.
    """
    key = key_sql(alias)
    resume = f" AND ({key}, {alias}.id) > (:after_key, CAST(:after_id AS uuid))" if after else ""
    split = f" AND {alias}.{split_by} = split.value" if split_by else ""
    scan = f"""SELECT * FROM (
            SELECT {columns}, {key} AS view_key, {inside_sql(alias)} AS inside FROM {table}
            WHERE {where}{split} AND {key} >= cell.low AND {key} < cell.high{resume}
            ORDER BY {key}, {alias}.id OFFSET 0
        ) AS candidate WHERE candidate.inside LIMIT :{limit}"""
    if split_by:
        scan = f"""SELECT part.* FROM unnest(CAST(:splits AS text[])) AS split(value)
            CROSS JOIN LATERAL ({scan}) AS part ORDER BY part.view_key, part.id LIMIT :{limit}"""
    return f"""SELECT page.* FROM unnest(CAST(:lows AS text[]), CAST(:highs AS text[])) AS cell(low, high)
    CROSS JOIN LATERAL ({scan}) AS page
    LIMIT :{limit}"""


def page_params(box: tuple[float, float, float, float], after: tuple[str, str] | None) -> dict:
    """The bind parameters of `page_sql` for a box and an optional (key, id) position."""
    ranges = ranges_after(cover(tuple(box)), after[0] if after else None)
    params = box_params(box)
    params.update(lows=[low for low, _ in ranges], highs=[high for _, high in ranges])
    if after:
        params.update(after_key=after[0], after_id=after[1])
    return params


def as_key(value) -> str:
    """A geohash key from a cursor (ValueError otherwise)."""
    if not isinstance(value, str) or len(value) != PRECISION or value.strip(BASE32):
        raise ValueError("not a key")
    return value

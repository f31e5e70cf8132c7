"""The `pois` layer: every published POI at street zooms; below CLUSTER_BELOW_ZOOM, grid clusters.

Clusters are the cells of a grid aligned on the tiles (CLUSTER_GRID cells per tile side), so a cluster
never straddles two tiles and the counts of a tile add up to exactly the POIs it holds. A cell holding one
POI is drawn as that POI. Every feature has `count` (1 for a POI) and `cluster`; POIs also have `id`,
`category`, `name` (in the requested language) and `cover` (the URL of its cover photo's thumbnail, when it
has one); clusters have their most frequent `category`.

At cluster zooms the table is aggregated once per tile for every category together ((cell, category)
parts: count, coordinate sums, first POI), kept beside the tiles in Redis under the same versions, and
each category choice or language is combined from those parts: a low-zoom tile costs one aggregation
however many category combinations clients ask for.
"""

from __future__ import annotations

import gzip

import orjson
from sqlalchemy import text

from urbanpulse.core.extensions import db
from urbanpulse.core.models_common import public_sql
from urbanpulse.media.representation import cover_url_sql
from urbanpulse.pois.models import PUBLIC_PREDICATE
from urbanpulse.tiles import cache
from urbanpulse.tiles.grid import BUFFER, EXTENT, HALF_WORLD_M
from urbanpulse.tiles.layers.base import TileLayer, TileRequest, name_sql

NAME = "pois"
CLUSTER_BELOW_ZOOM = 14
CLUSTER_GRID = 8
# What a tile shows of a POI; a change to anything else leaves the tiles alone.
DRAWN_FIELDS = ("location", "status", "deleted_at", "category", "name", "media")
# The tile-cache variant holding a tile's (cell, category) parts (a layer name never holds ':').
PARTS_VARIANT = "pois:parts"

# SQL below is assembled from constants (names, numbers, the public predicate); every value is bound.
# Points of the tile: the envelope test uses the partial GiST index, the floor() test keeps each point in
# exactly one tile (half-open squares, as grid.tiles_near_point).
_POINTS = f"""
    WITH env AS (SELECT ST_TileEnvelope(:z, :x, :y) AS g),
    pts AS (
        SELECT p.id, p.category, {{name}} AS name, {cover_url_sql("p.media")} AS cover,
               ST_Transform(p.location::geometry, 3857) AS g
        FROM pois p
        WHERE {public_sql(PUBLIC_PREDICATE, "p")}
          AND p.location::geometry && ST_Expand(ST_Transform((SELECT g FROM env), 4326), 1e-7)
          {{category_filter}}
    ),
    owned AS (
        SELECT * FROM pts
        WHERE floor((ST_X(g) + {HALF_WORLD_M!r}) / :size) = :x AND floor(({HALF_WORLD_M!r} - ST_Y(g)) / :size) = :y
    )
"""  # noqa: S608
_SINGLE = f"""
    SELECT ST_AsMVT(t, '{NAME}', {EXTENT}, 'geom') FROM (
        SELECT o.id::text AS id, o.category, o.name, o.cover, 1 AS count, false AS cluster,
               ST_AsMVTGeom(o.g, env.g, {EXTENT}, {BUFFER}, true) AS geom
        FROM owned o, env ORDER BY o.id
    ) AS t
"""  # noqa: S608
_CELL = f"floor((ST_X(g) + {HALF_WORLD_M!r}) / :cell), floor(({HALF_WORLD_M!r} - ST_Y(g)) / :cell)"
# One row per (cell, category) of the tile, every category: what `_CLUSTERED` combines.
_PARTS = f"""
    SELECT {_CELL}, category, count(*)::int, sum(ST_X(g)), sum(ST_Y(g)),
           ((array_agg(id ORDER BY id))[1])::text, ((array_agg(name ORDER BY id))[1])::text
    FROM owned GROUP BY 1, 2, 3
"""  # noqa: S608
# Parts of the chosen categories combined per cell as one aggregation over the POIs would: the count,
# the centroid (mean of the points), the first POI by id, the most frequent category (ties: the first).
_CLUSTERED = f"""
    WITH env AS (SELECT ST_TileEnvelope(:z, :x, :y) AS g),
    parts AS (
        SELECT * FROM unnest(
            CAST(:cx AS float8[]), CAST(:cy AS float8[]), CAST(:category AS text[]), CAST(:n AS int[]),
            CAST(:sx AS float8[]), CAST(:sy AS float8[]), CAST(:id AS uuid[]), CAST(:name AS jsonb[])
        ) AS u(cx, cy, category, n, sx, sy, id, name)
        WHERE cardinality(CAST(:categories AS text[])) = 0 OR category = ANY(CAST(:categories AS text[]))
    ),
    cells AS (
        SELECT sum(n) AS n, ST_SetSRID(ST_MakePoint(sum(sx) / sum(n), sum(sy) / sum(n)), 3857) AS g,
               (array_agg(id ORDER BY id))[1] AS id, (array_agg({name_sql("name")} ORDER BY id))[1] AS name,
               (array_agg(category ORDER BY n DESC, category))[1] AS category
        FROM parts GROUP BY cx, cy
    )
    SELECT ST_AsMVT(t, '{NAME}', {EXTENT}, 'geom') FROM (
        SELECT CASE WHEN c.n = 1 THEN c.id::text END AS id, c.category,
               CASE WHEN c.n = 1 THEN c.name END AS name, c.n::int AS count, c.n > 1 AS cluster,
               ST_AsMVTGeom(c.g, env.g, {EXTENT}, {BUFFER}, true) AS geom
        FROM cells c, env ORDER BY c.n DESC, c.id
    ) AS t
"""  # noqa: S608
_PART_COLUMNS = ("cx", "cy", "category", "n", "sx", "sy", "id", "name")


def _aggregated_parts(request: TileRequest) -> list[tuple]:
    params = {**request.params(), "cell": request.params()["size"] / CLUSTER_GRID}
    sql = _POINTS.format(name="p.name", category_filter="") + _PARTS
    return [tuple(row) for row in db.session.execute(text(sql), params)]


def _tile_parts(request: TileRequest) -> list[tuple]:
    """The (cell, category) parts of a cluster-zoom tile: from Redis while no write touched the tile."""
    stamp, cached = cache.lookup(request.z, request.x, request.y, PARTS_VARIANT)
    if cached is not None:
        return [tuple(part) for part in orjson.loads(gzip.decompress(cached.gzipped))]
    parts = _aggregated_parts(request)
    if stamp is not None:
        cache.store(request.z, request.x, request.y, PARTS_VARIANT, stamp, cache.Tile(_packed(parts), ""))
    return parts


def _packed(parts: list[tuple]) -> bytes:
    return gzip.compress(orjson.dumps(parts), compresslevel=1, mtime=0)


def render(request: TileRequest) -> bytes:
    """The layer's MVT bytes for one tile (b"" when no POI is there)."""
    params = request.params()
    if request.z < CLUSTER_BELOW_ZOOM:
        columns = list(zip(*_tile_parts(request), strict=True)) or [()] * len(_PART_COLUMNS)
        params.update(zip(_PART_COLUMNS, map(list, columns), strict=True))
        params["categories"] = list(request.categories)
        return bytes(db.session.execute(text(_CLUSTERED), params).scalar_one() or b"")
    category_filter = ""
    if request.categories:
        category_filter = "AND p.category = ANY(:categories)"
        params["categories"] = list(request.categories)
    sql = _POINTS.format(name=name_sql("p.name"), category_filter=category_filter) + _SINGLE
    return bytes(db.session.execute(text(sql), params).scalar_one() or b"")


LAYER = TileLayer(name=NAME, render=render, drawn={"pois": frozenset(DRAWN_FIELDS)})

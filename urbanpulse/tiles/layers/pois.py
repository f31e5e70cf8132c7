"""The `pois` layer: every published POI at street zooms; below CLUSTER_BELOW_ZOOM, grid clusters.

Clusters are the cells of a grid aligned on the tiles (CLUSTER_GRID cells per tile side), so a cluster
never straddles two tiles and the counts of a tile add up to exactly the POIs it holds. A cell holding one
POI is drawn as that POI. Every feature has `count` (1 for a POI) and `cluster`; POIs also have `id`,
`category`, `name` (in the requested language) and `cover` (the URL of its cover photo's thumbnail, when it
has one); clusters have their most frequent `category`.
"""

from __future__ import annotations

from sqlalchemy import inspect, text

from urbanpulse.core.extensions import db
from urbanpulse.core.models_common import public_sql
from urbanpulse.media.representation import cover_url_sql
from urbanpulse.pois.models import PUBLIC_PREDICATE, Poi
from urbanpulse.tiles.geometry import shapes
from urbanpulse.tiles.grid import BUFFER, EXTENT, HALF_WORLD_M
from urbanpulse.tiles.layers.base import TileLayer, TileRequest, name_sql

NAME = "pois"
CLUSTER_BELOW_ZOOM = 14
CLUSTER_GRID = 8
# What a tile shows of a POI; a change to anything else leaves the tiles alone.
DRAWN_FIELDS = ("location", "status", "deleted_at", "category", "name", "media")

# SQL below is assembled from constants (names, numbers, the public predicate); every value is bound.
# Points of the tile: the envelope test uses the partial GiST index, the floor() test keeps each point in
# exactly one tile (half-open squares, as grid.tiles_near_point).
_POINTS = f"""
    WITH env AS (SELECT ST_TileEnvelope(:z, :x, :y) AS g),
    pts AS (
        SELECT p.id, p.category, {name_sql("p.name")} AS name, {cover_url_sql("p.media")} AS cover,
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
_CLUSTERED = f"""
    , cells AS (
        SELECT count(*) AS n, ST_Centroid(ST_Collect(g)) AS g,
               (array_agg(id ORDER BY id))[1] AS id, (array_agg(name ORDER BY id))[1] AS name,
               (array_agg(cover ORDER BY id))[1] AS cover,
               mode() WITHIN GROUP (ORDER BY category) AS category
        FROM owned
        GROUP BY floor((ST_X(g) + {HALF_WORLD_M!r}) / :cell), floor(({HALF_WORLD_M!r} - ST_Y(g)) / :cell)
    )
    SELECT ST_AsMVT(t, '{NAME}', {EXTENT}, 'geom') FROM (
        SELECT CASE WHEN c.n = 1 THEN c.id::text END AS id, c.category,
               CASE WHEN c.n = 1 THEN c.name END AS name, CASE WHEN c.n = 1 THEN c.cover END AS cover,
               c.n::int AS count, c.n > 1 AS cluster,
               ST_AsMVTGeom(c.g, env.g, {EXTENT}, {BUFFER}, true) AS geom
        FROM cells c, env ORDER BY c.n DESC, c.id
    ) AS t
"""  # noqa: S608


def render(request: TileRequest) -> bytes:
    """The layer's MVT bytes for one tile (b"" when no POI is there)."""
    params = request.params()
    category_filter = ""
    if request.categories:
        category_filter = "AND p.category = ANY(:categories)"
        params["categories"] = list(request.categories)
    points = _POINTS.format(category_filter=category_filter)
    if request.z < CLUSTER_BELOW_ZOOM:
        params["cell"] = params["size"] / CLUSTER_GRID
        sql = points + _CLUSTERED
    else:
        sql = points + _SINGLE
    return bytes(db.session.execute(text(sql), params).scalar_one() or b"")


def touched(poi: Poi, entire: bool) -> list:
    """The POI's old and new positions when a drawn field changed (its position when created or deleted)."""
    state = inspect(poi)
    if not entire and not any(state.attrs[name].history.has_changes() for name in DRAWN_FIELDS):
        return []
    history = state.attrs.location.history
    return shapes([*history.added, *history.unchanged, *history.deleted])


LAYER = TileLayer(name=NAME, render=render, tracked={Poi: touched})

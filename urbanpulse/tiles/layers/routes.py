"""The `routes` layer: published route lines, simplified to the zoom (about half a pixel), with labels.

Attributes: `id`, `slug`, `name` (requested language), `kind`, `theme`, `difficulty`, `length_m`, `is_loop`.
"""

from __future__ import annotations

from sqlalchemy import text

from urbanpulse.core.extensions import db
from urbanpulse.core.models_common import public_sql
from urbanpulse.media.representation import cover_url_sql
from urbanpulse.routes.models import PUBLIC_PREDICATE
from urbanpulse.tiles.grid import BUFFER, EXTENT
from urbanpulse.tiles.layers.base import TileLayer, TileRequest, name_sql

NAME = "routes"
DRAWN_FIELDS = (
    "geom",
    "status",
    "deleted_at",
    "name",
    "slug",
    "kind",
    "theme",
    "difficulty",
    "length_m",
    "is_loop",
    "media",
)

# Few rows: the line's bbox test in 4326 is enough (geography's index would test great-circle edges).
SQL = f"""
    WITH env AS (SELECT ST_TileEnvelope(:z, :x, :y) AS g)
    SELECT ST_AsMVT(t, '{NAME}', {EXTENT}, 'geom') FROM (
        SELECT r.id::text AS id, r.slug, {name_sql("r.name")} AS name, r.kind, r.theme, r.difficulty,
               round(r.length_m)::int AS length_m, r.is_loop, {cover_url_sql("r.media")} AS cover,
               ST_AsMVTGeom(ST_Simplify(ST_Transform(r.geom::geometry, 3857), :tolerance, true), env.g,
                            {EXTENT}, {BUFFER}, true) AS geom
        FROM routes r, env
        WHERE {public_sql(PUBLIC_PREDICATE, "r")}
          AND r.geom::geometry && ST_Transform(ST_Expand(env.g, :margin), 4326)
        ORDER BY r.id
    ) AS t WHERE t.geom IS NOT NULL
"""  # noqa: S608 (constant fragments; values are bound)


def render(request: TileRequest) -> bytes:
    """The layer's MVT bytes for one tile (b"" when no route crosses it)."""
    return bytes(db.session.execute(text(SQL), request.params()).scalar_one() or b"")


LAYER = TileLayer(name=NAME, render=render, drawn={"routes": frozenset(DRAWN_FIELDS)})

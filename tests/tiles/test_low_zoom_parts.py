"""Cluster zooms: one aggregation of the POIs per tile, whatever the category combinations asked, and each
combination drawn exactly as the former per-combination aggregation drew it (union of the categories)."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import text

from tests.factories import make_poi
from tests.queries import counted_queries
from tests.tiles.helpers import decode, features, tile_of
from urbanpulse.core.extensions import db
from urbanpulse.runtime.seeding import SEEDS_DIR, load_seed
from urbanpulse.tiles.layers import pois as layer
from urbanpulse.tiles.layers.base import TileRequest

# The former pois layer at cluster zooms, verbatim: the categories filtered, then one aggregation.
FORMER = """
    WITH env AS (SELECT ST_TileEnvelope(:z, :x, :y) AS g),
    pts AS (
        SELECT p.id, p.category,
               COALESCE(NULLIF(p.name ->> :lang, ''), NULLIF(p.name ->> 'en', ''), p.name ->> 'fr') AS name,
               ST_Transform(p.location::geometry, 3857) AS g
        FROM pois p
        WHERE p.status = 'published' AND p.deleted_at IS NULL
          AND p.location::geometry && ST_Expand(ST_Transform((SELECT g FROM env), 4326), 1e-7)
          AND (cardinality(CAST(:categories AS text[])) = 0 OR p.category = ANY(CAST(:categories AS text[])))
    ),
    owned AS (
        SELECT * FROM pts
        WHERE floor((ST_X(g) + 20037508.342789244) / :size) = :x
          AND floor((20037508.342789244 - ST_Y(g)) / :size) = :y
    ),
    cells AS (
        SELECT count(*) AS n, ST_Centroid(ST_Collect(g)) AS g,
               (array_agg(id ORDER BY id))[1] AS id, (array_agg(name ORDER BY id))[1] AS name,
               mode() WITHIN GROUP (ORDER BY category) AS category
        FROM owned
        GROUP BY floor((ST_X(g) + 20037508.342789244) / :cell), floor((20037508.342789244 - ST_Y(g)) / :cell)
    )
    SELECT ST_AsMVT(t, 'pois', 4096, 'geom') FROM (
        SELECT CASE WHEN c.n = 1 THEN c.id::text END AS id, c.category,
               CASE WHEN c.n = 1 THEN c.name END AS name, c.n::int AS count, c.n > 1 AS cluster,
               ST_AsMVTGeom(c.g, env.g, 4096, 64, true) AS geom
        FROM cells c, env ORDER BY c.n DESC, c.id
    ) AS t
"""
BOULOGNE = (1.6146, 50.7259)
COMBINATIONS = [
    (),
    ("museum",),
    ("church", "museum"),
    ("church", "fortification", "monument"),
    ("casino", "fortification", "lighthouse", "market", "port"),
    ("hotel",),
]


def former(request: TileRequest) -> list[dict]:
    params = {**request.params(), "cell": request.params()["size"] / layer.CLUSTER_GRID}
    data = db.session.execute(text(FORMER), {**params, "categories": list(request.categories)}).scalar_one()
    return decode(bytes(data or b"")).get("pois", {}).get("features", [])


@pytest.fixture
def seeded(app):
    if not (SEEDS_DIR / "pois.geojson").exists():
        pytest.skip("seed file not present")
    load_seed()
    # Cells where categories tie, single POIs beside clusters, and names only in French.
    for index, (lon, lat, category) in enumerate(
        [(1.60, 50.72, "church"), (1.6001, 50.7201, "museum"), (1.58, 50.70, "museum"), (2.35, 48.85, "museum")]
    ):
        make_poi(lon, lat, category=category, name={"fr": f"Ajout {index}"})


@pytest.mark.parametrize("z", [0, 5, 9, 11, 12, 13])
def test_each_combination_is_drawn_as_the_former_aggregation_drew_it(seeded, z):
    x, y = tile_of(*BOULOGNE, z)
    for categories, lang in itertools.product(COMBINATIONS, ("fr", "en")):
        request = TileRequest(z, x, y, lang, tuple(sorted(categories)))
        drawn = decode(layer.render(request)).get("pois", {}).get("features", [])
        assert drawn == former(request), (z, categories, lang)
        if not categories and z <= 9:
            assert drawn and any(feature["properties"]["cluster"] for feature in drawn)


def aggregations(statements: list[str]) -> int:
    return sum(1 for statement in statements if "FROM pois p" in statement)


def test_a_low_zoom_tile_aggregates_the_pois_once_whatever_the_combinations(client, seeded):
    with counted_queries() as statements:
        for categories, lang in itertools.product(COMBINATIONS, ("fr", "de")):
            features(
                client, 0, 0, 0, layers="pois", lang=lang, **({"category": ",".join(categories)} if categories else {})
            )
    assert aggregations(statements) == 1

    # A write retires the parts with the tile: the next combinations see it, after one new aggregation.
    make_poi(1.7, 50.6, category="casino", name={"fr": "Nouveau casino"})
    with counted_queries() as statements:
        casinos = features(client, 0, 0, 0, layers="pois", category="casino")
        features(client, 0, 0, 0, layers="pois", category="casino,museum")
    assert aggregations(statements) == 1
    assert sum(feature["properties"]["count"] for feature in casinos) == 2

"""Vector tiles: decoded with mapbox-vector-tile; attributes, clusters that add up, headers, bad coordinates."""

from __future__ import annotations

import gzip
from collections import Counter

import pytest

from tests.factories import make_poi
from tests.problem import assert_problem
from tests.tiles.helpers import decode, features, lonlat, tile_of, url
from urbanpulse.tiles.geometry import to_shapely

# Spread over Boulogne and its coast, plus two far away (Calais, Lille).
PLACES = [
    (1.6146, 50.7259, "monument"), (1.6170, 50.7256, "museum"), (1.6115, 50.7265, "church"),
    (1.6060, 50.7262, "restaurant"), (1.6058, 50.7264, "restaurant"), (1.5970, 50.7285, "aquarium"),
    (1.5985, 50.7324, "viewpoint"), (1.5950, 50.7200, "port"), (1.5854, 50.7315, "lighthouse"),
    (1.6090, 50.7410, "memorial"), (1.5597, 50.7081, "fortification"), (1.6050, 50.7985, "nature"),
    (1.6120, 50.7230, "park"), (1.6000, 50.7270, "cafe"), (1.6001, 50.7271, "cafe"),
    (1.8530, 50.9513, "monument"), (3.0573, 50.6292, "museum"),
]  # fmt: skip


@pytest.fixture
def places(app):
    """The published POIs of PLACES, plus a draft and a deleted one that tiles must never show."""
    pois = [
        make_poi(lon, lat, category=category, name={"fr": f"Lieu {i}", "en": f"Place {i}"})
        for i, (lon, lat, category) in enumerate(PLACES)
    ]
    make_poi(1.6147, 50.7258, status="draft", name={"fr": "Brouillon"})
    make_poi(1.6148, 50.7257, status="archived", name={"fr": "Archivé"})
    return pois


def test_street_zoom_tiles_have_every_published_poi_with_its_attributes(client, places):
    z = 16
    x, y = tile_of(1.6146, 50.7259, z)
    found = features(client, z, x, y, lang="en")
    expected = [p for p in places if tile_of(*_lonlat(p), z) == (x, y)]
    assert len(found) == len(expected) >= 2
    by_id = {f["properties"]["id"]: f for f in found}
    for poi in expected:
        props = by_id[str(poi.id)]["properties"]
        assert props == {
            "id": str(poi.id),
            "category": poi.category,
            "name": poi.name["en"],
            "count": 1,
            "cluster": False,
        }
        lon, lat = lonlat(z, x, y, by_id[str(poi.id)]["geometry"]["coordinates"])
        assert abs(lon - _lonlat(poi)[0]) < 1e-4 and abs(lat - _lonlat(poi)[1]) < 1e-4
    names = {f["properties"]["name"] for f in features(client, z, x, y, lang="de")}
    assert names == {poi.name["en"] for poi in expected}  # no German name: English, then French


@pytest.mark.parametrize("z", [0, 3, 8, 10, 11, 12, 13])
def test_low_zoom_clusters_add_up_to_the_pois_of_each_tile(client, places, z):
    expected = Counter(tile_of(*_lonlat(p), z) for p in places)
    for (x, y), count in expected.items():
        found = features(client, z, x, y)
        assert sum(f["properties"]["count"] for f in found) == count
        for feature in found:
            props = feature["properties"]
            if props["cluster"]:
                assert props["count"] >= 2 and "id" not in props and "name" not in props and props["category"]
            else:
                assert props["count"] == 1 and props["id"] and props["name"]
    total = sum(f["properties"]["count"] for x, y in expected for f in features(client, z, x, y))
    assert total == len(places)


def test_clusters_split_as_the_zoom_grows(client, places):
    x, y = tile_of(1.6146, 50.7259, 10)
    (cluster,) = [f for f in features(client, 10, x, y) if f["properties"]["cluster"]]
    assert cluster["properties"]["count"] >= 10
    x, y = tile_of(1.6146, 50.7259, 14)
    assert all(not f["properties"]["cluster"] for f in features(client, 14, x, y))


def test_category_filter_counts_only_matching_pois(client, places):
    x, y = tile_of(1.6, 50.72, 8)
    found = features(client, 8, x, y, category="cafe,restaurant")
    assert sum(f["properties"]["count"] for f in found) == 4
    assert {f["properties"]["category"] for f in found} <= {"cafe", "restaurant"}


def test_headers_etag_304_and_gzip(client, places):
    x, y = tile_of(1.6146, 50.7259, 15)
    plain = client.get(url(15, x, y))
    assert plain.status_code == 200
    assert plain.headers["Content-Type"] == "application/vnd.mapbox-vector-tile"
    assert plain.headers["Cache-Control"] == "public, max-age=60"
    etag = plain.headers["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    assert client.get(url(15, x, y), headers={"If-None-Match": etag}).status_code == 304
    zipped = client.get(url(15, x, y), headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip" and zipped.headers["ETag"] != etag
    assert gzip.decompress(zipped.data) == plain.data
    assert "Accept-Encoding" in zipped.headers["Vary"] and "Accept-Language" in zipped.headers["Vary"]
    assert "Accept-Language" not in client.get(url(15, x, y, lang="fr")).headers["Vary"]


def test_empty_tiles_are_204(client, places):
    x, y = tile_of(-150.0, 0.0, 12)  # the Pacific
    response = client.get(url(12, x, y))
    assert response.status_code == 204 and response.data == b""
    assert response.headers["Cache-Control"] == "public, max-age=60"
    x, y = tile_of(1.6146, 50.7259, 15)
    assert client.get(url(15, x, y, category="casino")).status_code == 204


@pytest.mark.parametrize(
    ("path", "fields"),
    [
        ("/api/v1/tiles/23/0/0.mvt", ["z"]),
        ("/api/v1/tiles/-1/0/0.mvt", ["z"]),
        ("/api/v1/tiles/abc/0/0.mvt", ["z"]),
        ("/api/v1/tiles/2/4/0.mvt", ["x"]),
        ("/api/v1/tiles/2/0/4.mvt", ["y"]),
        ("/api/v1/tiles/0/-1/1.mvt", ["x", "y"]),
        ("/api/v1/tiles/3/1.5/2.mvt", ["x"]),
        ("/api/v1/tiles/99999999999/0/0.mvt", ["z"]),
        ("/api/v1/tiles/14/8265/5504.mvt?layers=pois,ufos", ["layers.1"]),
        ("/api/v1/tiles/14/8265/5504.mvt?category=bar", ["category.0"]),
        ("/api/v1/tiles/14/8265/5504.mvt?lang=xx", ["lang"]),
        ("/api/v1/tiles/14/8265/5504.mvt?zoom=3", ["zoom"]),
    ],
)
def test_bad_tile_requests_are_422_naming_the_field(client, path, fields):
    assert_problem(client.get(path), 422, *fields)


def test_the_highest_zoom_and_its_last_tile_are_accepted(client, places):
    x, y = tile_of(1.6146, 50.7259, 22)
    decoded = decode(client.get(url(22, x, y)).data)
    assert [f["properties"]["name"] for f in decoded["pois"]["features"]] == ["Lieu 0"]
    assert client.get(url(22, 2**22 - 1, 2**22 - 1)).status_code == 204


def _lonlat(poi) -> tuple[float, float]:
    point = to_shapely(poi.location)
    return point.x, point.y

"""OGC API - Tiles: the existing vector tiles described as a WebMercatorQuad tileset, the same bytes served."""

import gzip

import mapbox_vector_tile
import pytest

from tests.factories import make_poi
from tests.problem import assert_problem
from urbanpulse.ogc.tiles import tile_matrix


def test_web_mercator_quad_is_the_standard_one():
    assert tile_matrix(0)["cellSize"] == pytest.approx(156543.03392804097, rel=1e-12)  # OGC 17-083r4's value
    assert tile_matrix(0)["scaleDenominator"] == pytest.approx(559082264.0287178, rel=1e-12)
    assert tile_matrix(17)["matrixWidth"] == 2**17


def test_tileset_metadata_links_to_the_tiles(client, app):
    body = client.get("/ogc/tiles").get_json()
    [tileset] = body["tilesets"]
    assert tileset["dataType"] == "vector" and tileset["tileMatrixSetURI"].endswith("/WebMercatorQuad")
    metadata = client.get("/ogc/tiles/WebMercatorQuad").get_json()
    assert {layer["id"] for layer in metadata["layers"]} == {"pois", "routes", "events"}
    template = next(link["href"] for link in metadata["links"] if link["rel"] == "item")
    assert template.endswith("/ogc/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}")
    tms = client.get("/ogc/tileMatrixSets/WebMercatorQuad").get_json()
    assert len(tms["tileMatrices"]) == 23 and tms["crs"].endswith("/EPSG/0/3857")
    assert_problem(client.get("/ogc/tiles/WorldCRS84Quad"), 404)


def test_an_ogc_tile_is_the_api_tile(client, app):
    make_poi(1.6146, 50.7259, name={"fr": "Beffroi"})
    z, x, y = 15, 16530, 11009  # the belfry's tile
    ogc = client.get(f"/ogc/tiles/WebMercatorQuad/{z}/{y}/{x}", headers={"Accept-Encoding": "identity"})
    api = client.get(f"/api/v1/tiles/{z}/{x}/{y}.mvt", headers={"Accept-Encoding": "identity"})
    assert ogc.status_code == api.status_code == 200
    assert ogc.data == api.data and ogc.mimetype == "application/vnd.mapbox-vector-tile"
    names = [f["properties"]["name"] for f in mapbox_vector_tile.decode(ogc.data)["pois"]["features"]]
    assert names == ["Beffroi"]
    gzipped = client.get(f"/ogc/tiles/WebMercatorQuad/{z}/{y}/{x}", headers={"Accept-Encoding": "gzip"})
    assert gzip.decompress(gzipped.data) == api.data
    assert_problem(client.get(f"/ogc/tiles/WebMercatorQuad/{z}/{y}/999999"), 422)

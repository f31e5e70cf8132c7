"""OGC API - Tiles: the vector tiles of /api/v1/tiles described as one tileset in the WebMercatorQuad tile
matrix set, and served under /ogc/tiles by the same tile service (no second tile engine)."""

from __future__ import annotations

import math

from flask import request, url_for
from flask.views import MethodView

from urbanpulse.core.errors import NotFound
from urbanpulse.core.i18n import negotiate
from urbanpulse.ogc.blueprint import blp
from urbanpulse.tiles import service
from urbanpulse.tiles.api import DEFAULT_LANG, MVT_MIMETYPE, tile_response
from urbanpulse.tiles.grid import MAX_ZOOM
from urbanpulse.tiles.layers import by_name
from urbanpulse.web.http import JSON_MIMETYPE, json_response

TMS_ID = "WebMercatorQuad"
TMS_URI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
MERCATOR_CRS = "http://www.opengis.net/def/crs/EPSG/0/3857"
HALF_WORLD_M = math.pi * 6378137  # the sphere of EPSG:3857
TILE_PIXELS = 256
# OGC's standardised rendering pixel size (0.28 mm) turns cell sizes into scale denominators.
PIXEL_M = 0.00028
LAYER_GEOMETRY = {"pois": "points", "routes": "lines", "events": "points"}
MAX_AGE_S = 3600


def tile_matrix(zoom: int) -> dict:
    """One zoom level of WebMercatorQuad (OGC 2D Tile Matrix Set)."""
    cell = 2 * HALF_WORLD_M / (TILE_PIXELS * 2**zoom)
    return {
        "id": str(zoom),
        "scaleDenominator": cell / PIXEL_M,
        "cellSize": cell,
        "cornerOfOrigin": "topLeft",
        "pointOfOrigin": [-HALF_WORLD_M, HALF_WORLD_M],
        "tileWidth": TILE_PIXELS,
        "tileHeight": TILE_PIXELS,
        "matrixWidth": 2**zoom,
        "matrixHeight": 2**zoom,
    }


def _tile_template() -> str:
    base = url_for("ogc.TilesetView", tms=TMS_ID, _external=True)
    return base + "/{tileMatrix}/{tileRow}/{tileCol}"


@blp.route("/tileMatrixSets")
class TileMatrixSetsView(MethodView):
    @blp.response(200)
    def get(self):
        """The tile matrix sets the tiles use (WebMercatorQuad only)."""
        link = url_for("ogc.TileMatrixSetView", tms=TMS_ID, _external=True)
        body = {"tileMatrixSets": [{"id": TMS_ID, "title": "Web Mercator", "uri": TMS_URI,
                                    "links": [{"rel": "self", "href": link, "type": JSON_MIMETYPE}]}]}  # fmt: skip
        return json_response(body, max_age_s=MAX_AGE_S)


@blp.route("/tileMatrixSets/<tms>")
class TileMatrixSetView(MethodView):
    @blp.response(200)
    @blp.answers(404)
    def get(self, tms):
        """The WebMercatorQuad definition (OGC 2D Tile Matrix Set), zooms 0 to 22."""
        _check(tms)
        body = {
            "id": TMS_ID,
            "title": "Google Maps Compatible for the World",
            "uri": TMS_URI,
            "crs": MERCATOR_CRS,
            "orderedAxes": ["X", "Y"],
            "wellKnownScaleSet": "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible",
            "tileMatrices": [tile_matrix(zoom) for zoom in range(MAX_ZOOM + 1)],
        }
        return json_response(body, max_age_s=MAX_AGE_S)


def _tileset() -> dict:
    layers = [
        {"id": name, "dataType": "vector", "geometryType": LAYER_GEOMETRY.get(name, "points"),
         "minTileMatrix": "0", "maxTileMatrix": str(MAX_ZOOM)}
        for name in by_name()
    ]  # fmt: skip
    return {
        "title": "Urban Pulse Boulogne map tiles (points of interest, routes, events)",
        "dataType": "vector",
        "crs": MERCATOR_CRS,
        "tileMatrixSetURI": TMS_URI,
        "tileMatrixSetLimits": [
            {"tileMatrix": str(z), "minTileRow": 0, "maxTileRow": 2**z - 1, "minTileCol": 0, "maxTileCol": 2**z - 1}
            for z in range(MAX_ZOOM + 1)
        ],
        "layers": layers,
        "links": [
            {"rel": "self", "href": url_for("ogc.TilesetView", tms=TMS_ID, _external=True), "type": JSON_MIMETYPE},
            {
                "rel": "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme",
                "href": url_for("ogc.TileMatrixSetView", tms=TMS_ID, _external=True),
                "type": JSON_MIMETYPE,
            },
            {"rel": "item", "href": _tile_template(), "type": MVT_MIMETYPE, "templated": True},
        ],
    }


@blp.route("/tiles")
class TilesetsView(MethodView):
    @blp.response(200)
    def get(self):
        """The vector tilesets of the whole dataset (one: WebMercatorQuad)."""
        tileset = _tileset()
        summary = {key: tileset[key] for key in ("title", "dataType", "crs", "tileMatrixSetURI")}
        summary["links"] = [tileset["links"][0], tileset["links"][2]]
        return json_response({"tilesets": [summary]}, max_age_s=MAX_AGE_S)


@blp.route("/tiles/<tms>")
class TilesetView(MethodView):
    @blp.response(200)
    @blp.answers(404)
    def get(self, tms):
        """The tileset's metadata: layers, zoom limits, the tile URL template."""
        _check(tms)
        return json_response(_tileset(), max_age_s=MAX_AGE_S)


@blp.route("/tiles/<tms>/<tile_matrix>/<tile_row>/<tile_col>")
class OgcTileView(MethodView):
    @blp.response(200, {"type": "string", "format": "binary"}, content_type=MVT_MIMETYPE)
    @blp.alt_response(204, description="No feature in this tile")
    @blp.answers(304, 404)
    def get(self, tms, tile_matrix, tile_row, tile_col):
        """One tile (every layer), the same bytes as /api/v1/tiles/{z}/{x}/{y}.mvt (x = tileCol, y = tileRow)."""
        _check(tms)
        zoom, column, row = service.parse_tile(tile_matrix, tile_col, tile_row)
        lang = negotiate(request.args.get("lang"), request.accept_languages) or DEFAULT_LANG
        tile = service.tile(z=zoom, x=column, y=row, layers=list(by_name().values()), categories=(), lang=lang)
        return tile_response(tile, vary_language="lang" not in request.args)


def _check(tms: str) -> None:
    if tms != TMS_ID:
        raise NotFound(f"no tile matrix set {tms!r}: {TMS_ID}")

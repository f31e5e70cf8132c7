"""HTTP layer of the vector tiles."""

from __future__ import annotations

import gzip

from flask import Response, request
from flask.views import MethodView

from urbanpulse.core.i18n import negotiate
from urbanpulse.tiles import service
from urbanpulse.tiles.cache import Tile
from urbanpulse.tiles.grid import MAX_ZOOM
from urbanpulse.tiles.layers import by_name
from urbanpulse.tiles.schemas import TileQueryArgsSchema
from urbanpulse.web.api_base import ApiBlueprint

MVT_MIMETYPE = "application/vnd.mapbox-vector-tile"
MAX_AGE_S = 60
DEFAULT_LANG = "fr"
TILE_DOC = "A Mapbox Vector Tile (Content-Encoding gzip when accepted)"
blp = ApiBlueprint("tiles", __name__, url_prefix="/api/v1", description="Mapbox Vector Tiles of the map")

_PATH_PARAMETERS = [
    {"in": "path", "name": "z", "required": True, "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ZOOM}},
    {"in": "path", "name": "x", "required": True, "schema": {"type": "integer", "minimum": 0}},
    {"in": "path", "name": "y", "required": True, "schema": {"type": "integer", "minimum": 0}},
]


def _etag_matches(etag: str) -> bool:
    header = request.headers.get("If-None-Match") or ""
    return header.strip() == "*" or etag in {tag.strip().removeprefix("W/") for tag in header.split(",")}


def tile_response(tile: Tile, *, vary_language: bool) -> Response:
    """A tile as HTTP: 204 when empty, gzip when accepted, ETag and 304, shared caching for a minute."""
    headers = {"Cache-Control": f"public, max-age={MAX_AGE_S}"}
    headers["Vary"] = "Accept-Encoding, Accept-Language" if vary_language else "Accept-Encoding"
    if tile.empty:
        return Response(status=204, headers=headers)
    gzipped = request.accept_encodings["gzip"] > 0
    headers["ETag"] = tile.etag[:-1] + '.gz"' if gzipped else tile.etag
    if _etag_matches(headers["ETag"]):
        return Response(status=304, headers=headers)
    if gzipped:
        headers["Content-Encoding"] = "gzip"
        return Response(tile.gzipped, mimetype=MVT_MIMETYPE, headers=headers)
    return Response(gzip.decompress(tile.gzipped), mimetype=MVT_MIMETYPE, headers=headers)


@blp.route("/tiles/<z>/<x>/<y>.mvt", parameters=_PATH_PARAMETERS)
class TileView(MethodView):
    @blp.arguments(TileQueryArgsSchema, location="query")
    @blp.response(200, {"type": "string", "format": "binary"}, content_type=MVT_MIMETYPE, description=TILE_DOC)
    @blp.alt_response(204, description="No feature in this tile")
    @blp.alt_response(304, response="NOT_MODIFIED")
    def get(self, args, z, x, y):
        """A vector tile: published POIs (clustered below zoom 14 with `count`), named in `lang`.

        Layer `pois`: points with `id`, `category`, `name`, `count` 1 and `cluster` false; below zoom 14,
        cells of a 8x8 grid per tile holding several POIs are one point with `cluster` true, `count` and the
        most frequent `category`. An edit invalidates exactly the cached tiles it touches.
        """
        zoom, column, row = service.parse_tile(z, x, y)
        installed = by_name()
        layers = [layer for name, layer in installed.items() if name in set(args.get("layers") or installed)]
        lang = negotiate(args.get("lang"), request.accept_languages) or DEFAULT_LANG
        tile = service.tile(z=zoom, x=column, y=row, layers=layers, categories=args.get("category") or (), lang=lang)
        return tile_response(tile, vary_language="lang" not in args)

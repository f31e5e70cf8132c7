"""OGC API - Features (Core, GeoJSON, HTML, OpenAPI 3.0) under /ogc: thin views over ogc.items and the domains.

JSON by default, HTML with `f=html` or when the client prefers text/html (a browser); links are absolute so
that every client (GDAL, QGIS, OWSLib) follows them as given; `next` links carry every filter.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import render_template, request, url_for
from flask.views import MethodView

from urbanpulse.core.errors import NotFound, ValidationFailed
from urbanpulse.ogc import items
from urbanpulse.ogc.blueprint import blp
from urbanpulse.ogc.collections import COLLECTIONS, CRS84, extent
from urbanpulse.ogc.schemas import FormatArgsSchema, ItemsArgsSchema
from urbanpulse.ogc.windows import window
from urbanpulse.web.http import GEOJSON_MIMETYPE, JSON_MIMETYPE, json_response
from urbanpulse.web.views_common import lang_of, language_headers

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-common-2/1.0/conf/collections",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/dataset-tilesets",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
]
OPENAPI_MIMETYPE = "application/vnd.oai.openapi+json;version=3.0"
# Filters each collection takes besides bbox, limit and cursor (another one is a 422 naming it).
FILTERS = {
    "pois": ("category",),
    "routes": ("theme", "kind", "difficulty"),
    "route-stops": ("route_id",),
    "events": ("category", "datetime"),
}
MAX_AGE_S = 60


def _wants_html(args: dict) -> bool:
    if args.get("f"):
        return args["f"] == "html"
    best = request.accept_mimetypes.best_match([JSON_MIMETYPE, GEOJSON_MIMETYPE, "text/html"], default=JSON_MIMETYPE)
    return best == "text/html"


def _link(endpoint: str, rel: str, media_type: str, title: str | None = None, **values) -> dict:
    link = {"href": url_for(endpoint, _external=True, **values), "rel": rel, "type": media_type}
    if title:
        link["title"] = title
    return link


def _self_links(endpoint: str, json_type: str = JSON_MIMETYPE, **values) -> list[dict]:
    return [
        _link(endpoint, "self", json_type, **values, f="json"),
        _link(endpoint, "alternate", "text/html", **values, f="html"),
    ]


def _answer(body: dict, args: dict, *, template: str, mimetype: str = JSON_MIMETYPE, lang=None):
    if _wants_html(args):
        html = render_template("ogc/page.html", page=template, body=body, lang=lang or "fr")
        return json_response_html(html)
    return json_response(body, mimetype=mimetype, headers=language_headers(lang), max_age_s=MAX_AGE_S)


def json_response_html(html: str):
    """An HTML page of the OGC API, shared by caches for a minute like the JSON."""
    from flask import make_response

    response = make_response(html)
    response.mimetype = "text/html"
    response.headers["Cache-Control"] = f"public, max-age={MAX_AGE_S}"
    response.vary.add("Accept")
    return response


def _collection(collection, lang) -> dict:
    body = {
        "id": collection.id,
        "title": collection.title,
        "description": collection.description,
        "itemType": "feature",
        "crs": [CRS84],
        "storageCrs": CRS84,
        "extent": extent(collection),
        "links": [
            *_self_links("ogc.CollectionView", collection_id=collection.id),
            _link("ogc.ItemsView", "items", GEOJSON_MIMETYPE, "Items as GeoJSON", collection_id=collection.id),
            _link("ogc.ItemsView", "items", "text/html", "Items as HTML", collection_id=collection.id, f="html"),
            _link(
                "ogc.QueryablesView",
                "http://www.opengis.net/def/rel/ogc/1.0/queryables",
                "application/schema+json",
                "Queryables",
                collection_id=collection.id,
            ),
        ],
    }
    return body


@blp.route("")
class LandingView(MethodView):
    @blp.arguments(FormatArgsSchema, location="query")
    @blp.response(200)
    def get(self, args):
        """The landing page: links to the API definition, the conformance classes and the collections."""
        body = {
            "title": "Urban Pulse Boulogne",
            "description": "Published points of interest, heritage routes and their stops, and event occurrences "
            "of Boulogne-sur-Mer, as OGC API - Features.",
            "links": [
                *_self_links("ogc.LandingView"),
                {
                    "href": url_for("api-docs.openapi_json", _external=True),
                    "rel": "service-desc",
                    "type": OPENAPI_MIMETYPE,
                },
                {
                    "href": url_for("api-docs.openapi_swagger_ui", _external=True),
                    "rel": "service-doc",
                    "type": "text/html",
                },
                _link("ogc.ConformanceView", "conformance", JSON_MIMETYPE),
                _link("ogc.CollectionsView", "data", JSON_MIMETYPE),
                _link("ogc.TilesetsView", "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector", JSON_MIMETYPE),
                _link("ogc.TileMatrixSetsView", "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes", JSON_MIMETYPE),
            ],
        }
        return _answer(body, args, template="landing")


@blp.route("/conformance")
class ConformanceView(MethodView):
    @blp.arguments(FormatArgsSchema, location="query")
    @blp.response(200)
    def get(self, args):
        """The conformance classes this API implements."""
        return _answer(
            {"conformsTo": CONFORMANCE, "links": _self_links("ogc.ConformanceView")}, args, template="conformance"
        )


@blp.route("/collections")
class CollectionsView(MethodView):
    @blp.arguments(FormatArgsSchema, location="query")
    @blp.response(200)
    def get(self, args):
        """The four collections: pois, routes, route-stops and events."""
        lang = lang_of(args) or "fr"
        body = {
            "links": _self_links("ogc.CollectionsView"),
            "collections": [_collection(collection, lang) for collection in COLLECTIONS.values()],
        }
        return _answer(body, args, template="collections", lang=lang)


def _collection_or_404(collection_id: str):
    collection = COLLECTIONS.get(collection_id)
    if collection is None:
        raise NotFound(f"no collection {collection_id!r}: {', '.join(COLLECTIONS)}")
    return collection


@blp.route("/collections/<collection_id>")
class CollectionView(MethodView):
    @blp.arguments(FormatArgsSchema, location="query")
    @blp.response(200)
    @blp.answers(404)
    def get(self, args, collection_id):
        """One collection: its description, extent and links to its items."""
        lang = lang_of(args) or "fr"
        body = _collection(_collection_or_404(collection_id), lang)
        return _answer(body, args, template="collection", lang=lang)


def _page(collection_id: str, args: dict, lang: str) -> items.Page:
    common = {"bbox": args.get("bbox"), "limit": args["limit"], "cursor": args.get("cursor"), "lang": lang}
    allowed = FILTERS[collection_id]
    for name in ("category", "theme", "kind", "difficulty", "route_id"):
        if name in args and name not in allowed:
            raise ValidationFailed.field(name, f"not a property of {collection_id}", location="query")
    if collection_id == "pois":
        return items.pois(categories=args.get("category") or (), **common)
    if collection_id == "routes":
        return items.routes(
            themes=args.get("theme") or (),
            kinds=args.get("kind") or (),
            difficulties=args.get("difficulty") or (),
            **common,
        )
    if collection_id == "route-stops":
        return items.route_stops(route_ids=[str(value) for value in args.get("route_id") or ()], **common)
    start, end = window(args.get("datetime"), datetime.now(UTC).replace(microsecond=0))
    return items.events(categories=args.get("category") or (), start=start, end=end, **common)


@blp.route("/collections/<collection_id>/items")
class ItemsView(MethodView):
    @blp.arguments(ItemsArgsSchema, location="query")
    @blp.response(200, content_type=GEOJSON_MIMETYPE)
    @blp.answers(400, 404)
    def get(self, args, collection_id):
        """Items of a collection, by keyset pages: `bbox`, `limit` (default 100, max 1000), the collection's
        properties as filters, `datetime` for events; `next` links carry every filter."""
        _collection_or_404(collection_id)
        lang = lang_of(args) or "fr"
        page = _page(collection_id, args, lang)
        query = {key: value for key, value in request.args.items() if key not in ("cursor", "f")}
        links = [
            *_self_links("ogc.ItemsView", GEOJSON_MIMETYPE, collection_id=collection_id, **query),
            _link("ogc.CollectionView", "collection", JSON_MIMETYPE, collection_id=collection_id),
        ]
        if page.next_cursor:
            links.append(
                _link("ogc.ItemsView", "next", GEOJSON_MIMETYPE, "Next page", collection_id=collection_id,
                      **query, cursor=page.next_cursor)
            )  # fmt: skip
        body = {
            "type": "FeatureCollection",
            "features": page.features,
            "numberReturned": len(page.features),
            "timeStamp": datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
            "links": links,
        }
        if page.matched is not None:
            body["numberMatched"] = page.matched
        return _answer(body, args, template="items", mimetype=GEOJSON_MIMETYPE, lang=lang)


@blp.route("/collections/<collection_id>/queryables")
class QueryablesView(MethodView):
    @blp.arguments(FormatArgsSchema, location="query")
    @blp.response(200, content_type="application/schema+json")
    @blp.answers(404)
    def get(self, args, collection_id):
        """The properties a collection's items can be filtered on (as query parameters), as JSON Schema."""
        collection = _collection_or_404(collection_id)
        properties = {}
        for name, values in collection.queryables.items():
            schema = {"title": name, "type": "string"}
            if values is not None:
                schema["enum"] = list(values)
            else:
                schema["format"] = "uuid"
            properties[name] = schema
        if collection.temporal_sql:
            properties["datetime"] = {"title": "occurrence", "type": "string", "format": "date-time"}
        body = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": url_for("ogc.QueryablesView", collection_id=collection_id, _external=True),
            "type": "object",
            "title": collection.title,
            "properties": properties,
            "additionalProperties": False,
        }
        if _wants_html(args):
            return _answer({**body, "links": []}, args, template="queryables")
        return json_response(body, mimetype="application/schema+json", max_age_s=MAX_AGE_S)


FEATURE_READERS = {
    "pois": items.poi,
    "routes": items.route,
    "route-stops": items.route_stop,
    "events": items.occurrence,
}


@blp.route("/collections/<collection_id>/items/<path:feature_id>")
class ItemView(MethodView):
    @blp.arguments(FormatArgsSchema, location="query")
    @blp.response(200, content_type=GEOJSON_MIMETYPE)
    @blp.answers(404)
    def get(self, args, collection_id, feature_id):
        """One item (route stops: `<route id>/<position>`; events: `<event id>/<UTC start>`)."""
        _collection_or_404(collection_id)
        lang = lang_of(args) or "fr"
        feature = FEATURE_READERS[collection_id](feature_id, lang=lang)
        feature["links"] = [
            *_self_links("ogc.ItemView", GEOJSON_MIMETYPE, collection_id=collection_id, feature_id=feature_id),
            _link("ogc.CollectionView", "collection", JSON_MIMETYPE, collection_id=collection_id),
        ]
        return _answer(feature, args, template="item", mimetype=GEOJSON_MIMETYPE, lang=lang)

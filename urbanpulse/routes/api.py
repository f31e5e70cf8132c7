"""HTTP layer of routes: thin flask-smorest views over routes.service, queries, progress and gpx."""

from __future__ import annotations

from flask import Response, request, url_for
from flask.views import MethodView

from urbanpulse.auth.guard import is_editor, optional_user
from urbanpulse.cache.responses import (
    answer_key,
    cached_body,
    default_ttl_s,
    json_bytes,
    public_request,
    shared_json,
)
from urbanpulse.core import keyset
from urbanpulse.core.errors import Forbidden, Unauthorized
from urbanpulse.core.i18n import REQUIRED_LANGUAGE
from urbanpulse.core.models_common import utcnow
from urbanpulse.editing.views import ItemOperations, actor, if_match, item_response
from urbanpulse.routes import gpx, importing, queries, service
from urbanpulse.routes.blueprint import RoutesBlueprint
from urbanpulse.routes.progress import progress
from urbanpulse.routes.reading import loaded_route, parts_of_wkb, route_etag, route_representation, vocabulary
from urbanpulse.routes.schemas import (
    GpxImportFormSchema,
    ProgressQueryArgsSchema,
    RouteFeatureInSchema,
    RouteFeaturePatchSchema,
    RouteListQueryArgsSchema,
    RouteNearbyQueryArgsSchema,
    RouteQueryArgsSchema,
)
from urbanpulse.routes.schemas_out import (
    ProgressOutSchema,
    RouteCollectionOutSchema,
    RouteFeatureOutSchema,
    RouteHistoryEntryOutSchema,
    VocabularyOutSchema,
)
from urbanpulse.routes.serialize import collection, route_feature
from urbanpulse.web.http import GEOJSON_MIMETYPE, bytes_response, json_response
from urbanpulse.web.schemas_common import LangQueryArgsSchema
from urbanpulse.web.views_common import lang_of, language_headers, page_links, query_as_sent

ITEM_PATH = "/api/v1/routes/{route_id}"
# Public answers are cached until a write to a route or to a POI (stop names, visibility) retires them.
CACHE_DOMAINS = ("routes", "pois")
blp = RoutesBlueprint("routes", __name__, url_prefix="/api/v1", description="Heritage routes: walks, rides, boat trips")
item = ItemOperations(blp, out_schema=RouteFeatureOutSchema, path=ITEM_PATH, id_name="route_id")


def _route_response(route_id, *, lang, editor, simplify_m=None, status=200, headers=None):
    body, etag = route_representation(route_id, lang=lang, editor=editor, simplify_m=simplify_m)
    return item_response(body, etag=etag, lang=lang, status=status, headers=headers)


def _public_route_response(route_id, *, lang, simplify_m):
    """The anonymous detail, cached with its ETag (which covers the stops' POI versions, not in the body)."""

    def compute() -> bytes:
        body, etag = route_representation(route_id, lang=lang, editor=False, simplify_m=simplify_m)
        return etag.encode() + b"\n" + json_bytes(body)

    key = answer_key(route_id=route_id, lang=lang, simplify_m=simplify_m)
    entry = cached_body(name="routes.detail", domains=CACHE_DOMAINS, key=key, ttl_s=default_ttl_s(), compute=compute)
    etag, _, body = entry.partition(b"\n")
    return bytes_response(body, mimetype=GEOJSON_MIMETYPE, etag=etag.decode(), headers=language_headers(lang))


def _features(rows, *, lang, editor, simplify_m, with_distance=False) -> list[dict]:
    return [
        route_feature(
            row,
            parts_of_wkb(row.wkb),
            lang=lang,
            editor=editor,
            stop_count=row.stop_count,
            simplify_m=simplify_m,
            extra={"distance_m": round(row.distance_m, 1)} if with_distance else None,
        )
        for row in rows
    ]


@blp.route("/routes/vocabulary")
class VocabularyView(MethodView):
    @blp.arguments(LangQueryArgsSchema, location="query")
    @blp.response(200, VocabularyOutSchema)
    @blp.answers(304)
    def get(self, args):
        """Themes, kinds (with their paces) and difficulties, with labels."""
        lang = lang_of(args)
        return json_response(vocabulary(lang), headers=language_headers(lang))


@blp.route("/routes")
class RoutesView(MethodView):
    @blp.arguments(RouteListQueryArgsSchema, location="query")
    @blp.response(200, RouteCollectionOutSchema, content_type=GEOJSON_MIMETYPE)
    @blp.answers(304, 401, 403)
    def get(self, args):
        """Routes (published; drafts for editors with `status=draft`), oldest first, with filters and paging."""
        editor = is_editor()
        if args.get("status") not in (None, "published") and not editor:
            raise (Forbidden if optional_user() else Unauthorized)("only editors may list draft routes")
        lang = lang_of(args)

        def build() -> dict:
            rows, matched, next_cursor = queries.listing(
                themes=args.get("theme") or (),
                kinds=args.get("kind") or (),
                difficulties=args.get("difficulty") or (),
                max_length_m=args.get("max_length_m"),
                bbox=args.get("bbox"),
                status=args.get("status"),
                editor=editor,
                limit=args["limit"],
                cursor=args.get("cursor"),
            )
            features = _features(rows, lang=lang, editor=editor, simplify_m=args.get("simplify_m"))
            links = page_links("routes.RoutesView", next_cursor)
            return collection(features, **keyset.matched(matched), links=links)

        # The links repeat the query string as sent, so the key is the query string itself (and the language).
        key = {"query": query_as_sent(), "root": request.script_root, "lang": lang}
        body = shared_json(name="routes.list", domains=CACHE_DOMAINS, key=key, ttl_s=default_ttl_s(), build=build)
        return bytes_response(body, mimetype=GEOJSON_MIMETYPE, headers=language_headers(lang))

    @item.create(RouteFeatureInSchema)
    def post(self, body):
        """Create a route from a GeoJSON Feature (a draft unless `status` says otherwise)."""
        route = service.create_route(parts=body["geometry"], properties=body["properties"], actor=actor())
        location = url_for("routes.RouteView", route_id=route.id)
        return _route_response(route.id, lang=None, editor=True, status=201, headers={"Location": location})


@blp.route("/routes/import-gpx")
class ImportGpxView(MethodView):
    @item.create(GpxImportFormSchema, location="multipart")
    def post(self, form):
        """Create a route (a draft by default) from an uploaded GPX file (multipart field `file`)."""
        data = form.pop("file").stream.read(gpx.MAX_GPX_BYTES + 1)
        route = importing.create_route_from_gpx(data=data, options=form, actor=actor())
        location = url_for("routes.RouteView", route_id=route.id)
        return _route_response(route.id, lang=None, editor=True, status=201, headers={"Location": location})


@blp.route("/routes/nearby")
class NearbyView(MethodView):
    @blp.arguments(RouteNearbyQueryArgsSchema, location="query")
    @blp.response(200, RouteCollectionOutSchema, content_type=GEOJSON_MIMETYPE)
    @blp.answers(304, 401)
    def get(self, args):
        """Published routes whose line passes within `radius` metres, nearest first, with `distance_m`."""
        lang = lang_of(args)
        editor = is_editor()

        def build() -> dict:
            rows = queries.nearby(
                lat=args["lat"],
                lon=args["lon"],
                radius_m=args["radius"],
                limit=args["limit"],
                themes=args.get("theme") or (),
                kinds=args.get("kind") or (),
                editor=editor,
            )
            simplify_m = args.get("simplify_m")
            return collection(_features(rows, lang=lang, editor=editor, simplify_m=simplify_m, with_distance=True))

        key = {"args": args, "lang": lang}  # lat/lon exactly as given: distances are per position
        body = shared_json(name="routes.nearby", domains=CACHE_DOMAINS, key=key, ttl_s=default_ttl_s(), build=build)
        return bytes_response(body, mimetype=GEOJSON_MIMETYPE, headers=language_headers(lang))


@blp.route("/routes/<uuid:route_id>")
class RouteView(MethodView):
    @item.read(RouteQueryArgsSchema)
    def get(self, args, route_id):
        """One route with its stops in order; drafts are visible to editors only."""
        lang, simplify_m = lang_of(args), args.get("simplify_m")
        if public_request():
            return _public_route_response(route_id, lang=lang, simplify_m=simplify_m)
        return _route_response(route_id, lang=lang, editor=is_editor(), simplify_m=simplify_m)

    @item.update(RouteFeaturePatchSchema)
    def patch(self, body, route_id):
        """Change some fields, the line or the stops (a new list replaces the old); needs If-Match."""
        service.update_route(
            route_id=route_id,
            if_match=if_match(),
            actor=actor(),
            parts=body.get("geometry"),
            properties=body.get("properties"),
        )
        return _route_response(route_id, lang=None, editor=True)

    @item.delete()
    def delete(self, route_id):
        """Soft-delete a route; needs If-Match with the current ETag."""
        service.delete_route(route_id=route_id, if_match=if_match(), actor=actor())
        return "", 204


@blp.route("/routes/<uuid:route_id>/gpx")
class GpxView(MethodView):
    @blp.arguments(LangQueryArgsSchema, location="query")
    @blp.response(
        200,
        {"type": "string", "format": "binary"},
        content_type=gpx.GPX_MIMETYPE,
        description="A GPX 1.1 document: the track and the stops as waypoints",
        headers={
            "Content-Disposition": {"description": 'attachment; filename="<slug>.gpx"', "schema": {"type": "string"}}
        },
    )
    @blp.answers(304, 401, 404)
    def get(self, args, route_id):
        """The route as a GPX 1.1 file: the line as a track, the stops as waypoints, names in `lang`."""
        editor = is_editor()
        lang = lang_of(args) or REQUIRED_LANGUAGE
        loaded = loaded_route(route_id, editor=editor)
        document = gpx.build(
            loaded.route,
            loaded.parts,
            loaded.stops,
            lang=lang,
            route_url=url_for("routes.RouteView", route_id=route_id, _external=True),
            poi_url=lambda poi_id: url_for("pois.PoiView", poi_id=poi_id, _external=True),
        )
        response = Response(document, mimetype=gpx.GPX_MIMETYPE)
        response.headers["Content-Disposition"] = f'attachment; filename="{loaded.route.slug}.gpx"'
        response.headers["Content-Language"] = lang
        response.headers["ETag"] = route_etag(loaded, lang=lang, editor=editor, extra="gpx")
        response.vary.update(("Accept-Language", "Authorization"))
        return response.make_conditional(request)


@blp.route("/routes/<uuid:route_id>/progress")
class ProgressView(MethodView):
    @blp.arguments(ProgressQueryArgsSchema, location="query")
    @blp.response(200, ProgressOutSchema)
    @blp.answers(304, 401, 404)
    def get(self, args, route_id):
        """Where a walker at (lat, lon) is on the route: distance done and left, next stop, ETAs."""
        lang = lang_of(args)
        loaded = loaded_route(route_id, editor=is_editor())
        body = progress(
            loaded.route, loaded.line, loaded.stops, lon=args["lon"], lat=args["lat"], lang=lang, now=utcnow()
        )
        return json_response(body, headers=language_headers(lang))


@blp.route("/routes/<uuid:route_id>/history")
class RouteHistoryView(MethodView):
    @item.history(RouteHistoryEntryOutSchema)
    def get(self, route_id):
        """Who changed what and when, oldest first."""
        return service.route_history(route_id=route_id)

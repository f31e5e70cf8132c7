"""HTTP layer of POIs: thin flask-smorest views over pois.service and pois.queries."""

from __future__ import annotations

from flask import request, url_for
from flask.views import MethodView
from geoalchemy2.shape import to_shape

from urbanpulse.api_base import ApiBlueprint
from urbanpulse.auth.guard import EDITORS, is_editor, optional_user, protected
from urbanpulse.editing.actor import Actor
from urbanpulse.editing.etags import item_etag
from urbanpulse.errors import Forbidden, Unauthorized
from urbanpulse.http import GEOJSON_MIMETYPE, json_response
from urbanpulse.i18n import negotiate, pick
from urbanpulse.pois import nearby_cache, queries, service
from urbanpulse.pois.categories import CATEGORY_LABELS
from urbanpulse.pois.hours import local_time
from urbanpulse.pois.schemas import (
    NearbyQueryArgsSchema,
    PoiFeatureInSchema,
    PoiFeaturePatchSchema,
    PoiListQueryArgsSchema,
    PoiQueryArgsSchema,
)
from urbanpulse.pois.schemas_out import PoiCollectionOutSchema, PoiFeatureOutSchema
from urbanpulse.pois.serialize import collection, feature, feature_json
from urbanpulse.schemas_common import CategoryOutSchema, HistoryEntryOutSchema, LangQueryArgsSchema

NEARBY_MAX_AGE_S = 30
ITEM_MAX_AGE_S = 60
ITEM_PATH = "/api/v1/pois/{poi_id}"
blp = ApiBlueprint("pois", __name__, url_prefix="/api/v1", description="Points of interest")


def _lang(args: dict) -> str | None:
    return negotiate(args.get("lang"), request.accept_languages)


def _language_headers(lang: str | None) -> dict:
    return {"Content-Language": lang} if lang else {}


def _poi_feature(poi, *, lang, editor, at=None) -> dict:
    point = to_shape(poi.location)
    return feature(poi, lang=lang, editor=editor, local_now=local_time(at), lon=point.x, lat=point.y)


def _poi_response(poi, *, lang, editor, status=200, at=None, headers=None):
    variant = ".".join(filter(None, (lang, "ed" if editor else None))) or None
    return json_response(
        _poi_feature(poi, lang=lang, editor=editor, at=at),
        status=status,
        mimetype=GEOJSON_MIMETYPE,
        etag=item_etag(poi.id, poi.version, variant),
        headers={**_language_headers(lang), **(headers or {})},
    )


def _actor() -> Actor:
    return Actor.for_user(optional_user())


@blp.route("/categories")
class CategoriesView(MethodView):
    @blp.arguments(LangQueryArgsSchema, location="query")
    @blp.response(200, CategoryOutSchema(many=True))
    @blp.answers(304)
    def get(self, args):
        """The POI category vocabulary with labels."""
        lang = _lang(args)
        items = [
            {"id": key, "label": pick(labels, lang)[0] if lang else labels} for key, labels in CATEGORY_LABELS.items()
        ]
        return json_response(items, headers=_language_headers(lang))


@blp.route("/pois")
class PoisView(MethodView):
    @blp.arguments(PoiListQueryArgsSchema, location="query")
    @blp.response(200, PoiCollectionOutSchema, content_type=GEOJSON_MIMETYPE)
    @blp.answers(304, 401, 403)
    def get(self, args):
        """POIs in a map viewport (bbox) and/or matching a text, with cursor paging."""
        editor = is_editor()
        status = args.get("status")
        if status not in (None, "published") and not editor:
            raise (Forbidden if optional_user() else Unauthorized)("only editors may list unpublished POIs")
        lang = _lang(args)
        rows, matched, next_cursor = queries.listing(
            bbox=args.get("bbox"),
            categories=args.get("category") or (),
            q=args.get("q"),
            status=status,
            limit=args["limit"],
            cursor=args.get("cursor"),
        )
        local_now = local_time(args.get("at"))
        features = [
            feature_json(
                row,
                lang=lang,
                editor=editor,
                local_now=local_now,
                lon=row.lon,
                lat=row.lat,
                extra={"relevance": round(row.relevance, 3)} if args.get("q") else None,
            )
            for row in rows
        ]
        links = [{"rel": "self", "href": request.full_path.rstrip("?"), "type": GEOJSON_MIMETYPE}]
        if next_cursor:
            query = {**request.args.to_dict(), "cursor": next_cursor}
            links.append({"rel": "next", "href": url_for("pois.PoisView", **query), "type": GEOJSON_MIMETYPE})
        body = collection(features, numberMatched=matched, links=links)
        return json_response(body, mimetype=GEOJSON_MIMETYPE, headers=_language_headers(lang))

    @protected(blp, EDITORS)
    @blp.arguments(PoiFeatureInSchema)
    @blp.response(201, PoiFeatureOutSchema, content_type=GEOJSON_MIMETYPE)
    @blp.links_to_item(201, ITEM_PATH, "poi_id")
    @blp.answers(409)
    def post(self, body):
        """Create a POI from a GeoJSON Feature (status draft unless given)."""
        poi = service.create_poi(geometry=body["geometry"], properties=body["properties"], actor=_actor())
        location = url_for("pois.PoiView", poi_id=poi.id)
        return _poi_response(poi, lang=None, editor=True, status=201, headers={"Location": location})


@blp.route("/pois/nearby")
class NearbyView(MethodView):
    @blp.arguments(NearbyQueryArgsSchema, location="query")
    @blp.response(200, PoiCollectionOutSchema, content_type=GEOJSON_MIMETYPE)
    @blp.answers(304, 401)
    def get(self, args):
        """Published POIs within `radius` metres of (lat, lon), nearest first, with `distance_m`."""
        lang = _lang(args)
        local_now = local_time(args.get("at"))
        search = {
            "lat": args["lat"],
            "lon": args["lon"],
            "radius_m": args["radius"],
            "limit": args["limit"],
            "categories": args.get("category") or (),
        }
        if args.get("q") or args["open_now"]:
            found = queries.nearby(**search, q=args.get("q"), open_at=local_now if args["open_now"] else None)
        else:
            found = nearby_cache.nearby(**search)
        editor = is_editor()
        features = [
            feature_json(
                row,
                lang=lang,
                editor=editor,
                local_now=local_now,
                lon=row.lon,
                lat=row.lat,
                extra={"distance_m": distance},
            )
            for row, distance in found
        ]
        return json_response(
            collection(features), mimetype=GEOJSON_MIMETYPE, headers=_language_headers(lang), max_age_s=NEARBY_MAX_AGE_S
        )


@blp.route("/pois/<uuid:poi_id>")
class PoiView(MethodView):
    @blp.arguments(PoiQueryArgsSchema, location="query")
    @blp.response(200, PoiFeatureOutSchema, content_type=GEOJSON_MIMETYPE)
    @blp.links_to_item(200, ITEM_PATH, "poi_id")
    @blp.answers(304, 401, 404)
    def get(self, args, poi_id):
        """One POI; drafts and archived POIs are visible to editors only."""
        editor = is_editor()
        poi = service.get_poi(poi_id=poi_id, include_unpublished=editor)
        return _poi_response(poi, lang=_lang(args), editor=editor, at=args.get("at"))

    @protected(blp, EDITORS)
    @blp.arguments(PoiFeaturePatchSchema)
    @blp.response(200, PoiFeatureOutSchema, content_type=GEOJSON_MIMETYPE)
    @blp.links_to_item(200, ITEM_PATH, "poi_id")
    @blp.alt_response(412, response="PRECONDITION_FAILED")
    @blp.alt_response(428, response="PRECONDITION_REQUIRED")
    @blp.answers(404, 409)
    def patch(self, body, poi_id):
        """Change some fields; needs If-Match with the current ETag."""
        poi = service.update_poi(
            poi_id=poi_id,
            if_match=request.headers.get("If-Match"),
            actor=_actor(),
            geometry=body.get("geometry"),
            properties=body.get("properties"),
        )
        return _poi_response(poi, lang=None, editor=True)

    @protected(blp, EDITORS)
    @blp.response(204)
    @blp.alt_response(412, response="PRECONDITION_FAILED")
    @blp.alt_response(428, response="PRECONDITION_REQUIRED")
    @blp.answers(404)
    def delete(self, poi_id):
        """Soft-delete a POI; needs If-Match with the current ETag."""
        service.delete_poi(poi_id=poi_id, if_match=request.headers.get("If-Match"), actor=_actor())
        return "", 204


@blp.route("/pois/<uuid:poi_id>/history")
class PoiHistoryView(MethodView):
    @protected(blp, EDITORS)
    @blp.response(200, HistoryEntryOutSchema(many=True))
    @blp.answers(404)
    def get(self, poi_id):
        """Who changed what and when, oldest first."""
        return service.poi_history(poi_id=poi_id)

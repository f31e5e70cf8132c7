"""HTTP layer of POIs: thin flask-smorest views over pois.service and pois.queries."""

from __future__ import annotations

from flask import url_for
from flask.views import MethodView
from geoalchemy2.shape import to_shape

from urbanpulse.auth.guard import is_editor, optional_user
from urbanpulse.core import keyset
from urbanpulse.core.errors import Forbidden, Unauthorized
from urbanpulse.editing.etags import body_bound_etag
from urbanpulse.editing.views import ItemOperations, actor, if_match, item_response
from urbanpulse.pois import listing, nearby_cache, queries, service
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
from urbanpulse.web.api_base import ApiBlueprint
from urbanpulse.web.http import GEOJSON_MIMETYPE, json_response
from urbanpulse.web.schemas_common import CategoryOutSchema, HistoryEntryOutSchema, LangQueryArgsSchema
from urbanpulse.web.views_common import labelled, lang_of, language_headers, page_links

NEARBY_MAX_AGE_S = 30
ITEM_MAX_AGE_S = 60
ITEM_PATH = "/api/v1/pois/{poi_id}"
blp = ApiBlueprint("pois", __name__, url_prefix="/api/v1", description="Points of interest")
item = ItemOperations(blp, out_schema=PoiFeatureOutSchema, path=ITEM_PATH, id_name="poi_id")


def _poi_feature(poi, *, lang, editor, at=None) -> dict:
    point = to_shape(poi.location)
    return feature(poi, lang=lang, editor=editor, local_now=local_time(at), lon=point.x, lat=point.y)


def _poi_response(poi, *, lang, editor, status=200, at=None, headers=None):
    return item_response(
        _poi_feature(poi, lang=lang, editor=editor, at=at),
        etag=body_bound_etag(poi.id, poi.version, lang=lang, editor=editor),
        lang=lang,
        status=status,
        headers=headers,
    )


def _features(found, *, lang, editor, local_now) -> list:
    """Pre-encoded Features of SQL rows, each with its extra properties (or None)."""
    local_now = local_now.replace(second=0, microsecond=0)  # open_now changes on whole minutes
    return [
        feature_json(row, lang=lang, editor=editor, local_now=local_now, lon=row.lon, lat=row.lat, extra=extra)
        for row, extra in found
    ]


@blp.route("/categories")
class CategoriesView(MethodView):
    @blp.arguments(LangQueryArgsSchema, location="query")
    @blp.response(200, CategoryOutSchema(many=True))
    @blp.answers(304)
    def get(self, args):
        """The POI category vocabulary with labels."""
        lang = lang_of(args)
        return json_response(labelled(CATEGORY_LABELS, lang), headers=language_headers(lang))


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
        lang, q = lang_of(args), args.get("q")
        rows, matched, next_cursor = listing.listing(
            bbox=args.get("bbox"),
            categories=args.get("category") or (),
            q=q,
            status=status,
            limit=args["limit"],
            cursor=args.get("cursor"),
        )
        found = ((row, {"relevance": round(row.relevance, 3)} if q else None) for row in rows)
        features = _features(found, lang=lang, editor=editor, local_now=local_time(args.get("at")))
        body = collection(features, **keyset.matched(matched), links=page_links("pois.PoisView", next_cursor))
        return json_response(body, mimetype=GEOJSON_MIMETYPE, headers=language_headers(lang))

    @item.create(PoiFeatureInSchema)
    def post(self, body):
        """Create a POI from a GeoJSON Feature (status draft unless given)."""
        poi = service.create_poi(geometry=body["geometry"], properties=body["properties"], actor=actor())
        location = url_for("pois.PoiView", poi_id=poi.id)
        return _poi_response(poi, lang=None, editor=True, status=201, headers={"Location": location})


@blp.route("/pois/nearby")
class NearbyView(MethodView):
    @blp.arguments(NearbyQueryArgsSchema, location="query")
    @blp.response(200, PoiCollectionOutSchema, content_type=GEOJSON_MIMETYPE)
    @blp.answers(304, 401)
    def get(self, args):
        """Published POIs within `radius` metres of (lat, lon), nearest first, with `distance_m`."""
        lang = lang_of(args)
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
        with_distance = ((row, {"distance_m": distance}) for row, distance in found)
        features = _features(with_distance, lang=lang, editor=is_editor(), local_now=local_now)
        return json_response(
            collection(features), mimetype=GEOJSON_MIMETYPE, headers=language_headers(lang), max_age_s=NEARBY_MAX_AGE_S
        )


@blp.route("/pois/<uuid:poi_id>")
class PoiView(MethodView):
    @item.read(PoiQueryArgsSchema)
    def get(self, args, poi_id):
        """One POI; drafts and archived POIs are visible to editors only."""
        editor = is_editor()
        poi = service.get_poi(poi_id=poi_id, include_unpublished=editor)
        return _poi_response(poi, lang=lang_of(args), editor=editor, at=args.get("at"))

    @item.update(PoiFeaturePatchSchema)
    def patch(self, body, poi_id):
        """Change some fields; needs If-Match with the current ETag."""
        poi = service.update_poi(
            poi_id=poi_id,
            if_match=if_match(),
            actor=actor(),
            geometry=body.get("geometry"),
            properties=body.get("properties"),
        )
        return _poi_response(poi, lang=None, editor=True)

    @item.delete()
    def delete(self, poi_id):
        """Soft-delete a POI; needs If-Match with the current ETag."""
        service.delete_poi(poi_id=poi_id, if_match=if_match(), actor=actor())
        return "", 204


@blp.route("/pois/<uuid:poi_id>/history")
class PoiHistoryView(MethodView):
    @item.history(HistoryEntryOutSchema)
    def get(self, poi_id):
        """Who changed what and when, oldest first."""
        return service.poi_history(poi_id=poi_id)

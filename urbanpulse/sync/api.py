"""HTTP layer of sync: thin views over sync.service and sync.bundle."""

from __future__ import annotations

from flask import Response, request
from flask.views import MethodView

from urbanpulse.sync import bundle, service
from urbanpulse.sync.schemas import BundleOutSchema, BundleQueryArgsSchema, SyncPageOutSchema, SyncQueryArgsSchema
from urbanpulse.web.api_base import ApiBlueprint
from urbanpulse.web.http import GEOJSON_MIMETYPE, json_response

blp = ApiBlueprint(
    "sync", __name__, url_prefix="/api/v1", description="Offline copies for the mobile app: delta sync and bundle"
)
BUNDLE_MAX_AGE_S = 60


def _etag_matches(etag: str) -> bool:
    header = request.headers.get("If-None-Match") or ""
    return header.strip() == "*" or etag in {tag.strip().removeprefix("W/") for tag in header.split(",")}


@blp.route("/sync")
class SyncView(MethodView):
    @blp.arguments(SyncQueryArgsSchema, location="query")
    @blp.response(200, SyncPageOutSchema, content_type=GEOJSON_MIMETYPE)
    @blp.answers(304)
    def get(self, args):
        """Published items changed after `since` (all of them without it) and tombstones, with `next_cursor`.

        Apply `features` (replace by id) and `removed` (delete by id), keep `next_cursor`, and ask again
        with it while `has_more` is true. Drafts are never sent. A cursor is bound to its `types` and
        `lang`; to change either, start again without `since`.
        """
        lang = args.get("lang")
        body = service.sync_page(since=args.get("since"), types=args.get("types"), lang=lang, limit=args["limit"])
        response = json_response(body, mimetype=GEOJSON_MIMETYPE, vary=(), headers=_language(lang))
        response.headers["Cache-Control"] = "no-cache"
        return response


@blp.route("/sync/bundle")
class BundleView(MethodView):
    @blp.arguments(BundleQueryArgsSchema, location="query")
    @blp.response(200, BundleOutSchema, content_type=GEOJSON_MIMETYPE)
    @blp.alt_response(304, response="NOT_MODIFIED")
    def get(self, args):
        """Every published item in one download for a first install, with the cursor to sync from.

        Served gzip-compressed (`Content-Encoding: gzip`) to clients that accept it; the same body as a
        snapshot page that has everything. Rebuilt only when the content changed.
        """
        lang = args.get("lang")
        current = bundle.current(lang)
        gzipped = request.accept_encodings["gzip"] > 0
        etag = current.etag[:-1] + '.gz"' if gzipped else current.etag
        headers = {
            "ETag": etag,
            "Cache-Control": f"public, max-age={BUNDLE_MAX_AGE_S}",
            "Vary": "Accept-Encoding",
            "Content-Disposition": f'inline; filename="urbanpulse-bundle-{lang or "all"}.geojson"',
            **_language(lang),
        }
        if _etag_matches(etag):
            return Response(status=304, headers=headers)
        if gzipped:
            headers["Content-Encoding"] = "gzip"
            return Response(current.gzipped, mimetype=GEOJSON_MIMETYPE, headers=headers)
        return Response(current.json(), mimetype=GEOJSON_MIMETYPE, headers=headers)


def _language(lang: str | None) -> dict:
    return {"Content-Language": lang} if lang else {}

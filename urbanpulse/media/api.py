"""HTTP layer of media: an item's images (list, upload, edit, order, delete) and the served files."""

from __future__ import annotations

import re

from flask import Response, request
from flask.views import MethodView
from marshmallow import ValidationError
from werkzeug.exceptions import RequestEntityTooLarge

from urbanpulse.auth.guard import EDITORS, is_editor, protected
from urbanpulse.core.errors import NotFound, ValidationFailed, flatten_validation_messages
from urbanpulse.editing.etags import item_etag, representation_etag
from urbanpulse.editing.views import actor, if_match
from urbanpulse.media import service
from urbanpulse.media.errors import PayloadTooLarge, UnsupportedMediaType
from urbanpulse.media.representation import content_type_of, in_language
from urbanpulse.media.schemas import (
    MediaListOutSchema,
    MediaOrderSchema,
    MediaPatchSchema,
    MediaQueryArgsSchema,
    MediaUploadSchema,
    UploadFormSchema,
    texts_of_form,
)
from urbanpulse.media.storage import current_store
from urbanpulse.web.api_base import ApiBlueprint
from urbanpulse.web.http import json_response
from urbanpulse.web.views_common import lang_of, language_headers

ID_NAMES = {"pois": "poi_id", "routes": "route_id", "events": "event_id"}
SERVED_NAME = re.compile(r"^[0-9a-f]{64}\.(webp|jpg)$")
IMMUTABLE = "public, max-age=31536000, immutable"
blp = ApiBlueprint("media", __name__, url_prefix="/api/v1", description="Photos of POIs, routes and events")


def _answer(item, *, lang=None, status=200, editor=True):
    body = {"item_id": str(item.id), "version": item.version, "media": in_language(item.media, lang)}
    etag = representation_etag(item.id, item.version, lang=lang, editor=editor, extra="media")
    response = json_response(body, status=status, etag=etag, headers=language_headers(lang))
    if status != 200 or request.method != "GET":
        response.headers["ETag"] = item_etag(item.id, item.version)  # what the next write sends as If-Match
    return response


def _items(suffix: str = ""):
    """Register the view at `/<collection>/{<collection's id>}/media<suffix>` for each kind of item."""

    def decorator(view):
        for collection, id_name in ID_NAMES.items():
            rule = f"/{collection}/<uuid:{id_name}>/media{suffix}"
            blp.route(rule, endpoint=f"{collection}_{view.__name__}", defaults={"collection": collection})(view)
        return view

    return decorator


def _item_id(collection: str, ids: dict):
    return ids[ID_NAMES[collection]]


def _needs_if_match(view):
    view = blp.alt_response(412, response="PRECONDITION_FAILED")(view)
    return blp.alt_response(428, response="PRECONDITION_REQUIRED")(view)


@blp.before_request
def _upload_cap() -> None:
    """Uploads have their own body cap (MEDIA_MAX_UPLOAD_BYTES), above the JSON one."""
    if request.method == "POST" and (request.endpoint or "").endswith("_MediaListView"):
        from flask import current_app

        request.max_content_length = current_app.config["MEDIA_MAX_UPLOAD_BYTES"]


def _uploads() -> tuple[list[service.Upload], dict]:
    """The files and texts of a multipart upload: 415 for another body, 413 past the cap, 422 on bad fields."""
    from flask import current_app

    if request.mimetype != "multipart/form-data":
        raise UnsupportedMediaType("send the images as multipart/form-data, in one or several `file` parts")
    try:
        form, files = request.form, request.files
    except RequestEntityTooLarge:
        cap = current_app.config["MEDIA_MAX_UPLOAD_BYTES"]
        raise PayloadTooLarge(f"an upload is limited to {cap // (1024 * 1024)} MB ({cap} bytes)") from None
    unknown = [key for key in files if key != "file"]
    if unknown:
        raise ValidationFailed.field(unknown[0], "unknown file field; send the images as `file`", "files")
    try:
        texts = UploadFormSchema().load(form.to_dict())
    except ValidationError as error:
        errors = flatten_validation_messages({"form": error.messages})
        raise ValidationFailed("Invalid input: " + ", ".join(e["field"] for e in errors), errors=errors) from None
    uploads = [
        service.Upload(field=f"file.{index}", filename=part.filename, content_type=part.mimetype, data=part.read())
        for index, part in enumerate(files.getlist("file"))
    ]
    return uploads, texts_of_form(texts)


@_items()
class MediaListView(MethodView):
    @blp.arguments(MediaQueryArgsSchema, location="query")
    @blp.response(200, MediaListOutSchema)
    @blp.answers(304, 401, 404)
    def get(self, args, collection, **ids):
        """An item's images in their order (drafts' images for editors only)."""
        item_id = _item_id(collection, ids)
        editor = is_editor()
        item, _ = service.list_media(kind=collection, item_id=item_id, include_unpublished=editor)
        return _answer(item, lang=lang_of(args), editor=editor)

    @protected(blp, EDITORS)
    @blp.doc(requestBody={"content": {"multipart/form-data": {"schema": MediaUploadSchema}}})
    @blp.response(201, MediaListOutSchema)
    @_needs_if_match
    @blp.answers(404, 413, 415, 422)
    def post(self, collection, **ids):
        """Upload one or several images (multipart `file` parts, with optional alt_xx, caption_xx, credit,
        licence fields); they are `processing` until their sizes exist. Needs If-Match of the item."""
        item_id = _item_id(collection, ids)
        uploads, texts = _uploads()
        item = service.upload_media(
            kind=collection,
            item_id=item_id,
            uploads=uploads,
            texts=texts,
            if_match=if_match(),
            actor=actor(),
        )
        return _answer(item, status=201)


@_items("/order")
class MediaOrderView(MethodView):
    @protected(blp, EDITORS)
    @blp.arguments(MediaOrderSchema)
    @blp.response(200, MediaListOutSchema)
    @_needs_if_match
    @blp.answers(404)
    def put(self, body, collection, **ids):
        """Put the item's images in a new order (every id once). Needs If-Match of the item."""
        item_id = _item_id(collection, ids)
        item = service.reorder_media(
            kind=collection, item_id=item_id, order=body["order"], if_match=if_match(), actor=actor()
        )
        return _answer(item)


@_items("/<uuid:media_id>")
class MediaItemView(MethodView):
    @protected(blp, EDITORS)
    @blp.arguments(MediaPatchSchema)
    @blp.response(200, MediaListOutSchema)
    @_needs_if_match
    @blp.answers(404)
    def patch(self, body, collection, media_id, **ids):
        """Change an image's alt text, caption, credit, licence, or make it the cover. Needs If-Match."""
        item_id = _item_id(collection, ids)
        item = service.update_media(
            kind=collection,
            item_id=item_id,
            media_id=media_id,
            changes=body,
            if_match=if_match(),
            actor=actor(),
        )
        return _answer(item)

    @protected(blp, EDITORS)
    @blp.response(200, MediaListOutSchema)
    @_needs_if_match
    @blp.answers(404)
    def delete(self, collection, media_id, **ids):
        """Remove an image from the item; answers the remaining list and the item's new ETag."""
        item_id = _item_id(collection, ids)
        item = service.delete_media(
            kind=collection, item_id=item_id, media_id=media_id, if_match=if_match(), actor=actor()
        )
        return _answer(item)


@blp.route("/media/files/<string:name>")
class MediaFileView(MethodView):
    @blp.response(200, content_type="image/webp", description="the file (image/webp or image/jpeg)")
    @blp.answers(206, 304, 404, 416)
    def get(self, name):
        """A served image file: content-addressed, immutable, cacheable for a year; byte ranges work."""
        if not SERVED_NAME.match(name):
            raise NotFound("no such file")
        try:
            data = current_store().get(name)
        except KeyError:
            raise NotFound("no such file") from None
        response = Response(data, mimetype=content_type_of(name))
        response.headers["Cache-Control"] = IMMUTABLE
        response.set_etag(name.partition(".")[0])
        return response.make_conditional(request, accept_ranges=True, complete_length=len(data))

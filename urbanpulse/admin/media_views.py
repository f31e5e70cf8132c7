"""Photos of a place, route or event: upload (drag and drop, progress), order, cover, texts, rights, delete.

Every button calls urbanpulse.media.service as the API does, with the version the page was opened at.
"""

from __future__ import annotations

from flask import abort, current_app, flash, jsonify, redirect, request, url_for
from flask_admin import expose
from werkzeug.exceptions import RequestEntityTooLarge

from urbanpulse.admin.i18n import gettext, service_message, translated
from urbanpulse.admin.views_base import ActionForm, SecureView, conflict_message, flash_saved, is_conflict, parse_uuid
from urbanpulse.core.errors import DomainError
from urbanpulse.core.extensions import db
from urbanpulse.core.i18n import LANGUAGES
from urbanpulse.editing.etags import item_etag
from urbanpulse.media import service
from urbanpulse.media.representation import cover_url

KINDS = {"pois": "admin_pois", "routes": "admin_routes", "events": "admin_events"}
TEXT_FIELDS = tuple(f"{name}_{lang}" for name in ("alt", "caption") for lang in LANGUAGES)


def _texts(form) -> dict:
    """The texts and rights of one photo's form, as the media service takes them (empty clears)."""
    changes: dict = {"alt": {}, "caption": {}}
    for key in TEXT_FIELDS:
        name, _, lang = key.partition("_")
        value = form.get(key, "").strip()[:1000]
        changes[name][lang] = value or None
    for key in service.RIGHTS:
        changes[key] = form.get(key, "").strip()[:300] or None
    return changes


class MediaView(SecureView):
    """The photo page of one item (reached from its edit page)."""

    def is_visible(self) -> bool:
        """Not in the menu: opened from an item's page."""
        return False

    def _item(self, kind: str, item_id):
        if kind not in KINDS:
            abort(404)
        try:
            return service.list_media(kind=kind, item_id=item_id, include_unpublished=True)[0]
        except DomainError:
            abort(404)

    def _page(self, kind: str, item_id):
        return url_for(".photos", kind=kind, item_id=item_id)

    @expose("/")
    def index(self):
        """No page of its own: an item's photos are opened from the item."""
        abort(404)

    @expose("/<kind>/<uuid:item_id>/")
    def photos(self, kind, item_id):
        """The page: the drop zone, the photos in order with their fields."""
        item = self._item(kind, item_id)
        name = getattr(item, "name", None) or getattr(item, "title", None)
        return self.render(
            "upadmin/media.html",
            item=item,
            kind=kind,
            title=translated(name) or getattr(item, "slug", "") or str(item.id),
            back_url=url_for(f"{KINDS[kind]}.edit", item_id=item.id),
            etag=item_etag(item.id, item.version),
            media=[{**image, "thumbnail": cover_url([{**image, "cover": True}])} for image in item.media or []],
            form=ActionForm(),
            languages=LANGUAGES,
            max_upload_mb=current_app.config["MEDIA_MAX_UPLOAD_BYTES"] // (1024 * 1024),
            page_scripts=["media-edit.js"],
        )

    def _done(self, kind, item_id, action, *, wants_json: bool = False):
        """Run `action()`; say what happened (a flash, or JSON for the page's script) and go back."""
        try:
            action()
        except DomainError as error:
            db.session.rollback()
            if is_conflict(error):
                message = conflict_message(self._item(kind, item_id).version, self._page(kind, item_id))
            else:
                details = [f"{e['field']}: {service_message(m)}" for e in error.errors or [] for m in e["messages"]]
                message = " ".join([service_message(error.detail), *details])
            if wants_json:
                return jsonify(error=str(message)), error.status
            flash(message, "danger")
            return redirect(self._page(kind, item_id))
        if wants_json:
            return jsonify(ok=True)
        flash_saved()
        return redirect(self._page(kind, item_id))

    @expose("/<kind>/<uuid:item_id>/upload", methods=("POST",))
    def upload(self, kind, item_id):
        """New photos: multipart `file` parts, answered as JSON to the page's script."""
        self._item(kind, item_id)
        wants_json = request.headers.get("X-Requested-With") == "fetch"
        request.max_content_length = current_app.config["MEDIA_MAX_UPLOAD_BYTES"]
        try:
            parts = request.files.getlist("file")
            etag = request.form.get("etag")
        except RequestEntityTooLarge:
            message = gettext("An upload is limited to {size} MB.", size=request.max_content_length // (1024 * 1024))
            if wants_json:
                return jsonify(error=message), 413
            flash(message, "danger")
            return redirect(self._page(kind, item_id))
        uploads = [
            service.Upload(field=f"file.{i}", filename=part.filename, content_type=part.mimetype, data=part.read())
            for i, part in enumerate(parts)
            if part.filename
        ]
        texts = {"alt": {}, "caption": {}, **{k: v for k, v in _texts(request.form).items() if k in service.RIGHTS}}

        def action():
            service.upload_media(
                kind=kind, item_id=item_id, uploads=uploads, texts=texts, if_match=etag, actor=self.actor()
            )

        return self._done(kind, item_id, action, wants_json=wants_json)

    @expose("/<kind>/<uuid:item_id>/<uuid:media_id>/save", methods=("POST",))
    def save(self, kind, item_id, media_id):
        """A photo's texts, credit and licence."""
        changes = _texts(request.form)

        def action():
            service.update_media(
                kind=kind,
                item_id=item_id,
                media_id=media_id,
                changes=changes,
                if_match=request.form.get("etag"),
                actor=self.actor(),
            )

        return self._done(kind, item_id, action)

    @expose("/<kind>/<uuid:item_id>/<uuid:media_id>/cover", methods=("POST",))
    def cover(self, kind, item_id, media_id):
        """Make a photo the cover."""

        def action():
            service.update_media(
                kind=kind,
                item_id=item_id,
                media_id=media_id,
                changes={"cover": True},
                if_match=request.form.get("etag"),
                actor=self.actor(),
            )

        return self._done(kind, item_id, action)

    @expose("/<kind>/<uuid:item_id>/<uuid:media_id>/delete", methods=("POST",))
    def delete(self, kind, item_id, media_id):
        """Remove a photo."""

        def action():
            service.delete_media(
                kind=kind, item_id=item_id, media_id=media_id, if_match=request.form.get("etag"), actor=self.actor()
            )

        return self._done(kind, item_id, action)

    @expose("/<kind>/<uuid:item_id>/order", methods=("POST",))
    def order(self, kind, item_id):
        """The photos in the order dragged on the page (ids, comma-separated)."""
        ids = [parse_uuid(value) for value in request.form.get("order", "").split(",") if value]

        def action():
            service.reorder_media(
                kind=kind,
                item_id=item_id,
                order=[i for i in ids if i is not None],
                if_match=request.form.get("etag"),
                actor=self.actor(),
            )

        return self._done(kind, item_id, action)

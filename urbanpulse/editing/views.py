"""What the views of every editable item share: its operations as documented, If-Match, the item response."""

from __future__ import annotations

from collections.abc import Callable

from flask import request

from urbanpulse.auth.guard import EDITORS, optional_user, protected
from urbanpulse.editing.actor import Actor
from urbanpulse.web.http import GEOJSON_MIMETYPE, json_response
from urbanpulse.web.views_common import language_headers


def actor() -> Actor:
    """The caller as the author of a write."""
    return Actor.for_user(optional_user())


def if_match() -> str | None:
    """The If-Match header of the request (the service answers 428 without it, 412 when stale)."""
    return request.headers.get("If-Match")


def item_response(
    body: dict, *, etag: str | Callable[[bytes], str], lang: str | None, status: int = 200, headers: dict | None = None
):
    """One item as a GeoJSON Feature with its ETag (for If-Match) and its Content-Language."""
    return json_response(
        body,
        status=status,
        mimetype=GEOJSON_MIMETYPE,
        etag=etag,
        headers={**language_headers(lang), **(headers or {})},
    )


def _stacked(*decorators):
    """The decorators applied as if written one above the other, the first outermost."""

    def decorator(view):
        for each in reversed(decorators):
            view = each(view)
        return view

    return decorator


class ItemOperations:
    """The decorators of an editable item's operations: who may call them and what they document.

    Every item answer (read, create, update) is `out_schema` as GeoJSON with links to the item's PATCH and
    DELETE at `path`; writes are for editors; updates and deletes need If-Match (412/428).
    """

    def __init__(self, blp, *, out_schema, path: str, id_name: str):
        self.blp = blp
        self.out_schema = out_schema
        self.path = path
        self.id_name = id_name

    def _answers_item(self, status: int):
        return _stacked(
            self.blp.response(status, self.out_schema, content_type=GEOJSON_MIMETYPE),
            self.blp.links_to_item(status, self.path, self.id_name),
        )

    def _needs_if_match(self):
        return _stacked(
            self.blp.alt_response(412, response="PRECONDITION_FAILED"),
            self.blp.alt_response(428, response="PRECONDITION_REQUIRED"),
        )

    def read(self, args_schema):
        """GET of one item, with query arguments; drafts are the views' business."""
        return _stacked(
            self.blp.arguments(args_schema, location="query"),
            self._answers_item(200),
            self.blp.answers(304, 401, 404),
        )

    def create(self, body_schema, **arguments):
        """POST creating an item from `body_schema` (`arguments` as for `blp.arguments`, e.g. a location)."""
        return _stacked(
            protected(self.blp, EDITORS),
            self.blp.arguments(body_schema, **arguments),
            self._answers_item(201),
            self.blp.answers(409),
        )

    def update(self, body_schema):
        """PATCH changing some fields of the item, under If-Match."""
        return _stacked(
            protected(self.blp, EDITORS),
            self.blp.arguments(body_schema),
            self._answers_item(200),
            self._needs_if_match(),
            self.blp.answers(404, 409),
        )

    def delete(self):
        """DELETE (soft) of the item, under If-Match."""
        return _stacked(
            protected(self.blp, EDITORS),
            self.blp.response(204),
            self._needs_if_match(),
            self.blp.answers(404),
        )

    def history(self, entry_schema):
        """GET of the item's history, for editors."""
        return _stacked(
            protected(self.blp, EDITORS),
            self.blp.response(200, entry_schema(many=True)),
            self.blp.answers(404),
        )

"""Sync query arguments and (documented) responses."""

from __future__ import annotations

from marshmallow import Schema, fields, validate
from webargs.fields import DelimitedList

from urbanpulse.sync.adapters import by_name
from urbanpulse.sync.service import DEFAULT_LIMIT, MAX_LIMIT
from urbanpulse.web.schemas_common import lang_field

LANG_DESCRIPTION = (
    "Flatten translations to this language (fallback: requested, en, fr); without it, every language. "
    "Accept-Language is not used: an offline copy keeps one fixed shape."
)


def _lang():
    field = lang_field()
    field.metadata["description"] = LANG_DESCRIPTION
    return field


class SyncQueryArgsSchema(Schema):
    """GET /sync."""

    since = fields.String(
        validate=validate.Length(min=1, max=500),
        metadata={"description": "The `next_cursor` of the last page applied; absent: the full snapshot"},
    )
    types = DelimitedList(
        fields.String(validate=validate.OneOf(tuple(by_name()))),
        validate=validate.Length(min=1),
        metadata={"description": f"Comma-separated content types (default all: {','.join(by_name())})"},
    )
    lang = _lang()
    limit = fields.Integer(
        load_default=DEFAULT_LIMIT,
        validate=validate.Range(1, MAX_LIMIT),
        metadata={"description": f"Items per page (default {DEFAULT_LIMIT}, max {MAX_LIMIT})"},
    )


class BundleQueryArgsSchema(Schema):
    """GET /sync/bundle."""

    lang = _lang()


class TombstoneSchema(Schema):
    """An item that left the public view (deleted, archived or unpublished)."""

    id = fields.UUID(required=True)
    type = fields.String(
        required=True, validate=validate.OneOf(tuple(by_name())), metadata={"description": "its content type"}
    )
    removed = fields.Boolean(required=True)


class SyncFeatureOutSchema(Schema):
    """A public item as its own endpoint serves it (without `lang`: every language), plus `collection`."""

    type = fields.String(required=True, validate=validate.Equal("Feature"))
    id = fields.UUID(required=True)
    geometry = fields.Dict(required=True, allow_none=True, metadata={"description": "GeoJSON; null: no place"})
    properties = fields.Dict(required=True)
    collection = fields.String(
        required=True, validate=validate.OneOf(tuple(by_name())), metadata={"description": "its content type"}
    )


class SyncPageOutSchema(Schema):
    """A page of changes: a GeoJSON FeatureCollection plus tombstones and the cursor."""

    type = fields.String(required=True, validate=validate.Equal("FeatureCollection"))
    features = fields.List(
        fields.Nested(SyncFeatureOutSchema),
        required=True,
        metadata={"description": "Public items as GeoJSON Features; `collection` names the content type"},
    )
    removed = fields.List(fields.Nested(TombstoneSchema), required=True)
    numberReturned = fields.Integer(required=True)
    next_cursor = fields.String(
        required=True, metadata={"description": "Send as `since` next time (keep it even when has_more is false)"}
    )
    has_more = fields.Boolean(required=True, metadata={"description": "true: ask again at once with next_cursor"})
    snapshot = fields.Boolean(
        required=True, metadata={"description": "true when this page belongs to a full snapshot (no since)"}
    )


class BundleOutSchema(SyncPageOutSchema):
    """The whole public content as one snapshot page, with when and for what it was built."""

    generated_at = fields.String(required=True, metadata={"description": "Europe/Paris time, ISO 8601"})
    types = fields.List(fields.String(), required=True, metadata={"description": "the content types it holds"})
    lang = fields.String(required=True, allow_none=True, metadata={"description": "null: every language"})

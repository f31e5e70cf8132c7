"""Query parameters of the OGC API endpoints (documented in the OpenAPI document QGIS and GDAL read)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates
from webargs.fields import DelimitedList

from urbanpulse.events.categories import CATEGORIES as EVENT_CATEGORIES
from urbanpulse.ogc.collections import CRS84
from urbanpulse.pois.categories import CATEGORIES as POI_CATEGORIES
from urbanpulse.routes.vocab import DIFFICULTIES, KINDS, THEMES
from urbanpulse.web.schemas_common import BBox, lang_field

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


def _format():
    return fields.String(
        validate=validate.OneOf(("json", "html")),
        metadata={"description": "json (default) or html; `Accept` is used when absent"},
    )


class FormatArgsSchema(Schema):
    """`f` and `lang`."""

    f = _format()
    lang = lang_field()


class ItemsArgsSchema(FormatArgsSchema):
    """GET /ogc/collections/{collectionId}/items: the filters of every collection; each uses its own."""

    bbox = BBox(max_span_deg=360.0)
    bbox_crs = fields.String(data_key="bbox-crs", metadata={"description": f"only {CRS84}"})
    datetime = fields.String(
        validate=validate.Length(max=100),
        metadata={"description": "events: an instant or an interval (`a/b`, `../b`, `a/..`), RFC 3339"},
    )
    limit = fields.Integer(
        load_default=DEFAULT_LIMIT,
        validate=validate.Range(1, MAX_LIMIT),
        metadata={"description": f"items per page (default {DEFAULT_LIMIT}, maximum {MAX_LIMIT})"},
    )
    cursor = fields.String(validate=validate.Length(max=300), metadata={"description": "from a `next` link"})
    category = DelimitedList(
        fields.String(validate=validate.OneOf(sorted(set(POI_CATEGORIES) | set(EVENT_CATEGORIES)))),
        validate=validate.Length(1, 10),
        metadata={"description": "pois, events"},
    )
    theme = DelimitedList(fields.String(validate=validate.OneOf(THEMES)), validate=validate.Length(1, 10))
    kind = DelimitedList(fields.String(validate=validate.OneOf(KINDS)), validate=validate.Length(1, 10))
    difficulty = DelimitedList(fields.String(validate=validate.OneOf(DIFFICULTIES)), validate=validate.Length(1, 10))
    route_id = DelimitedList(fields.UUID(), validate=validate.Length(1, 50), metadata={"description": "route-stops"})

    @validates("bbox_crs")
    def _crs84_only(self, value, **kwargs):
        if value != CRS84:
            raise ValidationError(f"only {CRS84} is supported")

"""POI request bodies, query arguments and (documented) responses."""

from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates
from webargs.fields import DelimitedList

from urbanpulse.geo.fields import PointGeometry
from urbanpulse.pois.categories import CATEGORIES
from urbanpulse.pois.hours import parse_opening_hours
from urbanpulse.pois.models import POI_STATUSES
from urbanpulse.web.schemas_common import (
    MAX_SHORT_TEXT,
    BBox,
    OptionalTranslationSchema,
    TranslationPatchSchema,
    TranslationSchema,
    lang_field,
)

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
TAG_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,39}$"
MAX_RADIUS_M = 50_000
MAX_LIMIT = 100


def _check_hours(value: str | None) -> None:
    if value is not None:
        parse_opening_hours(value)


class AccessibilitySchema(Schema):
    """Wheelchair access and a free-text note."""

    wheelchair = fields.String(allow_none=True, validate=validate.OneOf(("yes", "limited", "no")))
    note = fields.Nested(OptionalTranslationSchema, allow_none=True)


class ContactSchema(Schema):
    """How to reach the place."""

    phone = fields.String(allow_none=True, validate=validate.Regexp(r"^\+?[0-9 ().-]{4,30}$"))
    website = fields.Url(allow_none=True, schemes={"http", "https"}, validate=validate.Length(max=500))
    email = fields.Email(allow_none=True, validate=validate.Length(max=254))


class PoiPropertiesSchema(Schema):
    """The editable properties of a POI."""

    slug = fields.String(validate=[validate.Length(min=1, max=120), validate.Regexp(SLUG_PATTERN)])
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    tags = fields.List(fields.String(validate=validate.Regexp(TAG_PATTERN)), validate=validate.Length(max=20))
    name = fields.Nested(TranslationSchema, required=True)
    description = fields.Nested(OptionalTranslationSchema)
    address = fields.String(allow_none=True, validate=validate.Length(max=MAX_SHORT_TEXT))
    opening_hours = fields.String(
        allow_none=True,
        validate=validate.Length(min=1, max=500),
        metadata={"description": "OpenStreetMap opening_hours syntax, e.g. 'Tu-Su 10:00-18:00; PH off'"},
    )
    accessibility = fields.Nested(AccessibilitySchema)
    contact = fields.Nested(ContactSchema)
    media = fields.List(
        fields.Raw(),
        validate=validate.Length(max=0, error="photos are uploaded at /api/v1/pois/{{id}}/media, not set here"),
        metadata={"description": "read-only here (an empty list is accepted and ignored): see /pois/{id}/media"},
    )
    status = fields.String(validate=validate.OneOf(POI_STATUSES))
    source = fields.String(allow_none=True, validate=validate.Length(max=2000))
    location_estimated = fields.Boolean()

    @post_load
    def _without_media(self, data, **kwargs):
        data.pop("media", None)  # the media service owns the list
        return data

    @validates("opening_hours")
    def _valid_hours(self, value, **kwargs):
        _check_hours(value)

    @validates("tags")
    def _unique_tags(self, value, **kwargs):
        if len(set(value)) != len(value):
            raise ValidationError("tags must be unique")


class PoiPatchPropertiesSchema(PoiPropertiesSchema):
    """Properties of a PATCH: all optional; objects are merge patches (null removes a key)."""

    category = fields.String(validate=validate.OneOf(CATEGORIES))
    name = fields.Nested(TranslationPatchSchema)
    description = fields.Nested(TranslationPatchSchema)


class PoiFeatureInSchema(Schema):
    """A GeoJSON Feature with a Point geometry, as sent to create a POI."""

    type = fields.String(required=True, validate=validate.Equal("Feature"))
    geometry = PointGeometry(required=True)
    properties = fields.Nested(PoiPropertiesSchema, required=True)


class PoiFeaturePatchSchema(Schema):
    """A partial GeoJSON Feature: geometry and/or some properties."""

    type = fields.String(validate=validate.Equal("Feature"))
    geometry = PointGeometry()
    properties = fields.Nested(PoiPatchPropertiesSchema, load_default=dict)


def _categories_field():
    return DelimitedList(
        fields.String(validate=validate.OneOf(CATEGORIES)),
        validate=validate.Length(min=1, max=10),
        metadata={"description": "One or several comma-separated categories"},
    )


def _query_text_field():
    return fields.String(
        validate=validate.Length(min=1, max=100),
        metadata={"description": "Text search: accent/case-insensitive, tolerant of small typos"},
    )


class NearbyQueryArgsSchema(Schema):
    """GET /pois/nearby."""

    lat = fields.Float(required=True, validate=validate.Range(-90, 90))
    lon = fields.Float(required=True, validate=validate.Range(-180, 180))
    radius = fields.Float(
        load_default=1000.0,
        validate=validate.Range(min=0, max=MAX_RADIUS_M, min_inclusive=False),
        metadata={"description": "metres (default 1000, max 50000)"},
    )
    limit = fields.Integer(load_default=20, validate=validate.Range(1, MAX_LIMIT))
    category = _categories_field()
    q = _query_text_field()
    open_now = fields.Boolean(load_default=False)
    at = fields.DateTime(metadata={"description": "ISO 8601 time for open_now (default: now, Europe/Paris)"})
    lang = lang_field()


class PoiListQueryArgsSchema(Schema):
    """GET /pois (map viewport)."""

    bbox = BBox()
    category = _categories_field()
    q = _query_text_field()
    status = fields.String(
        validate=validate.OneOf(POI_STATUSES),
        metadata={"description": "editors only: drafts or archived items"},
    )
    limit = fields.Integer(load_default=50, validate=validate.Range(1, MAX_LIMIT))
    cursor = fields.String(validate=validate.Length(max=200))
    at = fields.DateTime(metadata={"description": "ISO 8601 time for open_now (default: now)"})
    lang = lang_field()


class PoiQueryArgsSchema(Schema):
    """GET /pois/{id}."""

    lang = lang_field()
    at = fields.DateTime(metadata={"description": "ISO 8601 time for open_now (default: now)"})


SLUG_RE = re.compile(SLUG_PATTERN)

"""POI responses, as documented in OpenAPI: what `pois.serialize` really sends."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from urbanpulse.geo.fields import PointGeometry
from urbanpulse.media.schemas import MediaOutSchema
from urbanpulse.pois.models import POI_STATUSES
from urbanpulse.web.schemas_common import LinkSchema, MatchCountSchema, language_out, local_time_out, translated_out


class AccessibilityOutSchema(Schema):
    """Wheelchair access and a note, as stored."""

    wheelchair = fields.String(allow_none=True, validate=validate.OneOf(("yes", "limited", "no")))
    note = translated_out("the note in the language asked for, or every language", nullable=True, required=False)


class ContactOutSchema(Schema):
    """How to reach the place, as stored."""

    phone = fields.String(allow_none=True)
    website = fields.String(allow_none=True)
    email = fields.String(allow_none=True)


class PoiPropertiesOutSchema(Schema):
    """Properties of a POI Feature as served."""

    id = fields.UUID(required=True)
    slug = fields.String(required=True)
    category = fields.String(required=True)
    category_label = translated_out("label in the requested language, or all languages")
    tags = fields.List(fields.String(), required=True)
    name = translated_out("string when lang is given, else the translation object")
    description = translated_out("string (null when there is none) when lang is given, else the object", nullable=True)
    address = fields.String(required=True, allow_none=True)
    opening_hours = fields.String(required=True, allow_none=True)
    open_now = fields.Boolean(metadata={"description": "present when the hours are known"})
    accessibility = fields.Nested(AccessibilityOutSchema, required=True)
    contact = fields.Nested(ContactOutSchema, required=True)
    media = fields.List(fields.Nested(MediaOutSchema), required=True)
    status = fields.String(required=True, validate=validate.OneOf(POI_STATUSES))
    source = fields.String(required=True, allow_none=True)
    location_estimated = fields.Boolean(required=True)
    version = fields.Integer(required=True)
    created_at = local_time_out(required=True)
    updated_at = local_time_out(required=True)
    created_by = fields.UUID(allow_none=True, metadata={"description": "editors only"})
    updated_by = fields.UUID(allow_none=True, metadata={"description": "editors only"})
    distance_m = fields.Float(metadata={"description": "nearby only: geodesic metres, 0.1 m"})
    relevance = fields.Float(metadata={"description": "text search only"})
    lang = language_out()


class PoiFeatureOutSchema(Schema):
    """A POI as a GeoJSON Feature."""

    type = fields.String(required=True, validate=validate.Equal("Feature"))
    id = fields.UUID(required=True)
    geometry = PointGeometry(required=True)
    properties = fields.Nested(PoiPropertiesOutSchema, required=True)


class PoiCollectionOutSchema(MatchCountSchema):
    """A GeoJSON FeatureCollection of POIs."""

    type = fields.String(required=True, validate=validate.Equal("FeatureCollection"))
    features = fields.List(fields.Nested(PoiFeatureOutSchema), required=True)
    numberReturned = fields.Integer(required=True)
    links = fields.List(fields.Nested(LinkSchema), metadata={"description": "listing only: self and next"})

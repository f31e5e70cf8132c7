"""Event responses, as documented in OpenAPI: what `events.serialize` really sends."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from urbanpulse.events.categories import CATEGORIES, EVENT_STATUSES, PUBLICATION_STATES, SCHEMA_ORG_STATUS
from urbanpulse.geo.fields import POINT_GEOMETRY_JSONSCHEMA
from urbanpulse.media.schemas import MediaOutSchema
from urbanpulse.web.schemas_common import (
    HistoryEntryOutSchema,
    LinkSchema,
    language_out,
    local_time_out,
    translated_out,
)


def _place():
    return fields.Dict(
        required=True,
        allow_none=True,
        metadata={**POINT_GEOMETRY_JSONSCHEMA, "description": "null when the place is unknown or not public"},
    )


class VenueOutSchema(Schema):
    """The venue POI, when it is public."""

    id = fields.UUID(required=True)
    slug = fields.String(required=True)
    name = translated_out("string when lang is given, else the translation object")
    category = fields.String(required=True)


class EventCommonOutSchema(Schema):
    """What an event and each of its occurrences show."""

    title = translated_out("string when lang is given, else the translation object")
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    category_label = translated_out("label in the requested language, or all languages")
    status = fields.String(required=True, validate=validate.OneOf(EVENT_STATUSES))
    schema_org_status = fields.String(required=True, validate=validate.OneOf(tuple(SCHEMA_ORG_STATUS.values())))
    all_day = fields.Boolean(required=True)
    recurring = fields.Boolean(required=True)
    venue = fields.Nested(VenueOutSchema, required=True, allow_none=True)
    address = fields.String(required=True, allow_none=True)
    price = fields.String(required=True, allow_none=True)
    organiser = fields.String(required=True, allow_none=True)
    booking_url = fields.String(required=True, allow_none=True)
    online_url = fields.String(required=True, allow_none=True)
    lang = language_out()


class OccurrencePropertiesOutSchema(EventCommonOutSchema):
    """One occurrence of an event."""

    event_id = fields.UUID(required=True)
    occurrence_start = local_time_out(required=True)
    occurrence_end = local_time_out(required=True)
    ongoing = fields.Boolean(required=True, metadata={"description": "under way at the request time"})
    cover_url = fields.String(allow_none=True, metadata={"description": "the cover photo, about 320 px WebP"})
    distance_m = fields.Float(allow_none=True, metadata={"description": "geodesic metres, when lat/lon given"})


class OccurrenceFeatureOutSchema(Schema):
    """An occurrence as a GeoJSON Feature (geometry null when the place is unknown or not public)."""

    type = fields.String(required=True, validate=validate.Equal("Feature"))
    id = fields.String(required=True, metadata={"description": "<event id>/<local start, YYYYMMDDTHHMMSS+HHMM>"})
    geometry = _place()
    properties = fields.Nested(OccurrencePropertiesOutSchema, required=True)


class WindowOutSchema(Schema):
    """The time window searched."""

    from_ = local_time_out(data_key="from", required=True)
    to = local_time_out(required=True)


class OccurrenceCollectionOutSchema(Schema):
    """Occurrences ordered by start (or nearest first for /now), with paging links."""

    type = fields.String(required=True, validate=validate.Equal("FeatureCollection"))
    features = fields.List(fields.Nested(OccurrenceFeatureOutSchema), required=True)
    numberReturned = fields.Integer(required=True)
    truncated = fields.Boolean(required=True, metadata={"description": "more occurrences follow (see the next link)"})
    window = fields.Nested(WindowOutSchema, required=True)
    links = fields.List(fields.Nested(LinkSchema), metadata={"description": "self and next (not for /now)"})


class ScheduleOutSchema(Schema):
    """The local wall-clock schedule."""

    timezone = fields.String(required=True)
    dtstart_local = fields.String(required=True, metadata={"description": "local wall-clock start, no offset"})
    duration = fields.String(required=True, metadata={"description": "ISO 8601 duration, e.g. PT2H"})
    rrule = fields.String(required=True, allow_none=True)
    exdates = fields.List(fields.String(), required=True)
    rdates = fields.List(fields.String(), required=True)


class NextOccurrenceOutSchema(Schema):
    """The occurrence under way or the next one."""

    start = local_time_out(required=True)
    end = local_time_out(required=True)


class EventPropertiesOutSchema(EventCommonOutSchema):
    """Properties of an event Feature as served."""

    id = fields.UUID(required=True)
    uid = fields.String(required=True)
    description = translated_out("string (null when there is none) when lang is given, else the object", nullable=True)
    media = fields.List(fields.Nested(MediaOutSchema), required=True)
    starts_at = local_time_out(required=True)
    ends_at = local_time_out(required=True)
    schedule = fields.Nested(ScheduleOutSchema, required=True)
    next_occurrence = fields.Nested(NextOccurrenceOutSchema, required=True, allow_none=True)
    publication = fields.String(required=True, validate=validate.OneOf(PUBLICATION_STATES))
    source = fields.String(required=True, allow_none=True)
    version = fields.Integer(required=True)
    created_at = local_time_out(required=True)
    updated_at = local_time_out(required=True)
    venue_poi_id = fields.UUID(allow_none=True, metadata={"description": "editors only"})
    notes = fields.String(allow_none=True, metadata={"description": "editors only"})
    import_source = fields.String(allow_none=True, metadata={"description": "editors only"})
    created_by = fields.UUID(allow_none=True, metadata={"description": "editors only"})
    updated_by = fields.UUID(allow_none=True, metadata={"description": "editors only"})


class EventFeatureOutSchema(Schema):
    """An event as a GeoJSON Feature with its schedule."""

    type = fields.String(required=True, validate=validate.Equal("Feature"))
    id = fields.UUID(required=True)
    geometry = _place()
    properties = fields.Nested(EventPropertiesOutSchema, required=True)


class EventHistoryEntryOutSchema(HistoryEntryOutSchema):
    """One change of an event."""

"""Event request bodies and query arguments (responses: schemas_out)."""

from __future__ import annotations

from datetime import date, datetime, time

from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from webargs.fields import DelimitedList

from urbanpulse.events.categories import CATEGORIES, EVENT_STATUSES, PUBLICATION_STATES
from urbanpulse.events.recurrence import RecurrenceError, zone
from urbanpulse.geo.fields import PointGeometry
from urbanpulse.pois.hours import CITY_ZONE
from urbanpulse.web.schemas_common import (
    MAX_SHORT_TEXT,
    BBox,
    OptionalTranslationSchema,
    TranslationPatchSchema,
    TranslationSchema,
    lang_field,
)

MAX_RADIUS_M = 50_000
MAX_WINDOW_DAYS = 366
DEFAULT_WINDOW_DAYS = 30
MAX_LIMIT = 500
MAX_DATES = 1000
UID_PATTERN = r"^[\x21-\x7e\u00a0-\uffff]{1,255}$"


class LocalDateTime(fields.Field):
    """ISO 8601 date-time with or without offset (without: the event's or the city's wall time), or a date."""

    def __init__(self, **kwargs):
        metadata = {"type": "string", "format": "date-time", **kwargs.pop("metadata", {})}
        metadata.setdefault(
            "description", "ISO 8601, e.g. 2026-12-05T17:30:00+01:00; without offset: Europe/Paris wall time"
        )
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> datetime:
        if not isinstance(value, str) or len(value) > 40:
            raise ValidationError("must be an ISO 8601 date-time string")
        text = value.strip()
        try:
            if len(text) == 10:  # a date: the same year range applies (year 1 or 9999 overflows in UTC)
                parsed = datetime.combine(date.fromisoformat(text), time())
            else:
                parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            raise ValidationError(f"{value!r} is not an ISO 8601 date-time") from None
        if not 1900 <= parsed.year <= 2200:
            raise ValidationError("year must be between 1900 and 2200")
        return parsed

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else value.isoformat()


def _check_zone(value: str) -> None:
    try:
        zone(value)
    except RecurrenceError as error:
        raise ValidationError(str(error)) from None


def _url_field():
    return fields.Url(allow_none=True, schemes={"http", "https"}, validate=validate.Length(max=1000))


class EventPropertiesSchema(Schema):
    """The editable properties of an event."""

    uid = fields.String(
        validate=validate.Regexp(UID_PATTERN),
        metadata={"description": "iCalendar UID (default: <id>@urbanpulse-boulogne); imported: the feed's"},
    )
    title = fields.Nested(TranslationSchema, required=True)
    description = fields.Nested(OptionalTranslationSchema)
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    venue_poi_id = fields.UUID(
        allow_none=True, metadata={"description": "the venue POI; or give a Point geometry, not both"}
    )
    address = fields.String(allow_none=True, validate=validate.Length(max=MAX_SHORT_TEXT))
    timezone = fields.String(
        validate=_check_zone, metadata={"description": "IANA zone of the wall times (default Europe/Paris)"}
    )
    all_day = fields.Boolean()
    starts_at = LocalDateTime(required=True, metadata={"description": "start of the first occurrence"})
    ends_at = LocalDateTime(required=True, metadata={"description": "end of the first occurrence"})
    rrule = fields.String(
        allow_none=True,
        validate=validate.Length(min=1, max=500),
        metadata={"description": "RFC 5545 RRULE value, e.g. FREQ=WEEKLY;BYDAY=WE,SA"},
    )
    exdates = fields.List(LocalDateTime(), validate=validate.Length(max=MAX_DATES))
    rdates = fields.List(LocalDateTime(), validate=validate.Length(max=MAX_DATES))
    status = fields.String(validate=validate.OneOf(EVENT_STATUSES), metadata={"description": "schema.org"})
    publication = fields.String(validate=validate.OneOf(PUBLICATION_STATES))
    price = fields.String(allow_none=True, validate=validate.Length(min=1, max=200))
    organiser = fields.String(allow_none=True, validate=validate.Length(min=1, max=MAX_SHORT_TEXT))
    booking_url = _url_field()
    online_url = _url_field()
    source = fields.String(allow_none=True, validate=validate.Length(max=2000))
    notes = fields.String(allow_none=True, validate=validate.Length(max=5000))


class EventPatchPropertiesSchema(EventPropertiesSchema):
    """Properties of a PATCH: all optional; translations are merge patches (null removes a language)."""

    title = fields.Nested(TranslationPatchSchema)
    description = fields.Nested(TranslationPatchSchema)
    category = fields.String(validate=validate.OneOf(CATEGORIES))
    starts_at = LocalDateTime(metadata={"description": "alone, moves the event and keeps its duration"})
    ends_at = LocalDateTime()


class EventFeatureInSchema(Schema):
    """A GeoJSON Feature: geometry is the event's own Point, or null when it takes place at a venue POI."""

    type = fields.String(required=True, validate=validate.Equal("Feature"))
    geometry = PointGeometry(allow_none=True, load_default=None)
    properties = fields.Nested(EventPropertiesSchema, required=True)


class EventFeaturePatchSchema(Schema):
    """A partial Feature; `geometry: null` removes the event's own point."""

    type = fields.String(validate=validate.Equal("Feature"))
    geometry = PointGeometry(allow_none=True)
    properties = fields.Nested(EventPatchPropertiesSchema, load_default=dict)


def _check_position(data: dict) -> None:
    if ("lat" in data) != ("lon" in data):
        raise ValidationError("lat and lon go together", field_name="lat" if "lat" not in data else "lon")
    if "radius" in data and "lat" not in data:
        raise ValidationError("radius needs lat and lon", field_name="radius")


class _FilterArgs(Schema):
    category = DelimitedList(fields.String(validate=validate.OneOf(CATEGORIES)), validate=validate.Length(1, 20))
    status = DelimitedList(
        fields.String(validate=validate.OneOf(EVENT_STATUSES)),
        validate=validate.Length(1, 5),
        metadata={"description": "event statuses (default: all, so cancellations show)"},
    )
    publication = fields.String(
        validate=validate.OneOf((*PUBLICATION_STATES, "all")),
        metadata={"description": "editors only: draft, published or all (default published)"},
    )
    lang = lang_field()
    lat = fields.Float(validate=validate.Range(-90, 90))
    lon = fields.Float(validate=validate.Range(-180, 180))
    radius = fields.Float(
        validate=validate.Range(min=0, max=MAX_RADIUS_M, min_inclusive=False),
        metadata={"description": "metres (max 50000); needs lat and lon"},
    )
    bbox = BBox()

    @validates_schema
    def _position(self, data, **kwargs):
        _check_position(data)


class WindowArgsSchema(_FilterArgs):
    """GET /events and /events.ics: a time window (default the next 30 days, at most 366)."""

    start = LocalDateTime(data_key="from", metadata={"description": "window start (default now)"})
    end = LocalDateTime(data_key="to", metadata={"description": "window end (default from + 30 days)"})

    @validates_schema
    def _window(self, data, **kwargs):
        start, end = data.get("start"), data.get("end")
        if start is not None and end is not None and as_aware(end) <= as_aware(start):
            raise ValidationError("to must be after from", field_name="to")


def as_aware(value: datetime, tz=CITY_ZONE) -> datetime:
    """`value` with its offset, or as a wall time of `tz` when it has none."""
    return value if value.tzinfo is not None else value.replace(tzinfo=tz)


class OccurrenceListArgsSchema(WindowArgsSchema):
    """GET /events."""

    limit = fields.Integer(load_default=100, validate=validate.Range(1, MAX_LIMIT))
    cursor = fields.String(validate=validate.Length(max=300))


class NowArgsSchema(_FilterArgs):
    """GET /events/now."""

    within_min = fields.Integer(
        load_default=60,
        validate=validate.Range(0, 24 * 60),
        metadata={"description": "also occurrences starting within this many minutes (default 60)"},
    )
    at = LocalDateTime(metadata={"description": "instead of now (for tests and planning)"})
    limit = fields.Integer(load_default=50, validate=validate.Range(1, MAX_LIMIT))


class EventOccurrencesArgsSchema(Schema):
    """GET /events/{id}/occurrences."""

    start = LocalDateTime(data_key="from")
    end = LocalDateTime(data_key="to")
    limit = fields.Integer(load_default=100, validate=validate.Range(1, MAX_LIMIT))
    cursor = fields.String(validate=validate.Length(max=300))
    lang = lang_field()


class EventQueryArgsSchema(Schema):
    """GET /events/{id}."""

    lang = lang_field()


class StreamArgsSchema(Schema):
    """GET /events/stream."""

    last_event_id = fields.String(
        validate=validate.Length(max=40),
        metadata={"description": "for clients that cannot send the Last-Event-ID header"},
    )

"""marshmallow pieces every domain reuses: translations, lang, pagination, GeoJSON envelopes."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from urbanpulse.core.i18n import LANGUAGES
from urbanpulse.geo.fields import check_position

MAX_TEXT = 20_000
MAX_SHORT_TEXT = 300


class TranslationSchema(Schema):
    """{"fr", "en", "nl", "de"}; French is required."""

    fr = fields.String(required=True, validate=validate.Length(min=1, max=MAX_TEXT))
    en = fields.String(validate=validate.Length(min=1, max=MAX_TEXT))
    nl = fields.String(validate=validate.Length(min=1, max=MAX_TEXT))
    de = fields.String(validate=validate.Length(min=1, max=MAX_TEXT))


class OptionalTranslationSchema(Schema):
    """A translation object where every language is optional."""

    fr = fields.String(validate=validate.Length(min=1, max=MAX_TEXT))
    en = fields.String(validate=validate.Length(min=1, max=MAX_TEXT))
    nl = fields.String(validate=validate.Length(min=1, max=MAX_TEXT))
    de = fields.String(validate=validate.Length(min=1, max=MAX_TEXT))


class TranslationPatchSchema(Schema):
    """A merge patch of a translation object: null removes a language (French cannot be removed)."""

    fr = fields.String(validate=validate.Length(min=1, max=MAX_TEXT))
    en = fields.String(allow_none=True, validate=validate.Length(min=1, max=MAX_TEXT))
    nl = fields.String(allow_none=True, validate=validate.Length(min=1, max=MAX_TEXT))
    de = fields.String(allow_none=True, validate=validate.Length(min=1, max=MAX_TEXT))


def lang_field() -> fields.String:
    """The `lang` query parameter."""
    return fields.String(
        validate=validate.OneOf(LANGUAGES),
        metadata={
            "description": "Flatten translations to this language (fallback: requested, en, fr). "
            "Accept-Language is used when absent."
        },
    )


class LangQueryArgsSchema(Schema):
    """Only `lang`."""

    lang = lang_field()


class BBox(fields.Field):
    """`minLon,minLat,maxLon,maxLat` in WGS84."""

    def __init__(self, *, max_span_deg: float = 10.0, **kwargs):
        self.max_span_deg = max_span_deg
        kwargs.setdefault(
            "metadata",
            {
                "type": "string",
                "example": "1.58,50.71,1.63,50.74",
                "description": "minLon,minLat,maxLon,maxLat (WGS84)",
            },
        )
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> tuple[float, float, float, float]:
        parts = str(value).split(",")
        if len(parts) != 4:
            raise ValidationError("bbox must be minLon,minLat,maxLon,maxLat")
        try:
            numbers = [float(p) for p in parts]
        except ValueError:
            raise ValidationError("bbox must hold four numbers") from None
        min_lon, min_lat = check_position(numbers[:2], "bbox min")
        max_lon, max_lat = check_position(numbers[2:], "bbox max")
        if min_lon >= max_lon or min_lat >= max_lat:
            raise ValidationError("bbox minimums must be smaller than maximums")
        if max_lon - min_lon > self.max_span_deg or max_lat - min_lat > self.max_span_deg:
            raise ValidationError(f"bbox may span at most {self.max_span_deg} degrees each way")
        return min_lon, min_lat, max_lon, max_lat


class LinkSchema(Schema):
    """A hypermedia link."""

    href = fields.String(required=True)
    rel = fields.String(required=True)
    type = fields.String()


TRANSLATION_JSONSCHEMA = {
    "type": "object",
    "properties": {language: {"type": "string"} for language in LANGUAGES},
    "additionalProperties": False,
}


def translated_out(description: str, *, nullable: bool = False, required: bool = True) -> fields.Raw:
    """A served text: a string in the language asked for (`lang`), else the whole translation object.

    `nullable`: with `lang`, a text missing in every fallback language is null.
    """
    metadata = {"description": description, "oneOf": [{"type": "string"}, TRANSLATION_JSONSCHEMA]}
    return fields.Raw(required=required, allow_none=nullable, metadata=metadata)


def local_time_out(description: str = "Europe/Paris, ISO 8601 with its offset", **kwargs) -> fields.String:
    """An instant as served: ISO 8601 in Europe/Paris with its UTC offset."""
    return fields.String(metadata={"format": "date-time", "description": description}, **kwargs)


def language_out() -> fields.String:
    """The language a text was served in (with `lang`: the requested one or its fallback)."""
    return fields.String(
        validate=validate.OneOf(LANGUAGES), metadata={"description": "language served, when lang is given"}
    )


class CategoryOutSchema(Schema):
    """A category and its label."""

    id = fields.String(required=True)
    label = translated_out("label in the requested language, or all languages")


class HistoryEntryOutSchema(Schema):
    """One change: what changed (`changes`: field -> [before, after]), by whom, when."""

    version = fields.Integer(required=True)
    action = fields.String(required=True)
    actor = fields.String(attribute="actor_label", required=True)
    actor_id = fields.UUID(required=True, allow_none=True)
    changes = fields.Dict(required=True)
    created_at = fields.DateTime(required=True)


class MatchCountSchema(Schema):
    """The match count of a paged listing: exact up to a cap (core.keyset.MATCH_COUNT_CAP), else a lower bound."""

    numberMatched = fields.Integer(
        metadata={"description": "how many match in all; present only when exact (at most 200), else omitted"}
    )
    numberMatchedAtLeast = fields.Integer(
        metadata={
            "description": "present instead of numberMatched when more than 200 match: the count is at least this"
        }
    )

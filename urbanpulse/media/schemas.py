"""Media request and response schemas."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from urbanpulse.core.i18n import LANGUAGES
from urbanpulse.web.schemas_common import MAX_SHORT_TEXT, TranslationPatchSchema, lang_field, translated_out

MAX_ALT = 1000
RIGHTS_TEXT = validate.Length(max=MAX_SHORT_TEXT)


def _form_texts() -> dict:
    fields_ = {
        f"{name}_{lang}": fields.String(validate=validate.Length(min=1, max=MAX_ALT))
        for name in ("alt", "caption")
        for lang in LANGUAGES
    }
    fields_["credit"] = fields.String(validate=RIGHTS_TEXT, metadata={"description": "photographer / owner"})
    fields_["licence"] = fields.String(validate=RIGHTS_TEXT, metadata={"description": "e.g. CC BY 4.0, all rights"})
    return fields_


UploadFormSchema = Schema.from_dict(_form_texts(), name="MediaUploadFormSchema")


def texts_of_form(form: dict) -> dict:
    """{alt: {lang: text}, caption: {...}, credit, licence} from the flat upload form fields."""
    texts: dict = {"alt": {}, "caption": {}}
    for key, value in form.items():
        name, _, lang = key.partition("_")
        if name in ("alt", "caption"):
            texts[name][lang] = value
        else:
            texts[key] = value.strip() or None
    return texts


class MediaUploadSchema(Schema):
    """multipart/form-data: one or several `file` parts (JPEG, PNG, WebP, still GIF) and their texts."""

    file = fields.List(fields.Raw(metadata={"type": "string", "format": "binary"}), required=True)


class MediaPatchSchema(Schema):
    """Texts (merge patch per language), credit and licence of one image, or make it the cover."""

    alt = fields.Nested(TranslationPatchSchema)
    caption = fields.Nested(TranslationPatchSchema)
    credit = fields.String(allow_none=True, validate=RIGHTS_TEXT)
    licence = fields.String(allow_none=True, validate=RIGHTS_TEXT)
    cover = fields.Boolean(validate=validate.Equal(True, error="choose another image as the cover instead"))


class MediaOrderSchema(Schema):
    """Every image id of the item, in the new order."""

    order = fields.List(fields.UUID(), required=True, validate=validate.Length(max=100))


class MediaQueryArgsSchema(Schema):
    """Only `lang`."""

    lang = lang_field()


class MediaSizeOutSchema(Schema):
    """One served file: put them in a `srcset`."""

    width = fields.Integer(required=True)
    format = fields.String(required=True, validate=validate.OneOf(("webp", "jpeg")))
    url = fields.String(required=True, metadata={"description": "content-addressed, immutable"})


class MediaOutSchema(Schema):
    """An image of an item."""

    id = fields.UUID(required=True)
    width = fields.Integer(required=True)
    height = fields.Integer(required=True)
    alt = translated_out("alt text in the language asked for, or every language", nullable=True)
    caption = translated_out("caption in the language asked for, or every language", nullable=True)
    credit = fields.String(required=True, allow_none=True)
    licence = fields.String(required=True, allow_none=True)
    cover = fields.Boolean(required=True)
    status = fields.String(required=True, validate=validate.OneOf(("processing", "ready", "failed")))
    sizes = fields.List(fields.Nested(MediaSizeOutSchema), required=True)


class MediaListOutSchema(Schema):
    """An item's images, in their order, with the item's version (its ETag is the header)."""

    item_id = fields.UUID(required=True)
    version = fields.Integer(required=True)
    media = fields.List(fields.Nested(MediaOutSchema), required=True)

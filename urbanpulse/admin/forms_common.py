"""Form pieces shared by the editing pages: per-language fields, coordinates, and changes to send to a service."""

from __future__ import annotations

from wtforms import Field, StringField, TextAreaField
from wtforms.validators import Length, Optional

from urbanpulse.i18n import LANGUAGES
from urbanpulse.schemas_common import MAX_SHORT_TEXT, MAX_TEXT

LANGUAGE_NAMES = {"fr": "French", "en": "English", "nl": "Dutch", "de": "German"}


def vocabulary_choices(labels: dict[str, dict], *, sort: bool = True) -> dict[str, str]:
    """Select options {value: label in the interface language}, alphabetical unless `sort` is False."""
    from urbanpulse.admin.i18n import label

    pairs = [(key, label(names, key)) for key, names in labels.items()]
    if sort:
        pairs.sort(key=lambda pair: pair[1].lower())
    return dict(pairs)


def add_translation_fields(form_class, name: str, label: str, *, long: bool = False, max_length: int | None = None):
    """Add `<name>_fr`, `<name>_en`, ... to a form class (one field per content language)."""
    kind = TextAreaField if long else StringField
    limit = max_length or (MAX_TEXT if long else MAX_SHORT_TEXT)
    for lang in LANGUAGES:
        render = {"lang": lang, "rows": 8} if long else {"lang": lang}
        field = kind(label, validators=[Optional(), Length(max=limit)], render_kw=render)
        setattr(form_class, f"{name}_{lang}", field)


def translation_from(form, name: str) -> dict[str, str]:
    """The non-blank languages of a translated field, stripped."""
    values = {lang: (getattr(form, f"{name}_{lang}").data or "").strip() for lang in LANGUAGES}
    return {lang: text for lang, text in values.items() if text}


def fill_translation(form, name: str, value: dict | None) -> None:
    """Show a stored translation object in its per-language fields."""
    for lang in LANGUAGES:
        getattr(form, f"{name}_{lang}").data = (value or {}).get(lang, "")


def translation_patch(stored: dict | None, submitted: dict[str, str]) -> dict:
    """The merge patch from `stored` to `submitted`: changed languages, null for a removed one."""
    stored = stored or {}
    patch: dict = {}
    for lang in LANGUAGES:
        old, new = stored.get(lang), submitted.get(lang)
        if new != old:
            patch[lang] = new if new is not None else None
    return patch


def blank_to_none(value: str | None) -> str | None:
    """A stripped text, None when blank."""
    value = (value or "").strip()
    return value or None


def languages_with_errors(form, names: tuple[str, ...]) -> list[str]:
    """The content languages whose tab holds a field with an error (so the tab can be marked)."""
    return [lang for lang in LANGUAGES if any(getattr(form, f"{n}_{lang}").errors for n in names)]


def first_error_language(form, names: tuple[str, ...]) -> str:
    """The tab to open: the first language with an error, else French."""
    return next(iter(languages_with_errors(form, names)), "fr")


def field_errors(form) -> dict[str, list[str]]:
    """Every field's errors by name (the CSRF field included)."""
    return {
        name: list(field.errors) for name, field in form._fields.items() if isinstance(field, Field) and field.errors
    }

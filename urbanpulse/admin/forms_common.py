"""Form pieces shared by the editing pages: per-language fields, coordinates, and changes to send to a service."""

from __future__ import annotations

from wtforms import StringField, TextAreaField
from wtforms.validators import Length, Optional

from urbanpulse.core.i18n import LANGUAGES
from urbanpulse.web.schemas_common import MAX_SHORT_TEXT, MAX_TEXT

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


def fill_translations(form, item, names: tuple[str, ...]) -> None:
    """Show each of the item's stored translations `names` in its per-language fields."""
    for name in names:
        fill_translation(form, name, getattr(item, name))


def filled_translations(form, names: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """The translated fields `names` that have at least one language filled in, by name."""
    values = {name: translation_from(form, name) for name in names}
    return {name: value for name, value in values.items() if value}


def filled_texts(form, names: tuple[str, ...]) -> dict[str, str]:
    """The plain text fields `names` that are not blank, stripped, by name."""
    values = {name: blank_to_none(getattr(form, name).data) for name in names}
    return {name: value for name, value in values.items() if value is not None}


def translation_patch(stored: dict | None, submitted: dict[str, str]) -> dict:
    """The merge patch from `stored` to `submitted`: changed languages, null for a removed one."""
    stored = stored or {}
    patch: dict = {}
    for lang in LANGUAGES:
        old, new = stored.get(lang), submitted.get(lang)
        if new != old:
            patch[lang] = new if new is not None else None
    return patch


def translation_changes(form, item, names: tuple[str, ...]) -> dict[str, dict]:
    """The merge patches from the item's stored translations `names` to the form's, for those that changed."""
    patches = {name: translation_patch(getattr(item, name), translation_from(form, name)) for name in names}
    return {name: patch for name, patch in patches.items() if patch}


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


def field_for_path(path: str, translated: tuple[str, ...], *, geometry: str, renamed: dict[str, str]) -> str | None:
    """The form field showing a service error on `path` (e.g. properties.name.en -> name_en).

    `geometry` is the field for any geometry error; `renamed` maps properties whose field has another name.
    """
    parts = path.split(".")
    if parts[0] == "geometry":
        return geometry
    if parts[0] != "properties" or len(parts) < 2:
        return None
    if parts[1] in translated:
        return f"{parts[1]}_{parts[2] if len(parts) > 2 else 'fr'}"
    return renamed.get(parts[1], parts[1])

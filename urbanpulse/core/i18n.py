"""Translation objects {"fr", "en", "nl", "de"} and the lang fallback requested -> en -> fr."""

from __future__ import annotations

LANGUAGES = ("fr", "en", "nl", "de")
REQUIRED_LANGUAGE = "fr"


def fallback_chain(lang: str) -> tuple[str, ...]:
    """Languages to try, in order, for `lang`."""
    return tuple(dict.fromkeys((lang, "en", "fr")))


def pick(translations: dict | None, lang: str) -> tuple[str | None, str | None]:
    """The text in the best available language and that language, or (None, None)."""
    if not translations:
        return None, None
    for candidate in fallback_chain(lang):
        text = translations.get(candidate)
        if text:
            return text, candidate
    return None, None


def negotiate(lang_param: str | None, accept_language) -> str | None:
    """The `lang` query parameter wins; else the best Accept-Language match; else None (full objects)."""
    if lang_param:
        return lang_param
    if accept_language:
        return accept_language.best_match(LANGUAGES)
    return None


def translated(value: dict | None, lang: str | None):
    """The whole translation object without `lang`, else the text in `lang` with fallback."""
    if lang is None:
        return value or {}
    return pick(value, lang)[0]

"""Tolerant reading of the DATAtourisme per-object JSON(-LD) as plain JSON: keys and classes by local name
(either namespace, prefixed or full IRIs), language maps, literal values wrapped or not, lists or single values."""

from __future__ import annotations

from collections.abc import Iterable

from urbanpulse.core.i18n import LANGUAGES


def local_name(name: str) -> str:
    """`schema:geo`, `https://www.datatourisme.fr/ontology/core#isLocatedAt`, `rdfs:label` -> `geo`, ..."""
    for separator in ("#", "/", ":"):
        if separator in name:
            name = name.rsplit(separator, 1)[1]
    return name


def as_list(value) -> list:
    """A value or a list of values as a list (None as empty)."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def get(node, *names: str):
    """The first value under any key whose local name is one of `names` (a dict node), else None."""
    if not isinstance(node, dict):
        return None
    wanted = set(names)
    for key, value in node.items():
        if local_name(key) in wanted:
            return value
    return None


def first(node, *names: str):
    """The first element of `get`."""
    values = as_list(get(node, *names))
    return values[0] if values else None


def literal(value) -> str | None:
    """A literal as a string: plain, {"@value": ...}, or the first of a list."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("@value", value.get("value"))
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def translations(value) -> dict[str, str]:
    """Our languages of a language map ({"fr": ["..."], "en": "..."}, the API's {"@fr": "..."}, or
    [{"@language", "@value"}]); other languages are dropped and a missing one stays missing (it falls back at read
    time)."""
    found: dict[str, str] = {}
    if isinstance(value, dict) and "@value" not in value:
        pairs: Iterable = value.items()
    else:
        pairs = ((item.get("@language", "fr"), item.get("@value")) for item in as_list(value) if isinstance(item, dict))
    for lang, text in pairs:
        code = str(lang).lower().lstrip("@").split("-")[0]
        text = literal(text)
        if code in LANGUAGES and text and code not in found:
            found[code] = text
    return found


def classes(node) -> set[str]:
    """The local names of an object's `@type` (the API's `type`): a list mixing prefixed and bare names, or one."""
    if not isinstance(node, dict):
        return set()
    names = node.get("@type") if node.get("@type") is not None else node.get("type")
    return {local_name(str(name)) for name in as_list(names)}

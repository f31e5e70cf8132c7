"""Tourinsoft v3 syndications (`{"value": [...]}`, OData JSON, from a file or a URL whose `odata.nextLink` pages
are followed) as candidate POIs for the import engine.

A syndication's objects are flat: one field per value, lists joined with `|` and the parts of an item with `#`
(`Téléphone filaire#03 21 00 00 00|Mél#contact@example.org`, `https://…/photo.jpg#Title#Credit`). Field names
vary from one syndication to the next, so which field holds what is a mapping: DEFAULT_MAPPING below, overridden
by `--mapping FILE.json` (or `$TOURINSOFT_MAPPING`, a path): only the keys given change.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from urbanpulse.imports import sources
from urbanpulse.imports.engine import Candidate, Rejection, SourceError
from urbanpulse.imports.tourinsoft_hours import opening_hours

DEFAULT_MAPPING = {
    "id": "SyndicObjectID",
    "updated": "Updated",
    "name": {"fr": "SyndicObjectName", "en": "SyndicObjectNameGB", "nl": "SyndicObjectNameNL",
             "de": "SyndicObjectNameDE"},
    "description": {"fr": "DESCRIPTIF", "en": "DESCRIPTIFGB", "nl": "DESCRIPTIFNL", "de": "DESCRIPTIFDE"},
    "latitude": "GmapLatitude",
    "longitude": "GmapLongitude",
    "address": ["ADRESSE1", "ADRESSE2", "CP", "COMMUNE"],
    "contacts": "MOYENSCOM",
    "photos": "PHOTOS",
    "opening": "OUVERTURE",
    "type": "ObjectTypeName",
}  # fmt: skip
LIST_SEPARATOR, PART_SEPARATOR = "|", "#"
MAX_PAGES = 1_000
# Words of the object's type (any case) to our POI categories; the first match wins, else DEFAULT_CATEGORY.
CATEGORY_OF_TYPE = [
    ("musée", "museum"), ("restaur", "restaurant"), ("hôtel", "hotel"), ("hotel", "hotel"),
    ("hébergement", "hotel"), ("plage", "beach"), ("église", "church"), ("religieux", "church"),
    ("parc", "park"), ("jardin", "park"), ("phare", "lighthouse"), ("commerce", "shop"), ("marché", "market"),
    ("office de tourisme", "tourist_office"), ("café", "cafe"), ("bar", "cafe"), ("patrimoine", "monument"),
]  # fmt: skip
DEFAULT_CATEGORY = "monument"
CONTACT_KINDS = [("téléphone", "phone"), ("telephone", "phone"), ("mobile", "phone"), ("mél", "email"),
                 ("mail", "email"), ("site", "website"), ("url", "website")]  # fmt: skip


def mapping_with(*overrides: dict | None) -> dict:
    """DEFAULT_MAPPING with each override's keys replacing the defaults' (None overrides are skipped)."""
    mapping = dict(DEFAULT_MAPPING)
    for override in overrides:
        mapping.update(override or {})
    return mapping


def read_mapping(path: str) -> dict:
    """A mapping override from a JSON file; SourceError when it cannot be read."""
    try:
        value = json.loads(Path(path).read_text())
    except (OSError, ValueError) as error:
        raise SourceError(f"the mapping {path} cannot be read: {error}") from None
    if not isinstance(value, dict):
        raise SourceError(f"the mapping {path} is not a JSON object")
    return value


def read_source(source: str) -> Iterator[dict]:
    """The objects of a syndication file or URL (OData pages followed); SourceError when it cannot be read."""
    if source.startswith(("http://", "https://")):
        yield from _pages(source)
        return
    yield from _values(sources.json_file(source), source)


def _values(body, where: str) -> list[dict]:
    values = body.get("value") if isinstance(body, dict) else None
    if not isinstance(values, list):
        raise SourceError(f'{where} is not a Tourinsoft syndication (no "value" list)')
    return [item for item in values if isinstance(item, dict)]


def _pages(url: str) -> Iterator[dict]:
    for _ in range(MAX_PAGES):
        body = sources.json_answer(url, what="the syndication", headers={"Accept": "application/json"})
        yield from _values(body, url.split("?")[0])
        url = body.get("odata.nextLink") or body.get("@odata.nextLink")
        if not url:
            return
    raise SourceError(f"the syndication's pages did not end after {MAX_PAGES} pages")


def _text(item: dict, field: str | None) -> str | None:
    value = item.get(field) if field else None
    text = str(value).strip() if value not in (None, "") else ""
    return text or None


def _languages(item: dict, fields: dict) -> dict[str, str]:
    return {lang: text for lang, field in fields.items() if (text := _text(item, field))}


def split_list(value: str | None) -> list[list[str]]:
    """`a#b|c#d` -> [["a", "b"], ["c", "d"]] (empty items dropped, parts stripped)."""
    items = []
    for chunk in (value or "").split(LIST_SEPARATOR):
        parts = [part.strip() for part in chunk.split(PART_SEPARATOR)]
        if any(parts):
            items.append(parts)
    return items


def contacts(value: str | None) -> dict:
    """`Téléphone filaire#03 21 …|Mél#a@example.org|Site web (URL)#https://…` -> phone, email, website (the
    first of each kind)."""
    found: dict = {}
    for parts in split_list(value):
        kind_text, detail = (parts[0].lower(), parts[-1]) if len(parts) > 1 else ("", parts[0])
        kind = next((ours for word, ours in CONTACT_KINDS if word in kind_text), None)
        if kind is None and detail.startswith(("http://", "https://")):
            kind = "website"
        if kind and detail:
            found.setdefault(kind, detail)
    return found


def photos(item: dict, mapping: dict | None = None) -> list[dict]:
    """The object's photos: url, title, credit and licence of each (`url#title#credit[#licence]|…`); a photo
    without its own licence gets the mapping's `photo_licence` (the syndication's terms), else none."""
    mapping = mapping or DEFAULT_MAPPING
    result = []
    for parts in split_list(_text(item, mapping.get("photos"))):
        if parts[0].startswith(("http://", "https://")):
            padded = [*parts, "", "", ""]
            result.append(
                {
                    "url": parts[0],
                    "title": padded[1] or None,
                    "credit": padded[2] or None,
                    "licence": padded[3] or mapping.get("photo_licence") or None,
                }
            )
    return result


def _images(item: dict, mapping: dict) -> tuple:
    return tuple(
        {**photo, "caption": {"fr": photo["title"]} if photo["title"] else {}} for photo in photos(item, mapping)
    )


def _number(text: str | None) -> float | None:
    try:
        return float(text.replace(",", ".")) if text else None
    except ValueError:
        return None


def candidate(item: dict, mapping: dict | None = None) -> Candidate | Rejection:
    """One syndication object as a candidate POI, or a rejection naming why."""
    mapping = mapping or DEFAULT_MAPPING
    external_id = _text(item, mapping["id"])
    if not external_id:
        return Rejection("?", f"no identifier ({mapping['id']})")
    name = _languages(item, mapping["name"])
    if not name.get("fr"):
        return Rejection(external_id, "no name in French" if name else "no name in any language")
    lat, lon = _number(_text(item, mapping["latitude"])), _number(_text(item, mapping["longitude"]))
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat, lon) == (0, 0):
        return Rejection(external_id, "missing or invalid coordinates")
    kind = (_text(item, mapping.get("type")) or "").lower()
    address = ", ".join(filter(None, (_text(item, field) for field in mapping.get("address") or [])))
    fields = {
        "name": name,
        "description": _languages(item, mapping.get("description") or {}),
        "category": next((ours for word, ours in CATEGORY_OF_TYPE if word in kind), DEFAULT_CATEGORY),
        "address": address[:300] or None,
        "contact": contacts(_text(item, mapping.get("contacts"))),
        "opening_hours": opening_hours(_text(item, mapping.get("opening"))),
    }
    updated = _text(item, mapping.get("updated"))
    return Candidate(external_id, "poi", updated, fields, (lon, lat), images=_images(item, mapping))

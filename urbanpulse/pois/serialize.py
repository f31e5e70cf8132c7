"""POI rows (ORM objects or SQL rows) to GeoJSON Features, in one language or all."""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime

import orjson

from urbanpulse.core.i18n import pick, translated
from urbanpulse.editing.actor import authors
from urbanpulse.media.representation import in_language
from urbanpulse.pois.categories import CATEGORY_LABELS
from urbanpulse.pois.hours import CITY_ZONE, is_open

TRANSLATED = ("name", "description")


def _local_iso(value: datetime | None) -> str | None:
    return value.astimezone(CITY_ZONE).isoformat() if value else None


def _accessibility(value: dict | None, lang: str | None) -> dict:
    value = dict(value or {})
    if lang is not None and "note" in value:
        value["note"] = translated(value["note"], lang)
    return value


def _static_properties(row, *, lang: str | None, editor: bool) -> dict:
    props = {
        "id": str(row.id),
        "slug": row.slug,
        "category": row.category,
        "category_label": translated(CATEGORY_LABELS.get(row.category), lang),
        "tags": list(row.tags or []),
        "name": translated(row.name, lang),
        "description": translated(row.description, lang),
        "address": row.address,
        "opening_hours": row.opening_hours,
        "accessibility": _accessibility(row.accessibility, lang),
        "contact": dict(row.contact or {}),
        "media": in_language(row.media, lang),
        "status": row.status,
        "source": row.source,
        "location_estimated": bool(row.location_estimated),
        "version": row.version,
        "created_at": _local_iso(row.created_at),
        "updated_at": _local_iso(row.updated_at),
    }
    if lang is not None:
        props["lang"] = pick(row.name, lang)[1]
    if editor:
        props.update(authors(row))
    return props


# A row's representation never changes while its stamp (xmin: any committed update, an operator's SQL too,
# changes it) stays, so it is built (and encoded) once per (id, stamp, lang, editor) per worker. Sized for a
# city's POIs in four languages; a miss only costs rebuilding it.
_STATIC_CACHE_SIZE = 5_000
_static_cache: OrderedDict = OrderedDict()
_static_lock = threading.Lock()


def _static(row, lang: str | None, editor: bool) -> tuple[dict, bytes, bytes]:
    """(static properties, the encoded Feature up to its dynamic properties: no closing braces)."""
    stamp = getattr(row, "stamp", None)  # SQL rows carry it; an ORM object (one item) is built afresh
    key = (row.id, stamp, lang, editor)
    found = _static_cache.get(key) if stamp is not None else None
    if found is None:
        props = _static_properties(row, lang=lang, editor=editor)
        head = b'{"type":"Feature","id":' + orjson.dumps(props["id"]) + b',"geometry":{"type":"Point","coordinates":'
        found = (props, head, orjson.dumps(props)[:-1])
        if stamp is not None:
            with _static_lock:  # gthread workers share the memo between threads
                _static_cache[key] = found
                if len(_static_cache) > _STATIC_CACHE_SIZE:
                    _static_cache.popitem(last=False)
    return found


def _dynamic_properties(row, local_now: datetime, extra: dict | None) -> dict:
    props = {}
    open_now = is_open(row.opening_hours, local_now)
    if open_now is not None:
        props["open_now"] = open_now
    if extra:
        props.update(extra)
    return props


def feature(
    row, *, lang: str | None, editor: bool, local_now: datetime, lon: float, lat: float, extra: dict | None = None
) -> dict:
    """One POI as a GeoJSON Feature; `local_now` (naive Europe/Paris) drives `open_now`."""
    static = _static(row, lang, editor)[0]
    props = {**static, **_dynamic_properties(row, local_now, extra)}
    return {
        "type": "Feature",
        "id": props["id"],
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": props,
    }


def feature_json(
    row, *, lang: str | None, editor: bool, local_now: datetime, lon: float, lat: float, extra: dict | None = None
) -> orjson.Fragment:
    """`feature` already encoded (the same bytes orjson gives for it), for collections on hot paths.

    `extra` must only add keys (e.g. distance_m), never replace static ones.
    """
    _, head, static_json = _static(row, lang, editor)
    dynamic = _dynamic_properties(row, local_now, extra)
    tail = b"," + orjson.dumps(dynamic)[1:] + b"}" if dynamic else b"}}"
    return orjson.Fragment(b"".join((head, orjson.dumps([lon, lat]), b'},"properties":', static_json, tail)))


def collection(features: list[dict], **members) -> dict:
    """A GeoJSON FeatureCollection with OGC-style counters and links."""
    return {"type": "FeatureCollection", "features": features, "numberReturned": len(features), **members}

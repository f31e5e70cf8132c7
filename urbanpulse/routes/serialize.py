"""Routes (ORM objects or SQL rows) and their stops as GeoJSON, in one language or all."""

from __future__ import annotations

from datetime import datetime

from urbanpulse.core.i18n import pick, translated
from urbanpulse.editing.actor import authors
from urbanpulse.media.representation import cover_url, in_language
from urbanpulse.pois.categories import CATEGORY_LABELS
from urbanpulse.pois.hours import CITY_ZONE
from urbanpulse.routes.geometry import Parts, RouteLine, to_geojson
from urbanpulse.routes.stops import ReadStop
from urbanpulse.routes.vocab import DIFFICULTY_LABELS, KIND_LABELS, PACE_KMH, THEME_LABELS

SIMPLIFIED_DIGITS = 7  # about 1 cm, far below any drawing tolerance


def local_iso(value: datetime | None) -> str | None:
    """An instant as ISO 8601 in Boulogne's time zone."""
    return value.astimezone(CITY_ZONE).isoformat() if value else None


def metres(value: float | None) -> float | None:
    """Metres rounded to 0.1 m, as served."""
    return None if value is None else round(value, 1)


def route_properties(route, *, lang: str | None, editor: bool, stop_count: int) -> dict:
    """The properties every route representation shares."""
    props = {
        "id": str(route.id),
        "slug": route.slug,
        "name": translated(route.name, lang),
        "summary": translated(route.summary, lang),
        "description": translated(route.description, lang),
        "theme": route.theme,
        "theme_label": translated(THEME_LABELS.get(route.theme), lang),
        "kind": route.kind,
        "kind_label": translated(KIND_LABELS.get(route.kind), lang),
        "difficulty": route.difficulty,
        "difficulty_label": translated(DIFFICULTY_LABELS.get(route.difficulty), lang),
        "is_loop": bool(route.is_loop),
        "length_m": metres(route.length_m),
        "duration_min": route.duration_min,
        "pace_kmh": PACE_KMH[route.kind],
        "official_length_m": metres(route.official_length_m),
        "estimated_waypoints": list(route.estimated_waypoints or []),
        "stop_count": stop_count,
        "media": in_language(route.media, lang),
        "status": route.status,
        "source": route.source,
        "version": route.version,
        "created_at": local_iso(route.created_at),
        "updated_at": local_iso(route.updated_at),
    }
    if lang is not None:
        props["lang"] = pick(route.name, lang)[1]
    if editor:
        props.update(authors(route))
    return props


def stop_summary(stop: ReadStop, *, lang: str | None) -> dict:
    """A stop's POI: id, slug, name, category and position."""
    return {
        "position": stop.position,
        "poi_id": str(stop.poi_id),
        "poi_slug": stop.slug,
        "name": translated(stop.name, lang),
        "category": stop.category,
        "category_label": translated(CATEGORY_LABELS.get(stop.category), lang),
        "location": {"type": "Point", "coordinates": [stop.lon, stop.lat]},
        "cover_url": cover_url(stop.media),
    }


def stop_dict(stop: ReadStop, *, lang: str | None, editor: bool) -> dict:
    """A stop as listed in a route Feature."""
    item = {
        **stop_summary(stop, lang=lang),
        "note": translated(stop.note, lang) if stop.note else (None if lang else {}),
        "trigger_radius_m": stop.trigger_radius_m,
        "distance_along_m": metres(stop.distance_along_m),
        "offset_m": metres(stop.offset_m),
        "media": in_language(stop.media, lang),
    }
    if editor:
        item["poi_status"] = stop.poi_status
    return item


def geometry(parts: Parts, *, simplify_m: float | None, line: RouteLine | None = None) -> tuple[dict, dict | None]:
    """The line as GeoJSON, simplified when asked, with a note of how much was simplified."""
    if simplify_m is None:
        return to_geojson(parts), None
    simplified = (line or RouteLine(parts)).simplified(simplify_m)
    info = {
        "tolerance_m": simplify_m,
        "positions": sum(len(part) for part in simplified),
        "positions_full": sum(len(part) for part in parts),
    }
    return to_geojson(simplified, SIMPLIFIED_DIGITS), info


def route_feature(
    route,
    parts: Parts,
    *,
    lang: str | None,
    editor: bool,
    stop_count: int,
    stops: list[ReadStop] | None = None,
    simplify_m: float | None = None,
    line: RouteLine | None = None,
    extra: dict | None = None,
) -> dict:
    """One route as a GeoJSON Feature; `stops` (in order) when given."""
    props = route_properties(route, lang=lang, editor=editor, stop_count=stop_count)
    shape, simplified = geometry(parts, simplify_m=simplify_m, line=line)
    if simplified:
        props["simplified"] = simplified
    if stops is not None:
        props["stops"] = [stop_dict(stop, lang=lang, editor=editor) for stop in stops]
    if extra:
        props.update(extra)
    return {"type": "Feature", "id": props["id"], "geometry": shape, "properties": props}


def collection(features: list[dict], **members) -> dict:
    """A GeoJSON FeatureCollection with OGC-style counters and links."""
    return {"type": "FeatureCollection", "features": features, "numberReturned": len(features), **members}

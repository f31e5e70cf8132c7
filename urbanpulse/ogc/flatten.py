"""Flat properties (columns, not nested objects) of each collection's items, in one language, as GIS tools read them."""

from __future__ import annotations

import shapely
from shapely.geometry import mapping

from urbanpulse.core.i18n import translated
from urbanpulse.events.categories import CATEGORY_LABELS as EVENT_CATEGORY_LABELS
from urbanpulse.media.representation import cover_url
from urbanpulse.pois.categories import CATEGORY_LABELS as POI_CATEGORY_LABELS
from urbanpulse.pois.hours import CITY_ZONE
from urbanpulse.routes.vocab import DIFFICULTY_LABELS, KIND_LABELS, THEME_LABELS


def _local(value) -> str | None:
    return value.astimezone(CITY_ZONE).isoformat() if value else None


def poi(row, lang: str) -> dict:
    """A POI row (pois.listing / pois.queries columns) as a Feature with flat properties."""
    contact = row.contact or {}
    access = row.accessibility or {}
    return {
        "type": "Feature",
        "id": str(row.id),
        "geometry": {"type": "Point", "coordinates": [row.lon, row.lat]},
        "properties": {
            "name": translated(row.name, lang),
            "category": row.category,
            "category_label": translated(POI_CATEGORY_LABELS.get(row.category), lang),
            "description": translated(row.description, lang),
            "address": row.address,
            "opening_hours": row.opening_hours,
            "phone": contact.get("phone"),
            "website": contact.get("website"),
            "email": contact.get("email"),
            "wheelchair": access.get("wheelchair"),
            "location_estimated": bool(row.location_estimated),
            "cover_url": cover_url(row.media),
            "slug": row.slug,
            "updated_at": _local(row.updated_at),
        },
    }


def route(row, lang: str) -> dict:
    """A route row (routes.queries columns) as a Feature with flat properties."""
    return {
        "type": "Feature",
        "id": str(row.id),
        "geometry": mapping(shapely.from_wkb(bytes(row.wkb))),
        "properties": {
            "name": translated(row.name, lang),
            "summary": translated(row.summary, lang),
            "theme": row.theme,
            "theme_label": translated(THEME_LABELS.get(row.theme), lang),
            "kind": row.kind,
            "kind_label": translated(KIND_LABELS.get(row.kind), lang),
            "difficulty": row.difficulty,
            "difficulty_label": translated(DIFFICULTY_LABELS.get(row.difficulty), lang),
            "is_loop": bool(row.is_loop),
            "length_m": round(row.length_m, 1),
            "duration_min": row.duration_min,
            "stop_count": row.stop_count,
            "slug": row.slug,
            "updated_at": _local(row.updated_at),
        },
    }


def route_stop(row, lang: str) -> dict:
    """A stop row (route, position, its POI) as a point Feature; id `<route id>/<position>`."""
    return {
        "type": "Feature",
        "id": f"{row.route_id}/{row.position}",
        "geometry": {"type": "Point", "coordinates": [row.lon, row.lat]},
        "properties": {
            "route_id": str(row.route_id),
            "route_name": translated(row.route_name, lang),
            "position": row.position,
            "poi_id": str(row.poi_id),
            "name": translated(row.name, lang),
            "category": row.category,
            "note": translated(row.note, lang) if row.note else None,
            "trigger_radius_m": row.trigger_radius_m,
        },
    }


def occurrence(item, lang: str) -> dict:
    """An event occurrence (events.queries.Occurrence) as a Feature; id `<event id>/<UTC start>`."""
    row = item.row
    geometry = {"type": "Point", "coordinates": [row.lon, row.lat]} if row.lon is not None else None
    return {
        "type": "Feature",
        "id": f"{row.id}/{item.start.strftime('%Y%m%dT%H%M%SZ')}",
        "geometry": geometry,
        "properties": {
            "event_id": str(row.id),
            "title": translated(row.title, lang),
            "category": row.category,
            "category_label": translated(EVENT_CATEGORY_LABELS.get(row.category), lang),
            "status": row.status,
            "start": _local(item.start),
            "end": _local(item.end),
            "all_day": bool(row.all_day),
            "venue": translated(row.venue_name, lang) if row.venue_name else None,
            "address": row.address,
            "price": row.price,
            "booking_url": row.booking_url,
        },
    }

"""Event rows and occurrences to GeoJSON Features, in one language or all; times in Europe/Paris."""

from __future__ import annotations

from datetime import datetime

from urbanpulse.core.i18n import pick, translated
from urbanpulse.editing.actor import authors
from urbanpulse.events.categories import CATEGORY_LABELS, SCHEMA_ORG_STATUS
from urbanpulse.events.recurrence import to_utc
from urbanpulse.events.scheduling import duration_text, schedule_of
from urbanpulse.media.representation import cover_url, in_language
from urbanpulse.pois.hours import CITY_ZONE


def local_iso(value: datetime | None) -> str | None:
    """An aware datetime in Europe/Paris, ISO 8601 with its offset."""
    return value.astimezone(CITY_ZONE).isoformat() if value else None


def _geometry(row) -> dict | None:
    if row.lon is None or row.lat is None:
        return None
    return {"type": "Point", "coordinates": [row.lon, row.lat]}


def _venue(row, lang: str | None) -> dict | None:
    if row.venue_id is None:
        return None
    return {
        "id": str(row.venue_id),
        "slug": row.venue_slug,
        "name": translated(row.venue_name, lang),
        "category": row.venue_category,
    }


def _common(row, lang: str | None) -> dict:
    props = {
        "event_id": str(row.id),
        "title": translated(row.title, lang),
        "category": row.category,
        "category_label": translated(CATEGORY_LABELS.get(row.category), lang),
        "status": row.status,
        "schema_org_status": SCHEMA_ORG_STATUS[row.status],
        "all_day": bool(row.all_day),
        "recurring": bool(row.rrule or row.rdates),
        "venue": _venue(row, lang),
        "address": row.address,
        "price": row.price,
        "organiser": row.organiser,
        "booking_url": row.booking_url,
        "online_url": row.online_url,
    }
    if lang is not None:
        props["lang"] = pick(row.title, lang)[1]
    return props


def _distance(row) -> float | None:
    value = getattr(row, "distance_m", None)
    return round(value, 1) if value is not None else None


def occurrence_feature(occurrence, *, lang: str | None, now: datetime, positioned: bool) -> dict:
    """One occurrence as a GeoJSON Feature (id `<event id>/<UTC start>`)."""
    row = occurrence.row
    props = {
        **_common(row, lang),
        "occurrence_start": local_iso(occurrence.start),
        "occurrence_end": local_iso(occurrence.end),
        "ongoing": occurrence.start <= now < occurrence.end,
        "cover_url": cover_url(row.media),
    }
    if positioned:
        props["distance_m"] = _distance(row)
    stamp = occurrence.start.astimezone(CITY_ZONE).strftime("%Y%m%dT%H%M%S%z")
    return {"type": "Feature", "id": f"{row.id}/{stamp}", "geometry": _geometry(row), "properties": props}


def _schedule(row) -> dict:
    schedule = schedule_of(row)
    tz = schedule.tz

    def wall(value: datetime) -> str:
        return to_utc(value, tz).astimezone(tz).isoformat()

    return {
        "timezone": schedule.timezone,
        "dtstart_local": schedule.dtstart_local.isoformat(),
        "duration": duration_text(schedule.duration),
        "rrule": schedule.rrule,
        "exdates": [wall(value) for value in schedule.exdates],
        "rdates": [wall(value) for value in schedule.rdates],
    }


def event_feature(row, *, lang: str | None, editor: bool, next_occurrence=None) -> dict:
    """An event as a GeoJSON Feature with its schedule; editor-only fields for editors."""
    props = {
        "id": str(row.id),
        **_common(row, lang),
        "uid": row.uid,
        "description": translated(row.description, lang),
        "media": in_language(row.media, lang),
        "starts_at": local_iso(row.starts_at),
        "ends_at": local_iso(row.ends_at),
        "schedule": _schedule(row),
        "next_occurrence": (
            {"start": local_iso(next_occurrence[0]), "end": local_iso(next_occurrence[1])} if next_occurrence else None
        ),
        "publication": row.publication,
        "source": row.source,
        "version": row.version,
        "created_at": local_iso(row.created_at),
        "updated_at": local_iso(row.updated_at),
    }
    props.pop("event_id")
    if editor:
        props.update(
            venue_poi_id=str(row.venue_poi_id) if row.venue_poi_id else None,
            notes=row.notes,
            import_source=row.import_source,
            **authors(row),
        )
    return {"type": "Feature", "id": props["id"], "geometry": _geometry(row), "properties": props}


def collection(features: list[dict], **members) -> dict:
    """A GeoJSON FeatureCollection with counters, window and links."""
    return {"type": "FeatureCollection", "features": features, "numberReturned": len(features), **members}

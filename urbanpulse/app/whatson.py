"""What the app's "What's on" page shows: occurrences now, today, this weekend or this week, near me or not.

Recurrences are expanded by the events domain (local time, Europe/Paris); cancelled and postponed
occurrences stay in the list, marked, as tourists need to know.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from urbanpulse.core.i18n import translated
from urbanpulse.events import queries
from urbanpulse.events.categories import SCHEMA_ORG_STATUS
from urbanpulse.events.queries import Filters
from urbanpulse.pois.hours import CITY_ZONE

WHEN = ("now", "today", "weekend", "week")
NOW_WITHIN = timedelta(hours=1)
NEAR_ME_RADIUS_M = 2_000
LIST_LIMIT = 60


def window(when: str, now: datetime) -> tuple[datetime, datetime]:
    """[start, end) in UTC of a choice, computed on the local calendar."""
    local = now.astimezone(CITY_ZONE)
    midnight = datetime.combine(local.date(), time(), CITY_ZONE)
    if when == "now":
        return now, now + NOW_WITHIN
    if when == "today":
        end = datetime.combine(local.date() + timedelta(days=1), time(), CITY_ZONE)
        return now, end.astimezone(UTC)
    if when == "weekend":
        saturday = midnight + timedelta(days=5 - local.weekday())  # on a Sunday, the weekend under way
        monday = datetime.combine(saturday.date() + timedelta(days=2), time(), CITY_ZONE)
        return max(now, saturday.astimezone(UTC)), monday.astimezone(UTC)
    return now, (midnight + timedelta(days=7)).astimezone(UTC)


def occurrences(*, when: str, now: datetime, lang: str, lon: float | None = None, lat: float | None = None) -> list:
    """The published occurrences of the choice, by start (nearest first for "now" with a position)."""
    start, end = window(when, now)
    near = lon is not None and lat is not None
    filters = Filters(lon=lon, lat=lat, radius_m=NEAR_ME_RADIUS_M if near else None)
    rows = queries.candidates(filters, start, end)
    if when == "now":
        found, _ = queries.happening(rows, start, end, limit=LIST_LIMIT, by_distance=near)
    else:
        found, _ = queries.page(rows, start, end, limit=LIST_LIMIT, after=None)
    return [_item(occurrence, lang=lang, now=now) for occurrence in found]


def _item(occurrence, *, lang: str, now: datetime) -> dict:
    row = occurrence.row
    start, end = occurrence.start.astimezone(CITY_ZONE), occurrence.end.astimezone(CITY_ZONE)
    return {
        "event_id": str(row.id),
        "key": f"{row.id}/{occurrence.start.astimezone(UTC):%Y%m%dT%H%M%SZ}",
        "title": translated(row.title, lang),
        "category": row.category,
        "status": row.status,
        "venue": translated(row.venue_name, lang) if row.venue_name else None,
        "address": row.address,
        "start": start,
        "end": end,
        "all_day": bool(row.all_day),
        "ongoing": occurrence.start <= now < occurrence.end,
        "distance_m": round(row.distance_m) if getattr(row, "distance_m", None) is not None else None,
        "lon": row.lon,
        "lat": row.lat,
        "online_url": row.online_url,
        "booking_url": row.booking_url,
    }


def json_ld(items: list[dict], *, lang: str) -> dict:
    """schema.org Events of the listed occurrences (with their status), for search engines."""

    def event(item: dict) -> dict:
        data = {
            "@type": "Event",
            "name": item["title"],
            "startDate": item["start"].isoformat(),
            "endDate": item["end"].isoformat(),
            "eventStatus": SCHEMA_ORG_STATUS[item["status"]],
            "inLanguage": lang,
        }
        if item["status"] == "moved_online" and item["online_url"]:
            data["eventAttendanceMode"] = "https://schema.org/OnlineEventAttendanceMode"
            data["location"] = {"@type": "VirtualLocation", "url": item["online_url"]}
        elif item["lat"] is not None:
            data["eventAttendanceMode"] = "https://schema.org/OfflineEventAttendanceMode"
            data["location"] = {
                "@type": "Place",
                "name": item["venue"] or item["address"] or "Boulogne-sur-Mer",
                "address": item["address"] or "Boulogne-sur-Mer",
                "geo": {"@type": "GeoCoordinates", "latitude": item["lat"], "longitude": item["lon"]},
            }
        if item["booking_url"]:
            data["offers"] = {"@type": "Offer", "url": item["booking_url"]}
        return data

    return {
        "@context": "https://schema.org",
        "@type": "ItemList",
        "itemListElement": [
            {"@type": "ListItem", "position": i, "item": event(item)} for i, item in enumerate(items, start=1)
        ],
    }

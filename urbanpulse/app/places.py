"""What the app's place pages show: the nearest places, one place, their hours in words and JSON-LD.

Built from the same service functions as the API (published content only), in one language.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from geoalchemy2.shape import to_shape

from urbanpulse.core.errors import NotFound
from urbanpulse.core.i18n import translated
from urbanpulse.media.representation import cover_url, in_language
from urbanpulse.pois import queries, service
from urbanpulse.pois.categories import CATEGORY_LABELS
from urbanpulse.pois.hours import is_open, next_change, week

# Where the app starts when the phone gives no position (the belfry, UNESCO World Heritage).
BELFRY = (1.6146, 50.7259)
AROUND_RADIUS_M = 20_000
AROUND_LIMIT = 30
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# schema.org types a search engine knows, by our category (TouristAttraction otherwise).
SCHEMA_TYPES = {
    "museum": "Museum",
    "aquarium": "Aquarium",
    "church": "Church",
    "monument": "LandmarksOrHistoricalBuildings",
    "fortification": "LandmarksOrHistoricalBuildings",
    "memorial": "LandmarksOrHistoricalBuildings",
    "beach": "Beach",
    "park": "Park",
    "restaurant": "Restaurant",
    "cafe": "CafeOrCoffeeShop",
    "hotel": "Hotel",
    "shop": "Store",
    "market": "TouristAttraction",
    "cemetery": "Cemetery",
    "theatre": "PerformingArtsTheater",
    "library": "Library",
    "casino": "Casino",
    "tourist_office": "TouristInformationCenter",
}


def hours_line(expression: str | None, local_now: datetime, texts: dict) -> str | None:
    """ "Open · closes at 18:00", "Closed · opens tomorrow at 10:00"... in the page's language; None if unknown."""
    state = is_open(expression, local_now)
    if state is None:
        return None
    label = texts["open"] if state else texts["closed"]
    change = next_change(expression, local_now)
    if change is None:
        return label
    clock = change.strftime("%H:%M")
    if state:
        return f"{label} · {texts['closes_at'].format(time=clock)}"
    days = (change.date() - local_now.date()).days
    if days == 0:
        when = texts["opens_at"].format(time=clock)
    elif days == 1:
        when = texts["opens_tomorrow"].format(time=clock)
    else:
        when = texts["opens_on"].format(day=texts[WEEKDAYS[change.weekday()]], time=clock)
    return f"{label} · {when}"


def distance_text(distance_m: float, texts: dict) -> str:
    """Metres under a kilometre (rounded to 10 m), kilometres with one decimal above."""
    if distance_m < 1000:
        return texts["metres"].format(n=max(10, round(distance_m / 10) * 10))
    return texts["kilometres"].format(n=f"{distance_m / 1000:.1f}")


def around(
    *,
    lon: float,
    lat: float,
    lang: str,
    local_now: datetime,
    texts: dict,
    categories: Sequence[str] = (),
    q: str | None = None,
    open_now: bool = False,
    limit: int = AROUND_LIMIT,
) -> list[dict]:
    """The nearest published places, nearest first, as the list shows them."""
    found = queries.nearby(
        lat=lat,
        lon=lon,
        radius_m=AROUND_RADIUS_M,
        limit=limit,
        categories=categories,
        q=q or None,
        open_at=local_now if open_now else None,
    )
    return [
        {
            "id": str(row.id),
            "name": translated(row.name, lang),
            "category": row.category,
            "category_label": translated(CATEGORY_LABELS.get(row.category), lang),
            "distance_m": round(distance_m, 1),
            "distance": distance_text(distance_m, texts),
            "hours": hours_line(row.opening_hours, local_now, texts),
            "cover": cover_url(row.media, width=320),
            "cover_alt": _cover_alt(row.media, lang),
            "lon": row.lon,
            "lat": row.lat,
        }
        for row, distance_m in found
    ]


def _cover_alt(media: list | None, lang: str) -> str:
    cover = next((item for item in in_language(media, lang) if item.get("cover")), None)
    return (cover or {}).get("alt") or ""


def place(poi_id: uuid.UUID, *, lang: str, local_now: datetime, texts: dict) -> dict:
    """One published place for its page (NotFound for drafts, archived or deleted ones)."""
    poi = service.get_poi(poi_id=poi_id, include_unpublished=False)
    if poi.status != "published":
        raise NotFound("no such place")
    point = to_shape(poi.location)
    monday = local_now.date() - timedelta(days=local_now.weekday())
    days = week(poi.opening_hours, monday)
    return {
        "id": str(poi.id),
        "slug": poi.slug,
        "name": translated(poi.name, lang),
        "description": translated(poi.description, lang),
        "category": poi.category,
        "category_label": translated(CATEGORY_LABELS.get(poi.category), lang),
        "address": poi.address,
        "contact": dict(poi.contact or {}),
        "accessibility": dict(poi.accessibility or {}),
        "accessibility_note": translated((poi.accessibility or {}).get("note"), lang),
        "opening_hours": poi.opening_hours,
        "hours": hours_line(poi.opening_hours, local_now, texts),
        "week": [
            {
                "name": texts[WEEKDAYS[day["day"].weekday()]],
                "date": day["day"],
                "holiday": day["holiday"],
                "today": day["day"] == local_now.date(),
                "spans": [f"{begin:%H:%M}\u2013{_end_text(end)}" for begin, end in day["open"]],
            }
            for day in days or []
        ],
        "photos": [item for item in in_language(poi.media, lang) if item.get("status", "ready") == "ready"],
        "cover": cover_url(poi.media, width=960),
        "lon": point.x,
        "lat": point.y,
        "location_estimated": bool(poi.location_estimated),
        "updated_at": poi.updated_at,
    }


def _end_text(end: datetime) -> str:
    return "24:00" if end.hour == 0 and end.minute == 0 else f"{end:%H:%M}"


def json_ld(page: dict, *, url: str, lang: str) -> dict:
    """schema.org description of a place for search engines (type from its category)."""
    data = {
        "@context": "https://schema.org",
        "@type": SCHEMA_TYPES.get(page["category"], "TouristAttraction"),
        "@id": url,
        "url": url,
        "name": page["name"],
        "inLanguage": lang,
        "geo": {"@type": "GeoCoordinates", "latitude": page["lat"], "longitude": page["lon"]},
    }
    if page["description"]:
        data["description"] = page["description"]
    if page["address"]:
        data["address"] = {"@type": "PostalAddress", "streetAddress": page["address"], "addressCountry": "FR"}
    contact = page["contact"]
    if contact.get("phone"):
        data["telephone"] = contact["phone"]
    if contact.get("website"):
        data["sameAs"] = contact["website"]
    if page["cover"]:
        data["image"] = page["cover"]
    if page["opening_hours"]:
        data["openingHours"] = page["opening_hours"]
    wheelchair = page["accessibility"].get("wheelchair")
    if wheelchair:
        data["amenityFeature"] = {
            "@type": "LocationFeatureSpecification",
            "name": "wheelchair access",
            "value": wheelchair != "no",
            "description": wheelchair,
        }
    return data

"""DATAtourisme objects (the per-object JSON of a flux, from a folder or a zip, with or without index.json) as
candidates for the import engine: places of interest become POIs, events become events whose periods become
occurrences at their local times. Bad objects become rejections with their id and reason."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path

from urbanpulse.imports.engine import Candidate, Rejection, SourceError
from urbanpulse.imports.jsonld import as_list, classes, first, get, literal, translations
from urbanpulse.pois.hours import parse_opening_hours

# DATAtourisme classes (local names) to our POI categories, the first match wins; other places: DEFAULT.
CATEGORY_OF_CLASS = [
    ("Museum", "museum"), ("InterpretationCentre", "museum"), ("Aquarium", "aquarium"),
    ("Church", "church"), ("Cathedral", "church"), ("Chapel", "church"), ("ReligiousSite", "church"),
    ("Lighthouse", "lighthouse"), ("Fort", "fortification"), ("DefenceSite", "fortification"),
    ("Beach", "beach"), ("ParkAndGarden", "park"), ("Park", "park"), ("Garden", "park"),
    ("NaturalHeritage", "nature"), ("Viewpoint", "viewpoint"), ("PointOfView", "viewpoint"),
    ("Restaurant", "restaurant"), ("FoodEstablishment", "restaurant"), ("BarOrPub", "cafe"),
    ("CafeOrCoffeeShop", "cafe"), ("Hotel", "hotel"), ("Accommodation", "hotel"), ("Store", "shop"),
    ("Market", "market"), ("Theater", "theatre"), ("Library", "library"), ("Casino", "casino"),
    ("TouristInformationCenter", "tourist_office"), ("Cemetery", "cemetery"), ("Memorial", "memorial"),
    ("RemarkableBuilding", "monument"), ("CulturalSite", "monument"), ("Monument", "monument"),
]  # fmt: skip
DEFAULT_CATEGORY = "monument"
EVENT_CATEGORY_OF_CLASS = [
    ("Market", "market"), ("SportsEvent", "sport"), ("Concert", "concert"), ("ShowEvent", "theatre"),
    ("TheaterEvent", "theatre"), ("Exhibition", "exhibition"), ("Festival", "festival"),
    ("VisitEvent", "guided_tour"), ("Conference", "conference"), ("ChildrensEvent", "family"),
]  # fmt: skip
DEFAULT_EVENT_CATEGORY = "other"
DAYS = {"Monday": "Mo", "Tuesday": "Tu", "Wednesday": "We", "Thursday": "Th", "Friday": "Fr", "Saturday": "Sa",
        "Sunday": "Su", "PublicHolidays": "PH"}  # fmt: skip


def read_source(source: str) -> Iterator[dict]:
    """The objects of a folder or zip of per-object JSON files (index.json skipped); SourceError if unreadable."""
    path = Path(source)
    if not path.exists():
        raise SourceError(f"no such file or folder: {source}")
    if path.is_dir():
        files = sorted(p for p in path.rglob("*.json") if p.name != "index.json")
        for file in files:
            yield from _objects(file.name, file.read_bytes())
        return
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise SourceError(f"{source} is neither a folder nor a zip of JSON files") from None
    with archive:
        for name in sorted(n for n in archive.namelist() if n.endswith(".json") and Path(n).name != "index.json"):
            yield from _objects(name, archive.read(name))


def _objects(name: str, data: bytes) -> Iterator[dict]:
    try:
        value = json.loads(data)
    except ValueError:
        yield {"@id": name, "__unreadable__": True}
        return
    for node in as_list(value.get("@graph") if isinstance(value, dict) and "@graph" in value else value):
        if isinstance(node, dict):
            yield node


def _number(value) -> float | None:
    text = literal(value)
    if text is None:
        return None
    try:
        return float(text.split("^^")[0].replace(",", "."))
    except ValueError:
        return None


def _position(node) -> tuple[float, float] | None:
    for place in as_list(get(node, "isLocatedAt")):
        geo = first(place, "geo")
        lat, lon = _number(first(geo, "latitude")), _number(first(geo, "longitude"))
        if lat is not None and lon is not None:
            return lon, lat
    return None


def _address(node) -> str | None:
    place = first(node, "isLocatedAt")
    address = first(place, "address")
    if not isinstance(address, dict):
        return None
    street = ", ".join(filter(None, (literal(v) for v in as_list(get(address, "streetAddress")))))
    parts = [
        street,
        " ".join(filter(None, (literal(get(address, "postalCode")), literal(get(address, "addressLocality"))))),
    ]
    text = ", ".join(part for part in parts if part)
    return text[:300] or None


def _contact(node) -> dict:
    contact = {}
    for agent in as_list(get(node, "hasContact")):
        contact.setdefault("phone", literal(get(agent, "telephone")))
        contact.setdefault("website", literal(get(agent, "homepage")))
        contact.setdefault("email", literal(get(agent, "email")))
    return {key: value for key, value in contact.items() if value}


def _hours(node) -> str | None:
    """schema:openingHoursSpecification as OpenStreetMap syntax (days and times; periods of validity ignored
    when they have ended), or None when there is none or it does not parse."""
    rules = []
    for place in as_list(get(node, "isLocatedAt")):
        for spec in as_list(get(place, "openingHoursSpecification")):
            through = literal(get(spec, "validThrough"))
            if through and through[:10] < date.today().isoformat():
                continue
            opens, closes = literal(get(spec, "opens")), literal(get(spec, "closes"))
            days = [DAYS.get(_local(literal(day) or "")) for day in as_list(get(spec, "dayOfWeek"))]
            days = [day for day in days if day]
            if opens and closes and days:
                rules.append(f"{','.join(days)} {opens[:5]}-{closes[:5]}")
    if not rules:
        return None
    expression = "; ".join(rules)
    try:
        parse_opening_hours(expression)
    except Exception:
        return None
    return expression


def _local(name: str) -> str:
    return name.rsplit("#", 1)[-1].rsplit("/", 1)[-1].rsplit(":", 1)[-1]


def _machine_translated(node) -> list[str]:
    """Languages whose text the source marks as machine-translated (hasTranslatedProperty)."""
    languages = []
    for item in as_list(get(node, "hasTranslatedProperty")):
        for lang in as_list(get(item, "language", "inLanguage")):
            code = (literal(lang) or "").lower()[:2]
            if code and code not in languages:
                languages.append(code)
    return languages


def _category(found: set[str], table, default: str) -> str:
    return next((category for name, category in table if name in found), default)


def _external_id(node) -> str | None:
    return literal(get(node, "identifier")) or (str(node["@id"]) if node.get("@id") else None)


def candidate(node) -> Candidate | Rejection:
    """One object as a candidate POI or event, or a rejection naming why."""
    external_id = _external_id(node)
    if not external_id:
        return Rejection("?", "no identifier")
    if node.get("__unreadable__"):
        return Rejection(external_id, "not valid JSON")
    found = classes(node)
    name = translations(get(node, "label"))
    if not name.get("fr"):
        return Rejection(external_id, "no name in French" if name else "no name in any language")
    position = _position(node)
    if position is None:
        return Rejection(external_id, "missing or invalid coordinates")
    description = translations(get(first(node, "hasDescription"), "shortDescription")) or translations(
        get(node, "comment")
    )
    updated = literal(get(node, "lastUpdate", "modified"))
    machine = _machine_translated(node)
    if "EntertainmentAndEvent" in found:
        return _event(node, external_id, found, name, description, position, updated, machine)
    if "PlaceOfInterest" not in found and not found & {c for c, _ in CATEGORY_OF_CLASS}:
        return Rejection(external_id, f"not a place or an event: {sorted(found)}")
    fields = {
        "name": name,
        "description": description,
        "category": _category(found, CATEGORY_OF_CLASS, DEFAULT_CATEGORY),
        "address": _address(node),
        "opening_hours": _hours(node),
        "contact": _contact(node),
        "tags": [f"machine-translated-{code}" for code in machine if code in ("en", "nl", "de")],
    }
    return Candidate(external_id, "poi", updated, fields, position)


def _periods(node) -> list[tuple[datetime, datetime]]:
    """takesPlaceAt periods as (start, end) wall times: with hours, one occurrence a day from startDate to
    endDate; without, one occurrence over the whole days."""
    periods = set()
    for period in as_list(get(node, "takesPlaceAt")):
        start_day, end_day = literal(get(period, "startDate")), literal(get(period, "endDate"))
        if not start_day:
            raise ValueError("a period without a start date")
        first_day = date.fromisoformat(start_day[:10])
        last_day = date.fromisoformat(end_day[:10]) if end_day else first_day
        if last_day < first_day:
            raise ValueError(f"a period ending before it starts ({start_day} to {end_day})")
        start_time, end_time = literal(get(period, "startTime")), literal(get(period, "endTime"))
        if not (start_time and end_time):
            periods.add((datetime.combine(first_day, time()), datetime.combine(last_day + timedelta(days=1), time())))
            continue
        begin, finish = time.fromisoformat(start_time[:8]), time.fromisoformat(end_time[:8])
        day = first_day
        while day <= last_day:
            start, end = datetime.combine(day, begin), datetime.combine(day, finish)
            periods.add((start, end if end > start else end + timedelta(days=1)))
            day += timedelta(days=1)
    return sorted(periods)


def _event(node, external_id, found, name, description, position, updated, machine) -> Candidate | Rejection:
    try:
        periods = _periods(node)
    except ValueError as error:
        return Rejection(external_id, f"unparseable periods: {error}")
    if not periods:
        return Rejection(external_id, "no period")
    # An event repeats one duration: later occurrences keep their own start and the first one's length.
    first_start, first_end = periods[0]
    fields = {
        "title": name,
        "description": description,
        "category": _category(found, EVENT_CATEGORY_OF_CLASS, DEFAULT_EVENT_CATEGORY),
        "address": _address(node),
        "starts_at": first_start,
        "ends_at": first_end,
        "rdates": [start for start, _ in periods[1:]],
        "timezone": "Europe/Paris",
    }
    return Candidate(external_id, "event", updated, fields, position)

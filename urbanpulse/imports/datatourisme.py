"""DATAtourisme objects (the per-object JSON of a flux, from a folder or a zip, with or without index.json) as
candidates for the import engine: places of interest become POIs, events become events whose periods become
occurrences at their local times, tours become routes through their ordered steps. Bad objects become
rejections with their id and reason.

A tour's steps are read under `hasItineraryStep` (also `hasStep`, `schema:itinerary`), in the order of their
`stepOrder` / `schema:position` when given, else as listed. A step is located by its own `isLocatedAt` /
`schema:geo`, or by the place it names (`@id` or `dc:identifier` of another object of the flux): a step naming
a place imported as a POI becomes one of the route's stops. The line joins the steps in order (a loop tour
returns to its start); its signposted length is `tourDistance` (metres)."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path

from urbanpulse.imports.engine import Candidate, Rejection, SourceError
from urbanpulse.imports.jsonld import as_list, classes, first, get, literal, translations
from urbanpulse.pois.hours import joined_rules

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
# Tour classes to route kinds; road (car) and horse tours have no kind here and are rejected.
KIND_OF_TOUR_CLASS = {"WalkingTour": "walk", "PedestrianTour": "walk", "CyclingTour": "bike",
                      "MountainBikeTour": "bike", "FluvialTour": "boat", "SeaTour": "boat", "Tour": "walk"}  # fmt: skip
UNSUPPORTED_TOURS = ("RoadTour", "HorseTour", "MotorbikeTour")
THEME_WORDS = [("maritime", "maritime"), ("sea", "maritime"), ("port", "maritime"), ("militar", "military"),
               ("religi", "religious"), ("nature", "nature"), ("architect", "architecture"), ("art", "art"),
               ("gastronom", "gastronomy"), ("family", "family"), ("famille", "family")]  # fmt: skip
DEFAULT_THEME = "history"
DIFFICULTY_WORDS = [("easy", "easy"), ("facile", "easy"), ("veryeasy", "easy"), ("medium", "moderate"),
                    ("moyen", "moderate"), ("difficult", "hard"), ("hard", "hard")]  # fmt: skip
DEFAULT_DIFFICULTY = "moderate"
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
    places = [*as_list(get(node, "isLocatedAt")), node]  # the API may give them on the object itself
    for place in places:
        for spec in as_list(get(place, "openingHoursSpecification")):
            through = literal(get(spec, "validThrough"))
            if through and through[:10] < date.today().isoformat():
                continue
            opens, closes = literal(get(spec, "opens")), literal(get(spec, "closes"))
            days = [DAYS.get(_local(literal(day) or "")) for day in as_list(get(spec, "dayOfWeek"))]
            days = [day for day in days if day]
            if opens and closes and days:
                rules.append(f"{','.join(days)} {opens[:5]}-{closes[:5]}")
    return joined_rules(rules)


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


def _iri(node, keys=("@id", "uri", "uuid")) -> str | None:
    """The object's IRI: the flux's `@id`, the API's `uri` (the same IRI), else the API's `uuid`."""
    if not isinstance(node, dict):
        return None
    return next((str(node[key]) for key in keys if node.get(key)), None)


def _external_id(node) -> str | None:
    """`dc:identifier` when the object has one, else its IRI: the same for an object read from the flux or the API."""
    return literal(get(node, "identifier")) or _iri(node)


def candidates(nodes: Iterable[dict]) -> Iterator[Candidate | Rejection]:
    """The candidates of a flux's objects, tours last: a tour's steps may name places by their `@id`, which
    become their identifiers once every object was read."""
    aliases: dict[str, str] = {}
    tours: list[Candidate] = []
    for node in nodes:
        found = candidate(node)
        if _iri(node) and not isinstance(found, Rejection):
            aliases[_iri(node)] = found.external_id
        if isinstance(found, Candidate) and found.kind == "route":
            tours.append(found)
        else:
            yield found
    for tour in tours:
        for step in tour.fields["steps"]:
            step["ref"] = aliases.get(step["ref"], step["ref"]) if step["ref"] else None
        yield tour


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
    description = translations(get(first(node, "hasDescription"), "shortDescription")) or translations(
        get(node, "comment")
    )
    updated = literal(get(node, "lastUpdate", "modified"))
    machine = _machine_translated(node)
    if found & (set(KIND_OF_TOUR_CLASS) | set(UNSUPPORTED_TOURS)):
        return _tour(node, external_id, found, name, description, updated)
    position = _position(node)
    if position is None:
        return Rejection(external_id, "missing or invalid coordinates")
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
    return Candidate(external_id, "poi", updated, fields, position, images=_images(node))


def _vocabulary_text(value) -> str | None:
    """A literal, a language map's French (else any) text, or a vocabulary entry's label or local name."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict) and "@value" not in value:
        label = translations(get(value, "label")) if get(value, "label") is not None else translations(value)
        if label:
            return label.get("fr") or next(iter(label.values()))
        return _local(str(value["@id"])) if value.get("@id") else None
    return literal(value)


def _images(node) -> tuple:
    """hasMainRepresentation then hasRepresentation: each resource's locator (URL) with the credit, licence and
    title found on the resource or its representation, and the file's declared size and date."""
    images, seen = [], set()
    for representation in as_list(get(node, "hasMainRepresentation")) + as_list(get(node, "hasRepresentation")):
        for resource in as_list(get(representation, "hasRelatedResource")) or [representation]:
            url = literal(get(resource, "locator"))
            if not url or url in seen:
                continue
            seen.add(url)

            def found(*names, resource=resource, representation=representation):
                return _vocabulary_text(get(resource, *names)) or _vocabulary_text(get(representation, *names))

            title = translations(get(representation, "title")) or translations(get(resource, "title"))
            images.append(
                {
                    "url": url,
                    "credit": found("credits", "rightsHolder", "creator"),
                    "licence": found("license", "hasLicense", "licence", "rights"),
                    "caption": title,
                    "version": _image_version(resource, representation),
                }
            )
    return tuple(images)


def _image_version(resource, representation) -> str | None:
    """What the source declares of the file (`ebucore:fileSize`, its update date): a change behind the same URL
    means a new file to fetch (`media.upstream`); None when it declares neither."""
    size = literal(get(resource, "fileSize"))
    updated = next(
        (
            literal(get(node, "lastUpdate", "modified", "dateModified", "uploadedAt"))
            for node in (resource, representation)
            if literal(get(node, "lastUpdate", "modified", "dateModified", "uploadedAt"))
        ),
        None,
    )
    parts = [f"size={size}" if size else None, f"updated={updated}" if updated else None]
    return ";".join(part for part in parts if part) or None


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


def _words(values) -> str:
    """The local names and labels of vocabulary values ({"@id", "rdfs:label"} or plain names), lowercased."""
    words = []
    for value in values:
        name = value.get("@id") if isinstance(value, dict) else literal(value)
        label = get(value, "label")
        words += [_local(str(name or "")), " ".join(translations(label).values()) if label else ""]
    return " ".join(words).lower()


def _starts_a_word(prefix: str, text: str) -> bool:
    return any(word.startswith(prefix) for word in text.split())


def _step_order(step, index: int) -> tuple[float, int]:
    number = _number(get(step, "stepOrder", "position"))
    return (number if number is not None else float(index), index)


def _steps(node) -> list[dict]:
    """The tour's steps in order: {"ref": external id of the place it names or None, "position": [lon, lat] or
    None}; ValueError when a step is neither located nor names a place."""
    raw = as_list(get(node, "hasItineraryStep", "hasStep", "itinerary"))
    if len(raw) == 1 and isinstance(raw[0], dict) and "@list" in raw[0]:
        raw = as_list(raw[0]["@list"])
    ordered = sorted(enumerate(raw), key=lambda pair: _step_order(pair[1], pair[0]))
    steps = []
    for number, (_, step) in enumerate(ordered, start=1):
        if isinstance(step, str):
            step = {"@id": step}
        if not isinstance(step, dict):
            raise ValueError(f"step {number} is not an object")
        geo = first(step, "geo")
        position = _position(step)
        if position is None and geo is not None:
            lat, lon = _number(first(geo, "latitude")), _number(first(geo, "longitude"))
            position = (lon, lat) if lat is not None and lon is not None else None
        place = first(step, "isStepOf", "item", "refersTo") or step
        ref = literal(get(place, "identifier")) or _iri(place, ("@id", "uri"))
        if position is None and ref is None:
            raise ValueError(f"step {number} has no position and names no place")
        steps.append({"ref": ref, "position": list(position) if position else None})
    return steps


def _tour(node, external_id, found, name, description, updated) -> Candidate | Rejection:
    unsupported = found & set(UNSUPPORTED_TOURS)
    if unsupported:
        return Rejection(external_id, f"a {sorted(unsupported)[0]} is not a walk, ride or boat trip")
    try:
        steps = _steps(node)
    except ValueError as error:
        return Rejection(external_id, f"unreadable steps: {error}")
    if len(steps) < 2:
        return Rejection(external_id, "a tour needs at least two steps")
    start = steps[0]["position"]  # None when the first step names a place: known once resolved
    kind = next(kind for cls, kind in KIND_OF_TOUR_CLASS.items() if cls in found)
    themes = _words(as_list(get(node, "hasTheme")))
    tour_types = _words(as_list(get(node, "hasTourType")))
    difficulty = _words(
        as_list(get(first(node, "hasPracticeCondition"), "hasDifficultyLevel"))
        or as_list(get(node, "hasDifficultyLevel"))
    )
    distance_m = _number(get(node, "tourDistance"))
    fields = {
        "name": name,
        "description": description,
        "theme": next((theme for word, theme in THEME_WORDS if _starts_a_word(word, themes)), DEFAULT_THEME),
        "kind": kind,
        "difficulty": next(
            (level for word, level in DIFFICULTY_WORDS if _starts_a_word(word, difficulty)), DEFAULT_DIFFICULTY
        ),
        "is_loop": _starts_a_word("loop", tour_types) or _starts_a_word("boucle", tour_types),
        "official_length_m": distance_m if distance_m and distance_m > 0 else None,
        "steps": steps,
    }
    return Candidate(external_id, "route", updated, fields, tuple(start) if start else None)

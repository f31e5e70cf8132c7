"""DATAtourisme objects written by hand in the public format's shapes (both namespaces, prefixed and bare class
names, language maps with languages we do not store, string coordinates); no real business's contacts."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

GOUV = "https://www.datatourisme.gouv.fr/ontology/core#"


def museum(identifier="PCUNOR062V50AAAA", *, name=None, updated="2026-11-02T10:00:00Z", lat="50.7256", lon="1.6170"):
    """A museum in the datatourisme.gouv.fr namespace, with full IRIs and an opening hours specification."""
    return {
        "@id": f"https://data.datatourisme.fr/13/{identifier}",
        "dc:identifier": identifier,
        "@type": [f"{GOUV}PlaceOfInterest", f"{GOUV}CulturalSite", "Museum", "schema:Museum"],
        "rdfs:label": name or {"fr": ["Musée du Château"], "en": ["Castle Museum"], "it": ["Museo del castello"]},
        "rdfs:comment": {"fr": ["Un château du XIIIe siècle."], "de": ["Eine Burg aus dem 13. Jahrhundert."]},
        "lastUpdate": updated,
        "isLocatedAt": [
            {
                "@type": ["schema:Place"],
                "schema:geo": {"schema:latitude": lat, "schema:longitude": lon},
                "schema:address": [
                    {"schema:streetAddress": ["Rue de Bernet"], "schema:postalCode": "62200",
                     "schema:addressLocality": "Boulogne-sur-Mer"}
                ],
                "schema:openingHoursSpecification": [
                    {"schema:opens": "10:00:00", "schema:closes": "12:30:00",
                     "schema:dayOfWeek": ["schema:Wednesday", "schema:Thursday", "schema:Friday"]},
                    {"schema:opens": "14:00:00", "schema:closes": "18:00:00",
                     "schema:dayOfWeek": ["https://schema.org/Wednesday", "schema:Saturday"]},
                ],
            }
        ],
        "hasContact": [{"schema:telephone": ["+33 3 00 00 00 00"], "foaf:homepage": ["https://example.org/chateau"]}],
        "hasTranslatedProperty": [{"@type": ["TranslatedProperty"], "language": ["en"]}],
    }  # fmt: skip


def beach(identifier="PNANOR062V50BBBB", *, updated="2026-10-01T08:00:00Z"):
    """A beach in the newer datatourisme.fr namespace, bare and prefixed names mixed."""
    return {
        "@id": f"https://data.datatourisme.fr/10/{identifier}",
        "@type": ["PlaceOfInterest", "https://www.datatourisme.fr/ontology/core#NaturalHeritage", "Beach"],
        "dc:identifier": [identifier],
        "rdfs:label": {"fr": ["Plage de Boulogne"], "nl": ["Strand van Boulogne"]},
        "lastUpdate": updated,
        "isLocatedAt": [{"schema:geo": {"schema:latitude": "50.7290", "schema:longitude": "1.5900"}}],
    }


def daily_event(identifier="FMANOR062V50CCCC", *, days=537, updated="2026-11-20T09:00:00Z"):
    """An event with one period a day (its own Period object each) for `days` days from 2026-03-01, 10:00-12:00
    local time: across the DST changes of 2026-03-29 and 2026-10-25."""
    first = date(2026, 3, 1)
    periods = [
        {"@type": ["Period"], "startDate": [(first + timedelta(days=i)).isoformat()],
         "endDate": [(first + timedelta(days=i)).isoformat()], "startTime": ["10:00:00"], "endTime": ["12:00:00"]}
        for i in range(days)
    ]  # fmt: skip
    return {
        "@id": f"https://data.datatourisme.fr/11/{identifier}",
        "dc:identifier": identifier,
        "@type": ["EntertainmentAndEvent", "schema:Event", "Market"],
        "rdfs:label": {"fr": ["Marché du matin"], "en": ["Morning market"]},
        "lastUpdate": updated,
        "takesPlaceAt": periods,
        "isLocatedAt": [{"schema:geo": {"schema:latitude": "50.7233", "schema:longitude": "1.6072"}}],
    }


def walking_tour(
    identifier="ITINOR062V50EEEE", *, steps=None, classes=("WalkingTour",), updated="2026-11-25T08:00:00Z"
):
    """A walking tour along the port, its steps listed out of order with their `stepOrder`: the museum (by its
    @id, no position of its own), a quay (its own position only), the beach (by its dc:identifier)."""
    steps = (
        steps
        if steps is not None
        else [
            {"@type": ["ItineraryStep"], "stepOrder": "3", "isStepOf": {"dc:identifier": "PNANOR062V50BBBB"}},
            {
                "@type": ["ItineraryStep"],
                "stepOrder": 1,
                "isStepOf": {"@id": "https://data.datatourisme.fr/13/PCUNOR062V50AAAA"},
            },
            {
                "@type": ["ItineraryStep"],
                "stepOrder": "2",
                "isLocatedAt": [{"schema:geo": {"schema:latitude": "50.7270", "schema:longitude": "1.6000"}}],
            },
        ]
    )
    return {
        "@id": f"https://data.datatourisme.fr/12/{identifier}",
        "dc:identifier": identifier,
        "@type": ["Tour", *classes, "PlaceOfInterest"],
        "rdfs:label": {"fr": ["Du château à la plage"], "en": ["From the castle to the beach"]},
        "hasTheme": [{"@id": "https://www.datatourisme.fr/ontology/core#MaritimeHeritage",
                      "rdfs:label": {"fr": ["Patrimoine maritime"]}}],
        "hasTourType": [{"@id": "kb:OneWay"}],
        "tourDistance": "2500",
        "lastUpdate": updated,
        "hasItineraryStep": steps,
    }  # fmt: skip


def write_flux(folder: Path, objects: list[dict], *, with_index: bool = True) -> Path:
    """A flux folder: one JSON file per object (and index.json listing them)."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.json"):
        old.unlink()
    for number, node in enumerate(objects):
        (folder / f"{number:04d}.json").write_text(json.dumps(node, ensure_ascii=False))
    if with_index:
        (folder / "index.json").write_text(json.dumps([{"file": f"{n:04d}.json"} for n in range(len(objects))]))
    return folder


def agenda_event(
    uid=1001,
    *,
    title=None,
    timings=None,
    updated="2026-11-02T10:00:00.000Z",
    status=1,
    state=2,
    lat=50.7263,
    lon=1.6135,
    **extra,
):
    """An OpenAgenda v2 event (the API's shape): per-language texts, timings with offsets, a location."""
    return {
        "uid": uid,
        "title": title or {"fr": "Concert d'automne", "en": "Autumn concert", "es": "Concierto de otoño"},
        "description": {"fr": "Orchestre d'harmonie.", "de": "Blasorchester."},
        "keywords": {"fr": ["concert", "musique"]},
        "timings": timings or [{"begin": "2026-11-20T20:00:00+0100", "end": "2026-11-20T22:00:00+0100"}],
        "status": status,
        "state": state,
        "updatedAt": updated,
        "location": {"name": "Salle d'exemple", "address": "1 rue d'Exemple, 62200 Boulogne-sur-Mer",
                     "city": "Boulogne-sur-Mer", "postalCode": "62200", "latitude": lat, "longitude": lon},
        **extra,
    }  # fmt: skip


def write_agenda(path: Path, events: list[dict]) -> Path:
    """A file as OpenAgenda's v2 API answers a page of events."""
    path.write_text(json.dumps({"total": len(events), "events": events, "after": None}, ensure_ascii=False))
    return path


def syndicated_place(
    identifier="ASCNPC0620000001",
    *,
    name="Musée d'exemple",
    updated="2026-11-02T10:00:00",
    lat="50,7256",
    lon="1,6170",
    **extra,
):
    """A Tourinsoft v3 syndication object: flat fields, `|` between items and `#` between an item's parts."""
    return {
        "SyndicObjectID": identifier,
        "SyndicObjectName": name,
        "SyndicObjectNameGB": "Example museum",
        "Updated": updated,
        "ObjectTypeName": "Patrimoine culturel - Musée",
        "GmapLatitude": lat,
        "GmapLongitude": lon,
        "ADRESSE1": "1 rue d'Exemple",
        "CP": "62200",
        "COMMUNE": "Boulogne-sur-Mer",
        "DESCRIPTIF": "Un musée inventé pour les tests.",
        "DESCRIPTIFNL": "Een verzonnen museum.",
        "MOYENSCOM": "Téléphone filaire#+33 3 21 00 00 00|Téléphone cellulaire#+33 6 00 00 00 00|"
                     "Mél#accueil@example.org|Site web (URL)#https://example.org/musee",
        "PHOTOS": "https://example.org/photos/facade.jpg#La façade#Photo Exemple|https://example.org/photos/salle.jpg##",
        **extra,
    }  # fmt: skip


def write_syndication(path: Path, items: list[dict]) -> Path:
    """A file as a Tourinsoft v3 syndication answers (OData JSON)."""
    path.write_text(json.dumps({"odata.metadata": "https://example.org/$metadata", "value": items}, ensure_ascii=False))
    return path

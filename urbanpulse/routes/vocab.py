"""Controlled vocabularies of routes (themes, kinds, difficulties) with fr/en/nl/de labels, and paces."""

from __future__ import annotations

THEME_LABELS: dict[str, dict[str, str]] = {
    "maritime": {
        "fr": "Patrimoine maritime",
        "en": "Maritime heritage",
        "nl": "Maritiem erfgoed",
        "de": "Maritimes Erbe",
    },
    "military": {
        "fr": "Patrimoine militaire",
        "en": "Military heritage",
        "nl": "Militair erfgoed",
        "de": "Militärisches Erbe",
    },
    "religious": {
        "fr": "Patrimoine religieux",
        "en": "Religious heritage",
        "nl": "Religieus erfgoed",
        "de": "Religiöses Erbe",
    },
    "history": {"fr": "Histoire", "en": "History", "nl": "Geschiedenis", "de": "Geschichte"},
    "nature": {"fr": "Nature", "en": "Nature", "nl": "Natuur", "de": "Natur"},
    "architecture": {"fr": "Architecture", "en": "Architecture", "nl": "Architectuur", "de": "Architektur"},
    "art": {
        "fr": "Art et street art",
        "en": "Art and street art",
        "nl": "Kunst en street art",
        "de": "Kunst und Street-Art",
    },
    "gastronomy": {"fr": "Gastronomie", "en": "Food and drink", "nl": "Gastronomie", "de": "Gastronomie"},
    "family": {"fr": "En famille", "en": "Family", "nl": "Met het gezin", "de": "Für Familien"},
}
KIND_LABELS: dict[str, dict[str, str]] = {
    "walk": {"fr": "À pied", "en": "On foot", "nl": "Te voet", "de": "Zu Fuß"},
    "bike": {"fr": "À vélo", "en": "By bike", "nl": "Met de fiets", "de": "Mit dem Rad"},
    "boat": {"fr": "En bateau", "en": "By boat", "nl": "Per boot", "de": "Mit dem Boot"},
}
DIFFICULTY_LABELS: dict[str, dict[str, str]] = {
    "easy": {"fr": "Facile", "en": "Easy", "nl": "Makkelijk", "de": "Leicht"},
    "moderate": {"fr": "Moyen", "en": "Moderate", "nl": "Gemiddeld", "de": "Mittel"},
    "hard": {"fr": "Difficile", "en": "Hard", "nl": "Moeilijk", "de": "Schwer"},
}
THEMES = tuple(THEME_LABELS)
KINDS = tuple(KIND_LABELS)
DIFFICULTIES = tuple(DIFFICULTY_LABELS)
ROUTE_STATUSES = ("draft", "published")

# Average moving speeds, stops not included: a heritage walk with stairs and crowds (4.5 km/h, below the
# 5 km/h of brisk walking), a leisure ride on mixed town/coast roads (15 km/h), a harbour/coast tour boat
# (10 km/h, about 5.4 knots).
PACE_KMH: dict[str, float] = {"walk": 4.5, "bike": 15.0, "boat": 10.0}


def metres_per_minute(kind: str) -> float:
    """The pace of `kind` in metres per minute."""
    return PACE_KMH[kind] * 1000 / 60


def minutes_for(distance_m: float, kind: str) -> int:
    """Whole minutes to cover `distance_m` at the pace of `kind` (half up; 0 only for 0 m)."""
    if distance_m <= 0:
        return 0
    return max(1, int(distance_m / metres_per_minute(kind) + 0.5))

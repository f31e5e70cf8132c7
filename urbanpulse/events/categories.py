"""Event vocabularies: categories with labels, schema.org event statuses and their iCalendar mapping."""

CATEGORY_LABELS: dict[str, dict[str, str]] = {
    "festival": {"fr": "Festival et fête", "en": "Festival", "nl": "Festival", "de": "Festival"},
    "market": {"fr": "Marché", "en": "Market", "nl": "Markt", "de": "Markt"},
    "concert": {"fr": "Concert", "en": "Concert", "nl": "Concert", "de": "Konzert"},
    "exhibition": {"fr": "Exposition", "en": "Exhibition", "nl": "Tentoonstelling", "de": "Ausstellung"},
    "guided_tour": {"fr": "Visite guidée", "en": "Guided tour", "nl": "Rondleiding", "de": "Führung"},
    "conference": {"fr": "Conférence", "en": "Conference", "nl": "Conferentie", "de": "Vortrag"},
    "workshop": {"fr": "Atelier", "en": "Workshop", "nl": "Workshop", "de": "Workshop"},
    "hackathon": {"fr": "Hackathon", "en": "Hackathon", "nl": "Hackathon", "de": "Hackathon"},
    "sport": {"fr": "Sport", "en": "Sport", "nl": "Sport", "de": "Sport"},
    "religious": {"fr": "Fête religieuse", "en": "Religious event", "nl": "Religieus", "de": "Religiöses Fest"},
    "parade": {"fr": "Défilé", "en": "Parade", "nl": "Optocht", "de": "Umzug"},
    "theatre": {"fr": "Théâtre et spectacle", "en": "Theatre and show", "nl": "Theater", "de": "Theater"},
    "cinema": {"fr": "Cinéma", "en": "Cinema", "nl": "Film", "de": "Kino"},
    "family": {"fr": "En famille", "en": "Family", "nl": "Voor het gezin", "de": "Familie"},
    "nautical": {"fr": "Nautisme", "en": "Nautical", "nl": "Watersport", "de": "Wassersport"},
    "other": {"fr": "Autre", "en": "Other", "nl": "Overig", "de": "Sonstiges"},
}
CATEGORIES = tuple(CATEGORY_LABELS)

# schema.org eventStatus values (without the "Event" prefix), as stored and served.
EVENT_STATUSES = ("scheduled", "cancelled", "postponed", "rescheduled", "moved_online")
SCHEMA_ORG_STATUS = {
    "scheduled": "https://schema.org/EventScheduled",
    "cancelled": "https://schema.org/EventCancelled",
    "postponed": "https://schema.org/EventPostponed",
    "rescheduled": "https://schema.org/EventRescheduled",
    "moved_online": "https://schema.org/EventMovedOnline",
}
# RFC 5545 STATUS of a VEVENT: a postponed event has no confirmed date, so it is TENTATIVE.
ICAL_STATUS = {
    "scheduled": "CONFIRMED",
    "rescheduled": "CONFIRMED",
    "moved_online": "CONFIRMED",
    "postponed": "TENTATIVE",
    "cancelled": "CANCELLED",
}
STATUS_FROM_ICAL = {"CONFIRMED": "scheduled", "TENTATIVE": "scheduled", "CANCELLED": "cancelled"}

PUBLICATION_STATES = ("draft", "published")

# Words of imported CATEGORIES values (lower-case, fr/en) mapped to the vocabulary; anything else is "other".
CATEGORY_SYNONYMS = {
    **{key: key for key in CATEGORIES},
    "fête": "festival",
    "fete": "festival",
    "marché": "market",
    "marche": "market",
    "exposition": "exhibition",
    "expo": "exhibition",
    "visite": "guided_tour",
    "visite guidée": "guided_tour",
    "guided tour": "guided_tour",
    "tour": "guided_tour",
    "conférence": "conference",
    "atelier": "workshop",
    "défilé": "parade",
    "defile": "parade",
    "spectacle": "theatre",
    "théâtre": "theatre",
    "film": "cinema",
    "musique": "concert",
    "music": "concert",
}

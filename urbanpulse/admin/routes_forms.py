"""The route form: texts per language, vocabularies, the drawn line (GeoJSON), a GPX file and the ordered stops."""

from __future__ import annotations

import json

from flask_wtf.file import FileField
from wtforms import BooleanField, FloatField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from urbanpulse.admin.forms_common import (
    add_translation_fields,
    blank_to_none,
    field_for_path,
    fill_translations,
    filled_texts,
    filled_translations,
    translation_changes,
    translation_from,
    vocabulary_choices,
)
from urbanpulse.admin.i18n import gettext
from urbanpulse.admin.views_base import AdminForm
from urbanpulse.routes.geometry import to_geojson
from urbanpulse.routes.vocab import DIFFICULTY_LABELS, KIND_LABELS, ROUTE_STATUSES, THEME_LABELS

TRANSLATED = ("name", "summary", "description")
MAX_GEOMETRY_CHARS = 1_500_000
MAX_STOPS_CHARS = 100_000
COORDINATE_DECIMALS = 7


class RouteForm(AdminForm):
    """Everything an editor changes on a route; `geometry` and `stops` are JSON kept up to date by the page."""

    etag = HiddenField()
    geometry = HiddenField(validators=[Length(max=MAX_GEOMETRY_CHARS)])
    stops = HiddenField(validators=[Length(max=MAX_STOPS_CHARS)])
    gpx = FileField("Or import a GPX file")
    theme = SelectField("Theme", validators=[InputRequired()])
    kind = SelectField("Travelled", validators=[InputRequired()])
    difficulty = SelectField("Difficulty", validators=[InputRequired()])
    is_loop = BooleanField("Loop (ends where it starts)")
    official_length_m = FloatField(
        "Signposted length (m)", validators=[Optional(), NumberRange(min=1, max=10_000_000)], render_kw={"step": "any"}
    )
    slug = StringField("Slug", validators=[Optional(), Length(max=120)])
    source = TextAreaField("Source", validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})
    status = SelectField("Status", validators=[Optional()])


add_translation_fields(RouteForm, "name", "Name")
add_translation_fields(RouteForm, "summary", "Summary", long=True)
add_translation_fields(RouteForm, "description", "Description", long=True)


def new_form(formdata=None) -> RouteForm:
    """The form with its choices in the interface language."""
    form = RouteForm(formdata=formdata) if formdata is not None else RouteForm()
    form.theme.choices = vocabulary_choices(THEME_LABELS, sort=False)
    form.kind.choices = vocabulary_choices(KIND_LABELS, sort=False)
    form.difficulty.choices = vocabulary_choices(DIFFICULTY_LABELS, sort=False)
    form.status.choices = {status: gettext(status) for status in ROUTE_STATUSES}
    return form


def stored_stops(stops) -> list[dict]:
    """The stored stops (rows of service.current_stops) as the page's JSON list."""
    return [
        {"poi_id": str(stop.poi_id), "trigger_radius_m": stop.trigger_radius_m, "note": stop.note or {}}
        for stop in stops
    ]


def fill(form: RouteForm, route, parts, stops) -> None:
    """Show a stored route in the form."""
    fill_translations(form, route, TRANSLATED)
    form.geometry.data = json.dumps(to_geojson(parts))
    form.stops.data = json.dumps(stored_stops(stops))
    form.theme.data, form.kind.data, form.difficulty.data = route.theme, route.kind, route.difficulty
    form.is_loop.data = bool(route.is_loop)
    form.official_length_m.data = route.official_length_m
    form.slug.data = route.slug
    form.source.data = route.source or ""
    form.status.data = route.status


def geometry(form: RouteForm):
    """The drawn line as a GeoJSON object, None when nothing was drawn, the raw text when it is not JSON."""
    text = (form.geometry.data or "").strip()
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def stops(form: RouteForm) -> list:
    """The chosen stops in order, as the API takes them (a note only when it has French text)."""
    try:
        items = json.loads(form.stops.data or "[]")
    except ValueError:
        return form.stops.data  # the service's validation names it
    if not isinstance(items, list):
        return items
    result = []
    for item in items:
        if not isinstance(item, dict):
            result.append(item)
            continue
        stop = {"poi_id": item.get("poi_id"), "trigger_radius_m": item.get("trigger_radius_m", 50)}
        note = item.get("note") or {}
        if isinstance(note, dict) and note.get("fr"):
            stop["note"] = {k: v for k, v in note.items() if v}
        result.append(stop)
    return result


def gpx_options(form: RouteForm) -> dict:
    """What the GPX import takes besides the file (the form wins over the file)."""
    options = {"theme": form.theme.data, "kind": form.kind.data, "difficulty": form.difficulty.data, "status": "draft"}
    if form.is_loop.data:
        options["is_loop"] = True  # unticked: the import tells from the track (ends within 50 m)
    name = blank_to_none(form.name_fr.data)
    if name:
        options["name"] = name
    slug = blank_to_none(form.slug.data)
    if slug:
        options["slug"] = slug
    return options


def new_feature(form: RouteForm) -> dict:
    """The Feature to create, as a client of POST /api/v1/routes would send it."""
    properties: dict = {
        "name": translation_from(form, "name"),
        "theme": form.theme.data,
        "kind": form.kind.data,
        "difficulty": form.difficulty.data,
        "is_loop": bool(form.is_loop.data),
        "status": form.status.data or "draft",
        "stops": stops(form),
    }
    properties.update(filled_translations(form, ("summary", "description")))
    properties.update(filled_texts(form, ("slug", "source")))
    if form.official_length_m.data is not None:
        properties["official_length_m"] = form.official_length_m.data
    feature: dict = {"type": "Feature", "properties": properties}
    line = geometry(form)
    if line is not None:
        feature["geometry"] = line
    return feature


def _rounded(line) -> object:
    if not isinstance(line, dict):
        return line
    coordinates = line.get("coordinates")
    if line.get("type") == "LineString":
        coordinates = [coordinates]
    try:
        return [[[round(float(c), COORDINATE_DECIMALS) for c in p[:2]] for p in part] for part in coordinates]
    except (TypeError, ValueError, IndexError):
        return line


def changes(form: RouteForm, route, parts, current_stops, new_parts=None) -> dict:
    """The patch Feature from the stored route to the form (only what changed); `new_parts` from a GPX file."""
    properties: dict = translation_changes(form, route, TRANSLATED)
    simple = {
        "theme": form.theme.data,
        "kind": form.kind.data,
        "difficulty": form.difficulty.data,
        "is_loop": bool(form.is_loop.data),
        "official_length_m": form.official_length_m.data,
        "source": blank_to_none(form.source.data),
    }
    properties.update({key: value for key, value in simple.items() if value != getattr(route, key)})
    slug = blank_to_none(form.slug.data)
    if slug is not None and slug != route.slug:
        properties["slug"] = slug
    wanted_stops = stops(form)
    before = [{k: v for k, v in s.items() if k != "note" or v} for s in stored_stops(current_stops)]
    if wanted_stops != before:
        properties["stops"] = wanted_stops
    patch: dict = {"type": "Feature", "properties": properties}
    if new_parts is not None:
        patch["geometry"] = to_geojson(new_parts)
    else:
        line = geometry(form)
        if line is not None and _rounded(line) != _rounded(to_geojson(parts)):
            patch["geometry"] = line
    return patch


def field_for(path: str) -> str | None:
    """The form field showing a service error on `path` (API paths, or the GPX import's form names)."""
    parts = path.split(".")
    if parts[0] == "file":
        return "gpx"
    if parts[0] in ("name", "theme", "kind", "difficulty", "slug", "is_loop", "status"):
        return "name_fr" if parts[0] == "name" else parts[0]
    return field_for_path(path, TRANSLATED, geometry="geometry", renamed={"estimated_waypoints": "geometry"})

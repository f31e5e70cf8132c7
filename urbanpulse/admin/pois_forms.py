"""The POI form and its translation to and from what pois.service takes (a GeoJSON Feature or patch)."""

from __future__ import annotations

from geoalchemy2.shape import to_shape
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
from urbanpulse.pois.categories import CATEGORY_LABELS
from urbanpulse.pois.models import POI_STATUSES

TRANSLATED = ("name", "description")
CONTACT = ("phone", "website", "email")
COORDINATE_DECIMALS = 7  # about 1 cm


class PoiForm(AdminForm):
    """Everything an editor changes on a POI; translations have one field per language."""

    etag = HiddenField()
    lon = FloatField("Longitude", validators=[Optional(), NumberRange(-180, 180)], render_kw={"step": "any"})
    lat = FloatField("Latitude", validators=[Optional(), NumberRange(-90, 90)], render_kw={"step": "any"})
    category = SelectField("Category", validators=[InputRequired()])
    tags = StringField("Tags", validators=[Optional(), Length(max=900)])
    slug = StringField("Slug", validators=[Optional(), Length(max=120)])
    address = StringField("Address", validators=[Optional(), Length(max=300)])
    opening_hours = StringField("Opening hours", validators=[Optional(), Length(max=500)])
    phone = StringField("Phone", validators=[Optional(), Length(max=30)])
    website = StringField("Website", validators=[Optional(), Length(max=500)])
    email = StringField("Email", validators=[Optional(), Length(max=254)])
    wheelchair = SelectField("Wheelchair access", validators=[Optional()])
    location_estimated = BooleanField("Position is approximate")
    source = TextAreaField("Source", validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})
    status = SelectField("Status", validators=[Optional()])


add_translation_fields(PoiForm, "name", "Name")
add_translation_fields(PoiForm, "description", "Description", long=True)


def new_form(formdata=None) -> PoiForm:
    """The form with its choices in the interface language."""
    form = PoiForm(formdata=formdata) if formdata is not None else PoiForm()
    form.category.choices = vocabulary_choices(CATEGORY_LABELS)
    form.wheelchair.choices = {"": gettext("unknown"), **{v: gettext(v) for v in ("yes", "limited", "no")}}
    form.status.choices = {s: gettext(s) for s in POI_STATUSES if s != "archived"}
    return form


def fill(form: PoiForm, poi) -> None:
    """Show a stored POI in the form."""
    point = to_shape(poi.location)
    form.lon.data, form.lat.data = round(point.x, COORDINATE_DECIMALS), round(point.y, COORDINATE_DECIMALS)
    fill_translations(form, poi, TRANSLATED)
    form.category.data = poi.category
    form.tags.data = ", ".join(poi.tags or [])
    form.slug.data = poi.slug
    form.address.data = poi.address or ""
    form.opening_hours.data = poi.opening_hours or ""
    for key in CONTACT:
        getattr(form, key).data = (poi.contact or {}).get(key, "")
    form.wheelchair.data = (poi.accessibility or {}).get("wheelchair") or ""
    form.location_estimated.data = bool(poi.location_estimated)
    form.source.data = poi.source or ""
    form.status.data = poi.status


def _tags(text: str | None) -> list[str]:
    return [tag.strip() for tag in (text or "").split(",") if tag.strip()]


def _geometry(form: PoiForm) -> dict | None:
    if form.lon.data is None or form.lat.data is None:
        return None
    return {"type": "Point", "coordinates": [form.lon.data, form.lat.data]}


def new_feature(form: PoiForm) -> dict:
    """The GeoJSON Feature to create, as a client of POST /api/v1/pois would send it."""
    properties: dict = {
        "category": form.category.data,
        "name": translation_from(form, "name"),
        "tags": _tags(form.tags.data),
        "status": form.status.data or "draft",
        "location_estimated": bool(form.location_estimated.data),
    }
    properties.update(filled_translations(form, ("description",)))
    properties.update(filled_texts(form, ("slug", "address", "opening_hours", "source")))
    contact = {key: blank_to_none(getattr(form, key).data) for key in CONTACT}
    if any(contact.values()):
        properties["contact"] = {k: v for k, v in contact.items() if v}
    if form.wheelchair.data:
        properties["accessibility"] = {"wheelchair": form.wheelchair.data}
    feature: dict = {"type": "Feature", "properties": properties}
    geometry = _geometry(form)
    if geometry is not None:
        feature["geometry"] = geometry
    return feature


def changes(form: PoiForm, poi) -> dict:
    """The patch Feature from the stored POI to the form (only what changed), as PATCH /api/v1/pois/{id}."""
    properties: dict = translation_changes(form, poi, TRANSLATED)
    simple = {
        "category": form.category.data,
        "tags": _tags(form.tags.data),
        "address": blank_to_none(form.address.data),
        "opening_hours": blank_to_none(form.opening_hours.data),
        "source": blank_to_none(form.source.data),
        "location_estimated": bool(form.location_estimated.data),
    }
    stored = {key: getattr(poi, key) for key in simple}
    stored["tags"] = list(poi.tags or [])
    properties.update({key: value for key, value in simple.items() if value != stored[key]})
    slug = blank_to_none(form.slug.data)
    if slug is not None and slug != poi.slug:
        properties["slug"] = slug
    contact = {key: blank_to_none(getattr(form, key).data) for key in CONTACT}
    contact = {k: v for k, v in contact.items() if v != (poi.contact or {}).get(k)}
    if contact:
        properties["contact"] = contact
    wheelchair = form.wheelchair.data or None
    if wheelchair != (poi.accessibility or {}).get("wheelchair"):
        properties["accessibility"] = {"wheelchair": wheelchair}
    patch: dict = {"type": "Feature", "properties": properties}
    geometry = _geometry(form)
    point = to_shape(poi.location)
    stored_position = [round(point.x, COORDINATE_DECIMALS), round(point.y, COORDINATE_DECIMALS)]
    if geometry is not None and [round(c, COORDINATE_DECIMALS) for c in geometry["coordinates"]] != stored_position:
        patch["geometry"] = geometry
    return patch


def field_for(path: str) -> str | None:
    """The form field showing a service error on `path` (e.g. properties.contact.phone -> phone)."""
    parts = path.split(".")
    if parts[:2] == ["properties", "contact"] and len(parts) > 2:
        return parts[2]
    return field_for_path(path, TRANSLATED, geometry="lon", renamed={"accessibility": "wheelchair"})

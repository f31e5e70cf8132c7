"""The event form: texts per language, venue or own point, dates in the city's time zone, recurrence."""

from __future__ import annotations

from datetime import datetime, timedelta

from geoalchemy2.shape import to_shape
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FloatField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

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
from urbanpulse.admin.i18n import gettext, translated
from urbanpulse.admin.recurrence import MODES, WEEKDAYS, Recurrence, build_rrule, split_rrule
from urbanpulse.admin.views_base import AdminForm, StatusForm
from urbanpulse.events.categories import CATEGORY_LABELS, PUBLICATION_STATES

TRANSLATED = ("title", "description")
OPTIONAL_TEXTS = ("address", "price", "organiser", "booking_url", "online_url", "notes")
LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]  # as browsers send datetime-local values
WEEKDAY_NAMES = {"MO": "Monday", "TU": "Tuesday", "WE": "Wednesday", "TH": "Thursday", "FR": "Friday",
                 "SA": "Saturday", "SU": "Sunday"}  # fmt: skip
MODE_NAMES = {"none": "Does not repeat", "weekly": "Every week on", "monthly": "Every month, same day",
              "rrule": "Custom rule (RRULE)"}  # fmt: skip


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class EventForm(AdminForm):
    """Everything an editor changes on an event; times are Europe/Paris wall times."""

    etag = HiddenField()
    category = SelectField("Category", validators=[InputRequired()])
    venue = SelectField("Venue (a place)", validators=[Optional()])
    lon = FloatField("Longitude", validators=[Optional(), NumberRange(-180, 180)], render_kw={"step": "any"})
    lat = FloatField("Latitude", validators=[Optional(), NumberRange(-90, 90)], render_kw={"step": "any"})
    address = StringField("Address", validators=[Optional(), Length(max=300)])
    starts_at = DateTimeLocalField("Starts", format=LOCAL_FORMATS, validators=[InputRequired()])
    ends_at = DateTimeLocalField("Ends", format=LOCAL_FORMATS, validators=[InputRequired()])
    all_day = BooleanField("All day")
    repeat = SelectField("Repeats", choices={mode: mode for mode in MODES}, default="none")
    weekdays = CheckboxesField("Days", choices={day: day for day in WEEKDAYS}, validators=[Optional()])
    until = DateField("Until (last day)", validators=[Optional()])
    count = IntegerField("Or number of times", validators=[Optional(), NumberRange(1, 1000)])
    rrule = StringField("RRULE", validators=[Optional(), Length(max=500)], render_kw={"spellcheck": "false"})
    price = StringField("Price", validators=[Optional(), Length(max=200)])
    organiser = StringField("Organiser", validators=[Optional(), Length(max=300)])
    booking_url = StringField("Booking link", validators=[Optional(), Length(max=1000)])
    online_url = StringField("Online link", validators=[Optional(), Length(max=1000)])
    notes = TextAreaField("Internal notes", validators=[Optional(), Length(max=5000)], render_kw={"rows": 2})
    publication = SelectField("Publication", validators=[Optional()])


add_translation_fields(EventForm, "title", "Title")
add_translation_fields(EventForm, "description", "Description", long=True)


class EventStatusForm(StatusForm):
    """A status (cancel, postpone...) or publication change, with the version the editor saw."""

    publication = HiddenField()


def new_form(venues, formdata=None) -> EventForm:
    """The form with its choices in the interface language; `venues` are rows of queries.poi_choices()."""
    form = EventForm(formdata=formdata) if formdata is not None else EventForm()
    form.category.choices = vocabulary_choices(CATEGORY_LABELS)
    form.venue.choices = {
        "": gettext("— none: the event's own point on the map —"),
        **{str(row.id): translated(row.name) or row.slug for row in venues},
    }
    form.repeat.choices = {mode: gettext(MODE_NAMES[mode]) for mode in MODES}
    form.weekdays.choices = {day: gettext(WEEKDAY_NAMES[day]) for day in WEEKDAYS}
    form.publication.choices = {state: gettext(state) for state in PUBLICATION_STATES}
    return form


def fill(form: EventForm, event) -> None:
    """Show a stored event in the form (wall times of its zone, the last day for all-day events)."""
    fill_translations(form, event, TRANSLATED)
    form.category.data = event.category
    form.venue.data = str(event.venue_poi_id) if event.venue_poi_id else ""
    if event.location is not None:
        point = to_shape(event.location)
        form.lon.data, form.lat.data = point.x, point.y
    form.starts_at.data = event.dtstart_local
    end = event.dtstart_local + event.duration
    form.ends_at.data = end - timedelta(days=1) if event.all_day else end
    form.all_day.data = bool(event.all_day)
    choice = split_rrule(event.rrule)
    form.repeat.data, form.weekdays.data = choice.mode, choice.days
    form.until.data, form.count.data, form.rrule.data = choice.until, choice.count, choice.raw
    for name in OPTIONAL_TEXTS:
        getattr(form, name).data = getattr(event, name) or ""
    form.publication.data = event.publication


def _local(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:00")


def schedule(form: EventForm) -> dict:
    """starts_at/ends_at (wall times, no offset: the event's zone), all_day and rrule as the API takes them."""
    start, end = form.starts_at.data, form.ends_at.data
    if form.all_day.data:
        # The form asks for the last day; iCalendar (and the service) want the day after it.
        start = start.replace(hour=0, minute=0)
        end = end.replace(hour=0, minute=0) + timedelta(days=1)
    choice = Recurrence(
        mode=form.repeat.data or "none",
        days=list(form.weekdays.data or []),
        until=form.until.data,
        count=form.count.data,
        raw=form.rrule.data or "",
    )
    return {"starts_at": _local(start), "ends_at": _local(end), "all_day": bool(form.all_day.data),
            "rrule": build_rrule(choice)}  # fmt: skip


def _place(form: EventForm) -> tuple[str | None, dict | None]:
    venue = form.venue.data or None
    if venue or form.lon.data is None or form.lat.data is None:
        return venue, None
    return None, {"type": "Point", "coordinates": [form.lon.data, form.lat.data]}


def new_feature(form: EventForm) -> dict:
    """The Feature to create, as a client of POST /api/v1/events would send it."""
    venue, geometry = _place(form)
    properties: dict = {
        "title": translation_from(form, "title"),
        "category": form.category.data,
        "publication": form.publication.data or "draft",
        **schedule(form),
    }
    if properties["rrule"] is None:
        del properties["rrule"]
    properties.update(filled_translations(form, ("description",)))
    if venue:
        properties["venue_poi_id"] = venue
    properties.update(filled_texts(form, OPTIONAL_TEXTS))
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def changes(form: EventForm, event) -> dict:
    """The patch Feature from the stored event to the form (only what changed), as PATCH /api/v1/events/{id}."""
    properties: dict = translation_changes(form, event, TRANSLATED)
    if form.category.data != event.category:
        properties["category"] = form.category.data
    for name in OPTIONAL_TEXTS:
        value = blank_to_none(getattr(form, name).data)
        if value != getattr(event, name):
            properties[name] = value
    wanted = schedule(form)
    end = event.dtstart_local + event.duration
    stored = {"starts_at": _local(event.dtstart_local), "ends_at": _local(end), "all_day": bool(event.all_day),
              "rrule": build_rrule(split_rrule(event.rrule))}  # fmt: skip
    if wanted != stored:
        properties.update(wanted)
    patch: dict = {"type": "Feature", "properties": properties}
    venue, geometry = _place(form)
    stored_venue = str(event.venue_poi_id) if event.venue_poi_id else None
    stored_point = list(to_shape(event.location).coords[0]) if event.location is not None else None
    if venue != stored_venue:
        properties["venue_poi_id"] = venue
    wanted_point = geometry["coordinates"] if geometry else None
    if wanted_point != stored_point:
        patch["geometry"] = geometry
    return patch


def field_for(path: str) -> str | None:
    """The form field showing a service error on `path`."""
    return field_for_path(path, TRANSLATED, geometry="lon", renamed={"venue_poi_id": "venue", "rrule": "repeat"})


STATUS_ACTIONS = {
    "cancelled": "Cancel the event",
    "postponed": "Postpone (date to be announced)",
    "rescheduled": "Mark as rescheduled",
    "moved_online": "Moved online",
    "scheduled": "Back to scheduled",
}

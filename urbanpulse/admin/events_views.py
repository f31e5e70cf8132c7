"""Event pages: list, create, edit (venue picker, local dates, recurrence), status changes, history."""

from __future__ import annotations

from flask import abort, redirect, request, url_for
from flask_admin import expose
from marshmallow import ValidationError

from urbanpulse.admin import events_forms, queries
from urbanpulse.admin.forms_common import first_error_language, languages_with_errors
from urbanpulse.admin.history import history_rows
from urbanpulse.admin.i18n import translated
from urbanpulse.admin.views_base import SecureView, conflict_message, flash_saved, is_conflict, show_service_error
from urbanpulse.editing.etags import item_etag
from urbanpulse.errors import DomainError, NotFound
from urbanpulse.events import service
from urbanpulse.events.categories import EVENT_STATUSES, PUBLICATION_STATES
from urbanpulse.events.models import Event
from urbanpulse.events.schemas import EventFeaturePatchSchema
from urbanpulse.extensions import db


def _load(event_id) -> Event:
    try:
        return service.get_event(event_id=event_id, include_unpublished=True)
    except NotFound:
        abort(404)


def _patch(event: Event, feature: dict, etag: str, actor) -> Event:
    """Validate a patch as PATCH /api/v1/events/{id} does, then apply it through the service."""
    try:
        data = EventFeaturePatchSchema().load(feature)
    except ValidationError as error:
        raise service.validation_failed(error) from None
    return service.update_event(
        event_id=event.id,
        if_match=etag,
        actor=actor,
        properties=data.get("properties"),
        geometry=data.get("geometry", service.KEEP),
    )


def _current_version(event_id) -> int | None:
    db.session.rollback()
    return db.session.scalar(db.select(Event.version).where(Event.id == event_id))


class EventsView(SecureView):
    """Events: list, create, edit, publish, cancel or postpone, history."""

    def _edit_page(self, form, event=None, *, venues, conflict=None, errors=(), status=200):
        positions = {str(row.id): [row.lon, row.lat] for row in venues}
        return (
            self.render(
                "upadmin/event_edit.html",
                form=form,
                event=event,
                venue_positions=positions,
                uses_map=True,
                page_scripts=["event-edit.js"],
                conflict=conflict,
                form_errors=list(errors),
                open_tab=first_error_language(form, events_forms.TRANSLATED),
                tabs_with_errors=languages_with_errors(form, events_forms.TRANSLATED),
                status_actions=events_forms.STATUS_ACTIONS,
                etag=item_etag(event.id, event.version) if event else None,
            ),
            status,
        )

    @expose("/")
    def index(self):
        """The list, filtered by text, publication and status."""
        q = request.args.get("q", "").strip()[:100]
        publication = request.args.get("publication") if request.args.get("publication") in PUBLICATION_STATES else None
        status = request.args.get("status") if request.args.get("status") in EVENT_STATUSES else None
        page = queries.events(
            q=q or None, publication=publication, status=status, page=request.args.get("page", 1, int)
        )
        return self.render(
            "upadmin/event_list.html",
            page=page,
            filters={"q": q, "publication": publication or "", "status": status or ""},
            publications=PUBLICATION_STATES,
            statuses=EVENT_STATUSES,
        )

    @expose("/new", methods=("GET", "POST"))
    def create(self):
        """Create an event (a draft unless published right away)."""
        venues = queries.poi_choices()
        form = events_forms.new_form(venues)
        if request.method == "GET":
            form.publication.data = "draft"
            return self._edit_page(form, venues=venues)
        if not form.validate_on_submit():
            return self._edit_page(form, venues=venues, status=422)
        try:
            event = service.create_event_from_feature(events_forms.new_feature(form), actor=self.actor())
        except DomainError as error:
            unplaced = show_service_error(form, error, events_forms.field_for)
            return self._edit_page(form, venues=venues, errors=unplaced, status=error.status)
        flash_saved()
        return redirect(url_for(".edit", event_id=event.id))

    @expose("/<uuid:event_id>/", methods=("GET", "POST"))
    def edit(self, event_id):
        """Edit an event; refused if someone else saved it since this page was loaded."""
        event = _load(event_id)
        venues = queries.poi_choices()
        if request.method == "GET":
            form = events_forms.new_form(venues, formdata=None)
            events_forms.fill(form, event)
            form.etag.data = item_etag(event.id, event.version)
            return self._edit_page(form, event, venues=venues)
        form = events_forms.new_form(venues)
        if not form.validate_on_submit():
            return self._edit_page(form, event, venues=venues, status=422)
        try:
            _patch(event, events_forms.changes(form, event), form.etag.data, self.actor())
        except DomainError as error:
            if is_conflict(error):
                message = conflict_message(_current_version(event_id), url_for(".edit", event_id=event_id))
                return self._edit_page(form, _load(event_id), venues=venues, conflict=message, status=409)
            unplaced = show_service_error(form, error, events_forms.field_for)
            return self._edit_page(form, _load(event_id), venues=venues, errors=unplaced, status=error.status)
        flash_saved()
        return redirect(url_for(".edit", event_id=event_id))

    @expose("/<uuid:event_id>/status", methods=("POST",))
    def change_status(self, event_id):
        """Cancel, postpone, reschedule, move online; publish or unpublish. Public changes reach the live feed."""
        event = _load(event_id)
        form = events_forms.EventStatusForm()
        change = {}
        if form.status.data in EVENT_STATUSES:
            change["status"] = form.status.data
        if form.publication.data in PUBLICATION_STATES:
            change["publication"] = form.publication.data
        if not form.validate_on_submit() or not change:
            abort(400)
        try:
            _patch(event, {"properties": change}, form.etag.data, self.actor())
        except DomainError as error:
            venues = queries.poi_choices()
            edit_form = events_forms.new_form(venues, formdata=None)
            if is_conflict(error):
                message = conflict_message(_current_version(event_id), url_for(".edit", event_id=event_id))
            else:
                message = "; ".join(show_service_error(edit_form, error, events_forms.field_for))
            event = _load(event_id)
            events_forms.fill(edit_form, event)
            edit_form.etag.data = item_etag(event.id, event.version)
            return self._edit_page(
                edit_form, event, venues=venues, conflict=message, status=409 if is_conflict(error) else error.status
            )
        flash_saved()
        return redirect(url_for(".edit", event_id=event_id))

    @expose("/<uuid:event_id>/history")
    def history(self, event_id):
        """Who changed what, newest first."""
        event = _load(event_id)
        return self.render(
            "upadmin/history.html",
            title=translated(event.title),
            rows=history_rows(service.event_history(event_id=event.id)),
            back_url=url_for(".edit", event_id=event.id),
        )

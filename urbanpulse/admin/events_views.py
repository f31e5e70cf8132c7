"""Event pages: list, create, edit (venue picker, local dates, recurrence), status changes, history."""

from __future__ import annotations

import uuid

from flask import request
from flask_admin import expose

from urbanpulse.admin import events_forms, queries
from urbanpulse.admin.i18n import translated
from urbanpulse.admin.item_views import ItemView
from urbanpulse.events import service
from urbanpulse.events.categories import EVENT_STATUSES, PUBLICATION_STATES
from urbanpulse.events.models import Event
from urbanpulse.events.schemas import EventFeaturePatchSchema


def _uuid(text: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(text) if text else None
    except ValueError:
        return None  # the form then refuses it as not a valid choice


class EventsView(ItemView):
    """Events: list, create, edit, publish, cancel or postpone (public changes reach the live feed), history."""

    forms = events_forms
    service = service
    model = Event
    patch_schema = EventFeaturePatchSchema
    edit_template = "upadmin/event_edit.html"
    edit_script = "event-edit.js"
    status_actions = events_forms.STATUS_ACTIONS
    status_form = events_forms.EventStatusForm
    draft_field = "publication"

    def get_item(self, item_id) -> Event:
        """The event, drafts included."""
        return service.get_event(event_id=item_id, include_unpublished=True)

    def create_item(self, form) -> Event:
        """Create the event as POST /api/v1/events would."""
        return service.create_event_from_feature(events_forms.new_feature(form), actor=self.actor())

    def update(self, item, data: dict, etag: str) -> Event:
        """Apply the patch as PATCH /api/v1/events/{id} does (the point kept unless the patch names one)."""
        return service.update_event(
            event_id=item.id,
            if_match=etag,
            actor=self.actor(),
            properties=data.get("properties"),
            geometry=data.get("geometry", service.KEEP),
        )

    def page_extra(self) -> dict:
        """A first page of venues (the picker searches the others), with the event's and the submitted one."""
        current = [queries.event_venue(request.view_args["item_id"])] if "item_id" in request.view_args else []
        return {"venues": queries.poi_choices(include=[*current, _uuid(request.form.get("venue"))])}

    def new_form(self, *, venues) -> events_forms.EventForm:
        """The form with the venues as choices."""
        return events_forms.new_form(venues)

    def edit_context(self, item, *, venues) -> dict:
        """Each venue's position, so picking one moves the map."""
        return {"venue_positions": {str(row.id): [row.lon, row.lat] for row in venues}}

    def status_change(self, form) -> dict:
        """A status (cancel, postpone, reschedule, move online) and/or a publication change."""
        change = {}
        if form.status.data in EVENT_STATUSES:
            change["status"] = form.status.data
        if form.publication.data in PUBLICATION_STATES:
            change["publication"] = form.publication.data
        return change

    def title(self, item) -> str:
        """The title."""
        return translated(item.title)

    def history_entries(self, item) -> list:
        """The event's history."""
        return service.event_history(event_id=item.id)

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

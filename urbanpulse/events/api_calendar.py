"""iCalendar views: the events of a window (same filters as /events) and one event, recurrences kept."""

from __future__ import annotations

from datetime import timedelta

from flask import Response, request
from flask.views import MethodView

from urbanpulse.auth.guard import is_editor
from urbanpulse.core.errors import NotFound
from urbanpulse.core.i18n import pick
from urbanpulse.events import ics, queries
from urbanpulse.events.blueprint import blp, filters_of, now_utc, window_of
from urbanpulse.events.schemas import EventQueryArgsSchema, WindowArgsSchema
from urbanpulse.web.http import body_etag
from urbanpulse.web.views_common import lang_of

CALENDAR_NAME = {
    "fr": "Agenda de Boulogne-sur-Mer",
    "en": "Boulogne-sur-Mer events",
    "nl": "Evenementen in Boulogne-sur-Mer",
    "de": "Veranstaltungen in Boulogne-sur-Mer",
}
# The feed's default window (from a week ago), also the span of a single event's DST overrides.
DEFAULT_DAYS = 366
ICS_DOC = {"200": {"description": "iCalendar", "content": {"text/calendar": {"schema": {"type": "string"}}}}}


def _calendar_response(body: bytes, filename: str, lang: str) -> Response:
    etag = body_etag(body)
    response = Response(body, mimetype=ics.CALENDAR_MIMETYPE)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Content-Language"] = lang
    response.headers["ETag"] = etag
    response.vary.update(("Accept-Language", "Authorization"))
    if etag in {tag.strip().removeprefix("W/") for tag in request.headers.get("If-None-Match", "").split(",")}:
        response.status_code = 304
        response.set_data(b"")
    return response


@blp.route("/events.ics")
class CalendarView(MethodView):
    @blp.arguments(WindowArgsSchema, location="query")
    @blp.doc(responses=ICS_DOC)
    @blp.answers(304, 401, 403)
    def get(self, args):
        """The events having an occurrence in [from, to) as an iCalendar feed to subscribe to.

        Same filters as /events; the window defaults to 366 days from a week ago. Each event is one
        VEVENT with its RRULE/RDATE/EXDATE, DTSTART with TZID=Europe/Paris and a VTIMEZONE; STATUS is
        CONFIRMED, TENTATIVE (postponed) or CANCELLED. Text in `lang` (default fr).
        """
        start, end = window_of(args, default_days=DEFAULT_DAYS, default_start=now_utc() - timedelta(days=7))
        rows = [
            row
            for row in queries.candidates(filters_of(args), start, end)
            if next(queries.merged([row], start, end), None) is not None
        ]
        rows.sort(key=lambda row: (row.starts_at, str(row.id)))
        lang = lang_of(args) or "fr"
        body = ics.calendar(rows, lang=lang, name=pick(CALENDAR_NAME, lang)[0], window=(start, end))
        return _calendar_response(body, "boulogne-events.ics", lang)


@blp.route("/events/<uuid:event_id>.ics")
class EventCalendarView(MethodView):
    @blp.arguments(EventQueryArgsSchema, location="query")
    @blp.doc(responses=ICS_DOC)
    @blp.answers(304, 401, 404)
    def get(self, args, event_id):
        """One event as an iCalendar file (drafts for editors only); DST overrides from a week ago, for 366 days."""
        row = queries.event_row(event_id, include_unpublished=is_editor())
        if row is None:
            raise NotFound("no such event")
        lang = lang_of(args) or "fr"
        since = now_utc() - timedelta(days=7)
        window = (since, since + timedelta(days=DEFAULT_DAYS))
        body = ics.calendar([row], lang=lang, name=pick(row.title, lang)[0], window=window)
        return _calendar_response(body, f"event-{event_id}.ics", lang)

"""HTTP layer of events: occurrences, now, single events and editing (calendars and the live feed beside)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import request, url_for
from flask.views import MethodView

from urbanpulse.auth.guard import is_editor
from urbanpulse.cache.responses import public_request, shared_json
from urbanpulse.core.errors import NotFound
from urbanpulse.editing.etags import body_bound_etag
from urbanpulse.editing.views import ItemOperations, actor, if_match, item_response
from urbanpulse.events import api_calendar, api_stream, queries, service
from urbanpulse.events.blueprint import blp, filters_of, now_utc, window_of
from urbanpulse.events.categories import CATEGORY_LABELS
from urbanpulse.events.recurrence import occurrences_from
from urbanpulse.events.scheduling import schedule_of
from urbanpulse.events.schemas import (
    EventFeatureInSchema,
    EventFeaturePatchSchema,
    EventOccurrencesArgsSchema,
    EventQueryArgsSchema,
    NowArgsSchema,
    OccurrenceListArgsSchema,
    as_aware,
)
from urbanpulse.events.schemas_out import (
    EventFeatureOutSchema,
    EventHistoryEntryOutSchema,
    OccurrenceCollectionOutSchema,
)
from urbanpulse.events.serialize import collection, event_feature, local_iso, occurrence_feature
from urbanpulse.web.http import GEOJSON_MIMETYPE, bytes_response, json_response
from urbanpulse.web.schemas_common import CategoryOutSchema, LangQueryArgsSchema
from urbanpulse.web.views_common import labelled, lang_of, language_headers, page_links, query_as_sent

__all__ = ["api_calendar", "api_stream", "blp"]
# Shared caches may keep answers this long; the live feed announces changes at once.
LIST_MAX_AGE_S = 30
NOW_MAX_AGE_S = 15
ITEM_PATH = "/api/v1/events/{event_id}"
# Anonymous answers depending on the clock (`ongoing`, default windows, /events/now) are computed for the
# start of the current bucket and cached under it (TTL = bucket): at most this many seconds behind the clock.
LIST_BUCKET_S = LIST_MAX_AGE_S
NOW_BUCKET_S = NOW_MAX_AGE_S
# Cached answers are retired by a write to an event or to a POI (a venue's name, place or visibility).
CACHE_DOMAINS = ("events", "pois")
# Query arguments that shape the page, not what it selects: a cursor stays valid across them.
PRESENTATION_ARGS = ("cursor", "limit", "lang")
item = ItemOperations(blp, out_schema=EventFeatureOutSchema, path=ITEM_PATH, id_name="event_id")


def _clock(bucket_s: int) -> datetime:
    """The instant an answer is for: now when authenticated; for shared anonymous answers, the bucket's start."""
    now = now_utc()
    if not public_request():
        return now
    return datetime.fromtimestamp(int(now.timestamp()) // bucket_s * bucket_s, UTC)


def _occurrence_page(rows, args, *, endpoint: str, start, end, now, positioned: bool, **path) -> dict:
    lang = lang_of(args)
    # A cursor continues the listing it came from: the filters as asked (not the clock's default window).
    filters = {**{k: v for k, v in args.items() if k not in PRESENTATION_ARGS}, **{k: str(v) for k, v in path.items()}}
    after = queries.decode_cursor(args.get("cursor"), filters=filters)
    found, more = queries.page(rows, start, end, limit=args["limit"], after=after)
    features = [occurrence_feature(o, lang=lang, now=now, positioned=positioned) for o in found]
    next_cursor = queries.encode_cursor(found[-1].key, filters=filters) if more and found else None
    return collection(
        features,
        truncated=more,
        window={"from": local_iso(start), "to": local_iso(end)},
        links=page_links(endpoint, next_cursor, **path),
    )


def _occurrences_response(name: str, args, *, now, build):
    """A page of occurrences; anonymous ones cached per query string as sent (the links repeat it) and bucket."""
    lang = lang_of(args)
    key = {"query": query_as_sent(), "root": request.script_root, "lang": lang, "now": now}
    body = shared_json(name=name, domains=CACHE_DOMAINS, key=key, ttl_s=LIST_BUCKET_S, build=build)
    return bytes_response(body, mimetype=GEOJSON_MIMETYPE, headers=language_headers(lang), max_age_s=LIST_MAX_AGE_S)


def _event_response(row, *, lang, editor, status=200, headers=None):
    upcoming = next(occurrences_from(schedule_of(row), now_utc()), None)
    return item_response(
        event_feature(row, lang=lang, editor=editor, next_occurrence=upcoming),
        etag=body_bound_etag(row.id, row.version, lang=lang, editor=editor),
        lang=lang,
        status=status,
        headers=headers,
    )


def _row(event_id, *, include_unpublished: bool):
    row = queries.event_row(event_id, include_unpublished=include_unpublished)
    if row is None:
        raise NotFound("no such event")
    return row


@blp.route("/events")
class EventsView(MethodView):
    @blp.arguments(OccurrenceListArgsSchema, location="query")
    @blp.response(200, OccurrenceCollectionOutSchema, content_type=GEOJSON_MIMETYPE)
    @blp.answers(304, 401, 403)
    def get(self, args):
        """Occurrences (recurrences expanded) meeting the window [from, to), ordered by start then event id.

        The window defaults to the next 30 days and spans at most 366; an occurrence that started before
        `from` and is still running is included. At most `limit` per page, then a `next` link.
        """
        now = _clock(LIST_BUCKET_S)
        start, end = window_of(args, default_start=now)
        filters = filters_of(args)

        def build() -> dict:
            rows = queries.candidates(filters, start, end)
            return _occurrence_page(
                rows, args, endpoint="events.EventsView", start=start, end=end, now=now, positioned=filters.positioned
            )

        return _occurrences_response("events.list", args, now=now, build=build)

    @item.create(EventFeatureInSchema)
    def post(self, body):
        """Create an event (publication draft unless given); geometry null when it is at a venue POI."""
        event = service.create_event(geometry=body["geometry"], properties=body["properties"], actor=actor())
        location = url_for("events.EventView", event_id=event.id)
        return _event_response(
            _row(event.id, include_unpublished=True), lang=None, editor=True, status=201, headers={"Location": location}
        )


@blp.route("/events/now")
class NowView(MethodView):
    @blp.arguments(NowArgsSchema, location="query")
    @blp.response(200, OccurrenceCollectionOutSchema, content_type=GEOJSON_MIMETYPE)
    @blp.answers(304, 401, 403)
    def get(self, args):
        """Events under way now or starting within `within_min` minutes; nearest first with lat/lon.

        One entry per event: the occurrence under way, else the next one.
        """
        at = as_aware(args["at"]).astimezone(UTC) if args.get("at") else _clock(NOW_BUCKET_S)
        until = at + timedelta(minutes=args["within_min"], seconds=1)
        filters = filters_of(args)
        lang = lang_of(args)

        def build() -> dict:
            rows = queries.candidates(filters, at, until)
            found, more = queries.happening(rows, at, until, limit=args["limit"], by_distance=filters.positioned)
            features = [occurrence_feature(o, lang=lang, now=at, positioned=filters.positioned) for o in found]
            return collection(features, truncated=more, window={"from": local_iso(at), "to": local_iso(until)})

        key = {"args": args, "lang": lang, "at": at}  # `at` is the bucket's start unless given
        body = shared_json(name="events.now", domains=CACHE_DOMAINS, key=key, ttl_s=NOW_BUCKET_S, build=build)
        return bytes_response(body, mimetype=GEOJSON_MIMETYPE, headers=language_headers(lang), max_age_s=NOW_MAX_AGE_S)


@blp.route("/events/categories")
class EventCategoriesView(MethodView):
    @blp.arguments(LangQueryArgsSchema, location="query")
    @blp.response(200, CategoryOutSchema(many=True))
    @blp.answers(304)
    def get(self, args):
        """The event category vocabulary with labels."""
        lang = lang_of(args)
        return json_response(labelled(CATEGORY_LABELS, lang), headers=language_headers(lang))


@blp.route("/events/<uuid:event_id>")
class EventView(MethodView):
    @item.read(EventQueryArgsSchema)
    def get(self, args, event_id):
        """One event with its schedule and next occurrence; drafts are visible to editors only."""
        editor = is_editor()
        return _event_response(_row(event_id, include_unpublished=editor), lang=lang_of(args), editor=editor)

    @item.update(EventFeaturePatchSchema)
    def patch(self, body, event_id):
        """Change some fields; needs If-Match with the current ETag. `starts_at` alone moves the event."""
        service.update_event(
            event_id=event_id,
            if_match=if_match(),
            actor=actor(),
            geometry=body.get("geometry", service.KEEP),
            properties=body.get("properties"),
        )
        return _event_response(_row(event_id, include_unpublished=True), lang=None, editor=True)

    @item.delete()
    def delete(self, event_id):
        """Soft-delete an event; needs If-Match with the current ETag."""
        service.delete_event(event_id=event_id, if_match=if_match(), actor=actor())
        return "", 204


@blp.route("/events/<uuid:event_id>/occurrences")
class EventOccurrencesView(MethodView):
    @blp.arguments(EventOccurrencesArgsSchema, location="query")
    @blp.response(200, OccurrenceCollectionOutSchema, content_type=GEOJSON_MIMETYPE)
    @blp.answers(304, 401, 404)
    def get(self, args, event_id):
        """One event's occurrences meeting [from, to) (default: from now, 366 days)."""
        editor = is_editor()
        now = _clock(LIST_BUCKET_S)

        def build() -> dict:
            row = _row(event_id, include_unpublished=editor)
            start, end = window_of(args, default_days=366, default_start=now)
            return _occurrence_page(
                [row],
                args,
                endpoint="events.EventOccurrencesView",
                start=start,
                end=end,
                now=now,
                positioned=False,
                event_id=event_id,
            )

        return _occurrences_response("events.occurrences", args, now=now, build=build)


@blp.route("/events/<uuid:event_id>/history")
class EventHistoryView(MethodView):
    @item.history(EventHistoryEntryOutSchema)
    def get(self, event_id):
        """Who changed what and when, oldest first."""
        return service.event_history(event_id=event_id)

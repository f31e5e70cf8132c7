"""GET /events/stream: the live feed as Server-Sent Events."""

from __future__ import annotations

import os
import sys

import redis
from flask import Response, current_app, request
from flask.views import MethodView

from urbanpulse.core.errors import ServiceUnavailable, TooManyRequests
from urbanpulse.core.redis_client import RedisTarget
from urbanpulse.events import stream, stream_share
from urbanpulse.events.blueprint import blp
from urbanpulse.events.schemas import StreamArgsSchema
from urbanpulse.web.limits import client_ip

# How soon a client refused for holding too many streams may try again.
CLIENT_RETRY_AFTER_S = 30
SSE_DOC = {
    "200": {"description": "text/event-stream", "content": {"text/event-stream": {"schema": {"type": "string"}}}}
}


def cooperative() -> bool:
    """Whether this worker runs on gevent (an open stream then costs a greenlet, not a thread)."""
    monkey = sys.modules.get("gevent.monkey")
    return bool(monkey and monkey.is_module_patched("socket"))


def stream_capacity(config) -> int:
    """Open streams this worker accepts: with threads, half of them stay free for ordinary requests."""
    limit = config["EVENTS_STREAM_MAX_PER_WORKER"]
    if not cooperative():
        limit = min(limit, max(1, int(os.environ.get("WEB_THREADS", "8")) // 2))
    return limit


@blp.route("/events/stream")
class StreamView(MethodView):
    @blp.arguments(StreamArgsSchema, location="query")
    @blp.doc(responses=SSE_DOC)
    def get(self, args):
        """Live feed (SSE): every publication, change, cancellation or removal of a public event.

        Named events `published`, `updated`, `cancelled` (with the event's summary), `unpublished` and
        `deleted` (only the id), and `reset` (reload everything: what you missed is no longer retained). Each
        has an `id`; reconnect with `Last-Event-ID` (EventSource does) to get what you missed within the
        retention time. A `: heartbeat` comment comes every EVENTS_STREAM_HEARTBEAT_S seconds; the server
        ends a stream after EVENTS_STREAM_MAX_S seconds and the client reconnects. One address holds at most
        EVENTS_STREAM_MAX_PER_CLIENT streams at a time (429 with Retry-After beyond).
        """
        config = current_app.config
        hub = stream.hub_for(RedisTarget.of(config), config["EVENTS_FEED_KEY"])
        try:
            share = stream_share.claim(
                hub.reader,
                prefix=config["EVENTS_FEED_KEY"],
                address=client_ip(),
                cap=config["EVENTS_STREAM_MAX_PER_CLIENT"],
                max_s=config["EVENTS_STREAM_MAX_S"],
            )
            if share is None:
                raise TooManyRequests(
                    f"this address already holds {config['EVENTS_STREAM_MAX_PER_CLIENT']} live-feed streams; "
                    "close one or retry later",
                    headers={"Retry-After": str(CLIENT_RETRY_AFTER_S)},
                )
            try:
                subscriber = hub.subscribe(stream_capacity(config))
            except BaseException:
                share.release()
                raise
        except stream.StreamsExhausted:
            raise ServiceUnavailable(
                "too many open live-feed streams on this server; retry shortly", headers={"Retry-After": "10"}
            ) from None
        except redis.RedisError:
            raise ServiceUnavailable(
                "the live feed is unavailable; retry shortly", headers={"Retry-After": "5"}
            ) from None
        body = stream.StreamBody(
            hub,
            subscriber,
            share=share,
            last_event_id=request.headers.get("Last-Event-ID") or args.get("last_event_id"),
            heartbeat_s=config["EVENTS_STREAM_HEARTBEAT_S"],
            max_s=config["EVENTS_STREAM_MAX_S"],
        )
        response = Response(body, mimetype="text/event-stream")  # not in the compressed types: no buffering
        response.headers["Cache-Control"] = "no-cache, no-transform"
        response.headers["X-Accel-Buffering"] = "no"
        return response

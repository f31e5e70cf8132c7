"""The live feed: messages per kind of change, no drafts, Redis outages, SSE replay and live delivery."""

import threading
from contextlib import contextmanager

import redis as redis_lib
from redis.backoff import NoBackoff
from redis.retry import Retry

from tests.events.helpers import make_event, parse_sse
from tests.problem import assert_problem
from urbanpulse.core.extensions import db
from urbanpulse.core.redis_client import RedisTarget
from urbanpulse.editing.actor import Actor
from urbanpulse.editing.etags import item_etag
from urbanpulse.events import service, stream
from urbanpulse.events.feed import decode_entry

KEY = "up:events:feed"
ACTOR = Actor.system("test")


def messages(redis) -> list[tuple[str, dict]]:
    return [decode_entry(entry_id, fields) for entry_id, fields in redis.xrange(KEY)]


def change(event_id, **properties):
    event = service.get_event(event_id=event_id, include_unpublished=True)
    return service.update_event(
        event_id=event_id, if_match=item_etag(event.id, event.version), actor=ACTOR, properties=properties
    )


@contextmanager
def config(app, **values):
    saved = {key: app.config[key] for key in values}
    app.config.update(values)
    try:
        yield
    finally:
        app.config.update(saved)


def test_each_public_change_is_one_message_and_drafts_never_appear(app, redis):
    event = make_event()
    change(event.id, price="5 €")
    change(event.id, status="cancelled")
    change(event.id, publication="draft")
    change(event.id, price="6 €")  # a draft: nothing
    draft = make_event(publication="draft", title={"fr": "Secret"})
    change(event.id, publication="published")
    service.delete_event(event_id=event.id, if_match=item_etag(event.id, 6), actor=ACTOR)
    kinds = [(payload["type"], payload.get("changed")) for _, payload in messages(redis)]
    assert kinds == [
        ("published", []),
        ("updated", ["price"]),
        ("cancelled", ["status"]),
        ("unpublished", None),
        ("published", ["publication"]),
        ("deleted", None),
    ]
    payloads = [payload for _, payload in messages(redis)]
    assert payloads[2]["status"] == "cancelled" and payloads[2]["title"]["fr"] == "Marché de la place Dalton"
    assert set(payloads[3]) == {"type", "event_id", "version"}  # removal messages carry no content
    assert all(p["event_id"] != str(draft.id) for p in payloads)
    assert "Secret" not in str(payloads)


def test_writes_succeed_when_redis_is_down(app, free_port):
    key = "urbanpulse.redis"
    saved = app.extensions[key]
    app.extensions[key] = redis_lib.Redis(
        port=free_port, socket_timeout=0.2, socket_connect_timeout=0.2, retry=Retry(NoBackoff(), 0)
    )
    try:
        event = make_event()
        change(event.id, status="postponed")
    finally:
        app.extensions[key] = saved
    db.session.expire_all()
    assert service.get_event(event_id=event.id).status == "postponed"


def test_last_event_id_replays_what_was_missed(app, client, redis):
    event = make_event()
    change(event.id, price="5 €")
    change(event.id, status="cancelled")
    (first, _), (second, _), (third, _) = messages(redis)
    with config(app, EVENTS_STREAM_MAX_S=0.5, EVENTS_STREAM_HEARTBEAT_S=0.2):
        response = client.get("/api/v1/events/stream", headers={"Last-Event-ID": first})
        assert response.status_code == 200 and response.mimetype == "text/event-stream"
        frames = parse_sse(response.get_data(as_text=True))
        assert frames[0]["retry"] == "3000"
        replayed = [(f["id"], f["event"], f["data"]["type"]) for f in frames if "data" in f]
        assert replayed == [(second, "updated", "updated"), (third, "cancelled", "cancelled")]
        assert any(f.get("comment") == "heartbeat" for f in frames)
        fresh = parse_sse(client.get("/api/v1/events/stream").get_data(as_text=True))
        assert [f for f in fresh if "data" in f] == [] and any(f.get("id") == third for f in fresh)
        by_query = parse_sse(
            client.get("/api/v1/events/stream", query_string={"last_event_id": second}).get_data(as_text=True)
        )
        assert [f["id"] for f in by_query if "data" in f] == [third]
        redis.xtrim(KEY, minid=third, approximate=False)  # what `first` missed is partly gone: the client must reload
        trimmed = parse_sse(
            client.get("/api/v1/events/stream", headers={"Last-Event-ID": first}).get_data(as_text=True)
        )
        assert [f["data"]["type"] for f in trimmed if "data" in f] == ["reset"]


def test_a_change_made_on_another_connection_reaches_an_open_stream(app, client):
    event = make_event()

    def write_elsewhere():
        with app.app_context():  # its own session and database connection
            change(event.id, status="cancelled")

    writer = threading.Thread(target=write_elsewhere)
    with config(app, EVENTS_STREAM_MAX_S=3, EVENTS_STREAM_HEARTBEAT_S=0.5):
        response = client.get("/api/v1/events/stream", buffered=False)
        chunks = iter(response.response)
        # ": connected", then the stream's position (an `id:` line, or a heartbeat): from there on it is live.
        received = [next(chunks), next(chunks)]
        writer.start()
        received += list(chunks)
        response.close()
    writer.join(timeout=10)
    text = "".join(chunk.decode() if isinstance(chunk, bytes) else chunk for chunk in received)
    frames = parse_sse(text)
    live = [f["data"] for f in frames if "data" in f]
    assert [(m["type"], m["event_id"], m["status"]) for m in live] == [("cancelled", str(event.id), "cancelled")]


def test_streams_past_the_per_worker_cap_get_503_with_retry_after(app, client):
    hub = stream.hub_for(RedisTarget.of(app.config), app.config["EVENTS_FEED_KEY"])
    with config(app, EVENTS_STREAM_MAX_PER_WORKER=2):
        held = [hub.subscribe(2), hub.subscribe(2)]
        try:
            refused = client.get("/api/v1/events/stream")
            body = assert_problem(refused, 503)
            assert refused.headers["Retry-After"] == "10" and "too many" in body["detail"]
        finally:
            for subscriber in held:
                hub.unsubscribe(subscriber)

"""Server-Sent Events: one Redis reader per worker process fans the live feed out to that worker's clients.

A client first subscribes to its worker's hub, then replays what it missed (XRANGE after Last-Event-ID),
then takes the hub's messages it has not replayed: nothing published after it connected is lost. Each
client waits on its own queue with a time-out, which is when it sends a heartbeat comment. Works with
threads (gthread) and with greenlets (gevent, where `threading` and `queue` are cooperative).
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import orjson
import redis

from urbanpulse.core.redis_client import RedisTarget
from urbanpulse.events.feed import REMOVAL_TYPES, decode_entry, parse_id

log = logging.getLogger(__name__)
BLOCK_MS = 5000
QUEUE_SIZE = 1000
MAX_REPLAY = 1000
RETRY_MS = 3000


class StreamsExhausted(Exception):
    """This worker already serves its maximum of open streams."""


@dataclass(eq=False)
class Subscriber:
    """One connected client's queue of (id, payload)."""

    messages: queue.Queue = field(default_factory=lambda: queue.Queue(maxsize=QUEUE_SIZE))
    overflowed: bool = False


class Hub:
    """The per-process reader of the Redis stream and its subscribers."""

    def __init__(self, target: RedisTarget, key: str):
        self.target, self.key = target, key
        self.subscribers: set[Subscriber] = set()
        self.lock = threading.Lock()
        self.last_id = "0-0"
        self.thread: threading.Thread | None = None
        self.pid = os.getpid()
        # Shared by this process's clients for their replays (a thread-safe connection pool).
        self.reader = self._client()

    def _client(self) -> redis.Redis:
        return self.target.connect(socket_timeout=BLOCK_MS / 1000 + 5, socket_connect_timeout=3)

    def subscribe(self, capacity: int) -> Subscriber:
        """Register a client (StreamsExhausted past `capacity`); starts the reader on first use."""
        with self.lock:
            if len(self.subscribers) >= capacity:
                raise StreamsExhausted
            if self.thread is None or not self.thread.is_alive():
                self.last_id = current_last_id(self.reader, self.key) or "0-0"  # RedisError: no stream
                self.thread = threading.Thread(target=self._run, name="events-feed-hub", daemon=True)
                self.thread.start()
            subscriber = Subscriber()
            self.subscribers.add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        """Forget a client."""
        with self.lock:
            self.subscribers.discard(subscriber)

    def _dispatch(self, entries) -> None:
        with self.lock:
            targets = list(self.subscribers)
        for entry_id, fields in entries:
            message = decode_entry(entry_id, fields)
            self.last_id = message[0]
            for subscriber in targets:
                try:
                    subscriber.messages.put_nowait(message)
                except queue.Full:
                    subscriber.overflowed = True

    def _run(self) -> None:
        client, backoff, resync = self._client(), 0.5, False
        while True:
            try:
                if resync:  # inside the try: Redis may still be away, and the reader must outlive that
                    self._resync(client)
                    resync = False
                answer = client.xread({self.key: self.last_id}, block=BLOCK_MS, count=500)
                backoff = 0.5
                for _key, entries in answer or []:
                    self._dispatch(entries)
            except redis.RedisError as error:
                log.warning("live feed reader: %s; retrying in %.1f s", error, backoff)
                time.sleep(backoff)
                backoff = min(backoff * 2, 10)
                resync = True

    def _resync(self, client: redis.Redis) -> None:
        """After an outage: if the stream restarted below our position (Redis was emptied), start again."""
        latest = current_last_id(client, self.key)
        if latest is not None and parse_id(latest) < parse_id(self.last_id):
            self.last_id = "0-0"


_hubs: dict[tuple[RedisTarget, str], Hub] = {}
_hubs_lock = threading.Lock()


def hub_for(target: RedisTarget, key: str) -> Hub:
    """This process's hub for a stream (a new one after fork)."""
    with _hubs_lock:
        hub = _hubs.get((target, key))
        if hub is None or hub.pid != os.getpid():
            hub = _hubs[(target, key)] = Hub(target, key)
        return hub


def current_last_id(client: redis.Redis, key: str) -> str | None:
    """The id of the newest entry of the stream, or None when it is empty or absent."""
    entries = client.xrevrange(key, count=1)
    return decode_entry(*entries[0])[0] if entries else None


def _frame(entry_id: str, payload: dict) -> str:
    return f"id: {entry_id}\nevent: {payload.get('type', 'message')}\ndata: {orjson.dumps(payload).decode()}\n\n"


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _complete_since(client: redis.Redis, key: str, position: tuple[int, int]) -> bool:
    """Whether every entry after `position` is still in the stream (conservative: unsure means no)."""
    if not client.exists(key):
        return position == (0, 0)
    info = client.xinfo_stream(key)
    newest = parse_id(_text(info.get("last-generated-id") or "0-0"))
    if newest < position:
        return False  # the stream restarted (Redis emptied): ids mean nothing any more
    if info.get("entries-added", 0) <= info.get("length", 0):
        return True  # nothing was ever trimmed or deleted
    first = info.get("first-entry")
    oldest = parse_id(_text(first[0])) if first else None
    return position >= newest if oldest is None else position >= oldest


def _replay(client: redis.Redis, key: str, last_event_id: str) -> tuple[list[tuple[str, dict]], bool]:
    """Entries after `last_event_id` and whether they are complete (not trimmed away, not too many)."""
    if not _complete_since(client, key, parse_id(last_event_id)):
        return [], False
    raw = client.xrange(key, min=f"({last_event_id}", max="+", count=MAX_REPLAY + 1)
    entries = [decode_entry(entry_id, fields) for entry_id, fields in raw]
    return _without_content_of_removed(entries[:MAX_REPLAY]), len(entries) <= MAX_REPLAY


def _without_content_of_removed(entries: list[tuple[str, dict]]) -> list[tuple[str, dict]]:
    """Drop replayed messages carrying an event's content when a later one unpublishes or deletes it.

    A client catching up must not learn what an event that is no longer public said; the removal itself is
    replayed, so its copy ends in the same state.
    """
    removed_later: set[str] = set()
    kept = []
    for entry_id, payload in reversed(entries):
        event_id = payload.get("event_id")
        if payload.get("type") in REMOVAL_TYPES:
            removed_later.add(event_id)
        elif event_id in removed_later:
            continue
        kept.append((entry_id, payload))
    return kept[::-1]


class StreamBody:
    """The response iterable; closing it (client gone, even before the first chunk) frees the subscription
    and the client's share (`stream_share`)."""

    def __init__(self, hub: Hub, subscriber: Subscriber, *, share=None, **options):
        self.hub, self.subscriber, self.share = hub, subscriber, share
        self.chunks = sse_stream(hub=hub, subscriber=subscriber, **options)

    def __iter__(self) -> Iterator[str]:
        return self.chunks

    def close(self) -> None:
        """Stop the generator and unsubscribe."""
        self.chunks.close()
        self.hub.unsubscribe(self.subscriber)
        if self.share is not None:
            try:
                self.share.release()
            except redis.RedisError:  # it expires on its own
                log.warning("live feed: could not release a client's stream count")


def sse_stream(
    *,
    hub: Hub,
    subscriber: Subscriber,
    last_event_id: str | None,
    heartbeat_s: float,
    max_s: float,
) -> Iterator[str]:
    """The text/event-stream body: replay, then live messages and heartbeats until `max_s` has passed."""
    client, key = hub.reader, hub.key
    try:
        yield f"retry: {RETRY_MS}\n: connected\n\n"
        seen = (0, 0)
        if last_event_id and parse_id(last_event_id):
            entries, complete = _replay(client, key, last_event_id)
            if not complete:
                latest = current_last_id(client, key) or "0-0"
                seen = parse_id(latest)
                reset = {"type": "reset", "reason": "missed changes are no longer retained; reload the events"}
                yield _frame(latest, reset)
            for entry_id, payload in entries:
                seen = parse_id(entry_id)
                yield _frame(entry_id, payload)
        else:
            latest = current_last_id(client, key)
            if latest:
                seen = parse_id(latest)
                yield f"id: {latest}\n\n"  # sets the client's Last-Event-ID without dispatching an event
        deadline = time.monotonic() + max_s
        while time.monotonic() < deadline and not subscriber.overflowed:
            try:
                wait = max(0.01, min(heartbeat_s, deadline - time.monotonic()))
                entry_id, payload = subscriber.messages.get(timeout=wait)
            except queue.Empty:
                yield ": heartbeat\n\n"
                continue
            if parse_id(entry_id) > seen:
                seen = parse_id(entry_id)
                yield _frame(entry_id, payload)
    except redis.RedisError as error:
        log.warning("live feed stream ended: %s", error)  # the client reconnects with Last-Event-ID
    finally:
        hub.unsubscribe(subscriber)

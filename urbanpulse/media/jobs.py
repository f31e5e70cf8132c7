"""Deriving the served sizes off the request: RQ jobs on the app's Redis, idempotent, swept when stuck.

The database is the record of owed work: an image is `processing` until its sizes are stored, so a job
lost with a crashed worker, a failed enqueue or a Redis restart is found again by `sweep` and redone.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

import redis
from flask import current_app
from rq import Queue, Retry
from sqlalchemy import select

from urbanpulse.core.extensions import db
from urbanpulse.core.models_common import utcnow
from urbanpulse.core.redis_client import RedisTarget
from urbanpulse.media import processing
from urbanpulse.media.changes import WORKER, commit_change, original_key, rows_of
from urbanpulse.media.models import Media
from urbanpulse.media.owners import owner_for
from urbanpulse.media.representation import history_state
from urbanpulse.media.storage import current_store

log = logging.getLogger(__name__)
JOB_TIMEOUT_S = 90


def connection(*, blocking: bool = False) -> redis.Redis:
    """A Redis connection for RQ (its own: RQ needs longer time-outs than the cache's); a worker's waits
    on the queue for minutes (`blocking`), so its reads have no time-out."""
    return RedisTarget.of(current_app.config).connect(socket_connect_timeout=2, socket_timeout=None if blocking else 30)


def queue(conn: redis.Redis | None = None) -> Queue:
    """The media queue."""
    return Queue(current_app.config["MEDIA_QUEUE"], connection=conn or connection())


def enqueue(media_ids: list[uuid.UUID]) -> int:
    """Queue the derivation of `media_ids`; when Redis is away they stay `processing` for the sweep."""
    return enqueue_each("urbanpulse.media.jobs.derive_sizes", media_ids)


def enqueue_each(function: str, ids: list[uuid.UUID]) -> int:
    """Queue `function(id)` on the media queue for each id; the number queued (0 when Redis is away: the rows
    still say what is owed, and the worker's sweep queues them again)."""
    if not ids:
        return 0
    try:
        target = queue()
        for item_id in ids:
            target.enqueue_call(
                function, args=(str(item_id),), timeout=JOB_TIMEOUT_S, retry=Retry(max=2), result_ttl=300,
                failure_ttl=86400,
            )  # fmt: skip
    except (redis.RedisError, OSError) as error:
        log.warning("could not queue %d job(s) of %s (%s); the sweep will", len(ids), function, error)
        return 0
    return len(ids)


def claim(model, row_id: uuid.UUID, *, owed: str):
    """The row of a job, its attempt counted (committed, so a crash still counts); None when it no longer has
    the status `owed` (done, or gone)."""
    row = db.session.scalar(select(model).where(model.id == row_id).with_for_update())
    if row is None or row.status != owed:
        db.session.rollback()
        return None
    row.attempts += 1
    db.session.commit()
    return row


def derive_sizes(media_id: str) -> str:
    """The job: make and store every size of an image, then mark it ready on its item (a new version)."""
    try:
        return _derive(uuid.UUID(media_id))
    finally:
        db.session.remove()


def _derive(media_id: uuid.UUID) -> str:

    row = claim(Media, media_id, owed="processing")
    if row is None:
        return "nothing to do"
    owner, item_id, key = owner_for(row.owner_type), row.owner_id, row.original_key
    if row.attempts > current_app.config["MEDIA_JOB_ATTEMPTS"]:
        return _finish(owner, item_id, media_id, status="failed", sizes=[])
    store = current_store()
    renditions = processing.derive(store.get(original_key(key)))
    for rendition in renditions:
        store.put(rendition.key, rendition.data)
    sizes = [
        {"width": r.width, "height": r.height, "ext": r.ext, "key": r.key, "bytes": len(r.data)} for r in renditions
    ]
    return _finish(owner, item_id, media_id, status="ready", sizes=sizes)


def _finish(owner, item_id: uuid.UUID, media_id: uuid.UUID, *, status: str, sizes: list) -> str:
    item = db.session.scalar(select(owner.model).where(owner.model.id == item_id).with_for_update())
    rows = rows_of(owner, item_id) if item is not None else []
    row = next((r for r in rows if r.id == media_id), None)
    if row is None or row.status != "processing":  # deleted or done meanwhile
        db.session.commit()
        return "nothing to do"
    before = history_state(rows)
    row.status, row.sizes = status, sizes
    commit_change(owner, item, before=before, actor=WORKER, system=True)
    return status


def sweep(*, older_than_s: int | None = None) -> int:
    """Queue again every image still `processing` that nobody touched for `older_than_s` (default:
    MEDIA_STUCK_AFTER_S); the number queued."""
    age = current_app.config["MEDIA_STUCK_AFTER_S"] if older_than_s is None else older_than_s
    stuck = list(
        db.session.scalars(
            select(Media.id).where(Media.status == "processing", Media.updated_at <= utcnow() - timedelta(seconds=age))
        )
    )
    db.session.rollback()
    return enqueue(stuck)


def release_unused(store, keys: list[str]) -> None:
    """Delete the stored files among `keys` that no image uses any more (in the transaction for PostgreSQL)."""
    for key in keys:
        if key.startswith("orig/"):
            using = Media.original_key == key.removeprefix("orig/")
        else:
            using = Media.sizes.contains([{"key": key}])
        if db.session.scalar(select(Media.id).where(using).limit(1)) is None:
            store.delete(key)

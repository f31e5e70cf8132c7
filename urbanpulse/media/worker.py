"""The worker's loop (`python -m urbanpulse.runtime.media_worker`, started beside gunicorn by `make run`).

An RQ SimpleWorker (jobs run in this process: no fork of an app holding database connections) on the
media queue (and the queues its caller adds, e.g. imports), and a thread that re-queues images left
`processing` (a crashed job, a failed enqueue) and runs the caller's periodic tasks every minute.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from rq import Queue, SimpleWorker

from urbanpulse.core.extensions import db
from urbanpulse.media import jobs, upstream

log = logging.getLogger(__name__)
SWEEP_EVERY_S = 60


def _sweep(app) -> None:
    queued = jobs.sweep()
    if queued:
        log.info("re-queued %d stuck image(s)", queued)
    waiting = upstream.queue_waiting(older_than_s=app.config["MEDIA_STUCK_AFTER_S"])
    if waiting:
        log.info("queued %d upstream image(s) still waiting", waiting)


def _sweep_forever(app, stop: threading.Event, periodic: list[Callable[[], object]]) -> None:
    while not stop.is_set():
        for task in (lambda: _sweep(app), *periodic):
            with app.app_context():
                try:
                    task()
                except Exception:  # the next round tries again
                    log.exception("a periodic task of the worker failed")
                finally:
                    db.session.remove()
        stop.wait(SWEEP_EVERY_S)


def run(
    app, *, burst: bool = False, other_queues: tuple[str, ...] = (), periodic: tuple[Callable[[], object], ...] = ()
) -> None:
    """Work the media queue of `app`, then `other_queues` (an import waits behind photos), until stopped (or,
    with `burst`, until they are empty); the sweep and `periodic` tasks run every minute meanwhile."""
    stop = threading.Event()
    threading.Thread(target=_sweep_forever, args=(app, stop, list(periodic)), name="media-sweep", daemon=True).start()
    with app.app_context():
        connection = jobs.connection(blocking=True)
        queues = [jobs.queue(connection), *(Queue(name, connection=connection) for name in other_queues)]
        try:
            SimpleWorker(queues, connection=connection).work(burst=burst, logging_level="WARNING")
        finally:
            stop.set()

"""The media worker's loop (`python -m urbanpulse.runtime.media_worker`, started beside gunicorn by `make run`).

An RQ SimpleWorker (jobs run in this process: no fork of an app holding database connections) on the
media queue, and a thread that re-queues images left `processing` (a crashed job, a failed enqueue).
"""

from __future__ import annotations

import logging
import threading

from rq import SimpleWorker

from urbanpulse.core.extensions import db
from urbanpulse.media import jobs, upstream

log = logging.getLogger(__name__)
SWEEP_EVERY_S = 60


def _sweep_forever(app, stop: threading.Event) -> None:
    while not stop.is_set():
        with app.app_context():
            try:
                queued = jobs.sweep()
                if queued:
                    log.info("re-queued %d stuck image(s)", queued)
                waiting = upstream.queue_waiting(older_than_s=app.config["MEDIA_STUCK_AFTER_S"])
                if waiting:
                    log.info("queued %d upstream image(s) still waiting", waiting)
            except Exception:  # the next round tries again
                log.exception("media sweep failed")
            finally:
                db.session.remove()
        stop.wait(SWEEP_EVERY_S)


def run(app, *, burst: bool = False) -> None:
    """Work the media queue of `app` until stopped (or, with `burst`, until it is empty)."""
    stop = threading.Event()
    threading.Thread(target=_sweep_forever, args=(app, stop), name="media-sweep", daemon=True).start()
    with app.app_context():
        connection = jobs.connection(blocking=True)
        try:
            SimpleWorker([jobs.queue(connection)], connection=connection).work(burst=burst, logging_level="WARNING")
        finally:
            stop.set()

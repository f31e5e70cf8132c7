"""`python -m urbanpulse.runtime.media_worker [--burst]`: the worker beside gunicorn: media (derived sizes, upstream
images) first, then scheduled and requested imports, whose due runs it queues every minute."""

from __future__ import annotations

import sys


def main(argv: list[str]) -> None:
    """Build the app from the environment and work its media and import queues."""
    from urbanpulse import create_app
    from urbanpulse.imports import schedule
    from urbanpulse.media.worker import run

    run(create_app(), burst="--burst" in argv, other_queues=(schedule.QUEUE,), periodic=(schedule.queue_due,))


if __name__ == "__main__":
    main(sys.argv[1:])

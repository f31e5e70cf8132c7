"""`python -m urbanpulse.runtime.media_worker [--burst]`: the media worker (derived sizes), beside gunicorn."""

from __future__ import annotations

import sys


def main(argv: list[str]) -> None:
    """Build the app from the environment and work its media queue."""
    from urbanpulse import create_app
    from urbanpulse.media.worker import run

    run(create_app(), burst="--burst" in argv)


if __name__ == "__main__":
    main(sys.argv[1:])

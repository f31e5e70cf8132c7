"""Waiting for Redis to be usable again by an app (polled, never a fixed sleep tied to the breaker's timing)."""

import time

from urbanpulse.cache import store


def redis_back(app, timeout_s: float = 15) -> None:
    """Until Redis answers `app` again and its circuit breaker has closed."""
    with app.app_context():
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and not (store.available() and store.run(lambda c: c.ping())):
            time.sleep(0.05)
        assert store.available()

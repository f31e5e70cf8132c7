"""Waiting for Redis to be usable again by an app (polled, never a fixed sleep tied to the breaker's timing)."""

from tests.waiting import wait_until
from urbanpulse.cache import store


def redis_back(app, timeout_s: float = 15) -> None:
    """Until Redis answers `app` again and its circuit breaker has closed."""
    with app.app_context():
        wait_until(lambda: store.available() and store.run(lambda c: c.ping()), timeout_s=timeout_s, what="Redis")

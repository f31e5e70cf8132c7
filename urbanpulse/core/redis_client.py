"""A Flask-aware holder for the redis-py client with millisecond time-outs."""

from __future__ import annotations

import functools

import redis
from flask import current_app
from redis.backoff import NoBackoff
from redis.retry import Retry
from sqlalchemy.engine import make_url

EXTENSION_KEY = "urbanpulse.redis"


class RedisClient:
    """Gives each app its own redis-py client (stored on the app, so several apps can coexist)."""

    def init_app(self, app) -> None:
        """Create the client from REDIS_URL with the configured time-out (milliseconds)."""
        timeout_s = app.config["REDIS_TIMEOUT_MS"] / 1000
        app.extensions[EXTENSION_KEY] = redis.Redis.from_url(
            app.config["REDIS_URL"],
            socket_timeout=timeout_s,
            socket_connect_timeout=timeout_s,
            health_check_interval=30,
            # No retries with back-off: a dead Redis must cost one short time-out, then PostGIS answers.
            retry=Retry(NoBackoff(), 0),
        )

    @property
    def client(self) -> redis.Redis:
        """The current app's redis-py client."""
        return current_app.extensions[EXTENSION_KEY]

    def __getattr__(self, name):
        return getattr(self.client, name)


def database_namespace() -> str:
    """The database the cached results come from: two databases sharing one Redis never mix entries."""
    return _database_name(current_app.config["SQLALCHEMY_DATABASE_URI"])


@functools.lru_cache(maxsize=64)
def _database_name(url: str) -> str:
    return make_url(url).database or "-"

"""A Flask-aware holder for the redis-py client with millisecond time-outs, and the one way every part of the
service connects to Redis: REDIS_URL, or, when REDIS_SENTINELS names Redis Sentinels, the current primary of
REDIS_SENTINEL_MASTER (found again through them after a failover), with REDIS_URL's database and password."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from urllib.parse import urlsplit

import redis
from flask import current_app
from redis.backoff import NoBackoff
from redis.retry import Retry
from redis.sentinel import Sentinel
from sqlalchemy.engine import make_url

EXTENSION_KEY = "urbanpulse.redis"


@dataclass(frozen=True)
class RedisTarget:
    """Where Redis is: a URL, or Sentinels and a master name (the URL then gives only database and password)."""

    url: str
    sentinels: tuple[tuple[str, int], ...] = ()
    master: str = ""

    @classmethod
    def of(cls, config) -> RedisTarget:
        """The target an app's config names (REDIS_URL, REDIS_SENTINELS, REDIS_SENTINEL_MASTER)."""
        sentinels = tuple(
            (host.strip(), int(port))
            for host, _, port in (item.rpartition(":") for item in (config.get("REDIS_SENTINELS") or "").split(","))
            if host.strip()
        )
        return cls(config["REDIS_URL"], sentinels, config.get("REDIS_SENTINEL_MASTER") or "")

    def connect(self, **options) -> redis.Redis:
        """A client with `options` (time-outs...); through Sentinel when it names any."""
        if not self.sentinels:
            return redis.Redis.from_url(self.url, **options)
        database, password = self._database_and_password()
        timeouts = {key: options[key] for key in ("socket_timeout", "socket_connect_timeout") if key in options}
        sentinel = Sentinel(list(self.sentinels), sentinel_kwargs=timeouts, **timeouts)
        return sentinel.master_for(self.master, db=database, password=password, **options)

    def _database_and_password(self) -> tuple[int, str | None]:
        parts = urlsplit(self.url)
        return int((parts.path or "/0").strip("/") or 0), parts.password

    def limiter_storage(self) -> tuple[str, dict]:
        """The rate limiter's storage URI and options for this target (its sentinel storage never reads replicas:
        a replica's counters may be behind)."""
        if not self.sentinels:
            return self.url, {}
        hosts = ",".join(f"{host}:{port}" for host, port in self.sentinels)
        database, password = self._database_and_password()
        auth = f":{password}@" if password else ""
        return f"redis+sentinel://{auth}{hosts}/{self.master}", {"use_replicas": False, "db": database}


class RedisClient:
    """Gives each app its own redis-py client (stored on the app, so several apps can coexist)."""

    def init_app(self, app) -> None:
        """Create the client from REDIS_URL with the configured time-out (milliseconds)."""
        timeout_s = app.config["REDIS_TIMEOUT_MS"] / 1000
        app.extensions[EXTENSION_KEY] = RedisTarget.of(app.config).connect(
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

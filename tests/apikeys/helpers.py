"""API keys made through the real service, and the apps that enforce their quotas."""

from __future__ import annotations

from tests.security.limited import rate_limited_app
from urbanpulse.apikeys import guard, service


def make_key(**overrides) -> tuple:
    """(record, full key) of a new active key; keyword arguments override the defaults."""
    settings = {"name": "Hôtel de la Plage", "owner_email": "web@hotel.test", "per_minute": 100, "per_day": 10_000}
    settings.update(overrides)
    return service.create_key(**settings)


def keyed(key: str, **headers) -> dict:
    """Request headers carrying `key`."""
    return {"X-API-Key": key, **headers}


def limited_app(app_config, **settings):
    """An app enforcing the rate limits (anonymous reads: 3 a minute unless overridden)."""
    return rate_limited_app(app_config, **{"RATE_LIMIT_READS": "3 per minute", **settings})


def forget_keys() -> None:
    """Drop this process's cached keys (other processes' copies expire within API_KEY_CACHE_TTL_S)."""
    guard.forget_cached_keys()

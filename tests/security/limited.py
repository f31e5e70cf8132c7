"""Apps with the abuse limits on (counters in the worker's real Redis)."""

from urbanpulse import create_app


def rate_limited_app(app_config: dict, **settings):
    """An app with rate limiting enabled and patient Redis time-outs; `settings` override the limits."""
    return create_app(
        {
            **app_config,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_OPTIONS": {"socket_timeout": 3, "socket_connect_timeout": 3},
            **settings,
        }
    )

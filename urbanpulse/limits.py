"""Abuse limits (Flask-Limiter, counters in Redis): per client for reads, per account for writes,
and a strict one on /auth/token against password guessing. Over a limit: 429 problem with Retry-After."""

from __future__ import annotations

import jwt
from flask import Flask, current_app, request

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
UNLIMITED_PATHS = ("/healthz", "/readyz", "/metrics")


def client_ip() -> str:
    """The caller's address (gunicorn only trusts X-Forwarded-For from FORWARDED_ALLOW_IPS)."""
    return f"ip:{request.remote_addr or 'unknown'}"


def account_or_ip() -> str:
    """The account of a validly signed bearer token, else the address."""
    from urbanpulse.auth.service import TOKEN_ISSUER

    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token:
        try:
            claims = jwt.decode(
                token.strip(), current_app.config["SECRET_KEY"], algorithms=["HS256"], issuer=TOKEN_ISSUER
            )
            return f"user:{claims['sub']}"
        except (jwt.InvalidTokenError, KeyError):
            pass
    return client_ip()


def login_email() -> str:
    """The account being tried on /auth/token (limits guessing one account from many addresses)."""
    from urbanpulse.auth.service import normalise_email

    body = request.get_json(silent=True)
    email = body.get("email") if isinstance(body, dict) else None
    return f"email:{normalise_email(email)}" if isinstance(email, str) else client_ip()


def _not_a_read() -> bool:
    return request.method not in SAFE_METHODS or request.path.startswith(UNLIMITED_PATHS)


def _setting(name: str):
    return lambda: current_app.config[name]


_decorated: set[str] = set()


def register_rate_limits(app: Flask, blueprints) -> None:
    """Bind the limiter to the app and put the write and login limits on the API blueprints.

    Limits are read from the current app's config at request time, so decorating once is enough.
    """
    from urbanpulse.extensions import limiter

    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["REDIS_URL"])
    app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", {"socket_timeout": 0.2, "socket_connect_timeout": 0.2})
    app.config.setdefault("RATELIMIT_APPLICATION", app.config["RATE_LIMIT_READS"])
    limiter.init_app(app)
    for blueprint in blueprints:
        if blueprint.name in _decorated:
            continue
        _decorated.add(blueprint.name)
        if blueprint.name == "auth":
            limiter.limit(_setting("RATE_LIMIT_LOGIN"), key_func=client_ip, methods=["POST"])(blueprint)
            limiter.limit(_setting("RATE_LIMIT_LOGIN_PER_ACCOUNT"), key_func=login_email, methods=["POST"])(blueprint)
        else:
            limiter.shared_limit(
                _setting("RATE_LIMIT_WRITES"),
                scope="writes",
                key_func=account_or_ip,
                methods=["POST", "PUT", "PATCH", "DELETE"],
            )(blueprint)


def build_limiter():
    """The unconfigured limiter (settings come from the app config at init_app)."""
    from flask_limiter import Limiter

    return Limiter(
        key_func=client_ip,
        application_limits_exempt_when=_not_a_read,
        strategy="sliding-window-counter",
        headers_enabled=True,
        swallow_errors=True,
        in_memory_fallback_enabled=True,
        key_prefix="up:rl",
    )

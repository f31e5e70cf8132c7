"""The limits that know accounts: writes per account (else per address), and a strict one on /auth/token
against password guessing, per address and per account tried."""

from __future__ import annotations

import jwt
from flask import Flask, current_app, request

from urbanpulse.auth.service import TOKEN_ISSUER, normalise_email
from urbanpulse.web.limits import client_ip, limiter


def account_or_ip() -> str:
    """The account of a validly signed bearer token, else the address."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token:
        try:
            claims = jwt.decode(
                token.strip(), current_app.config["TOKEN_SIGNING_KEY"], algorithms=["HS256"], issuer=TOKEN_ISSUER
            )
            return f"user:{claims['sub']}"
        except (jwt.InvalidTokenError, KeyError):
            pass
    return client_ip()


def login_email() -> str:
    """The account being tried on /auth/token (limits guessing one account from many addresses)."""
    body = request.get_json(silent=True)
    email = body.get("email") if isinstance(body, dict) else None
    return f"email:{normalise_email(email)}" if isinstance(email, str) else client_ip()


def _setting(name: str):
    return lambda: current_app.config[name]


_decorated: set[str] = set()


def register_rate_limits(app: Flask, blueprints) -> None:
    """Bind the limiter to the app and put the write and login limits on the API blueprints.

    Limits are read from the current app's config at request time, so decorating once is enough.
    """
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

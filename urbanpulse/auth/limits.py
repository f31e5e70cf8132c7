"""The limits that know accounts: writes per account (else per address), and the login limits against password
guessing (POST /api/v1/auth/token and the back office's login share them).

Login, after OWASP's guidance on blocking brute force without handing out lockouts ("Slow Down Online Guessing
Attacks with Device Cookies", keyed here by address): every attempt counts per address (RATE_LIMIT_LOGIN);
failures count per account and address (RATE_LIMIT_LOGIN_PER_ACCOUNT_ADDRESS); and failures count per account
(RATE_LIMIT_LOGIN_PER_ACCOUNT, against guessing spread over many addresses) except from an address where the
account's password was proven in the last LOGIN_PROVEN_ADDRESS_TTL_S, which that limit never blocks. A
stranger therefore limits only their own addresses, and at worst the account's unproven ones.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable

import jwt
import redis
from flask import Flask, current_app, request

from urbanpulse.auth.guard import EDITORS
from urbanpulse.auth.service import TOKEN_ISSUER, normalise_email
from urbanpulse.core.extensions import redis_client
from urbanpulse.core.redis_client import RedisTarget
from urbanpulse.web.limits import client_ip, limiter, recognise_editors, register_rate_limit_headers

PROVEN_KEY_PREFIX = "up:login:proven:"


def _claims() -> dict | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token:
        try:
            claims = jwt.decode(
                token.strip(), current_app.config["TOKEN_SIGNING_KEY"], algorithms=["HS256"], issuer=TOKEN_ISSUER
            )
        except jwt.InvalidTokenError:
            return None
        if isinstance(claims.get("sub"), str):
            return claims
    return None


def signed_subject() -> str | None:
    """The account id of a validly signed bearer token (not checked for revocation: the view does that)."""
    claims = _claims()
    return claims["sub"] if claims else None


def account_or_ip() -> str:
    """The account of a validly signed bearer token, else the address."""
    claims = _claims()
    return f"user:{claims['sub']}" if claims else client_ip()


def editor_account() -> str | None:
    """`user:<id>` when a validly signed editor's or admin's token comes with the request (its reads are
    limited per account by RATE_LIMIT_EDITOR_READS, not as a stranger's); a revoked token is refused by the
    view itself, and is still held to that per-account limit meanwhile."""
    claims = _claims()
    return f"user:{claims['sub']}" if claims and claims.get("role") in EDITORS else None


def login_email() -> str:
    """The account being tried on /auth/token (limits guessing one account from many addresses)."""
    body = request.get_json(silent=True)
    email = body.get("email") if isinstance(body, dict) else None
    return f"email:{normalise_email(email)}" if isinstance(email, str) else client_ip()


def _setting(name: str):
    return lambda: current_app.config[name]


def _proven_key(account: str) -> str:
    digest = hashlib.blake2b(f"{account}|{client_ip()}".encode(), digest_size=16).hexdigest()
    return PROVEN_KEY_PREFIX + digest


def remember_proven_address(email: str) -> None:
    """Note that the caller's address has just proven `email`'s password (best effort: Redis may be down)."""
    ttl_s = current_app.config["LOGIN_PROVEN_ADDRESS_TTL_S"]
    with contextlib.suppress(redis.RedisError):
        redis_client.set(_proven_key(f"email:{normalise_email(email)}"), 1, ex=ttl_s)


def _failed(response) -> bool:
    return response.status_code == 401


def login_limits(account_of: Callable[[], str]) -> list:
    """The three login limits as decorators (see the module); `account_of` names the account tried."""

    def per_account_and_address() -> str:
        return f"{account_of()}|{client_ip()}"

    def from_proven_address() -> bool:
        account = account_of()
        if not account.startswith("email:"):
            return False
        try:
            return bool(redis_client.exists(_proven_key(account)))
        except redis.RedisError:
            return False  # unknown: the account-wide limit applies

    return [
        limiter.limit(_setting("RATE_LIMIT_LOGIN"), key_func=client_ip, methods=["POST"]),
        limiter.limit(
            _setting("RATE_LIMIT_LOGIN_PER_ACCOUNT_ADDRESS"),
            key_func=per_account_and_address,
            methods=["POST"],
            deduct_when=_failed,
        ),
        limiter.limit(
            _setting("RATE_LIMIT_LOGIN_PER_ACCOUNT"),
            key_func=account_of,
            methods=["POST"],
            deduct_when=_failed,
            exempt_when=from_proven_address,
        ),
    ]


_decorated: set[str] = set()


def register_rate_limits(app: Flask, blueprints) -> None:
    """Bind the limiter to the app and put the write and login limits on the API blueprints.

    Limits are read from the current app's config at request time, so decorating once is enough.
    """
    storage_uri, storage_options = RedisTarget.of(app.config).limiter_storage()
    app.config.setdefault("RATELIMIT_STORAGE_URI", storage_uri)
    app.config.setdefault(
        "RATELIMIT_STORAGE_OPTIONS", {"socket_timeout": 0.2, "socket_connect_timeout": 0.2, **storage_options}
    )
    recognise_editors(editor_account)
    register_rate_limit_headers(app)  # before the limiter's own hooks: it forgets the previous request's reader
    limiter.init_app(app)
    for blueprint in blueprints:
        if blueprint.name in _decorated:
            continue
        _decorated.add(blueprint.name)
        if blueprint.name == "auth":
            for limit in login_limits(login_email):
                limit(blueprint)
        else:
            limiter.shared_limit(
                _setting("RATE_LIMIT_WRITES"),
                scope="writes",
                key_func=account_or_ip,
                methods=["POST", "PUT", "PATCH", "DELETE"],
            )(blueprint)

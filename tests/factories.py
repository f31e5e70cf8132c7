"""Test data made through the real services."""

from __future__ import annotations

import itertools

from urbanpulse.auth import service as auth_service

DEFAULT_PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


def make_user(*, role: str = "editor", email: str | None = None, password: str = DEFAULT_PASSWORD):
    """Create an account through the auth service."""
    email = email or f"{role}{next(_counter)}@tourisme-boulogne.test"
    return auth_service.create_user(email=email, password=password, role=role)


def auth_headers(app, user) -> dict:
    """A bearer header for `user`, issued like /auth/token does."""
    token = auth_service.issue_token(
        user=user, secret_key=app.config["SECRET_KEY"], lifetime_s=app.config["TOKEN_LIFETIME_S"]
    )
    return {"Authorization": f"Bearer {token['access_token']}"}

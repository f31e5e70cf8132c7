"""Test data made through the real services."""

from __future__ import annotations

import itertools
import secrets

from urbanpulse.auth import service as auth_service

DEFAULT_PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)
# The operators' token of the test apps (METRICS_TOKEN): /metrics and the details of /readyz.
OPERATOR_TOKEN = secrets.token_urlsafe(32)
OPERATOR_HEADERS = {"Authorization": f"Bearer {OPERATOR_TOKEN}"}


def make_user(*, role: str = "editor", email: str | None = None, password: str = DEFAULT_PASSWORD):
    """Create an account through the auth service."""
    email = email or f"{role}{next(_counter)}@tourisme-boulogne.test"
    return auth_service.create_user(email=email, password=password, role=role)


def auth_headers(app, user) -> dict:
    """A bearer header for `user`, issued like /auth/token does."""
    token = auth_service.issue_token(
        user=user, secret_key=app.config["TOKEN_SIGNING_KEY"], lifetime_s=app.config["TOKEN_LIFETIME_S"]
    )
    return {"Authorization": f"Bearer {token['access_token']}"}


def poi_feature(lon: float = 1.6146, lat: float = 50.7259, **properties) -> dict:
    """A valid POI Feature body; keyword arguments override properties."""
    props = {
        "category": "monument",
        "name": {"fr": "Beffroi de Boulogne", "en": "Boulogne Belfry"},
        "description": {"fr": "Beffroi classé à l'UNESCO.", "en": "UNESCO-listed belfry."},
        "status": "published",
    }
    props.update(properties)
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": props}


def make_poi(lon: float = 1.6146, lat: float = 50.7259, **properties):
    """Create a POI through the service (as the seed and back office do)."""
    from urbanpulse.editing.actor import Actor
    from urbanpulse.pois.service import create_poi_from_feature

    return create_poi_from_feature(poi_feature(lon, lat, **properties), actor=Actor.system("test"))

"""The list of domains: each adds its HTTP blueprint(s) and seed loader here, one line each."""

from __future__ import annotations


def api_blueprints() -> list:
    """flask-smorest blueprints, in the order they appear in the OpenAPI document."""
    from urbanpulse.auth.api import auth_blp, users_blp
    from urbanpulse.health.api import blp as health_blp
    from urbanpulse.pois.api import blp as pois_blp

    return [health_blp, auth_blp, users_blp, pois_blp]


def seed_loaders() -> list:
    """(name, load(seeds_dir, *, actor)) pairs, in dependency order (POIs before routes and events)."""
    from urbanpulse.pois import seed as pois_seed

    return [("pois", pois_seed.load)]

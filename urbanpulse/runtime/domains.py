"""The list of domains: each adds its HTTP blueprint(s) and seed loader here, one line each."""

from __future__ import annotations


def api_blueprints() -> list:
    """flask-smorest blueprints, in the order they appear in the OpenAPI document."""
    from urbanpulse.auth.api import auth_blp, users_blp
    from urbanpulse.events.api import blp as events_blp
    from urbanpulse.health.api import blp as health_blp
    from urbanpulse.mapview.views import bp as mapview_bp
    from urbanpulse.pois.api import blp as pois_blp
    from urbanpulse.routes.api import blp as routes_blp
    from urbanpulse.sync.api import blp as sync_blp
    from urbanpulse.tiles.api import blp as tiles_blp

    return [health_blp, auth_blp, users_blp, pois_blp, routes_blp, events_blp, sync_blp, tiles_blp, mapview_bp]


def change_consumers() -> list:
    """What each committed change is relayed to (urbanpulse.cache.relay): cached answers, tiles, live feed."""
    from urbanpulse.cache.invalidation import CachedAnswers
    from urbanpulse.events.feed import LiveFeed
    from urbanpulse.tiles.invalidation import TileVersions

    return [CachedAnswers(), TileVersions(), LiveFeed()]


def seed_loaders() -> list:
    """(name, load(seeds_dir, *, actor)) pairs, in dependency order (POIs before routes and events)."""
    from urbanpulse.events import seed as events_seed
    from urbanpulse.pois import seed as pois_seed
    from urbanpulse.routes import seed as routes_seed

    return [("pois", pois_seed.load), ("routes", routes_seed.load), ("events", events_seed.load)]

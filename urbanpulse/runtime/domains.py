"""The list of domains: each adds its HTTP blueprint(s) and seed loader here, one line each."""

from __future__ import annotations


def api_blueprints() -> list:
    """flask-smorest blueprints, in the order they appear in the OpenAPI document."""
    from urbanpulse.apikeys.api import admin_blp as apikeys_blp
    from urbanpulse.apikeys.api import usage_blp
    from urbanpulse.app.views import bp as app_bp
    from urbanpulse.auth.api import auth_blp, users_blp
    from urbanpulse.events.api import blp as events_blp
    from urbanpulse.health.api import blp as health_blp
    from urbanpulse.mapview.views import bp as mapview_bp
    from urbanpulse.media.api import blp as media_blp
    from urbanpulse.ogc import api as _ogc_features  # noqa: F401 (registers its views)
    from urbanpulse.ogc import tiles as _ogc_tiles  # noqa: F401 (registers its views)
    from urbanpulse.ogc.blueprint import blp as ogc_blp
    from urbanpulse.pois.api import blp as pois_blp
    from urbanpulse.routes.api import blp as routes_blp
    from urbanpulse.sync.api import blp as sync_blp
    from urbanpulse.tiles.api import blp as tiles_blp

    return [
        health_blp,
        auth_blp,
        users_blp,
        pois_blp,
        routes_blp,
        events_blp,
        media_blp,
        sync_blp,
        tiles_blp,
        ogc_blp,
        mapview_bp,
        usage_blp,
        apikeys_blp,
        app_bp,
    ]


def register_media(app) -> None:
    """Media settings, and the items that carry photos (each domain's `media_owner.OWNER`)."""
    from urbanpulse.events.media_owner import OWNER as event_owner
    from urbanpulse.media import config, owners
    from urbanpulse.pois.media_owner import OWNER as poi_owner
    from urbanpulse.routes.media_owner import OWNER as route_owner

    config.init_app(app)
    owners.register(app, [poi_owner, route_owner, event_owner])


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

"""Load seeds/routes.geojson through the route service (idempotent by slug); stops name POIs by slug."""

from __future__ import annotations

from pathlib import Path

from urbanpulse.editing.actor import Actor
from urbanpulse.editing.seeding import load_features
from urbanpulse.routes import service
from urbanpulse.routes.models import Route

SEED_FILE = "routes.geojson"


def load(seeds_dir: Path, *, actor: Actor) -> dict:
    """Create missing items; refresh those last written by a system actor; never touch editors' changes."""
    return load_features(
        seeds_dir / SEED_FILE, model=Route, actor=actor, create=service.create_route_from_feature, update=_update
    )


def _update(route: Route, feature: dict, *, if_match: str, actor: Actor) -> Route:
    data = service.feature_data(feature)
    parts, properties = data["geometry"], data["properties"]
    return service.update_route(route_id=route.id, if_match=if_match, actor=actor, parts=parts, properties=properties)

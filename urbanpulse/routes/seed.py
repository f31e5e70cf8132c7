"""Load seeds/routes.geojson through the route service (idempotent by slug); stops name POIs by slug."""

from __future__ import annotations

from pathlib import Path

from marshmallow import ValidationError

from urbanpulse.editing.actor import Actor
from urbanpulse.editing.etags import item_etag
from urbanpulse.routes import service
from urbanpulse.routes.models import Route
from urbanpulse.routes.schemas import RouteFeatureInSchema
from urbanpulse.seeding import load_features

SEED_FILE = "routes.geojson"


def load(seeds_dir: Path, *, actor: Actor) -> dict:
    """Create missing items; refresh those last written by a system actor; never touch editors' changes."""
    return load_features(
        seeds_dir / SEED_FILE,
        model=Route,
        create=lambda feature: service.create_route_from_feature(feature, actor=actor),
        refresh=lambda item, feature: _refresh(item, feature, actor),
    )


def _refresh(route: Route, feature: dict, actor: Actor) -> str:
    try:
        data = RouteFeatureInSchema().load(feature)
    except ValidationError as error:
        raise service.validation_failed(error) from None
    version = route.version
    updated = service.update_route(
        route_id=route.id,
        if_match=item_etag(route.id, route.version),
        actor=actor,
        parts=data["geometry"],
        properties=data["properties"],
    )
    return "updated" if updated.version != version else "unchanged"

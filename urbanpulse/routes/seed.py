"""Load seeds/routes.geojson through the route service (idempotent by slug); stops name POIs by slug."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from marshmallow import ValidationError
from sqlalchemy import select

from urbanpulse.editing.actor import Actor
from urbanpulse.editing.etags import item_etag
from urbanpulse.extensions import db
from urbanpulse.routes import service
from urbanpulse.routes.models import Route
from urbanpulse.routes.schemas import RouteFeatureInSchema

SEED_FILE = "routes.geojson"


def load(seeds_dir: Path, *, actor: Actor) -> dict:
    """Create missing routes; refresh those last written by a system actor; never touch editors' changes."""
    path = seeds_dir / SEED_FILE
    if not path.exists():
        return {"missing": SEED_FILE}
    counts: Counter = Counter()
    for feature in json.loads(path.read_text(encoding="utf-8"))["features"]:
        slug = feature["properties"]["slug"]
        existing = db.session.scalar(select(Route).where(Route.slug == slug))
        if existing is None:
            service.create_route_from_feature(feature, actor=actor)
            counts["created"] += 1
        elif existing.updated_by is not None or existing.deleted_at is not None:
            counts["kept (edited by the tourism office)"] += 1
        else:
            counts[_refresh(existing, feature, actor)] += 1
    return dict(counts)


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

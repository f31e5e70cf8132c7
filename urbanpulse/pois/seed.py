"""Load seeds/pois.geojson through the POI service (idempotent by slug)."""

from __future__ import annotations

from pathlib import Path

from marshmallow import ValidationError

from urbanpulse.editing.actor import Actor
from urbanpulse.editing.etags import item_etag
from urbanpulse.pois import service
from urbanpulse.pois.models import Poi
from urbanpulse.pois.schemas import PoiFeatureInSchema
from urbanpulse.seeding import load_features

SEED_FILE = "pois.geojson"


def load(seeds_dir: Path, *, actor: Actor) -> dict:
    """Create missing items; refresh those last written by a system actor; never touch editors' changes."""
    return load_features(
        seeds_dir / SEED_FILE,
        model=Poi,
        create=lambda feature: service.create_poi_from_feature(feature, actor=actor),
        refresh=lambda item, feature: _refresh(item, feature, actor),
    )


def _refresh(poi: Poi, feature: dict, actor: Actor) -> str:
    try:
        data = PoiFeatureInSchema().load(feature)
    except ValidationError as error:
        raise service.validation_failed(error) from None
    version = poi.version
    updated = service.update_poi(
        poi_id=poi.id,
        if_match=item_etag(poi.id, poi.version),
        actor=actor,
        geometry=data["geometry"],
        properties=data["properties"],
    )
    return "updated" if updated.version != version else "unchanged"

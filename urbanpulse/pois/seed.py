"""Load seeds/pois.geojson through the POI service (idempotent by slug)."""

from __future__ import annotations

from pathlib import Path

from urbanpulse.editing.actor import Actor
from urbanpulse.editing.seeding import load_features
from urbanpulse.pois import service
from urbanpulse.pois.models import Poi

SEED_FILE = "pois.geojson"


def load(seeds_dir: Path, *, actor: Actor) -> dict:
    """Create missing items; refresh those last written by a system actor; never touch editors' changes."""
    return load_features(
        seeds_dir / SEED_FILE, model=Poi, actor=actor, create=service.create_poi_from_feature, update=_update
    )


def _update(poi: Poi, feature: dict, *, if_match: str, actor: Actor) -> Poi:
    data = service.feature_data(feature)
    geometry, properties = data["geometry"], data["properties"]
    return service.update_poi(poi_id=poi.id, if_match=if_match, actor=actor, geometry=geometry, properties=properties)

"""Load seeds/pois.geojson through the POI service (idempotent by slug)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from marshmallow import ValidationError
from sqlalchemy import select

from urbanpulse.editing.actor import Actor
from urbanpulse.editing.etags import item_etag
from urbanpulse.extensions import db
from urbanpulse.pois import service
from urbanpulse.pois.models import Poi
from urbanpulse.pois.schemas import PoiFeatureInSchema

SEED_FILE = "pois.geojson"


def load(seeds_dir: Path, *, actor: Actor) -> dict:
    """Create missing POIs; refresh those last written by a system actor; never touch editors' changes."""
    path = seeds_dir / SEED_FILE
    if not path.exists():
        return {"missing": SEED_FILE}
    counts: Counter = Counter()
    for feature in json.loads(path.read_text(encoding="utf-8"))["features"]:
        slug = feature["properties"]["slug"]
        existing = db.session.scalar(select(Poi).where(Poi.slug == slug))
        if existing is None:
            service.create_poi_from_feature(feature, actor=actor)
            counts["created"] += 1
        elif existing.updated_by is not None or existing.deleted_at is not None:
            counts["kept (edited by the tourism office)"] += 1
        else:
            counts[_refresh(existing, feature, actor)] += 1
    return dict(counts)


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

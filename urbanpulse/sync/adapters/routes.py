"""Routes for sync: the public Feature as GET /routes/{id} serves it, stops (public POIs only) included.

A route Feature embeds its stops' POI names and positions, so a POI change makes its routes due again.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import text

from urbanpulse.core.extensions import db
from urbanpulse.core.models_common import public_sql
from urbanpulse.routes.models import PUBLIC_PREDICATE
from urbanpulse.routes.reading import public_route_features
from urbanpulse.sync.adapters.base import SyncType, ever_published, tag

NAME = "routes"
PUBLIC = public_sql(PUBLIC_PREDICATE, "r")


def public_features(ids: Sequence[uuid.UUID], lang: str | None) -> dict[uuid.UUID, dict]:
    """The public Features of those of `ids` that are published and not deleted (a constant number of queries)."""
    if not ids:
        return {}
    features = public_route_features(ids, lang=lang)
    return {route_id: tag(feature, NAME) for route_id, feature in features.items()}


def snapshot_page(after: uuid.UUID | None, limit: int, lang: str | None) -> list[tuple[uuid.UUID, dict]]:
    """Up to `limit` public routes with ids after `after`, by id."""
    where = PUBLIC + (" AND r.id > :after" if after else "")
    ids = db.session.scalars(
        text(f"SELECT r.id FROM routes r WHERE {where} ORDER BY r.id LIMIT :limit"),  # noqa: S608 (constants)
        {"after": after, "limit": limit},
    ).all()
    features = public_features(ids, lang)
    return [(route_id, features[route_id]) for route_id in ids if route_id in features]


def routes_stopping_at(poi_ids: Sequence[uuid.UUID]) -> list[uuid.UUID]:
    """Routes with a stop at one of `poi_ids`."""
    return list(
        db.session.scalars(
            text("SELECT DISTINCT route_id FROM route_stops WHERE poi_id = ANY(:ids) ORDER BY route_id"),
            {"ids": list(poi_ids)},
        )
    )


TYPE = SyncType(
    name=NAME,
    entity="route",
    public_features=public_features,
    snapshot_page=snapshot_page,
    ever_public=ever_published("route", "status"),
    dependents={"poi": routes_stopping_at},
)

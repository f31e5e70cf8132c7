"""POIs for sync: the public Feature as GET /pois/{id} serves it, minus the time-dependent `open_now`."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import text

from urbanpulse.core.extensions import db
from urbanpulse.core.models_common import public_sql
from urbanpulse.pois.hours import local_time
from urbanpulse.pois.models import PUBLIC_PREDICATE
from urbanpulse.pois.queries import COLUMNS
from urbanpulse.pois.serialize import feature
from urbanpulse.sync.adapters.base import SyncType, ever_published, tag

# SQL here is assembled from constant fragments (column list, public predicate); every value is bound.
NAME = "pois"
PUBLIC = public_sql(PUBLIC_PREDICATE, "p")


def _feature(row, lang: str | None) -> dict:
    # An offline copy outlives the moment it was made: clients evaluate `opening_hours` themselves.
    item = feature(row, lang=lang, editor=False, local_now=local_time(None), lon=row.lon, lat=row.lat)
    item["properties"].pop("open_now", None)
    return tag(item, NAME)


def public_features(ids: Sequence[uuid.UUID], lang: str | None) -> dict[uuid.UUID, dict]:
    """The public Features of those of `ids` that are published and not deleted."""
    if not ids:
        return {}
    rows = db.session.execute(
        text(f"SELECT {COLUMNS} FROM pois p WHERE p.id = ANY(:ids) AND {PUBLIC}"),  # noqa: S608
        {"ids": list(ids)},
    )
    return {row.id: _feature(row, lang) for row in rows}


def snapshot_page(after: uuid.UUID | None, limit: int, lang: str | None) -> list[tuple[uuid.UUID, dict]]:
    """Up to `limit` public POIs with ids after `after`, by id."""
    where = PUBLIC + (" AND p.id > :after" if after else "")
    rows = db.session.execute(
        text(f"SELECT {COLUMNS} FROM pois p WHERE {where} ORDER BY p.id LIMIT :limit"),  # noqa: S608
        {"after": after, "limit": limit},
    )
    return [(row.id, _feature(row, lang)) for row in rows]


TYPE = SyncType(
    name=NAME,
    entity="poi",
    public_features=public_features,
    snapshot_page=snapshot_page,
    ever_public=ever_published("poi", "status"),
)

"""Events for sync: the public Feature as GET /events/{id} serves it, minus `next_occurrence`.

The offline copy expands `schedule` itself (the next occurrence goes stale; the schedule does not). An
event shows its venue POI (name, position), so a POI change makes the events held there due again.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import text

from urbanpulse.core.extensions import db
from urbanpulse.core.models_common import public_sql
from urbanpulse.events.models import PUBLIC_PREDICATE
from urbanpulse.events.queries import COLUMNS
from urbanpulse.events.serialize import event_feature
from urbanpulse.sync.adapters.base import SyncType, ever_published, tag

NAME = "events"
# As events.queries reads them for the public: a venue the public may not see is left out.
SELECT = f"""SELECT {COLUMNS} FROM events e
    LEFT JOIN pois v ON v.id = e.venue_poi_id AND v.deleted_at IS NULL AND v.status = 'published'
    WHERE {public_sql(PUBLIC_PREDICATE, "e")}"""  # noqa: S608 (constant fragments)


def _feature(row, lang: str | None) -> dict:
    feature = event_feature(row, lang=lang, editor=False)
    feature["properties"].pop("next_occurrence", None)
    return tag(feature, NAME)


def public_features(ids: Sequence[uuid.UUID], lang: str | None) -> dict[uuid.UUID, dict]:
    """The public Features of those of `ids` that are published and not deleted."""
    if not ids:
        return {}
    rows = db.session.execute(text(f"{SELECT} AND e.id = ANY(:ids)"), {"ids": list(ids)})
    return {row.id: _feature(row, lang) for row in rows}


def snapshot_page(after: uuid.UUID | None, limit: int, lang: str | None) -> list[tuple[uuid.UUID, dict]]:
    """Up to `limit` public events with ids after `after`, by id."""
    where = " AND e.id > :after" if after else ""
    rows = db.session.execute(text(f"{SELECT}{where} ORDER BY e.id LIMIT :limit"), {"after": after, "limit": limit})
    return [(row.id, _feature(row, lang)) for row in rows]


def events_at(poi_ids: Sequence[uuid.UUID]) -> list[uuid.UUID]:
    """Events whose venue is one of `poi_ids`."""
    return list(
        db.session.scalars(
            text("SELECT id FROM events WHERE venue_poi_id = ANY(:ids) ORDER BY id"), {"ids": list(poi_ids)}
        )
    )


TYPE = SyncType(
    name=NAME,
    entity="event",
    public_features=public_features,
    snapshot_page=snapshot_page,
    ever_public=ever_published("event", "publication"),
    dependents={"poi": events_at},
)

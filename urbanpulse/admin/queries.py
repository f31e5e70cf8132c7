"""Back-office reads: every status (drafts and archived items too), filtered and paged; never deleted items."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from geoalchemy2 import Geometry
from sqlalchemy import cast, func, or_, select
from sqlalchemy.sql import Select

from urbanpulse.core.extensions import db
from urbanpulse.core.textsearch import normalise
from urbanpulse.events.models import Event
from urbanpulse.pois.models import Poi
from urbanpulse.routes.models import Route

PER_PAGE = 50
# Pickers (an event's venue, a route's stops) show this many POIs at a time, at most PICKER_MAX.
PICKER_LIMIT = 20
PICKER_MAX = 200


@dataclass
class Page:
    """One page of a list and how many items match in all."""

    items: list
    total: int
    page: int
    per_page: int = PER_PAGE

    @property
    def pages(self) -> int:
        """How many pages there are (at least 1)."""
        return max(1, -(-self.total // self.per_page))


def _paged(query: Select, page: int, order_by) -> Page:
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    page = max(1, min(page, max(1, -(-total // PER_PAGE))))
    rows = db.session.execute(query.order_by(*order_by).limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    return Page(items=list(rows), total=total, page=page)


def _like(text: str) -> str:
    """An ILIKE pattern matching `text` anywhere, its own % and _ taken literally."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _text_match(search_column, slug_column, q: str):
    words = normalise(q)
    return or_(search_column.op("<%")(words), slug_column.ilike(_like(words.replace(" ", "-")), escape="\\"))


def pois(*, q: str | None = None, category: str | None = None, status: str | None = None, page: int = 1) -> Page:
    """POIs with their coordinates; text search is accent- and typo-tolerant (the API's trigram match)."""
    point = cast(Poi.location, Geometry)
    query = select(Poi, func.ST_X(point).label("lon"), func.ST_Y(point).label("lat")).where(Poi.deleted_at.is_(None))
    if category:
        query = query.where(Poi.category == category)
    if status:
        query = query.where(Poi.status == status)
    order = [Poi.updated_at.desc(), Poi.id]
    if q and normalise(q):
        query = query.where(_text_match(Poi.search_text, Poi.slug, q))
        order = [func.word_similarity(normalise(q), Poi.search_text).desc(), Poi.id]
    return _paged(query, page, order)


def poi_choices(
    *,
    q: str | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    include: Sequence[uuid.UUID] = (),
    limit: int = PICKER_LIMIT,
) -> list:
    """POIs (not deleted) for pickers: id, slug, name, category, status, lon, lat; at most `limit`, plus `include`.

    With `q`, the best text matches (the list's trigram match); with `bbox` (WGS84), those in it nearest its
    centre first; else by French name. The POIs of `include` (a current choice) come first.
    """
    point = cast(Poi.location, Geometry)
    columns = (
        *(Poi.id, Poi.slug, Poi.name, Poi.category, Poi.status),
        *(func.ST_X(point).label("lon"), func.ST_Y(point).label("lat")),
    )
    query = select(*columns).where(Poi.deleted_at.is_(None))
    order = [func.lower(Poi.name["fr"].astext), Poi.id]
    if q and normalise(q):
        query = query.where(_text_match(Poi.search_text, Poi.slug, q))
        order = [func.word_similarity(normalise(q), Poi.search_text).desc(), Poi.id]
    if bbox is not None:
        envelope = func.ST_MakeEnvelope(*bbox, 4326)
        query = query.where(point.op("&&")(envelope))
        order = [func.ST_Distance(point, func.ST_Centroid(envelope)), Poi.id]
    rows = db.session.execute(query.order_by(*order).limit(max(1, min(limit, PICKER_MAX)))).all()
    wanted = {poi_id for poi_id in include if poi_id} - {row.id for row in rows}
    if not wanted:
        return list(rows)
    current = db.session.execute(select(*columns).where(Poi.deleted_at.is_(None), Poi.id.in_(wanted))).all()
    return [*current, *rows]


def event_venue(event_id: uuid.UUID) -> uuid.UUID | None:
    """The venue POI of an event, if it has one."""
    return db.session.scalar(select(Event.venue_poi_id).where(Event.id == event_id))


def routes(*, q: str | None = None, status: str | None = None, page: int = 1) -> Page:
    """Routes, drafts included."""
    query = select(Route).where(Route.deleted_at.is_(None))
    if status:
        query = query.where(Route.status == status)
    if q and normalise(q):
        slug_pattern, name_pattern = _like(normalise(q).replace(" ", "-")), _like(q.strip())
        query = query.where(
            or_(Route.slug.ilike(slug_pattern, escape="\\"), Route.name["fr"].astext.ilike(name_pattern, escape="\\"))
        )
    return _paged(query, page, [Route.updated_at.desc(), Route.id])


def events(*, q: str | None = None, publication: str | None = None, status: str | None = None, page: int = 1) -> Page:
    """Events, drafts included, most recently starting first."""
    query = select(Event).where(Event.deleted_at.is_(None))
    if publication:
        query = query.where(Event.publication == publication)
    if status:
        query = query.where(Event.status == status)
    if q and q.strip():
        pattern = _like(q.strip())
        query = query.where(
            or_(
                Event.title["fr"].astext.ilike(pattern, escape="\\"),
                Event.title["en"].astext.ilike(pattern, escape="\\"),
            )
        )
    return _paged(query, page, [Event.starts_at.desc(), Event.id])

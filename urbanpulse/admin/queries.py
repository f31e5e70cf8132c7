"""Back-office reads: every status (drafts and archived items too), filtered and paged; never deleted items."""

from __future__ import annotations

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


def poi_choices() -> list:
    """Every POI (not deleted) for pickers: id, slug, name, category, status, lon, lat; by French name."""
    point = cast(Poi.location, Geometry)
    query = select(
        Poi.id,
        Poi.slug,
        Poi.name,
        Poi.category,
        Poi.status,
        func.ST_X(point).label("lon"),
        func.ST_Y(point).label("lat"),
    ).where(Poi.deleted_at.is_(None))
    rows = db.session.execute(query).all()
    return sorted(rows, key=lambda row: normalise((row.name or {}).get("fr", row.slug)))


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

"""The back office's home page: what is waiting (drafts) and where to go."""

from __future__ import annotations

from flask_admin import AdminIndexView, expose
from sqlalchemy import func, select

from urbanpulse.admin.views_base import SecureView
from urbanpulse.core.extensions import db
from urbanpulse.events.models import Event
from urbanpulse.pois.models import Poi
from urbanpulse.routes.models import Route


def _counts(model, column) -> dict[str, int]:
    query = select(column, func.count()).where(model.deleted_at.is_(None)).group_by(column)
    return {key: count for key, count in db.session.execute(query).all()}


class HomeView(SecureView, AdminIndexView):
    """/admin/: counts by status for POIs, routes and events."""

    @expose()
    def index(self):
        """The dashboard."""
        return self.render(
            "upadmin/home.html",
            pois=_counts(Poi, Poi.status),
            routes=_counts(Route, Route.status),
            events=_counts(Event, Event.publication),
        )

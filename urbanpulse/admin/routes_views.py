"""Route pages: list, create (drawn or from GPX), edit the line and the stops, publish, history."""

from __future__ import annotations

import math

from flask import request
from flask_admin import expose
from geoalchemy2.shape import to_shape

from urbanpulse.admin import queries, routes_forms
from urbanpulse.admin.item_views import ItemView
from urbanpulse.admin.pois_views import picker_item
from urbanpulse.routes import gpx, importing, service
from urbanpulse.routes.models import Route
from urbanpulse.routes.schemas import RouteFeaturePatchSchema
from urbanpulse.routes.stops import MAX_STOP_OFFSET_M
from urbanpulse.routes.vocab import KIND_LABELS, PACE_KMH, ROUTE_STATUSES, THEME_LABELS

STATUS_ACTIONS = {"published": "Publish", "draft": "Unpublish"}
METRES_PER_DEGREE = 111_320


def _uploaded(form) -> bytes | None:
    upload = form.gpx.data
    if upload is None or not getattr(upload, "filename", ""):
        return None
    return upload.stream.read(gpx.MAX_GPX_BYTES + 1)


def _around(route: Route) -> tuple[float, float, float, float]:
    """The saved line's bounds widened by the stop distance (MAX_STOP_OFFSET_M), in degrees."""
    min_lon, min_lat, max_lon, max_lat = to_shape(route.geom).bounds
    lat_m = MAX_STOP_OFFSET_M / METRES_PER_DEGREE
    lon_m = lat_m / max(0.01, math.cos(math.radians(max(abs(min_lat), abs(max_lat)))))
    return min_lon - lon_m, min_lat - lat_m, max_lon + lon_m, max_lat + lat_m


def _candidates(route: Route | None) -> list[dict]:
    """The route's stops and the POIs near its saved line; the page asks /admin/pois/search for the rest."""
    if route is None:
        return []
    stops = [stop.poi_id for stop in service.current_stops(route.id)]
    rows = queries.poi_choices(bbox=_around(route), include=stops, limit=queries.PICKER_MAX)
    return [picker_item(row) for row in rows]


class RoutesView(ItemView):
    """Routes: list, draw or import, stops, publish (every stop's POI published first), history."""

    forms = routes_forms
    service = service
    model = Route
    patch_schema = RouteFeaturePatchSchema
    edit_template = "upadmin/route_edit.html"
    edit_script = "route-edit.js"
    status_actions = STATUS_ACTIONS
    status_errors_in_alert = False

    def get_item(self, item_id) -> Route:
        """The route, drafts included."""
        return service.get_route(route_id=item_id, include_unpublished=True)

    def create_item(self, form) -> Route:
        """Create the route from the GPX file when one was sent, else from the drawn line (a draft)."""
        data = _uploaded(form)
        if data is not None:
            return importing.create_route_from_gpx(
                data=data, options=routes_forms.gpx_options(form), actor=self.actor()
            )
        return service.create_route_from_feature(routes_forms.new_feature(form), actor=self.actor())

    def update(self, item, data: dict, etag: str) -> Route:
        """Apply the patch as PATCH /api/v1/routes/{id} does."""
        return service.update_route(
            route_id=item.id,
            if_match=etag,
            actor=self.actor(),
            parts=data.get("geometry"),
            properties=data.get("properties"),
        )

    def fill(self, form, item) -> None:
        """Show the stored route, its line and its stops in the form."""
        routes_forms.fill(form, item, service.route_parts(item), service.current_stops(item.id))

    def changes(self, form, item) -> dict:
        """Texts, line (drawn, or from a GPX file) and stops that changed."""
        parts, stops = service.route_parts(item), service.current_stops(item.id)
        data = _uploaded(form)
        new_parts = gpx.parse(data).parts if data is not None else None
        return routes_forms.changes(form, item, parts, stops, new_parts)

    def edit_context(self, item, **extra) -> dict:
        """The POIs that can become stops, and what the page needs to measure the drawn line."""
        return {"candidates": _candidates(item), "pace_kmh": PACE_KMH, "max_offset_m": MAX_STOP_OFFSET_M}

    def history_entries(self, item) -> list:
        """The route's history."""
        return service.route_history(route_id=item.id)

    @expose("/")
    def index(self):
        """The list, filtered by text and status."""
        q = request.args.get("q", "").strip()[:100]
        status = request.args.get("status") if request.args.get("status") in ROUTE_STATUSES else None
        page = queries.routes(q=q or None, status=status, page=request.args.get("page", 1, int))
        return self.render(
            "upadmin/route_list.html",
            page=page,
            filters={"q": q, "status": status or ""},
            statuses=ROUTE_STATUSES,
            theme_labels=THEME_LABELS,
            kind_labels=KIND_LABELS,
        )

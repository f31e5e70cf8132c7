"""Route pages: list, create (drawn or from GPX), edit the line and the stops, publish, history."""

from __future__ import annotations

from flask import abort, redirect, request, url_for
from flask_admin import expose
from marshmallow import ValidationError

from urbanpulse.admin import queries, routes_forms
from urbanpulse.admin.forms_common import first_error_language, languages_with_errors
from urbanpulse.admin.history import history_rows
from urbanpulse.admin.i18n import label, translated
from urbanpulse.admin.views_base import SecureView, conflict_message, flash_saved, is_conflict, show_service_error
from urbanpulse.editing.etags import item_etag
from urbanpulse.errors import DomainError, NotFound
from urbanpulse.extensions import db
from urbanpulse.pois.categories import CATEGORY_LABELS
from urbanpulse.routes import gpx, importing, service
from urbanpulse.routes.models import Route
from urbanpulse.routes.schemas import RouteFeaturePatchSchema
from urbanpulse.routes.stops import MAX_STOP_OFFSET_M
from urbanpulse.routes.vocab import KIND_LABELS, PACE_KMH, ROUTE_STATUSES, THEME_LABELS

STATUS_ACTIONS = {"published": "Publish", "draft": "Unpublish"}


def _load(route_id) -> Route:
    try:
        return service.get_route(route_id=route_id, include_unpublished=True)
    except NotFound:
        abort(404)


def _uploaded(form) -> bytes | None:
    upload = form.gpx.data
    if upload is None or not getattr(upload, "filename", ""):
        return None
    return upload.stream.read(gpx.MAX_GPX_BYTES + 1)


def _patch(route: Route, feature: dict, etag: str, actor) -> Route:
    """Validate a patch as PATCH /api/v1/routes/{id} does, then apply it through the service."""
    try:
        data = RouteFeaturePatchSchema().load(feature)
    except ValidationError as error:
        raise service.validation_failed(error) from None
    return service.update_route(
        route_id=route.id, if_match=etag, actor=actor, parts=data.get("geometry"), properties=data.get("properties")
    )


def _current_version(route_id) -> int | None:
    db.session.rollback()
    return db.session.scalar(db.select(Route.version).where(Route.id == route_id))


def _candidates() -> list[dict]:
    return [
        {
            "id": str(row.id),
            "name": translated(row.name) or row.slug,
            "category": label(CATEGORY_LABELS.get(row.category), row.category),
            "status": row.status,
            "lon": row.lon,
            "lat": row.lat,
        }
        for row in queries.poi_choices()
    ]


class RoutesView(SecureView):
    """Routes: list, draw or import, stops, publish, history."""

    def _edit_page(self, form, route=None, *, conflict=None, errors=(), status=200):
        return (
            self.render(
                "upadmin/route_edit.html",
                form=form,
                route=route,
                candidates=_candidates(),
                pace_kmh=PACE_KMH,
                max_offset_m=MAX_STOP_OFFSET_M,
                uses_map=True,
                page_scripts=["route-edit.js"],
                conflict=conflict,
                form_errors=list(errors),
                open_tab=first_error_language(form, routes_forms.TRANSLATED),
                tabs_with_errors=languages_with_errors(form, routes_forms.TRANSLATED),
                status_actions=STATUS_ACTIONS,
                etag=item_etag(route.id, route.version) if route else None,
            ),
            status,
        )

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

    @expose("/new", methods=("GET", "POST"))
    def create(self):
        """Create a route from the drawn line, or from a GPX file (a draft)."""
        form = routes_forms.new_form()
        if request.method == "GET":
            form.status.data = "draft"
            return self._edit_page(form)
        if not form.validate_on_submit():
            return self._edit_page(form, status=422)
        data = _uploaded(form)
        try:
            if data is not None:
                route = importing.create_route_from_gpx(
                    data=data, options=routes_forms.gpx_options(form), actor=self.actor()
                )
            else:
                route = service.create_route_from_feature(routes_forms.new_feature(form), actor=self.actor())
        except DomainError as error:
            unplaced = show_service_error(form, error, routes_forms.field_for)
            return self._edit_page(form, errors=unplaced, status=error.status)
        flash_saved()
        return redirect(url_for(".edit", route_id=route.id))

    @expose("/<uuid:route_id>/", methods=("GET", "POST"))
    def edit(self, route_id):
        """Edit a route: texts, line (drawn or from GPX), stops; refused if someone saved it meanwhile."""
        route = _load(route_id)
        parts, stops = service.route_parts(route), service.current_stops(route.id)
        if request.method == "GET":
            form = routes_forms.new_form(formdata=None)
            routes_forms.fill(form, route, parts, stops)
            form.etag.data = item_etag(route.id, route.version)
            return self._edit_page(form, route)
        form = routes_forms.new_form()
        if not form.validate_on_submit():
            return self._edit_page(form, route, status=422)
        try:
            data = _uploaded(form)
            new_parts = gpx.parse(data).parts if data is not None else None
            _patch(route, routes_forms.changes(form, route, parts, stops, new_parts), form.etag.data, self.actor())
        except DomainError as error:
            if is_conflict(error):
                message = conflict_message(_current_version(route_id), url_for(".edit", route_id=route_id))
                return self._edit_page(form, _load(route_id), conflict=message, status=409)
            unplaced = show_service_error(form, error, routes_forms.field_for)
            return self._edit_page(form, _load(route_id), errors=unplaced, status=error.status)
        flash_saved()
        return redirect(url_for(".edit", route_id=route_id))

    @expose("/<uuid:route_id>/status", methods=("POST",))
    def change_status(self, route_id):
        """Publish or unpublish (publishing needs every stop's POI published)."""
        route = _load(route_id)
        form = routes_forms.RouteStatusForm()
        if not form.validate_on_submit() or form.status.data not in STATUS_ACTIONS:
            abort(400)
        try:
            _patch(route, {"properties": {"status": form.status.data}}, form.etag.data, self.actor())
        except DomainError as error:
            edit_form = routes_forms.new_form(formdata=None)
            if is_conflict(error):
                message = conflict_message(_current_version(route_id), url_for(".edit", route_id=route_id))
                errors = []
            else:
                message, errors = None, show_service_error(edit_form, error, routes_forms.field_for)
            route = _load(route_id)
            routes_forms.fill(edit_form, route, service.route_parts(route), service.current_stops(route.id))
            edit_form.etag.data = item_etag(route.id, route.version)
            return self._edit_page(
                edit_form, route, conflict=message, errors=errors, status=409 if is_conflict(error) else error.status
            )
        flash_saved()
        return redirect(url_for(".edit", route_id=route_id))

    @expose("/<uuid:route_id>/history")
    def history(self, route_id):
        """Who changed what, newest first."""
        route = _load(route_id)
        return self.render(
            "upadmin/history.html",
            title=translated(route.name) or route.slug,
            rows=history_rows(service.route_history(route_id=route.id)),
            back_url=url_for(".edit", route_id=route.id),
        )

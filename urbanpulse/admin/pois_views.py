"""POI pages: the searchable list with its map, create, edit (map marker, language tabs), status, history."""

from __future__ import annotations

from flask import abort, redirect, request, url_for
from flask_admin import expose
from marshmallow import ValidationError

from urbanpulse.admin import pois_forms, queries
from urbanpulse.admin.forms_common import first_error_language, languages_with_errors
from urbanpulse.admin.history import history_rows
from urbanpulse.admin.i18n import label, translated
from urbanpulse.admin.views_base import (
    SecureView,
    conflict_message,
    flash_saved,
    is_conflict,
    show_service_error,
)
from urbanpulse.editing.etags import item_etag
from urbanpulse.errors import DomainError, NotFound
from urbanpulse.extensions import db
from urbanpulse.pois import service
from urbanpulse.pois.categories import CATEGORY_LABELS
from urbanpulse.pois.models import POI_STATUSES, Poi
from urbanpulse.pois.schemas import PoiFeaturePatchSchema

STATUS_ACTIONS = {"published": "Publish", "draft": "Unpublish", "archived": "Archive"}


def _load(poi_id) -> Poi:
    try:
        return service.get_poi(poi_id=poi_id, include_unpublished=True)
    except NotFound:
        abort(404)


def _patch(poi: Poi, feature: dict, etag: str, actor) -> Poi:
    """Validate a patch as PATCH /api/v1/pois/{id} does, then apply it through the service."""
    try:
        data = PoiFeaturePatchSchema().load(feature)
    except ValidationError as error:
        raise service.validation_failed(error) from None
    return service.update_poi(
        poi_id=poi.id,
        if_match=etag,
        actor=actor,
        geometry=data.get("geometry"),
        properties=data.get("properties"),
    )


def _current_version(poi_id) -> int | None:
    db.session.rollback()
    return db.session.scalar(db.select(Poi.version).where(Poi.id == poi_id))


def _marker(row) -> dict:
    poi = row.Poi
    return {
        "id": str(poi.id),
        "name": translated(poi.name) or poi.slug,
        "category": label(CATEGORY_LABELS.get(poi.category), poi.category),
        "status": poi.status,
        "url": url_for("admin_pois.edit", poi_id=poi.id),
        "lon": row.lon,
        "lat": row.lat,
    }


class PoisView(SecureView):
    """Places: list, create, edit, publish, history."""

    def _edit_page(self, form, poi=None, *, conflict=None, errors=(), status=200):
        return (
            self.render(
                "upadmin/poi_edit.html",
                form=form,
                poi=poi,
                uses_map=True,
                page_scripts=["poi-edit.js"],
                conflict=conflict,
                form_errors=list(errors),
                open_tab=first_error_language(form, pois_forms.TRANSLATED),
                tabs_with_errors=languages_with_errors(form, pois_forms.TRANSLATED),
                status_actions=STATUS_ACTIONS,
                etag=item_etag(poi.id, poi.version) if poi else None,
            ),
            status,
        )

    @expose("/")
    def index(self):
        """The list: text search, category and status filters, and a map of the page's results."""
        q = request.args.get("q", "").strip()[:100]
        category = request.args.get("category") if request.args.get("category") in CATEGORY_LABELS else None
        status = request.args.get("status") if request.args.get("status") in POI_STATUSES else None
        page = queries.pois(q=q or None, category=category, status=status, page=request.args.get("page", 1, int))
        categories = sorted(((k, label(v, k)) for k, v in CATEGORY_LABELS.items()), key=lambda c: c[1].lower())
        return self.render(
            "upadmin/poi_list.html",
            page=page,
            markers=[_marker(row) for row in page.items],
            filters={"q": q, "category": category or "", "status": status or ""},
            categories=categories,
            category_labels=CATEGORY_LABELS,
            statuses=POI_STATUSES,
            uses_map=True,
            page_scripts=["poi-list.js"],
        )

    @expose("/new", methods=("GET", "POST"))
    def create(self):
        """Create a POI: click the map to place it; draft unless published right away."""
        form = pois_forms.new_form()
        if request.method == "GET":
            form.status.data = "draft"
            return self._edit_page(form)
        if not form.validate_on_submit():
            return self._edit_page(form, status=422)
        try:
            poi = service.create_poi_from_feature(pois_forms.new_feature(form), actor=self.actor())
        except DomainError as error:
            unplaced = show_service_error(form, error, pois_forms.field_for)
            return self._edit_page(form, errors=unplaced, status=error.status)
        flash_saved()
        return redirect(url_for(".edit", poi_id=poi.id))

    @expose("/<uuid:poi_id>/", methods=("GET", "POST"))
    def edit(self, poi_id):
        """Edit a POI; the save is refused if someone else saved it since this page was loaded."""
        poi = _load(poi_id)
        if request.method == "GET":
            form = pois_forms.new_form(formdata=None)
            pois_forms.fill(form, poi)
            form.etag.data = item_etag(poi.id, poi.version)
            return self._edit_page(form, poi)
        form = pois_forms.new_form()
        if not form.validate_on_submit():
            return self._edit_page(form, poi, status=422)
        try:
            _patch(poi, pois_forms.changes(form, poi), form.etag.data, self.actor())
        except DomainError as error:
            if is_conflict(error):
                message = conflict_message(_current_version(poi_id), url_for(".edit", poi_id=poi_id))
                return self._edit_page(form, _load(poi_id), conflict=message, status=409)
            unplaced = show_service_error(form, error, pois_forms.field_for)
            return self._edit_page(form, _load(poi_id), errors=unplaced, status=error.status)
        flash_saved()
        return redirect(url_for(".edit", poi_id=poi_id))

    @expose("/<uuid:poi_id>/status", methods=("POST",))
    def change_status(self, poi_id):
        """Publish, unpublish (back to draft) or archive."""
        poi = _load(poi_id)
        form = pois_forms.StatusForm()
        if not form.validate_on_submit() or form.status.data not in STATUS_ACTIONS:
            abort(400)
        try:
            _patch(poi, {"properties": {"status": form.status.data}}, form.etag.data, self.actor())
        except DomainError as error:
            form = pois_forms.new_form(formdata=None)
            if is_conflict(error):
                message = conflict_message(_current_version(poi_id), url_for(".edit", poi_id=poi_id))
            else:
                message = "; ".join(show_service_error(form, error, pois_forms.field_for))
            poi = _load(poi_id)
            pois_forms.fill(form, poi)
            form.etag.data = item_etag(poi.id, poi.version)
            return self._edit_page(form, poi, conflict=message, status=409 if is_conflict(error) else error.status)
        flash_saved()
        return redirect(url_for(".edit", poi_id=poi_id))

    @expose("/<uuid:poi_id>/history")
    def history(self, poi_id):
        """Who changed what, newest first."""
        poi = _load(poi_id)
        entries = service.poi_history(poi_id=poi.id)
        title = translated(poi.name) or poi.slug
        return self.render(
            "upadmin/history.html",
            title=title,
            rows=history_rows(entries),
            back_url=url_for(".edit", poi_id=poi.id),
        )

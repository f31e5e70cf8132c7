"""The imports (editors): each source's latest run and objects, a run's rejected objects with their reasons and its
conflicts, where an editor may take the upstream value of a field the import left (urbanpulse.imports.service)."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_admin import expose
from wtforms import HiddenField

from urbanpulse.admin.i18n import gettext, service_message
from urbanpulse.admin.views_base import ActionForm, SecureView, parse_uuid
from urbanpulse.core.errors import DomainError, NotFound
from urbanpulse.core.extensions import db
from urbanpulse.imports import service

ITEM_PAGES = {"poi": "admin_pois.edit", "event": "admin_events.edit", "route": "admin_routes.edit"}


class TakeUpstreamForm(ActionForm):
    """Take the upstream value of one field in conflict."""

    external_id = HiddenField()
    field = HiddenField()


class ImportsView(SecureView):
    """Imports from the tourism information systems (DATAtourisme, OpenAgenda, Tourinsoft)."""

    @expose("/")
    def index(self):
        """Each source: its latest run, counts and objects; and its recent runs."""
        sources = service.sources_overview()
        runs = {entry["source"]: service.recent_runs(entry["source"]) for entry in sources}
        return self.render("upadmin/imports.html", sources=sources, runs=runs)

    @expose("/runs/<run_id>")
    def run(self, run_id):
        """One run: counts, rejected objects with their reasons, conflicts with the upstream values."""
        run = self._run(run_id)
        return self.render("upadmin/import_run.html", run=run, form=TakeUpstreamForm(), item_pages=ITEM_PAGES)

    @expose("/runs/<run_id>/take-upstream", methods=("POST",))
    def take_upstream(self, run_id):
        """Write the upstream value of one field in conflict into the item."""
        run = self._run(run_id)
        form = TakeUpstreamForm()
        if not form.validate_on_submit() or not form.external_id.data or not form.field.data:
            abort(400)
        try:
            service.take_upstream(
                run_id=run.id, external_id=form.external_id.data, field=form.field.data, actor=self.actor()
            )
        except NotFound:
            abort(404)
        except DomainError as error:
            db.session.rollback()
            message = error.errors[0]["messages"][0] if error.errors else error.detail
            flash(service_message(message), "error")
            return redirect(url_for(".run", run_id=run.id))
        flash(gettext("The upstream value of {field} was taken.", field=form.field.data), "success")
        return redirect(url_for(".run", run_id=run.id))

    @staticmethod
    def _run(run_id):
        parsed = parse_uuid(run_id)
        if parsed is None:
            abort(404)
        try:
            return service.get_run(parsed)
        except NotFound:
            abort(404)

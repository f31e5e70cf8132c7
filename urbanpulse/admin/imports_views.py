"""The imports (editors): each source's latest run and objects, a run's rejected objects with their reasons and its
conflicts, where an editor may take the upstream value of a field the import left (urbanpulse.imports.service)."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_admin import expose
from wtforms import HiddenField

from urbanpulse.admin.i18n import gettext
from urbanpulse.admin.views_base import ActionForm, SecureView, flash_service_error, parse_uuid
from urbanpulse.core.errors import DomainError, NotFound
from urbanpulse.imports import schedule, service

ITEM_PAGES = {"poi": "admin_pois.edit", "event": "admin_events.edit", "route": "admin_routes.edit"}


class TakeUpstreamForm(ActionForm):
    """Take the upstream value of one field in conflict."""

    external_id = HiddenField()
    field = HiddenField()


class RunNowForm(ActionForm):
    """Queue a run of one configured source."""

    source = HiddenField()


class ImportsView(SecureView):
    """Imports from the tourism information systems (DATAtourisme, OpenAgenda, Tourinsoft)."""

    @expose("/")
    def index(self):
        """The configured sources (schedule, "run now"), then each source's objects and recent runs; the page
        reloads itself while a run goes on (no script needed)."""
        try:
            configured, misconfigured = schedule.configured_sources(), None
        except schedule.SourcesMisconfigured as error:
            configured, misconfigured = {}, str(error)
        sources = service.sources_overview()
        runs = {entry["source"]: service.recent_runs(entry["source"]) for entry in sources}
        running = any(run.status == "running" for entries in runs.values() for run in entries[:1])
        return self.render(
            "upadmin/imports.html", sources=sources, runs=runs, configured=configured,
            misconfigured=misconfigured, running=running, form=RunNowForm(),
        )  # fmt: skip

    @expose("/run", methods=("POST",))
    def run_now(self):
        """Queue a run of a configured source; the worker runs it (the page shows its progress)."""
        form = RunNowForm()
        if not form.validate_on_submit() or not form.source.data:
            abort(400)
        try:
            queued = schedule.enqueue_run(form.source.data)
        except (KeyError, schedule.SourcesMisconfigured):
            abort(404)
        if queued:
            flash(gettext("A run of {source} is queued.", source=form.source.data), "success")
        else:
            flash(gettext("A run of {source} is already queued, or the queue is unreachable.", source=form.source.data),
                  "error")  # fmt: skip
        return redirect(url_for(".index"))

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
            flash_service_error(error)
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

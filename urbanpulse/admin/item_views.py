"""The pages every content type shares: create, edit (refused on conflicts), status buttons and history."""

from __future__ import annotations

from types import ModuleType

from flask import abort, redirect, request, url_for
from flask_admin import expose
from marshmallow import Schema, ValidationError

from urbanpulse.admin.forms_common import first_error_language, languages_with_errors
from urbanpulse.admin.history import history_rows
from urbanpulse.admin.i18n import translated
from urbanpulse.admin.views_base import (
    SecureView,
    StatusForm,
    conflict_message,
    flash_saved,
    is_conflict,
    show_service_error,
)
from urbanpulse.core.errors import DomainError, NotFound
from urbanpulse.core.extensions import db
from urbanpulse.editing.etags import item_etag


class ItemView(SecureView):
    """Create, edit, status and history pages of one content type; subclasses name its pieces and fill the hooks.

    The page's extras (`page_extra`, e.g. the venue list of events) are read once per request and handed to
    `new_form` and `edit_context`.
    """

    forms: ModuleType  # the *_forms module: TRANSLATED, new_form, fill, changes, field_for
    service: ModuleType  # the domain service (validation_failed)
    model: type  # the SQLAlchemy model (its current version after a conflict)
    patch_schema: type[Schema]  # the API's PATCH body schema
    edit_template: str
    edit_script: str
    status_actions: dict[str, str]
    status_form = StatusForm
    draft_field = "status"  # the select that starts at "draft" on a new item
    status_errors_in_alert = True  # a refused status change says why in the alert, not in the error list

    def get_item(self, item_id):
        """The item, unpublished ones included; raises NotFound."""
        raise NotImplementedError

    def create_item(self, form):
        """Create the item the valid form describes; raises DomainError."""
        raise NotImplementedError

    def update(self, item, data: dict, etag: str):
        """Apply a validated patch (`data` as the PATCH schema loaded it) through the service."""
        raise NotImplementedError

    def title(self, item) -> str:
        """The item's name in the interface language, else its slug."""
        return translated(item.name) or item.slug

    def history_entries(self, item) -> list:
        """The item's history entries, oldest first."""
        raise NotImplementedError

    def page_extra(self) -> dict:
        """What the form and the edit page need besides the item, read once per request."""
        return {}

    def new_form(self, **extra):
        """The edit form with its choices (bound to the request's form data on a POST)."""
        return self.forms.new_form()

    def fill(self, form, item) -> None:
        """Show the stored item in the form."""
        self.forms.fill(form, item)

    def changes(self, form, item) -> dict:
        """The patch Feature from the stored item to the submitted form."""
        return self.forms.changes(form, item)

    def status_change(self, form) -> dict:
        """The properties a status button asks to change, empty when it asks for nothing allowed."""
        return {"status": form.status.data} if form.status.data in self.status_actions else {}

    def edit_context(self, item, **extra) -> dict:
        """More values for the edit page's template."""
        return {}

    def load(self, item_id):
        """The item, or a 404 page."""
        try:
            return self.get_item(item_id)
        except NotFound:
            abort(404)

    def patch(self, item, feature: dict, etag: str):
        """Validate a patch as the API's PATCH does, then apply it through the service."""
        try:
            data = self.patch_schema().load(feature)
        except ValidationError as error:
            raise self.service.validation_failed(error) from None
        return self.update(item, data, etag)

    def edit_page(self, form, item=None, *, conflict=None, errors=(), status=200, **extra):
        """The create/edit page with the form, its alerts and the language tab to open."""
        return (
            self.render(
                self.edit_template,
                form=form,
                item=item,
                uses_map=True,
                page_scripts=[self.edit_script],
                conflict=conflict,
                form_errors=list(errors),
                open_tab=first_error_language(form, self.forms.TRANSLATED),
                tabs_with_errors=languages_with_errors(form, self.forms.TRANSLATED),
                status_actions=self.status_actions,
                etag=item_etag(item.id, item.version) if item else None,
                **self.edit_context(item, **extra),
            ),
            status,
        )

    def _fill_stored(self, form, item) -> None:
        self.fill(form, item)
        form.etag.data = item_etag(item.id, item.version)

    def _conflict(self, item_id):
        db.session.rollback()
        version = db.session.scalar(db.select(self.model.version).where(self.model.id == item_id))
        return conflict_message(version, url_for(".edit", item_id=item_id))

    def _saved(self, item_id):
        flash_saved()
        return redirect(url_for(".edit", item_id=item_id))

    @expose("/new", methods=("GET", "POST"))
    def create(self):
        """Create an item: a draft unless published right away."""
        extra = self.page_extra()
        form = self.new_form(**extra)
        if request.method == "GET":
            form[self.draft_field].data = "draft"
            return self.edit_page(form, **extra)
        if not form.validate_on_submit():
            return self.edit_page(form, status=422, **extra)
        try:
            item = self.create_item(form)
        except DomainError as error:
            unplaced = show_service_error(form, error, self.forms.field_for)
            return self.edit_page(form, errors=unplaced, status=error.status, **extra)
        return self._saved(item.id)

    @expose("/<uuid:item_id>/", methods=("GET", "POST"))
    def edit(self, item_id):
        """Edit an item; the save is refused if someone else saved it since this page was loaded."""
        item = self.load(item_id)
        extra = self.page_extra()
        form = self.new_form(**extra)
        if request.method == "GET":
            self._fill_stored(form, item)
            return self.edit_page(form, item, **extra)
        if not form.validate_on_submit():
            return self.edit_page(form, item, status=422, **extra)
        try:
            self.patch(item, self.changes(form, item), form.etag.data)
        except DomainError as error:
            if is_conflict(error):
                message = self._conflict(item_id)
                return self.edit_page(form, self.load(item_id), conflict=message, status=409, **extra)
            unplaced = show_service_error(form, error, self.forms.field_for)
            return self.edit_page(form, self.load(item_id), errors=unplaced, status=error.status, **extra)
        return self._saved(item_id)

    @expose("/<uuid:item_id>/status", methods=("POST",))
    def change_status(self, item_id):
        """A status button (publish, unpublish, archive, cancel...); refused if the item changed meanwhile."""
        item = self.load(item_id)
        form = self.status_form()
        change = self.status_change(form)
        if not form.validate_on_submit() or not change:
            abort(400)
        try:
            self.patch(item, {"properties": change}, form.etag.data)
        except DomainError as error:
            return self._refused_status(item_id, error)
        return self._saved(item_id)

    def _refused_status(self, item_id, error: DomainError):
        extra = self.page_extra()
        form = self.new_form(**extra)
        if is_conflict(error):
            message, errors = self._conflict(item_id), []
        else:
            message, errors = None, show_service_error(form, error, self.forms.field_for)
            if self.status_errors_in_alert:
                message, errors = "; ".join(errors), []
        item = self.load(item_id)
        self._fill_stored(form, item)
        status = 409 if is_conflict(error) else error.status
        return self.edit_page(form, item, conflict=message, errors=errors, status=status, **extra)

    @expose("/<uuid:item_id>/history")
    def history(self, item_id):
        """Who changed what, newest first."""
        item = self.load(item_id)
        return self.render(
            "upadmin/history.html",
            title=self.title(item),
            rows=history_rows(self.history_entries(item)),
            back_url=url_for(".edit", item_id=item.id),
        )

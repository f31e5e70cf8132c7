"""What every back-office page shares: the login check, the acting user, and service errors shown on forms."""

from __future__ import annotations

import functools
import uuid

import wtforms.i18n
from flask import flash, redirect, render_template, request, url_for
from flask_admin import BaseView
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import HiddenField

from urbanpulse.admin.i18n import gettext, service_message, ui_lang
from urbanpulse.admin.session import current_user, is_admin
from urbanpulse.core.errors import DomainError, PreconditionFailed
from urbanpulse.core.extensions import db
from urbanpulse.editing.actor import Actor


class MenuName:
    """A menu or page name written in English, shown in the interface language of each request."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return gettext(self.text)

    def __html__(self) -> str:
        return str(escape(str(self)))


@functools.lru_cache(maxsize=8)
def _wtforms_translations(lang: str):
    return wtforms.i18n.get_translations([lang])


class AdminForm(FlaskForm):
    """A Flask-WTF form (CSRF token included) whose built-in messages follow the interface language."""

    class Meta:
        def get_translations(self, form):
            return _wtforms_translations(ui_lang())


class ActionForm(AdminForm):
    """A form with only the CSRF token, for buttons such as logout or publish."""


class StatusForm(ActionForm):
    """A status button (publish, unpublish...), with the version the editor saw."""

    etag = HiddenField()
    status = HiddenField()


class SecureView(BaseView):
    """A page for logged-in editors and admins; anyone else is sent to the login page."""

    admin_only = False

    def is_accessible(self) -> bool:
        """Logged in with an active editor/admin account (admins only for `admin_only` pages)."""
        user = current_user()
        return user is not None and (is_admin() or not self.admin_only)

    def is_visible(self) -> bool:
        """Shown in the menu only to those who may open it."""
        return self.is_accessible()

    def inaccessible_callback(self, name, **kwargs):
        """Not logged in: to the login page (and back here afterwards); wrong role: 403."""
        if current_user() is None:
            return redirect(url_for("admin_auth.login", next=request.full_path.rstrip("?")))
        return render_template("upadmin/forbidden.html"), 403

    def _run_view(self, fn, *args, **kwargs):
        # Flask-Admin retries a view that raised TypeError with other arguments, hiding the real error.
        return fn(self, *args, **kwargs)

    @staticmethod
    def actor() -> Actor:
        """The logged-in account as the author of a write."""
        return Actor.for_user(current_user())


def parse_uuid(value: str) -> uuid.UUID | None:
    """A UUID from a form or URL value, None when it is not one."""
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


def flash_service_error(error: DomainError) -> None:
    """Flash a refused action's first message (translated) after rolling back what the service left open."""
    db.session.rollback()
    message = error.errors[0]["messages"][0] if error.errors else error.detail
    flash(service_message(message), "error")


def show_service_error(form: FlaskForm, error: DomainError, field_for) -> list[str]:
    """Put a service's field errors next to the matching form fields; return the messages matching none.

    `field_for(path)` maps a service field path (e.g. `properties.name.fr`) to a form field name or None.
    The transaction the service left open (e.g. a row locked FOR UPDATE) is rolled back first.
    """
    db.session.rollback()
    unplaced = []
    for item in error.errors or []:
        messages = [service_message(m) for m in item.get("messages", [])]
        name = field_for(item["field"])
        field = form._fields.get(name) if name else None
        if field is not None:
            field.errors = [*list(field.errors or []), *messages]
        else:
            unplaced.extend(f"{item['field']}: {m}" for m in messages)
    if not error.errors:
        unplaced.append(service_message(error.detail))
    return unplaced


def conflict_message(current_version: int | None, reload_url: str) -> Markup:
    """The message shown when a colleague saved the item after this editor opened it."""
    text = gettext(
        "Someone changed this item since you opened it (now version {version}). Reload to see their changes.",
        version=current_version if current_version is not None else "?",
    )
    link = gettext("Reload")
    return Markup('{} <a href="{}" class="alert-link" data-role="reload">{}</a>').format(text, reload_url, link)


def flash_saved() -> None:
    """The green confirmation after a save."""
    flash(gettext("Saved."), "success")


def is_conflict(error: DomainError) -> bool:
    """Whether a service refused a write because the item changed since the form was loaded."""
    return isinstance(error, PreconditionFailed)

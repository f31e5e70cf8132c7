"""Third parties' API keys (admins only): list, create (the key shown once), rename, suspend, reactivate,
revoke, and each key's last 30 days as a chart drawn on the server (SVG, no script), through apikeys.service."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from wtforms import EmailField, HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange

from urbanpulse.admin.i18n import gettext
from urbanpulse.admin.views_base import (
    ActionForm,
    AdminForm,
    SecureView,
    flash_service_error,
    parse_uuid,
    show_service_error,
)
from urbanpulse.apikeys import service, usage
from urbanpulse.core.errors import DomainError, NotFound
from urbanpulse.core.extensions import db

CHART_DAYS = 30
ACTIONS = {"suspend": "suspended", "reactivate": "active"}


class NewKeyForm(AdminForm):
    """A new key: who holds it, its quotas and its restrictions (one origin or CIDR per line)."""

    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    owner_email = EmailField("Holder's email", validators=[DataRequired(), Length(max=254)])
    per_minute = IntegerField("Requests per minute", validators=[DataRequired(), NumberRange(1, 2_000_000_000)])
    per_day = IntegerField("Requests per day", validators=[DataRequired(), NumberRange(1, 2_000_000_000)])
    allowed_origins = TextAreaField("Allowed browser origins", validators=[Length(max=5000)])
    allowed_cidrs = TextAreaField("Allowed server addresses (CIDR)", validators=[Length(max=5000)])
    groups = StringField("API groups (empty: all)", validators=[Length(max=200)])


class KeyChangeForm(ActionForm):
    """One change of a key: an action (suspend, reactivate, revoke) or a new name."""

    key_id = HiddenField()
    action = HiddenField()
    name = StringField(validators=[Length(max=120)])


def _lines(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").replace(",", "\n").splitlines() if part.strip()]


def _key_field(path: str) -> str | None:
    return path if path in NewKeyForm.__dict__ else None


def chart(days: list[dict]) -> dict:
    """The last CHART_DAYS days (oldest first) with requests and throttled per day, and the tallest bar."""
    today = datetime.now(UTC).date()
    totals = {today - timedelta(days=n): {"requests": 0, "throttled": 0} for n in range(CHART_DAYS - 1, -1, -1)}
    for row in days:
        if row["day"] in totals:
            totals[row["day"]]["requests"] += row["requests"]
            totals[row["day"]]["throttled"] += row["throttled"]
    bars = [{"day": day, **counts} for day, counts in totals.items()]
    return {"bars": bars, "peak": max([1, *(bar["requests"] for bar in bars)])}


class ApiKeysView(SecureView):
    """Third parties' API keys; only admins see this page."""

    admin_only = True

    def _page(self, form, status=200, created_key: str | None = None):
        keys = service.list_keys()
        return self.render("upadmin/apikeys.html", keys=keys, form=form, created_key=created_key), status

    @expose("/", methods=("GET", "POST"))
    def index(self):
        """The list of keys and the form to create one; a new key is shown on this answer only."""
        form = NewKeyForm()
        if request.method == "GET":
            return self._page(form)
        if not form.validate_on_submit():
            return self._page(form, 422)
        try:
            _, key = service.create_key(
                name=form.name.data,
                owner_email=form.owner_email.data,
                per_minute=form.per_minute.data,
                per_day=form.per_day.data,
                allowed_origins=_lines(form.allowed_origins.data),
                allowed_cidrs=_lines(form.allowed_cidrs.data),
                groups=_lines(form.groups.data),
                created_by=self.actor().user_id,
            )
        except DomainError as error:
            db.session.rollback()
            unplaced = show_service_error(form, error, _key_field)
            if unplaced:
                form.name.errors = [*list(form.name.errors or []), *unplaced]
            return self._page(form, error.status)
        # Not flashed: the session would carry it. Shown in this answer, never again.
        return self._page(NewKeyForm(formdata=None), 201, created_key=key)

    @expose("/change", methods=("POST",))
    def change(self):
        """Rename, suspend, reactivate or revoke one key."""
        form = KeyChangeForm()
        key_id = parse_uuid(form.key_id.data)
        if not form.validate_on_submit() or key_id is None:
            abort(400)
        try:
            if form.action.data == "revoke":
                record = service.revoke_key(key_id=key_id)
            elif form.action.data in ACTIONS:
                record = service.update_key(key_id=key_id, status=ACTIONS[form.action.data])
            elif form.name.data:
                record = service.update_key(key_id=key_id, name=form.name.data)
            else:
                abort(400)
        except NotFound:
            abort(404)
        except DomainError as error:
            flash_service_error(error)
            return redirect(url_for(".index"))
        flash(gettext("Key {name} updated.", name=record.name), "success")
        return redirect(url_for(".index"))

    @expose("/<key_id>")
    def usage(self, key_id):
        """One key's last 30 days: a bar chart and the same figures as a table."""
        parsed = parse_uuid(key_id)
        if parsed is None:
            abort(404)
        try:
            record = service.get_key(key_id=parsed)
        except NotFound:
            abort(404)
        days = usage.daily_usage(key_id=record.id, days=CHART_DAYS)
        return self.render("upadmin/apikey_usage.html", key=record, days=days, chart=chart(days))

"""Login, logout and the interface language switch of the back office."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, redirect, render_template, request, session, url_for
from wtforms import EmailField, HiddenField, PasswordField, SelectField
from wtforms.validators import DataRequired, Length

from urbanpulse.admin.i18n import SESSION_KEY, UI_LANGUAGES, gettext
from urbanpulse.admin.session import current_user, log_in, log_out
from urbanpulse.admin.views_base import ActionForm, AdminForm
from urbanpulse.auth import service as auth_service
from urbanpulse.auth.guard import EDITORS
from urbanpulse.auth.limits import login_limits, remember_proven_address
from urbanpulse.core.errors import Unauthorized

bp = Blueprint("admin_auth", __name__, url_prefix="/admin", template_folder="templates", static_folder="static",
               static_url_path="/assets")  # fmt: skip


class LoginForm(AdminForm):
    """Email and password of a tourism-office account."""

    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1000)])
    next = HiddenField()


class LanguageForm(ActionForm):
    """The interface language switch."""

    lang = SelectField(choices={lang: lang for lang in UI_LANGUAGES})
    next = HiddenField()


def safe_next(target: str | None) -> str:
    """Where to go after login: a path inside the back office, never another site."""
    default = url_for("admin.index")
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/admin") or target.startswith("//"):
        return default
    return target


def _login_email() -> str:
    return "email:" + auth_service.normalise_email(request.form.get("email", ""))[:254]


def _login_limited(view):
    for limit in reversed(login_limits(_login_email)):
        view = limit(view)
    return view


# The same limits against password guessing as POST /api/v1/auth/token (urbanpulse.auth.limits).
@bp.route("/login", methods=["GET", "POST"])
@_login_limited
def login():
    """The login page; on success, to the page asked for before."""
    form = LoginForm()
    if request.method == "GET":
        if current_user() is not None:
            return redirect(safe_next(request.args.get("next")))
        form.next.data = request.args.get("next", "")
    error = None
    if form.validate_on_submit():
        try:
            user = auth_service.authenticate(email=form.email.data, password=form.password.data)
        except Unauthorized:
            user = None
        if user is not None:
            remember_proven_address(user.email)
        if user is not None and user.role in EDITORS:
            log_in(user)
            return redirect(safe_next(form.next.data))
        error = gettext("Wrong email or password, or the account is disabled.")
    status = 401 if error else 200
    return render_template("upadmin/login.html", form=form, error=error), status


@bp.route("/logout", methods=["POST"])
def logout():
    """End the session (a POST: the CSRF check of every /admin POST keeps other sites from doing it)."""
    log_out()
    return redirect(url_for("admin_auth.login"))


@bp.route("/language", methods=["POST"])
def language():
    """Switch the interface between French and English; back to the same page."""
    form = LanguageForm()
    if form.validate_on_submit():
        session[SESSION_KEY] = form.lang.data
    return redirect(safe_next(form.next.data))

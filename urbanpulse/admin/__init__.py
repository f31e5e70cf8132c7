"""The tourism office's back office at /admin: Flask-Admin pages over the same services as the API."""

from __future__ import annotations

from flask import Flask, g, render_template, request
from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import TooManyRequests

from urbanpulse.admin.forms_common import LANGUAGE_NAMES
from urbanpulse.admin.i18n import gettext, label, translated, ui_lang
from urbanpulse.admin.security import csp_nonce, register_security_headers
from urbanpulse.admin.session import current_user, is_admin
from urbanpulse.core.errors import http_exception_to_problem
from urbanpulse.pois.hours import CITY_ZONE

PREFIX = "/admin"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
csrf = CSRFProtect()


def init_admin(app: Flask) -> None:
    """Mount the back office on `app`: login, POIs, routes, events, accounts; CSRF and security headers."""
    from urbanpulse.admin.apikeys_views import ApiKeysView
    from urbanpulse.admin.auth_views import bp as auth_bp
    from urbanpulse.admin.events_views import EventsView
    from urbanpulse.admin.home import HomeView
    from urbanpulse.admin.imports_views import ImportsView
    from urbanpulse.admin.media_views import MediaView
    from urbanpulse.admin.pois_views import PoisView
    from urbanpulse.admin.routes_views import RoutesView
    from urbanpulse.admin.users_views import UsersView
    from urbanpulse.admin.views_base import MenuName

    csrf.init_app(app)
    app.register_blueprint(auth_bp)
    admin = Admin(
        app,
        name="Urban Pulse Boulogne",
        url=PREFIX,
        index_view=HomeView(name=MenuName("Home"), url=PREFIX, endpoint="admin"),
        theme=Bootstrap4Theme(base_template="upadmin/layout.html", fluid=True),
        csp_nonce_generator=csp_nonce,
    )
    admin.add_view(PoisView(name=MenuName("Places"), endpoint="admin_pois", url="pois"))
    admin.add_view(RoutesView(name=MenuName("Routes"), endpoint="admin_routes", url="routes"))
    admin.add_view(EventsView(name=MenuName("Events"), endpoint="admin_events", url="events"))
    admin.add_view(MediaView(name=MenuName("Photos"), endpoint="admin_media", url="media"))
    admin.add_view(ImportsView(name=MenuName("Imports"), endpoint="admin_imports", url="imports"))
    admin.add_view(UsersView(name=MenuName("Accounts"), endpoint="admin_users", url="users"))
    admin.add_view(ApiKeysView(name=MenuName("API keys"), endpoint="admin_apikeys", url="api-keys"))
    _register_hooks(app)
    register_security_headers(app, PREFIX)


def _in_admin() -> bool:
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


def _register_hooks(app: Flask) -> None:
    @app.before_request
    def _admin_request() -> None:
        # An app context can outlive a request (tests): forget the previous request's user and nonce.
        for name in ("admin_user", "csp_nonce", app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")):
            g.pop(name, None)
        if _in_admin() and request.method not in SAFE_METHODS:
            csrf.protect()

    @app.errorhandler(CSRFError)
    def _csrf_failed(error: CSRFError):
        return render_template("upadmin/csrf_failed.html"), 400

    @app.errorhandler(TooManyRequests)
    def _too_many(error: TooManyRequests):
        # The API keeps its problem+json; the login page says it in words.
        if not _in_admin():
            return http_exception_to_problem(error)
        return render_template("upadmin/too_many.html"), 429, {"Retry-After": "60"}

    @app.context_processor
    def _admin_template_helpers() -> dict:
        if not _in_admin():
            return {}
        return {
            "_": gettext,
            "ui_lang": ui_lang(),
            "label": label,
            "translated": translated,
            "csp_nonce": csp_nonce,
            "admin_user": current_user(),
            "user_is_admin": is_admin(),
            "language_names": LANGUAGE_NAMES,
            "local_time": local_time,
        }


def local_time(value) -> str:
    """An aware datetime as Europe/Paris wall time, to the minute."""
    return value.astimezone(CITY_ZONE).strftime("%Y-%m-%d %H:%M") if value else ""

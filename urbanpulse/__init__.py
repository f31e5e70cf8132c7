"""Urban Pulse Boulogne: the tourism API of Boulogne-sur-Mer."""

from __future__ import annotations

from flask import Flask

from urbanpulse.core.config import DEFAULT_SECRET_KEY, config_for_environment, engine_options, to_sqlalchemy_url
from urbanpulse.web.security_headers import register_security_headers
from urbanpulse.web.sessions import BackOfficeSessionInterface


def create_app(config: dict | None = None) -> Flask:
    """Build the app: settings from the environment, then `config` overrides (tests use this)."""
    app = Flask(__name__)
    app.config.from_object(config_for_environment())
    app.config.update(config or {})
    app.config["SQLALCHEMY_DATABASE_URI"] = to_sqlalchemy_url(app.config["SQLALCHEMY_DATABASE_URI"])
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(app.config))
    check_production_settings(app)
    app.session_interface = BackOfficeSessionInterface()
    register_logging(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_observability(app)
    register_security_headers(app)
    return app


def check_production_settings(app: Flask) -> None:
    """Refuse to start in production with the default secret key or debug mode."""
    if app.config["ENV_NAME"] != "production":
        return
    if app.config["SECRET_KEY"] in (DEFAULT_SECRET_KEY, "", None) or len(app.config["SECRET_KEY"]) < 32:
        raise RuntimeError("production mode needs SECRET_KEY set to a random value of at least 32 characters")
    if app.debug:
        raise RuntimeError("production mode must not run with debug enabled")


def register_logging(app: Flask) -> None:
    """JSON logs and request ids."""
    from urbanpulse.web.request_log import register_request_logging

    register_request_logging(app)


def register_extensions(app: Flask) -> None:
    """Bind database, migrations, API, Redis and CORS to the app."""
    from urbanpulse.auth.guard import register_request_hooks
    from urbanpulse.core.extensions import compress, cors, db, migrate, redis_client
    from urbanpulse.web.api_base import api

    register_request_hooks(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(_root() / "migrations"))
    api.init_app(app)
    redis_client.init_app(app)
    compress.init_app(app)
    cors.init_app(
        app,
        resources={r"/api/*": {"origins": app.config["CORS_ORIGINS"]}},
        expose_headers=["ETag", "Location", "X-Request-ID"],
        allow_headers=["Authorization", "Content-Type", "If-Match", "If-None-Match", "Accept-Language"],
    )


def register_blueprints(app: Flask) -> None:
    """Every domain's HTTP layer, plus the self-hosted Swagger UI assets."""
    from urbanpulse.admin import init_admin
    from urbanpulse.auth.limits import register_rate_limits
    from urbanpulse.runtime.domains import api_blueprints, register_media
    from urbanpulse.web.api_base import api
    from urbanpulse.web.docs import docs_assets

    register_media(app)
    blueprints = api_blueprints()
    register_rate_limits(app, blueprints)
    for blueprint in blueprints:
        api.register_blueprint(blueprint)
    app.register_blueprint(docs_assets)
    init_admin(app)


def register_observability(app: Flask) -> None:
    """Prometheus metrics at /metrics."""
    from urbanpulse.core.metrics import register_metrics

    register_metrics(app)


def register_errorhandlers(app: Flask) -> None:
    """One problem+json format for every error."""
    from urbanpulse.core.errors import register_error_handlers

    register_error_handlers(app)


def register_commands(app: Flask) -> None:
    """flask CLI: seed, users..."""
    from urbanpulse.runtime.cli import register

    register(app)


def _root():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent

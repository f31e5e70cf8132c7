"""Urban Pulse Boulogne: the tourism API of Boulogne-sur-Mer."""

from __future__ import annotations

from flask import Flask

from urbanpulse.core.config import config_for_environment, engine_options, instance_path, to_sqlalchemy_url
from urbanpulse.core.keys import configure_keys
from urbanpulse.web.flask_app import ServiceFlask
from urbanpulse.web.proxies import register_trusted_proxies
from urbanpulse.web.security_headers import register_security_headers
from urbanpulse.web.sessions import BackOfficeSessionInterface


def create_app(config: dict | None = None) -> Flask:
    """Build the app: settings from the environment, then `config` overrides (tests use this)."""
    app = ServiceFlask(__name__, instance_path=instance_path(config or {}))
    app.config.from_object(config_for_environment())
    app.config.update(config or {})
    app.config["SQLALCHEMY_DATABASE_URI"] = to_sqlalchemy_url(app.config["SQLALCHEMY_DATABASE_URI"] or _runtime_url())
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
    register_trusted_proxies(app)
    return app


def check_production_settings(app: Flask) -> None:
    """Settle the secret keys (generated once per install unless set; refused in production when missing or
    short), then refuse debug mode in production."""
    production = app.config["ENV_NAME"] == "production"
    configure_keys(app.config, instance_path=app.instance_path, production=production)
    if production and app.debug:
        raise RuntimeError("production mode must not run with debug enabled")


def register_logging(app: Flask) -> None:
    """JSON logs and request ids."""
    from urbanpulse.web.request_log import register_request_logging

    register_request_logging(app)


def register_extensions(app: Flask) -> None:
    """Bind database, migrations, API, Redis and CORS to the app (API keys are checked before the limiter counts,
    and answer CORS after flask-cors)."""
    from urbanpulse.apikeys.guard import register_api_key_hooks
    from urbanpulse.auth.guard import register_request_hooks
    from urbanpulse.auth.read_your_writes import register_read_your_writes
    from urbanpulse.cache import relay
    from urbanpulse.core import replicas
    from urbanpulse.core.extensions import compress, cors, db, migrate, redis_client
    from urbanpulse.runtime.domains import change_consumers
    from urbanpulse.web.api_base import api

    register_request_hooks(app)
    register_api_key_hooks(app)
    db.init_app(app)
    replicas.init_app(app)
    register_read_your_writes(app)
    migrate.init_app(app, db, directory=str(_root() / "migrations"))
    api.init_app(app)
    redis_client.init_app(app)
    relay.install(app, change_consumers())
    compress.init_app(app)
    cors.init_app(
        app,
        resources={r"/api/*": {"origins": app.config["CORS_ORIGINS"]}},
        expose_headers=["ETag", "Location", "X-Request-ID", "RateLimit", "RateLimit-Policy", "Retry-After"],
        allow_headers=[
            "Authorization",
            "X-API-Key",
            "Content-Type",
            "If-Match",
            "If-None-Match",
            "Accept-Language",
        ],
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


def _runtime_url() -> str:
    """Without DATABASE_URL: the least-privilege role that provisioning created, on the default database."""
    from urbanpulse.core.config import DEFAULT_DATABASE_URL
    from urbanpulse.runtime.roles import runtime_url

    url = runtime_url(DEFAULT_DATABASE_URL)
    if url is None:
        raise RuntimeError(
            "no database credentials in instance/: run `make run` (it provisions the database and its roles) "
            "or set DATABASE_URL"
        )
    return url


def _root():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent

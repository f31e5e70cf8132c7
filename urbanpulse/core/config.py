"""Settings read from the environment, one class per mode."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/urbanpulse"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def to_sqlalchemy_url(url: str) -> str:
    """Return `url` with the psycopg 3 driver that SQLAlchemy must use."""
    for prefix in ("postgresql+psycopg2://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def to_libpq_url(url: str) -> str:
    """Return `url` without a SQLAlchemy driver suffix, as libpq expects it."""
    scheme, rest = url.split("://", 1)
    return "postgresql://" + rest if scheme.startswith("postgres") else url


def with_database(url: str, name: str) -> str:
    """Return `url` pointing at database `name` on the same server."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def database_url_for_tests(url: str) -> str:
    """The test database lives beside the main one and is always called `urbanpulse_test`."""
    return with_database(url, "urbanpulse_test")


def instance_dir() -> Path:
    """This install's private folder (generated secrets and passwords): `instance/` beside the package, or
    URBANPULSE_INSTANCE_DIR."""
    return Path(os.environ.get("URBANPULSE_INSTANCE_DIR") or Path(__file__).resolve().parents[2] / "instance")


def instance_path(overrides: dict) -> str:
    """Where the install keeps its private files (the generated key, the roles' passwords): the INSTANCE_PATH
    override, else `instance_dir()`."""
    return overrides.get("INSTANCE_PATH") or str(instance_dir())


def _env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


class Config:
    """Settings shared by every mode; each value comes from the environment."""

    ENV_NAME = "development"
    # Unset: generated once into the instance folder (refused in production); see urbanpulse.core.keys.
    SECRET_KEY = os.environ.get("SECRET_KEY") or None
    # Unset: the runtime role that provisioning created on the default database (see create_app).
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    DB_CONNECT_TIMEOUT_S = _env_int("DB_CONNECT_TIMEOUT_S", 3)
    DB_STATEMENT_TIMEOUT_MS = _env_int("DB_STATEMENT_TIMEOUT_MS", 10_000)
    # The connection budget (README, "Serving"): WEB_WORKERS x (DB_POOL_SIZE + DB_MAX_OVERFLOW) must fit in
    # PostgreSQL's max_connections - DB_RESERVED_CONNECTIONS; a request waits DB_POOL_TIMEOUT_S for a connection.
    DB_POOL_SIZE = _env_int("DB_POOL_SIZE", 5)
    DB_MAX_OVERFLOW = _env_int("DB_MAX_OVERFLOW", 0)
    DB_POOL_TIMEOUT_S = float(os.environ.get("DB_POOL_TIMEOUT_S", 5))
    DB_RESERVED_CONNECTIONS = _env_int("DB_RESERVED_CONNECTIONS", 10)
    # Read replicas (core.replicas): each server listed on its own (not behind a balancer, whose connections may
    # reach different servers); GET requests' public reads use one that has replayed what the caller must see.
    DATABASE_REPLICA_URLS = _env_list("DATABASE_REPLICA_URLS")
    REPLICA_MAX_LAG_S = float(os.environ.get("REPLICA_MAX_LAG_S", "5"))
    REPLICA_CHECK_S = float(os.environ.get("REPLICA_CHECK_S", "0.25"))
    REPLICA_RETRY_S = float(os.environ.get("REPLICA_RETRY_S", "5"))
    # How long a caller's last write position is kept (its reads go to the primary until a replica has it).
    READ_YOUR_WRITES_S = _env_int("READ_YOUR_WRITES_S", 600)
    REDIS_URL = os.environ.get("REDIS_URL", DEFAULT_REDIS_URL)
    # Redis behind Sentinels: "host:port,host:port,..." and the master's name (REDIS_URL then gives the database
    # and password only); every client finds the current primary through them (core.redis_client.RedisTarget).
    REDIS_SENTINELS = os.environ.get("REDIS_SENTINELS", "")
    REDIS_SENTINEL_MASTER = os.environ.get("REDIS_SENTINEL_MASTER", "")
    REDIS_TIMEOUT_MS = _env_int("REDIS_TIMEOUT_MS", 50)
    CACHE_ENABLED = os.environ.get("CACHE_ENABLED", "1") not in ("0", "false", "no")
    CACHE_TTL_S = _env_int("CACHE_TTL_S", 300)
    CACHE_CELL_M = _env_int("CACHE_CELL_M", 400)
    # Each worker relays committed changes (urbanpulse.cache.relay) when notified, and at least this often.
    CHANGE_LISTENER_ENABLED = os.environ.get("CHANGE_LISTENER_ENABLED", "1") not in ("0", "false", "no")
    CHANGE_POLL_S = float(os.environ.get("CHANGE_POLL_S", "1.0"))
    TOKEN_LIFETIME_S = _env_int("TOKEN_LIFETIME_S", 3600)
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").upper()
    # Operators' bearer token: /metrics and the details of /readyz (unset: neither is open on the API port).
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN") or None
    CORS_ORIGINS = _env_list("CORS_ORIGINS")
    MAX_CONTENT_LENGTH = _env_int("MAX_BODY_BYTES", 2 * 1024 * 1024)
    # Reverse proxies (addresses or CIDRs) whose X-Forwarded-For/-Proto are believed, and how many are chained.
    TRUSTED_PROXIES = _env_list("TRUSTED_PROXIES")
    TRUSTED_PROXY_COUNT = _env_int("TRUSTED_PROXY_COUNT", 1)
    RATELIMIT_ENABLED = os.environ.get("RATELIMIT_ENABLED", "1") not in ("0", "false", "no")
    # Reads per minute: anonymous callers per address; editors' and admins' accounts (a valid bearer token) get
    # their own, higher allowance. Third parties' API keys carry their own quotas (urbanpulse.apikeys).
    RATE_LIMIT_READS = os.environ.get("RATE_LIMIT_READS", "1200 per minute")
    RATE_LIMIT_EDITOR_READS = os.environ.get("RATE_LIMIT_EDITOR_READS", "20000 per minute")
    # Writes per account (else per address): enough for a script importing a few thousand items.
    RATE_LIMIT_WRITES = os.environ.get("RATE_LIMIT_WRITES", "3000 per minute")
    RATE_LIMIT_LOGIN = os.environ.get("RATE_LIMIT_LOGIN", "10 per minute")
    # Login failures per account and address, then per account from addresses that never proved its password.
    RATE_LIMIT_LOGIN_PER_ACCOUNT_ADDRESS = os.environ.get("RATE_LIMIT_LOGIN_PER_ACCOUNT_ADDRESS", "5 per 15 minutes")
    RATE_LIMIT_LOGIN_PER_ACCOUNT = os.environ.get("RATE_LIMIT_LOGIN_PER_ACCOUNT", "30 per hour")
    # API keys: how long a worker trusts its copy of a key (revocation and suspension reach every worker
    # within this), how often the usage counted in Redis is flushed to PostgreSQL, and the defaults of new keys.
    API_KEY_CACHE_TTL_S = float(os.environ.get("API_KEY_CACHE_TTL_S", "0.5"))
    # Sources imported by the job queue, on a schedule or on request (urbanpulse.imports.schedule).
    IMPORT_SOURCES = os.environ.get("IMPORT_SOURCES", "[]")
    # The DATAtourisme API (urbanpulse.imports.datatourisme_api); its key stays in DATATOURISME_API_KEY, read when
    # an import runs. Filters e.g. `isLocatedAt.address.hasAddressCity.isPartOfDepartment.insee[eq]=62`.
    DATATOURISME_API_ENDPOINT = os.environ.get("DATATOURISME_API_ENDPOINT", "catalog")
    DATATOURISME_API_FILTERS = os.environ.get("DATATOURISME_API_FILTERS", "")
    DATATOURISME_API_PAGE_SIZE = _env_int("DATATOURISME_API_PAGE_SIZE", 100)
    DATATOURISME_API_FIELDS = os.environ.get("DATATOURISME_API_FIELDS", "")
    DATATOURISME_API_LANG = os.environ.get("DATATOURISME_API_LANG", "")
    DATATOURISME_API_MAX_WAIT_S = _env_int("DATATOURISME_API_MAX_WAIT_S", 60)
    API_KEY_USAGE_PUSH_S = float(os.environ.get("API_KEY_USAGE_PUSH_S", "1.0"))
    # A key's day total heard longer ago than this is read again before the key is checked.
    API_KEY_DAY_TOTAL_STALE_S = float(os.environ.get("API_KEY_DAY_TOTAL_STALE_S", "2.0"))
    API_KEY_USAGE_FLUSH_S = _env_int("API_KEY_USAGE_FLUSH_S", 60)
    API_KEY_DEFAULT_PER_MINUTE = _env_int("API_KEY_DEFAULT_PER_MINUTE", 6000)
    API_KEY_DEFAULT_PER_DAY = _env_int("API_KEY_DEFAULT_PER_DAY", 1_000_000)
    LOGIN_PROVEN_ADDRESS_TTL_S = _env_int("LOGIN_PROVEN_ADDRESS_TTL_S", 30 * 24 * 3600)
    # Live events: import safety, live-feed retention and SSE stream limits.
    EVENTS_IMPORT_ALLOWED_HOSTS = _env_list("EVENTS_IMPORT_ALLOWED_HOSTS")
    EVENTS_IMPORT_MAX_BYTES = _env_int("EVENTS_IMPORT_MAX_BYTES", 10 * 1024 * 1024)
    EVENTS_IMPORT_TIMEOUT_S = _env_int("EVENTS_IMPORT_TIMEOUT_S", 30)
    EVENTS_FEED_KEY = os.environ.get("EVENTS_FEED_KEY", "up:events:feed")
    EVENTS_FEED_RETENTION_S = _env_int("EVENTS_FEED_RETENTION_S", 24 * 3600)
    EVENTS_STREAM_HEARTBEAT_S = _env_int("EVENTS_STREAM_HEARTBEAT_S", 15)
    EVENTS_STREAM_MAX_S = _env_int("EVENTS_STREAM_MAX_S", 600)
    EVENTS_STREAM_MAX_PER_WORKER = _env_int("EVENTS_STREAM_MAX_PER_WORKER", 1000)
    EVENTS_STREAM_MAX_PER_CLIENT = _env_int("EVENTS_STREAM_MAX_PER_CLIENT", 4)
    # Raster basemap of /map and of the back office's maps (empty: none), then the back office's session.
    MAP_BASEMAP_URL = os.environ.get("MAP_BASEMAP_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
    MAP_BASEMAP_ATTRIBUTION = os.environ.get("MAP_BASEMAP_ATTRIBUTION", "© OpenStreetMap contributors")
    PERMANENT_SESSION_LIFETIME = _env_int("ADMIN_SESSION_LIFETIME_S", 8 * 3600)
    SESSION_COOKIE_NAME = "upb_admin"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0").lower() in ("1", "true", "yes")
    # CSRF is checked on /admin only (urbanpulse.admin); the JSON API authenticates with bearer tokens.
    WTF_CSRF_CHECK_DEFAULT = False
    WTF_CSRF_TIME_LIMIT = _env_int("ADMIN_SESSION_LIFETIME_S", 8 * 3600)

    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_MIMETYPES = [
        "application/json",
        "application/geo+json",
        "application/problem+json",
        "text/calendar",
        "application/gpx+xml",
        "text/html",
        "text/css",
        "application/javascript",
    ]
    COMPRESS_MIN_SIZE = 500
    COMPRESS_BR_LEVEL = 4
    API_TITLE = "Urban Pulse Boulogne"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "/docs"
    OPENAPI_SWAGGER_UI_URL = "/docs/assets/"
    API_SPEC_OPTIONS = {
        "info": {
            "description": "Points of interest, maritime heritage routes and live events of "
            "Boulogne-sur-Mer, as GeoJSON. Errors are application/problem+json (RFC 9457).",
        },
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                "apiKey": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "X-API-Key",
                    "description": "A third party's key (`upb_live_...`); also accepted as the `key` query "
                    "parameter (map tiles, browsers). Optional on public reads: without one, the lower "
                    "per-address limit applies.",
                },
            }
        },
    }


def engine_options(config) -> dict:
    """SQLAlchemy engine options: the pool's budget, short connect and pool time-outs, a statement time-out."""
    return {
        # No pre-ping round trip per request: a connection broken by a PostgreSQL restart fails once
        # (503), SQLAlchemy then discards the whole pool and the next requests reconnect.
        "pool_pre_ping": False,
        "pool_size": config["DB_POOL_SIZE"],
        "max_overflow": config["DB_MAX_OVERFLOW"],
        # A full pool answers 503 with Retry-After after this wait rather than queueing requests for long.
        "pool_timeout": config["DB_POOL_TIMEOUT_S"],
        "pool_recycle": 1800,
        "connect_args": {
            "connect_timeout": config["DB_CONNECT_TIMEOUT_S"],
            # Text search matches words at trigram word-similarity >= 0.4 ("nausikaa" finds "nausicaa").
            "options": f"-c statement_timeout={config['DB_STATEMENT_TIMEOUT_MS']} "
            "-c pg_trgm.word_similarity_threshold=0.4",
        },
    }


class DevelopmentConfig(Config):
    """Local development: the defaults above."""


class TestingConfig(Config):
    """The test suite: everything real, only the mode differs."""

    ENV_NAME = "testing"
    TESTING = True


class ProductionConfig(Config):
    """Production: refuses a missing or short secret key (checked in create_app)."""

    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "1").lower() in ("1", "true", "yes")


CONFIGS = {"development": DevelopmentConfig, "testing": TestingConfig, "production": ProductionConfig}


def config_for_environment() -> type[Config]:
    """Pick the config class named by URBANPULSE_ENV (development by default)."""
    name = os.environ.get("URBANPULSE_ENV", "development").lower()
    if name not in CONFIGS:
        raise RuntimeError(f"URBANPULSE_ENV must be one of {sorted(CONFIGS)}, not {name!r}")
    return CONFIGS[name]

"""The key check on every API request: `X-API-Key` (or the `key` query parameter) looked up, its restrictions
applied, CORS answered for its own origins only, and the request counted.

Unknown or revoked key: 401; suspended, wrong origin or address, or a group the key may not call: 403 (all
problem+json, never echoing the key); over its day quota: 429 until midnight UTC. Without a key, a caller is
anonymous (lower per-address limits).

A key's per-minute quota is the rate limiter's; its day quota is checked here against the day's admitted
requests that `usage` counts anyway (see there), which saves the limiter a second Redis window per request.

Each worker keeps the keys it has seen for API_KEY_CACHE_TTL_S (0.5 s) and then reads the row again (one
indexed look-up per key per worker and interval). That, rather than a Redis version or pub/sub, is how a
revocation or suspension reaches every worker and instance within a second: the database is the one record, so
a change made through the API, the back office, the CLI or an operator's SQL is seen the same way, and a Redis
outage cannot keep a revoked key alive.
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask import Flask, current_app, g, request
from sqlalchemy import select

from urbanpulse.apikeys import service, usage
from urbanpulse.apikeys.models import ApiKey
from urbanpulse.core.errors import Forbidden, TooManyRequests, Unauthorized
from urbanpulse.core.extensions import db
from urbanpulse.core.redis_client import database_namespace
from urbanpulse.web.limits import Quota, report_other_quotas

KEYED_PATHS = ("/api/", "/ogc")
HEADER = "X-API-Key"
QUERY_PARAMETER = "key"
ALWAYS_ALLOWED_GROUPS = ("usage",)
EXPOSED_HEADERS = "ETag, Location, X-Request-ID, RateLimit, RateLimit-Policy, Retry-After"
PREFLIGHT_HEADERS = "X-API-Key, Authorization, Content-Type, If-Match, If-None-Match, Accept-Language"


@dataclass(frozen=True)
class KeyRecord:
    """What a worker needs to know of a key on each request (never the key itself)."""

    id: uuid.UUID
    prefix: str
    status: str
    per_minute: int
    per_day: int
    origins: frozenset[str]
    networks: tuple
    groups: frozenset[str]

    @property
    def limits(self) -> str:
        """The key's quota that the rate limiter keeps, in its notation (the day's is checked here)."""
        return f"{self.per_minute} per minute"


_cache: dict[tuple[str, str], tuple[float, KeyRecord | None]] = {}
_cache_lock = threading.Lock()
_CACHE_MAX = 10_000


def _load(key_hash: str) -> KeyRecord | None:
    row = db.session.scalar(select(ApiKey).where(ApiKey.hash == key_hash))
    if row is None:
        return None
    return KeyRecord(
        id=row.id,
        prefix=row.prefix,
        status=row.status,
        per_minute=row.per_minute,
        per_day=row.per_day,
        origins=frozenset(row.allowed_origins or ()),
        networks=tuple(ipaddress.ip_network(str(net)) for net in row.allowed_cidrs or ()),
        groups=frozenset(row.groups or ()),
    )


def lookup(key: str) -> KeyRecord | None:
    """The key's record (None when unknown), from this worker's copy when younger than API_KEY_CACHE_TTL_S."""
    if not service.well_formed(key):
        return None
    cache_key = (database_namespace(), service.hash_key(key))
    now = time.monotonic()
    cached = _cache.get(cache_key)
    if cached is not None and cached[0] > now:
        return cached[1]
    record = _load(cache_key[1])
    with _cache_lock:
        if len(_cache) >= _CACHE_MAX:
            _cache.clear()
        _cache[cache_key] = (now + current_app.config["API_KEY_CACHE_TTL_S"], record)
    return record


def forget_cached_keys() -> None:
    """Drop this worker's copies (tests; other workers' copies expire by themselves)."""
    with _cache_lock:
        _cache.clear()


def group_of_request() -> str:
    """The API group of the request: its blueprint's name (`pois`, `tiles`...), `other` when none."""
    return request.blueprint or "other"


def _request_origin() -> str | None:
    origin = request.headers.get("Origin")
    candidate = origin if origin and origin != "null" else request.headers.get("Referer")
    if not candidate:
        return None
    parts = urlsplit(candidate)
    try:
        return service.normalise_origin(f"{parts.scheme}://{parts.netloc}")
    except ValueError:
        return None


def _refuse(reason: str, error):
    usage.KEY_REFUSALS.labels(reason).inc()
    raise error


def _check(record: KeyRecord) -> None:
    if record.status == "suspended":
        _refuse("suspended", Forbidden("this API key is suspended; its holder should contact the tourism office"))
    if record.origins and _request_origin() not in record.origins:
        _refuse("origin", Forbidden("this API key is not allowed from this origin (Origin / Referer)"))
    if record.networks:
        try:
            address = ipaddress.ip_address(request.remote_addr or "")
        except ValueError:
            address = None
        if address is None or not any(address in network for network in record.networks):
            _refuse("address", Forbidden("this API key is not allowed from this address"))
    group = group_of_request()
    if record.groups and group not in record.groups and group not in ALWAYS_ALLOWED_GROUPS:
        _refuse("group", Forbidden(f"this API key may not call the {group} API"))


def _seconds_to_midnight_utc() -> int:
    now = datetime.now(UTC)
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC)
    return max(1, math.ceil((midnight - now).total_seconds()))


def _check_day_quota(record: KeyRecord) -> None:
    used = usage.admitted_today(record.id)
    breached = used >= record.per_day
    g.api_key_day = Quota(
        "day", record.per_day, 86400, max(0, record.per_day - used - 1), _seconds_to_midnight_utc(), breached
    )
    if breached:
        raise TooManyRequests(
            f"this API key has used its {record.per_day} requests of the day; they are renewed at midnight UTC"
        )


def day_quota_of_request() -> list[Quota]:
    """The key's day quota and where this request left it, for the rate-limit fields (none without a key)."""
    quota = g.get("api_key_day")
    return [quota] if quota is not None else []


def presented_key() -> str | None:
    """The key the request carries (header first, then the query parameter), or None."""
    key = request.headers.get(HEADER)
    if not key and QUERY_PARAMETER.encode() + b"=" in request.query_string:
        try:
            key = request.args.get(QUERY_PARAMETER)
        except UnicodeDecodeError:  # refused as a 400 by urbanpulse.web.security_headers
            key = None
    return key or None


def check_api_key() -> None:
    """Before each API request: identify and check the key, if any (g.api_key)."""
    g.pop("api_key", None)
    g.pop("api_key_day", None)
    if not request.path.startswith(KEYED_PATHS):
        return
    key = presented_key()
    if key is None:
        return
    record = lookup(key)
    unauthorized = {"WWW-Authenticate": 'ApiKey realm="urbanpulse", header="X-API-Key"'}
    if record is None:
        _refuse("unknown", Unauthorized("unknown API key", headers=unauthorized))
    if record.status == "revoked":
        _refuse("revoked", Unauthorized("this API key was revoked", headers=unauthorized))
    g.api_key = record  # refusals from here on are counted in the key's usage
    g.api_key_group = group_of_request()
    _check(record)
    if request.method != "OPTIONS" and current_app.config["RATELIMIT_ENABLED"]:
        _check_day_quota(record)


def _cors(response) -> None:
    origin = request.headers.get("Origin")
    record = g.get("api_key")
    if record is not None and record.origins:
        # Answered for the key's own origins only, whatever CORS_ORIGINS says.
        for name in ("Access-Control-Allow-Origin", "Access-Control-Allow-Credentials"):
            response.headers.pop(name, None)
        if origin and _request_origin() in record.origins:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        response.vary.add("Origin")
        return
    preflight = request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers
    asked = request.headers.get("Access-Control-Request-Headers", "").lower()
    if origin and preflight and HEADER.lower() in asked and request.path.startswith(KEYED_PATHS):
        # A browser asks before sending X-API-Key, without the key: let it ask. The real request then gets
        # Access-Control-Allow-Origin only when the key allows its origin, so this grants nothing.
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD"
        response.headers["Access-Control-Allow-Headers"] = PREFLIGHT_HEADERS
        response.headers["Access-Control-Max-Age"] = "600"
        response.vary.add("Origin")


def after_api_request(response):
    """CORS for keyed requests and their preflights, then count a keyed request's outcome."""
    _cors(response)
    record = g.get("api_key")
    if record is not None and request.method != "OPTIONS":
        usage.count(key_id=record.id, group=g.get("api_key_group", "other"), status=response.status_code)
    return response


def register_api_key_hooks(app: Flask) -> None:
    """Check keys before the rate limiter counts the request (it counts keyed requests per key)."""
    app.before_request(check_api_key)
    app.after_request(after_api_request)
    report_other_quotas(day_quota_of_request)

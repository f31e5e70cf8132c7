"""The rate limiter (Flask-Limiter, counters in Redis) and its per-address key. Reads are limited per client
here; the write and login limits, which know accounts, are put on the blueprints by `urbanpulse.auth.limits`.
Over a limit: 429 problem with Retry-After."""

from __future__ import annotations

from flask import current_app, request
from flask_limiter import Limiter

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
UNLIMITED_PATHS = ("/healthz", "/readyz", "/metrics")


def client_ip() -> str:
    """The caller's address: the peer, or the client a trusted proxy forwarded for (urbanpulse.web.proxies)."""
    return f"ip:{request.remote_addr or 'unknown'}"


def _not_a_read() -> bool:
    return request.method not in SAFE_METHODS or request.path.startswith(UNLIMITED_PATHS)


def _read_limit() -> str:
    return current_app.config["RATE_LIMIT_READS"]


limiter = Limiter(
    key_func=client_ip,
    # Read from the current app at request time: the Limiter is shared by every app of the process.
    application_limits=[_read_limit],
    application_limits_exempt_when=_not_a_read,
    strategy="sliding-window-counter",
    headers_enabled=True,
    swallow_errors=True,
    in_memory_fallback_enabled=True,
    key_prefix="up:rl",
)

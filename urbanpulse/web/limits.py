"""The rate limiter (Flask-Limiter, counters in Redis), who each read is counted for, and the rate-limit headers.

Reads are limited per caller: a third party's API key by its own quotas (per minute and per day, checked in
`urbanpulse.apikeys.guard` before this counts), an editor's or admin's account by RATE_LIMIT_EDITOR_READS, and
anyone else per address by RATE_LIMIT_READS. The write and login limits, which know accounts, are put on the
blueprints by `urbanpulse.auth.limits`. Over a limit: 429 problem with Retry-After.

Every limited response says where the caller stands with the IETF httpapi rate-limit fields
(draft-ietf-httpapi-ratelimit-headers): `RateLimit-Policy` lists the quotas that applied
(`"minute";q=600;w=60, "day";q=100000;w=86400`), `RateLimit` the nearest one's remaining requests and
seconds to its reset (`"minute";r=599;t=60`).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app, g, request
from flask_limiter import Limiter

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
UNLIMITED_PATHS = ("/healthz", "/readyz", "/metrics")
log = logging.getLogger(__name__)


def client_ip() -> str:
    """The caller's address: the peer, or the client a trusted proxy forwarded for (urbanpulse.web.proxies)."""
    return f"ip:{request.remote_addr or 'unknown'}"


def _no_account() -> str | None:
    return None


# Who among anonymous-looking callers is an editor (`user:<id>`), set by urbanpulse.auth.limits (a floor above).
_editor_account: Callable[[], str | None] = _no_account


def recognise_editors(account_of: Callable[[], str | None]) -> None:
    """Let `account_of()` name an editor's account, whose reads are limited by RATE_LIMIT_EDITOR_READS."""
    global _editor_account
    _editor_account = account_of


def _reader() -> tuple[str, str]:
    """(who, limits) of this read: the API key, else an editor's account, else the address."""
    found = g.get("rate_reader")
    if found is None:
        key = g.get("api_key")
        if key is not None:
            found = (f"key:{key.id}", key.limits)
        else:
            account = _editor_account()
            found = (
                (account, current_app.config["RATE_LIMIT_EDITOR_READS"])
                if account
                else (client_ip(), current_app.config["RATE_LIMIT_READS"])
            )
        g.rate_reader = found
    return found


def reader() -> str:
    """Who this read is counted for: `key:<id>`, `user:<id>` (editors and admins) or `ip:<address>`."""
    return _reader()[0]


def _read_limit() -> str:
    return _reader()[1]


@dataclass(frozen=True)
class Quota:
    """A quota kept outside the limiter (an API key's day), reported in the same header fields."""

    name: str  # as in RateLimit-Policy: "day"
    amount: int
    window_s: int
    remaining: int  # after this request
    reset_s: int
    breached: bool


def _no_quotas() -> list[Quota]:
    return []


_other_quotas: Callable[[], list[Quota]] = _no_quotas


def report_other_quotas(quotas_of_request: Callable[[], list[Quota]]) -> None:
    """Let `quotas_of_request()` add quotas the limiter does not keep to the rate-limit fields."""
    global _other_quotas
    _other_quotas = quotas_of_request


def _not_a_read() -> bool:
    return request.method not in SAFE_METHODS  # probes never get here: `_unlimited_path` filters them out


limiter = Limiter(
    key_func=reader,
    # Read from the current app at request time: the Limiter is shared by every app of the process.
    application_limits=[_read_limit],
    application_limits_exempt_when=_not_a_read,
    strategy="sliding-window-counter",
    # The IETF fields replace Flask-Limiter's X-RateLimit-* ones (see rate_limit_headers).
    headers_enabled=False,
    swallow_errors=True,
    in_memory_fallback_enabled=True,
    key_prefix="up:rl",
)


@limiter.request_filter
def _unlimited_path() -> bool:
    # Probes and metrics skip the limiter altogether: its per-request bookkeeping (~0.3 ms, profiled) would be
    # most of a health check's time, and /healthz's tail is what a load balancer's timeout sees.
    return request.path.startswith(UNLIMITED_PATHS)


def _policy_name(item) -> str:
    unit = item.GRANULARITY.name
    return unit if item.multiples == 1 else f"{item.multiples}{unit}s"


def _limiter_quotas() -> tuple[list[Quota], Quota | None] | None:
    """The limiter's limits of this request (smallest window first) and the nearest one with its standing;
    None when Redis did not answer."""
    applied = limiter.current_limits
    nearest = limiter.current_limit
    if not applied or nearest is None:
        return [], None
    try:
        reset_s = min(nearest.limit.get_expiry(), max(0, math.ceil(nearest.reset_at - time.time())))
        remaining = max(0, nearest.remaining)
    except Exception as error:  # Redis unreachable: the answer goes without the fields
        log.warning("rate-limit fields left out: %s", error)
        return None
    standing = Quota(
        _policy_name(nearest.limit),
        nearest.limit.amount,
        nearest.limit.get_expiry(),
        remaining,
        reset_s,
        nearest.breached,
    )
    # Only the nearest one's standing is reported, so the others' remaining and reset are never asked for.
    quotas = [Quota(_policy_name(lim.limit), lim.limit.amount, lim.limit.get_expiry(), 0, 0, False) for lim in applied]
    return quotas, standing


def rate_limit_headers(response):
    """`RateLimit-Policy` and `RateLimit` on every limited response, `Retry-After` on a 429 from a limit.

    The quota reported in `RateLimit` is a breached one, else the limiter's nearest (its smallest window), as
    Flask-Limiter chooses among its own."""
    found = _limiter_quotas()
    if found is None:
        return response
    quotas, nearest = found
    others = _other_quotas()
    quotas += others
    nearest = next((quota for quota in others if quota.breached), None) or nearest or (others[0] if others else None)
    if nearest is None:
        return response
    policies = dict.fromkeys(f'"{quota.name}";q={quota.amount};w={quota.window_s}' for quota in quotas)
    response.headers["RateLimit-Policy"] = ", ".join(policies)
    response.headers["RateLimit"] = f'"{nearest.name}";r={nearest.remaining};t={nearest.reset_s}'
    if response.status_code == 429 and nearest.breached:
        response.headers["Retry-After"] = str(max(1, nearest.reset_s))
    return response


def register_rate_limit_headers(app: Flask) -> None:
    """Add the rate-limit fields to every response a limit applied to (call before `limiter.init_app`)."""

    @app.before_request
    def _forget_reader() -> None:
        g.pop("rate_reader", None)  # an app context may outlive one request (tests)

    app.after_request(rate_limit_headers)

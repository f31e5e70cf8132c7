"""Domain exceptions and the one place that turns every error into application/problem+json (RFC 9457)."""

from __future__ import annotations

import json
import logging

from flask import Flask, Response, g, request
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

PROBLEM_MIMETYPE = "application/problem+json"
log = logging.getLogger(__name__)


class DomainError(Exception):
    """Base of the errors that services raise; each maps to one HTTP status."""

    status = 400
    title = "Bad Request"
    type_slug: str | None = None

    def __init__(self, detail: str | None = None, *, errors: list[dict] | None = None, headers=None):
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = errors
        self.headers = headers or {}


class NotFound(DomainError):
    """The resource does not exist or is not visible to the caller."""

    status, title, type_slug = 404, "Not Found", "not-found"


class Conflict(DomainError):
    """The request conflicts with the current state (e.g. a duplicate slug)."""

    status, title, type_slug = 409, "Conflict", "conflict"


class PreconditionFailed(DomainError):
    """If-Match names a version that is no longer the current one."""

    status, title, type_slug = 412, "Precondition Failed", "stale-version"


class PreconditionRequired(DomainError):
    """A write came without If-Match."""

    status, title, type_slug = 428, "Precondition Required", "if-match-required"


class Unauthorized(DomainError):
    """Missing, expired or invalid credentials."""

    status, title, type_slug = 401, "Unauthorized", "unauthorized"

    def __init__(self, detail: str | None = None, **kwargs):
        super().__init__(detail, **kwargs)
        self.headers.setdefault("WWW-Authenticate", 'Bearer realm="urbanpulse"')


class Forbidden(DomainError):
    """Authenticated, but the role does not allow this."""

    status, title, type_slug = 403, "Forbidden", "forbidden"


class ValidationFailed(DomainError):
    """Input that is well-formed but breaks a rule; `errors` names the fields."""

    status, title, type_slug = 422, "Unprocessable Content", "validation-error"

    @classmethod
    def field(cls, field: str, message: str, location: str = "json") -> ValidationFailed:
        """One failing field."""
        return cls(f"{field}: {message}", errors=[{"field": field, "in": location, "messages": [message]}])


class TooManyRequests(DomainError):
    """The caller holds too much of a bounded resource (its own share of live streams)."""

    status, title, type_slug = 429, "Too Many Requests", "too-many-requests"


class ServiceUnavailable(DomainError):
    """A dependency (PostgreSQL) is unreachable."""

    status, title, type_slug = 503, "Service Unavailable", "service-unavailable"


def problem_response(
    status: int,
    title: str,
    detail: str | None = None,
    *,
    type_slug: str | None = None,
    errors: list[dict] | None = None,
    headers: dict | None = None,
    extra: dict | None = None,
) -> Response:
    """Build an application/problem+json response (`extra` adds extension members)."""
    body = {
        "type": f"/problems/{type_slug}" if type_slug else "about:blank",
        "title": title,
        "status": status,
        "detail": detail or title,
        "instance": request.path if request else None,
    }
    if errors:
        body["errors"] = errors
    body.update(extra or {})
    request_id = g.get("request_id") if g else None
    if request_id:
        body["request_id"] = request_id
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_MIMETYPE)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def flatten_validation_messages(messages: dict) -> list[dict]:
    """Turn webargs' {location: {field: [msg] | {...}}} into [{field, in, messages}], dotted paths."""
    flat: list[dict] = []

    def walk(location: str, path: list[str], node) -> None:
        if isinstance(node, dict):
            for key, child in node.items():
                walk(location, [*path, str(key)], child)
        else:
            items = node if isinstance(node, list) else [node]
            flat.append({"field": ".".join(path) or "_schema", "in": location, "messages": [str(m) for m in items]})

    for location, fields in (messages or {}).items():
        walk(location, [], fields)
    return flat


def http_exception_to_problem(error: HTTPException) -> Response:
    """Convert any werkzeug HTTPException (404, 405, 422 from webargs...) to problem+json."""
    if error.code is None:
        error.code = 500
    data = getattr(error, "data", None) or {}
    headers = dict(data.get("headers") or {})
    if error.code == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)
    errors = None
    detail = data.get("message") or error.description
    type_slug = None
    if "messages" in data or "errors" in data:
        errors = flatten_validation_messages(data.get("errors") or data.get("messages"))
        fields = ", ".join(e["field"] for e in errors)
        detail = f"Invalid input: {fields}" if fields else detail
        type_slug = "validation-error"
    if error.code >= 500:
        detail = "An internal error occurred; it has been logged." if error.code == 500 else detail
    return problem_response(error.code, error.name, detail, type_slug=type_slug, errors=errors, headers=headers)


def register_error_handlers(app: Flask) -> None:
    """Map domain errors, database outages and anything unexpected to problem+json."""

    @app.errorhandler(DomainError)
    def _domain(error: DomainError):
        return problem_response(
            error.status,
            error.title,
            error.detail,
            type_slug=error.type_slug,
            errors=error.errors,
            headers=error.headers,
        )

    @app.errorhandler(OperationalError)
    def _database_down(error: DBAPIError):
        log.warning("database unavailable: %s", error.orig)
        return problem_response(
            503,
            "Service Unavailable",
            "The database is unavailable; retry shortly.",
            type_slug="service-unavailable",
            headers={"Retry-After": "5"},
        )

    @app.errorhandler(PoolTimeout)
    def _pool_exhausted(error: PoolTimeout):
        # Every connection of this worker's pool is busy (the connection budget): shed the request.
        log.warning("database connection pool exhausted")
        return problem_response(
            503,
            "Service Unavailable",
            "The service is busy; retry shortly.",
            type_slug="service-busy",
            headers={"Retry-After": "1"},
        )

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return http_exception_to_problem(error)
        log.exception("unhandled error")
        return problem_response(500, "Internal Server Error", "An internal error occurred; it has been logged.")

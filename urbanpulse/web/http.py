"""Fast JSON responses (orjson) with strong ETags and 304 on If-None-Match."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

import orjson
from flask import Response, request

GEOJSON_MIMETYPE = "application/geo+json"
JSON_MIMETYPE = "application/json"


def body_digest(body: bytes) -> str:
    """A digest (32 hex digits) of the bytes of a representation."""
    return hashlib.blake2b(body, digest_size=16).hexdigest()


def body_etag(body: bytes) -> str:
    """A strong ETag from the bytes of a representation."""
    return f'"{body_digest(body)}"'


def _matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    if header.strip() == "*":
        return True
    # A client may send back the ETag of a compressed representation ('"...:gzip"', Flask-Compress).
    sent = {re.sub(r':[a-z]+"$', '"', tag.strip().removeprefix("W/")) for tag in header.split(",")}
    return etag in sent


def json_response(
    payload,
    *,
    status: int = 200,
    mimetype: str = JSON_MIMETYPE,
    etag: str | Callable[[bytes], str] | None = None,
    headers: dict | None = None,
    vary: tuple[str, ...] = ("Accept-Language", "Authorization"),
    max_age_s: int = 60,
) -> Response:
    """Serialise `payload` and answer it as `bytes_response` does."""
    body = orjson.dumps(payload, option=orjson.OPT_NON_STR_KEYS)
    return bytes_response(
        body, status=status, mimetype=mimetype, etag=etag, headers=headers, vary=vary, max_age_s=max_age_s
    )


def bytes_response(
    body: bytes,
    *,
    status: int = 200,
    mimetype: str = JSON_MIMETYPE,
    etag: str | Callable[[bytes], str] | None = None,
    headers: dict | None = None,
    vary: tuple[str, ...] = ("Accept-Language", "Authorization"),
    max_age_s: int = 60,
) -> Response:
    """GET/HEAD get an ETag (given, made from the body by `etag(body)`, or the body's digest), Cache-Control
    and 304 on a match.

    Answers to authenticated callers are private (editors may see drafts); public ones are shareable.
    """
    if callable(etag):
        etag = etag(body)
    response = Response(body, status=status, mimetype=mimetype)
    if vary:
        response.vary.update(vary)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    if request.method in ("GET", "HEAD") and status == 200:
        if "Authorization" in request.headers:
            response.headers["Cache-Control"] = "private, no-cache"
        else:
            response.headers["Cache-Control"] = f"public, max-age={max_age_s}"
        etag = etag or body_etag(body)
        response.headers["ETag"] = etag
        if _matches(request.headers.get("If-None-Match"), etag):
            response.status_code = 304
            response.set_data(b"")
    elif etag:
        response.headers["ETag"] = etag
    return response

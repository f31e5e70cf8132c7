"""HTTP hygiene every response shares: no MIME sniffing, Vary: Origin under CORS, UTF-8 query strings."""

from __future__ import annotations

from flask import Flask, request
from werkzeug.exceptions import BadRequest


def register_security_headers(app: Flask) -> None:
    """`X-Content-Type-Options: nosniff` on every response, `Vary: Origin` on CORS-enabled paths; refuse
    query strings that are not UTF-8 up front."""

    @app.before_request
    def _query_string_is_utf8() -> None:
        # werkzeug decodes the query string strictly when a view first reads request.args: a raw byte past
        # ASCII that is not UTF-8 would otherwise surface as a UnicodeDecodeError (500) in any view.
        try:
            request.query_string.decode("utf-8")
        except UnicodeDecodeError:
            raise BadRequest("the query string is not valid UTF-8 (percent-encode UTF-8 bytes)") from None

    @app.after_request
    def _security_headers(response):
        # A browser must never guess HTML out of a JSON or GPX answer that quotes user-supplied markup.
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if app.config["CORS_ORIGINS"] and request.path.startswith("/api/"):
            # Access-Control-Allow-Origin depends on the Origin header (flask-cors only says so when several
            # origins are configured): a shared cache must not hand a non-browser's answer to the app.
            response.vary.add("Origin")
        return response

"""Headers of every /admin response: a strict Content-Security-Policy, no framing, no sniffing, no caching."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, request


def csp_nonce() -> str:
    """This response's script/style nonce (one per request)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def tile_origin(url: str | None) -> str | None:
    """`https://tile.example.org` for a tile URL template, None when there is no (absolute) basemap."""
    if not url:
        return None
    parts = urlsplit(url.replace("{s}", "a"))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    host = parts.netloc
    if "{s}" in url:
        # Leaflet's {s} subdomains (a, b, c) are all allowed.
        host = "*." + host.split(".", 1)[1] if "." in host else host
    return f"{parts.scheme}://{host}"


def content_security_policy(nonce: str) -> str:
    """Only the app's own scripts/styles (and the nonce'd ones), images also from the basemap's host."""
    images = ["'self'", "data:"]
    origin = tile_origin(current_app.config.get("MAP_BASEMAP_URL"))
    if origin:
        images.append(origin)
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            f"style-src 'self' 'nonce-{nonce}'",
            f"img-src {' '.join(images)}",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


def register_security_headers(app: Flask, prefix: str) -> None:
    """Add the headers to every response under `prefix` (pages and their static files)."""

    @app.after_request
    def _admin_headers(response: Response) -> Response:
        if request.path != prefix and not request.path.startswith(prefix + "/"):
            return response
        response.headers["Content-Security-Policy"] = content_security_policy(csp_nonce())
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if response.mimetype == "text/html":
            # Pages hold unpublished content and CSRF tokens: never kept by a browser or proxy cache.
            response.headers["Cache-Control"] = "no-store"
        return response

"""Shared helpers of the import tests."""

from __future__ import annotations

import json
from contextlib import contextmanager


@contextmanager
def configured(app, sources: list[dict]):
    """IMPORT_SOURCES set to `sources` for the block."""
    saved = app.config["IMPORT_SOURCES"]
    app.config["IMPORT_SOURCES"] = json.dumps(sources)
    try:
        yield
    finally:
        app.config["IMPORT_SOURCES"] = saved


def send_json(handler, body, *, status: int = 200, headers: dict | None = None) -> None:
    """Answer a test server's request (a BaseHTTPRequestHandler) with `body` as JSON."""
    data = json.dumps(body).encode()
    handler.send_response(status)
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)

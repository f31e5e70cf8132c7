"""Structured (JSON) logs with one line per request and a request id echoed in X-Request-ID."""

from __future__ import annotations

import logging
import re
import secrets
import sys
import time

from flask import Flask, g, request
from pythonjsonlogger.json import JsonFormatter

REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# One JSON object per line; gunicorn's own loggers use the same (urbanpulse.serving.gunicorn_conf).
JSON_LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
access_log = logging.getLogger("urbanpulse.access")
# API keys (urbanpulse.apikeys) in a logged line: a `key` query parameter (gunicorn's and werkzeug's request
# lines) or a key string anywhere.
_CREDENTIALS = re.compile(r"(?<=[?&]key=)[^&\s\"']+|(?<=upb_live_)[0-9A-Za-z]{8,}")


class RedactCredentials(logging.Filter):
    """Replace API keys in a record's message by `[redacted]`, whoever logs it (app, gunicorn, werkzeug)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the message when it holds a key; never drops a record."""
        message = record.getMessage()
        redacted = _CREDENTIALS.sub("[redacted]", message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def configure_logging(level: str) -> None:
    """Send every log record to stderr as one JSON object per line."""
    root = logging.getLogger()
    if not any(getattr(h, "_urbanpulse", False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter(JSON_LOG_FORMAT))
        handler.addFilter(RedactCredentials())
        handler._urbanpulse = True
        root.addHandler(handler)
    root.setLevel(level)
    # Alembic announces each of its plugins at INFO whenever an app is built; that is noise in service logs.
    logging.getLogger("alembic").setLevel(max(logging.WARNING, logging.getLevelName(level)))


def _new_request_id() -> str:
    # 32 random hex digits, as uuid4().hex gave, without building a UUID object on every request.
    return secrets.token_hex(16)


def register_request_logging(app: Flask) -> None:
    """Give each request an id (the client's X-Request-ID when sane) and log it when it ends."""
    configure_logging(app.config["LOG_LEVEL"])

    @app.before_request
    def _start() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if REQUEST_ID_PATTERN.match(incoming) else _new_request_id()
        g.request_started = time.perf_counter()

    @app.after_request
    def _finish(response):
        request_id = g.get("request_id") or _new_request_id()
        response.headers["X-Request-ID"] = request_id
        started = g.get("request_started")
        access_log.info(
            "request",
            extra={
                "request_id": request_id,
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2) if started else None,
                "remote_addr": request.remote_addr,
                "user_id": g.get("current_user_id"),
                # The key's id, never the key (urbanpulse.apikeys).
                "api_key_id": str(g.api_key.id) if g.get("api_key") is not None else None,
            },
        )
        return response

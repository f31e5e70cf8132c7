"""Who is an operator: a request carrying METRICS_TOKEN as its bearer token (never anyone when it is unset)."""

from __future__ import annotations

import hmac

from flask import current_app, request


def operator_token_configured() -> bool:
    """Whether METRICS_TOKEN is set (without it, operators' endpoints are closed on this port)."""
    return bool(current_app.config.get("METRICS_TOKEN"))


def is_operator() -> bool:
    """Whether the request carries the operator token (`Authorization: Bearer <METRICS_TOKEN>`)."""
    expected = current_app.config.get("METRICS_TOKEN")
    if not expected:
        return False
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), expected.encode())

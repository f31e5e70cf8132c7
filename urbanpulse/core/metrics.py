"""Prometheus metrics (prometheus_client; multi-process aware under gunicorn) and the /metrics view.

/metrics on the API port answers only the operator token (METRICS_TOKEN; closed when unset); under gunicorn,
METRICS_BIND serves the same figures from the master on a separate (loopback) address instead.
"""

from __future__ import annotations

import os
import time

from flask import Flask, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from sqlalchemy import event

from urbanpulse.core.errors import Forbidden, Unauthorized
from urbanpulse.core.operator import is_operator, operator_token_configured

CACHE_REQUESTS = Counter("urbanpulse_cache_requests", "Cache look-ups by cache and result", ["cache", "result"])
CACHE_INVALIDATIONS = Counter("urbanpulse_cache_invalidations", "Generation bumps after writes", ["domain"])
CACHE_ERRORS = Counter("urbanpulse_cache_errors", "Redis errors (answers then come from PostGIS)")
DB_QUERY_SECONDS = Histogram(
    "urbanpulse_db_query_seconds",
    "PostgreSQL statement time",
    buckets=(0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0),
)

# Labelled by the URL rule ("/api/v1/pois/<uuid:poi_id>"), never by the raw path: a bounded set of series.
HTTP_REQUESTS = Counter(
    "urbanpulse_http_requests", "HTTP requests by method, URL rule and status", ["method", "rule", "status"]
)
HTTP_REQUEST_SECONDS = Histogram(
    "urbanpulse_http_request_seconds",
    "Time in the app per request, by method and URL rule",
    ["method", "rule"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0),
)
UNMATCHED_RULE = "(unmatched)"


def registry() -> CollectorRegistry:
    """The registry to expose: every gunicorn worker's figures when PROMETHEUS_MULTIPROC_DIR is set."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    from prometheus_client import REGISTRY

    return REGISTRY


def register_metrics(app: Flask) -> None:
    """Expose /metrics (operators only), count and time every request by URL rule, time every SQL statement."""

    @app.get("/metrics")
    def metrics():
        if not operator_token_configured():
            raise Forbidden("metrics are not served on this port; set METRICS_TOKEN or scrape METRICS_BIND")
        if not is_operator():
            raise Unauthorized("metrics need the operator token")
        return Response(generate_latest(registry()), mimetype=CONTENT_TYPE_LATEST)

    @app.after_request
    def _count_request(response: Response) -> Response:
        rule = request.url_rule.rule if request.url_rule is not None else UNMATCHED_RULE
        HTTP_REQUESTS.labels(request.method, rule, str(response.status_code)).inc()
        started = g.get("request_started")
        if started is not None:
            HTTP_REQUEST_SECONDS.labels(request.method, rule).observe(time.perf_counter() - started)
        return response

    with app.app_context():
        from urbanpulse.core.extensions import db

        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def _start(conn, cursor, statement, parameters, context, executemany):
        conn.info.setdefault("query_started", []).append(time.perf_counter())

    @event.listens_for(engine, "after_cursor_execute")
    def _stop(conn, cursor, statement, parameters, context, executemany):
        started = conn.info["query_started"].pop()
        DB_QUERY_SECONDS.observe(time.perf_counter() - started)

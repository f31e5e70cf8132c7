"""Prometheus metrics (prometheus_client; multi-process aware under gunicorn) and the /metrics view."""

from __future__ import annotations

import os
import time

from flask import Flask, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from sqlalchemy import event

CACHE_REQUESTS = Counter("urbanpulse_cache_requests", "Cache look-ups by cache and result", ["cache", "result"])
CACHE_INVALIDATIONS = Counter("urbanpulse_cache_invalidations", "Generation bumps after writes", ["domain"])
CACHE_ERRORS = Counter("urbanpulse_cache_errors", "Redis errors (answers then come from PostGIS)")
DB_QUERY_SECONDS = Histogram(
    "urbanpulse_db_query_seconds",
    "PostgreSQL statement time",
    buckets=(0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0),
)


def _registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    from prometheus_client import REGISTRY

    return REGISTRY


def register_metrics(app: Flask) -> None:
    """Expose /metrics and time every SQL statement of the app's engine."""

    @app.get("/metrics")
    def metrics():
        return Response(generate_latest(_registry()), mimetype=CONTENT_TYPE_LATEST)

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

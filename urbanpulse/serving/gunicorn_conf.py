"""gunicorn settings for `make run` (production worker configuration)."""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
# One gevent worker per core this process may run on: a worker already serves many connections at once, so
# more workers than cores only make the kernel switch between them mid-request. Measured on 2 cores (issue 19,
# docs/scaling.md): 2 workers against 4 gave the same or higher throughput and lower tails at a fixed rate
# (crowd p99 10.4 against 15.5 ms, median of 5 turns).
workers = int(os.environ.get("WEB_WORKERS") or len(os.sched_getaffinity(0)))
# gevent: an open live-feed stream (/api/v1/events/stream) costs a greenlet, not a thread, so thousands of
# them cannot starve ordinary requests. psycopg 3 and redis-py cooperate once gevent has patched the
# standard library, which the gevent worker does before it imports the app (so never set preload_app).
# WEB_WORKER_CLASS=gthread still works: streams are then capped at half of WEB_THREADS per worker.
# The gevent worker is urbanpulse.serving.balance's, which spreads connections evenly over the workers.
WORKER_CLASSES = {"gevent": "urbanpulse.serving.balance.BalancedGeventWorker"}
worker_kind = os.environ.get("WEB_WORKER_CLASS", "gevent")
worker_class = WORKER_CLASSES.get(worker_kind, worker_kind)
worker_connections = int(os.environ.get("WEB_WORKER_CONNECTIONS", 2000))
threads = int(os.environ.get("WEB_THREADS", 8))
timeout = int(os.environ.get("WEB_TIMEOUT_S", 30))
graceful_timeout = 10
keepalive = 5
# gunicorn refuses longer request lines and header fields itself (414, 431); http_errors makes those answers,
# and its other own errors, problem+json like the app's (installed at import, before the workers fork).
limit_request_line = 8190
limit_request_field_size = 8190
limit_request_fields = 100


def _problem_errors():
    from urbanpulse.serving import http_errors

    assert (limit_request_line, limit_request_field_size) == (
        http_errors.LIMIT_REQUEST_LINE,
        http_errors.LIMIT_REQUEST_FIELD_SIZE,
    )
    http_errors.install()


_problem_errors()
# Each request is logged by the app (urbanpulse.access, with its request id); WEB_ACCESS_LOG=1 adds gunicorn's.
access_log_on = os.environ.get("WEB_ACCESS_LOG", "0").lower() in ("1", "true", "yes")
accesslog = "-" if access_log_on else None
logger_class = "urbanpulse.serving.access_logger.AccessLogWhenAsked"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()


def _json_logging(level: str, access: bool) -> dict:
    """gunicorn's error and access loggers writing the app's JSON lines to stderr (the root logger is the app's)."""
    from urbanpulse.web.request_log import JSON_LOG_FORMAT

    def logger(logger_level: str) -> dict:
        return {"level": logger_level, "handlers": ["json_stderr"], "propagate": False}

    return {
        "version": 1,
        "disable_existing_loggers": False,
        "root": {"level": level.upper(), "handlers": []},
        "formatters": {"json": {"()": "pythonjsonlogger.json.JsonFormatter", "fmt": JSON_LOG_FORMAT}},
        "handlers": {
            "json_stderr": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
                "filters": ["redact"],  # API keys sent as ?key= never reach the access log
            }
        },
        "filters": {"redact": {"()": "urbanpulse.web.request_log.RedactCredentials"}},
        "loggers": {
            "gunicorn.error": logger(level.upper()),
            "gunicorn.access": logger("INFO" if access else "WARNING"),
        },
    }


logconfig_dict = _json_logging(loglevel, access_log_on)
# gunicorn believes X-Forwarded-Proto only from the same proxies the app believes (none by default).
forwarded_allow_ips = os.environ.get("TRUSTED_PROXIES", "")

# Prometheus counters are per process; workers write them to a shared folder that /metrics aggregates.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    import tempfile

    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="urbanpulse-metrics-")


def when_ready(server):
    """Serve the workers' aggregated metrics from the master on METRICS_BIND (e.g. 127.0.0.1:9100) when set."""
    metrics_bind = os.environ.get("METRICS_BIND")
    if metrics_bind:
        from urbanpulse.serving.metrics_bind import serve_metrics

        serve_metrics(metrics_bind)
        server.log.info("metrics served on http://%s/metrics", metrics_bind)


def on_starting(server):
    """Create the shared table the gevent workers balance their connections with."""
    from urbanpulse.serving import balance

    balance.create_table()


def pre_fork(server, worker):
    """Give the worker about to be forked its row of the balancing table."""
    from urbanpulse.serving import balance

    balance.assign_slot(worker)


def child_exit(server, worker):
    """Free a dead worker's balancing row and drop its live gauges from the aggregated metrics."""
    from prometheus_client import multiprocess

    from urbanpulse.serving import balance

    balance.release_slot(worker)
    multiprocess.mark_process_dead(worker.pid)


def post_worker_init(worker):
    """Check the connection budget, collect garbage rarely; on gevent, refuse to serve if psycopg would block,
    and take turns between connections."""
    _check_connection_budget(worker)
    _collect_garbage_rarely()
    if "gevent" not in worker_class.lower():  # ours, or gunicorn's own when WEB_WORKER_CLASS names it
        return
    import psycopg.waiting

    if psycopg.waiting.wait is getattr(psycopg.waiting, "wait_c", None):
        worker.log.error("psycopg was imported before gevent patching; its waits would block every greenlet")
        raise SystemExit(1)
    worker.wsgi = _taking_turns(worker.wsgi)


def _check_connection_budget(worker):
    """Refuse to serve when every worker's pool together could exceed PostgreSQL's max_connections."""
    from urbanpulse.core.db_budget import check_connection_budget, connections_per_worker

    app = worker.wsgi
    with app.app_context():
        check_connection_budget(
            workers=worker.cfg.workers,
            per_worker=connections_per_worker(app.config),
            reserve=app.config["DB_RESERVED_CONNECTIONS"],
        )


def _collect_garbage_rarely():
    """Freeze the app's start-up objects out of the collector's reach and collect young objects less often.

    A full collection walks every object of the worker and stops all of its requests meanwhile: measured
    at 1M POIs, uncached nearby p99 went from 240-300 ms to 70-80 ms and throughput up by a quarter.
    A young collection stops them too, for a time that grows with the threshold: at 50,000 it took 13-25 ms,
    at 10,000 2.5-3 ms on average (crowd at a fixed rate; p99.9 18 against 25 ms, median of 5 turns).
    """
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 20, 100)


def _taking_turns(app):
    """Yield to the other greenlets before each request.

    A keep-alive connection whose next request is already buffered is read without blocking, so its
    greenlet would never give way: one busy client then starves the worker's other connections for
    hundreds of milliseconds (measured: p99 500 ms on /healthz at 16 connections, 15 ms with this).
    """
    import gevent

    def app_taking_turns(environ, start_response):
        gevent.sleep(0)
        return app(environ, start_response)

    return app_taking_turns

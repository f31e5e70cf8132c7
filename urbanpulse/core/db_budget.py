"""The PostgreSQL connection budget: every worker's pool must fit in the server's max_connections, less a reserve
for operators, migrations and the CLI. Checked when a gunicorn worker starts, with a clear error."""

from __future__ import annotations

import logging

from sqlalchemy.exc import OperationalError

from urbanpulse.core.extensions import db

log = logging.getLogger(__name__)


def connections_per_worker(config) -> int:
    """The most connections one worker's pool may open: DB_POOL_SIZE + DB_MAX_OVERFLOW."""
    return config["DB_POOL_SIZE"] + config["DB_MAX_OVERFLOW"]


def check_connection_budget(*, workers: int, per_worker: int, reserve: int) -> None:
    """Raise RuntimeError when workers x per_worker exceeds the server's max_connections - reserve.

    Needs an app context; a server that cannot be reached now is not checked (readiness reports it).
    """
    try:
        with db.engine.connect() as connection:
            max_connections = int(connection.exec_driver_sql("SHOW max_connections").scalar())
    except OperationalError as error:
        log.warning("connection budget not checked: PostgreSQL unreachable (%s)", type(error.orig).__name__)
        return
    needed = workers * per_worker
    if needed > max_connections - reserve:
        raise RuntimeError(
            f"connection budget exceeded: {workers} workers x {per_worker} connections "
            f"(DB_POOL_SIZE + DB_MAX_OVERFLOW) = {needed} > max_connections {max_connections} - "
            f"DB_RESERVED_CONNECTIONS {reserve}; lower WEB_WORKERS or DB_POOL_SIZE, or raise max_connections"
        )

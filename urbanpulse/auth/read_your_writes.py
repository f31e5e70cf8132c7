"""Read-your-writes with replicas (issue 17): after a caller's write, the primary's WAL position is recorded for
their account, and their later reads only use a replica that has replayed it (`core.replicas`).

Callers are known by their bearer token. The back office (a session cookie) always reads from the primary, and
so does a request whose caller's position cannot be read (Redis down, or a token that does not verify).
"""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, request
from sqlalchemy.exc import SQLAlchemyError

from urbanpulse.auth.limits import signed_subject
from urbanpulse.cache import replica_positions
from urbanpulse.core import replicas
from urbanpulse.core.extensions import db

log = logging.getLogger(__name__)


def register_read_your_writes(app: Flask) -> None:
    """Set each read's required position before the view, and record each write's after it."""
    app.before_request(_require_callers_position)
    app.after_request(_record_write_position)


def _require_callers_position() -> None:
    replicas.forget_required_position()
    if not replicas.wanted():
        return
    if current_app.config["SESSION_COOKIE_NAME"] in request.cookies:
        replicas.require_position(replicas.PRIMARY)
        return
    caller = signed_subject()
    if caller is None:
        if "Authorization" in request.headers:
            replicas.require_position(replicas.PRIMARY)
        return
    replicas.require_position(replica_positions.caller_position(caller))


def _record_write_position(response: Response) -> Response:
    if request.method in (*replicas.READ_METHODS, "OPTIONS") or response.status_code >= 400:
        return response
    if not replicas.configured():
        return response
    caller = signed_subject()
    if caller is None:
        return response
    try:
        with db.engine.connect() as connection:
            position = connection.exec_driver_sql("SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint").scalar()
    except SQLAlchemyError as error:
        log.warning("read-your-writes: the primary's position could not be read: %s", type(error).__name__)
        return response
    if not replica_positions.record_caller_position(caller, position, current_app.config["READ_YOUR_WRITES_S"]):
        log.warning("read-your-writes: Redis unavailable; caller %s reads the primary while it is", caller)
    return response

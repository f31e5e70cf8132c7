"""Counting the SQL statements a piece of code sends (a SQLAlchemy event listener; counting, not timing)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event


@contextmanager
def counted_queries() -> Iterator[list[str]]:
    """The statements sent on the app's engines inside the block (the primary's and the replicas'), in order."""
    from urbanpulse.core import replicas
    from urbanpulse.core.extensions import db

    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    engines = [db.engine, *(replica.engine for replica in replicas.configured_replicas())]
    for engine in engines:
        event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", record)

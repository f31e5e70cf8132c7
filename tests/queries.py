"""Counting the SQL statements a piece of code sends (a SQLAlchemy event listener; counting, not timing)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event


@contextmanager
def counted_queries() -> Iterator[list[str]]:
    """The statements sent on the app's engine inside the block, in order."""
    from urbanpulse.core.extensions import db

    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)

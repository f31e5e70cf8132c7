"""Connections for public read queries: autocommit, so a read costs one round trip (no BEGIN/ROLLBACK)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import orjson
from psycopg.types.json import set_json_loads
from sqlalchemy.engine import Connection

from urbanpulse.extensions import db

# JSONB columns are decoded by orjson: several times faster than the standard library on hot paths.
set_json_loads(orjson.loads)


@contextmanager
def read_connection() -> Iterator[Connection]:
    """A pooled connection of its own (never the request's write session) in autocommit mode."""
    with db.engine.connect() as connection:
        yield connection.execution_options(isolation_level="AUTOCOMMIT")

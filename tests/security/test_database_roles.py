"""The service runs as a least-privilege role: rows only, no DDL, not a superuser, and it needs its password."""

import os

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError

from urbanpulse.core.config import to_libpq_url
from urbanpulse.core.extensions import db
from urbanpulse.runtime.roles import OWNER, RUNTIME, role_url

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="DATABASE_URL is the user's: provisioning created no roles"
)


def test_the_app_connects_as_the_runtime_role_which_is_no_superuser(app):
    assert db.session.scalar(text("SELECT current_user")) == RUNTIME
    assert (
        db.session.scalar(
            text("SELECT rolsuper OR rolcreatedb OR rolcreaterole FROM pg_roles WHERE rolname = current_user")
        )
        is False
    )


@pytest.mark.parametrize(
    "statement",
    [
        "CREATE TABLE intruder (id integer)",
        "ALTER TABLE pois ADD COLUMN intruder integer",
        "DROP TABLE history",
        "TRUNCATE pois",
        "UPDATE alembic_version SET version_num = 'x'",
        "CREATE FUNCTION intruder() RETURNS integer LANGUAGE sql AS 'SELECT 1'",
    ],
)
def test_the_runtime_role_cannot_change_the_schema(app, statement):
    with pytest.raises(ProgrammingError) as raised, db.engine.begin() as conn:
        conn.exec_driver_sql(statement)
    assert isinstance(raised.value.orig, psycopg.errors.InsufficientPrivilege)


def test_the_runtime_role_reads_and_writes_rows(app, client):
    with db.engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO change_log (entity, entity_id, op) VALUES ('pois', gen_random_uuid(), 'U')")
        assert conn.exec_driver_sql("SELECT count(*) FROM change_log").scalar() == 1
        conn.exec_driver_sql("DELETE FROM change_log")


def test_both_roles_must_present_their_password(database_url, admin_connection):
    rules = admin_connection.execute(
        "SELECT count(*) FROM pg_hba_file_rules WHERE %s = ANY(user_name) AND auth_method = 'scram-sha-256'",
        (RUNTIME,),
    ).fetchone()[0]
    assert rules >= 2  # loopback over IPv4 and IPv6, before any trust rule
    for role in (RUNTIME, OWNER):
        with pytest.raises(psycopg.OperationalError, match="password"):
            psycopg.connect(to_libpq_url(role_url(database_url, role, "not-the-password")), connect_timeout=5)

"""Least-privilege database roles, created by provisioning when it manages the database itself.

- `urbanpulse_owner` owns the schema and runs the migrations (DDL);
- `urbanpulse_app` is what the service connects as: reads and writes rows, no DDL, not a superuser.

Both log in with passwords generated once per install (`instance/database.json`, mode 0600) and, where
provisioning may edit the local server's pg_hba.conf, must present them (scram-sha-256) even where the
server trusts loopback for its own `postgres` role. A DATABASE_URL set by the user is used as it is.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg
from psycopg import sql

from urbanpulse.core.config import instance_dir
from urbanpulse.core.keys import create_private_file_once

OWNER = "urbanpulse_owner"
RUNTIME = "urbanpulse_app"
CREDENTIALS_FILE = "database.json"
HBA_MARKER = "# urbanpulse: its roles log in with passwords"


def credentials_path() -> Path:
    """Where this install keeps its database roles' passwords."""
    return instance_dir() / CREDENTIALS_FILE


def load_credentials() -> dict | None:
    """{role: password} of this install, or None before provisioning created them."""
    try:
        return json.loads(credentials_path().read_text())
    except FileNotFoundError:
        return None


def load_or_create_credentials() -> dict:
    """This install's passwords, generated at the first call (written atomically, readable by its owner only)."""
    found = load_credentials()
    if found is not None:
        return found
    created = {OWNER: secrets.token_urlsafe(32), RUNTIME: secrets.token_urlsafe(32)}
    create_private_file_once(credentials_path(), json.dumps(created))  # a concurrent run's file wins
    return json.loads(credentials_path().read_text())


def role_url(url: str, role: str, password: str) -> str:
    """`url` (same server and database) logging in as `role` with `password`."""
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{quote(role, safe='')}:{quote(password, safe='')}@{host}"))


def runtime_url(admin_url: str) -> str | None:
    """The URL the service uses on `admin_url`'s database: the runtime role, once provisioning created it."""
    credentials = load_credentials()
    return role_url(admin_url, RUNTIME, credentials[RUNTIME]) if credentials else None


def ensure_roles(admin_url: str, credentials: dict) -> None:
    """Create or update both roles and hand the database and its schema to the owner (as a superuser)."""
    database = psycopg.conninfo.conninfo_to_dict(admin_url)["dbname"]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute("SET password_encryption = 'scram-sha-256'")
        for role in (OWNER, RUNTIME):
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
            verb = "ALTER" if exists else "CREATE"
            conn.execute(
                sql.SQL("{} ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD {}").format(
                    sql.SQL(verb), sql.Identifier(role), sql.Literal(credentials[role])
                )
            )
        # To tell which running transactions belong to other databases (they never hold back this one's change
        # horizon: urbanpulse.core.horizon), the service reads pg_stat_activity's backend_xid of every session.
        conn.execute(sql.SQL("GRANT pg_read_all_stats TO {}").format(sql.Identifier(RUNTIME)))
        conn.execute(sql.SQL("ALTER DATABASE {} OWNER TO {}").format(sql.Identifier(database), sql.Identifier(OWNER)))
        conn.execute(sql.SQL("ALTER SCHEMA public OWNER TO {}").format(sql.Identifier(OWNER)))
        conn.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
        _give_owner_what_admin_made(conn)


def _give_owner_what_admin_made(conn: psycopg.Connection) -> None:
    """Tables, sequences, views and functions of the schema that a superuser created (earlier installs ran
    the migrations as `postgres`), except those of extensions (PostGIS stays the superuser's)."""
    rows = conn.execute(
        """
        SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                              ELSE 'TABLE' END, c.relname
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'S', 'v', 'm')
          AND pg_get_userbyid(c.relowner) <> %s
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
          AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'i'))
        UNION ALL
        SELECT 'FUNCTION', p.oid::regprocedure::text
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) <> %s
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
        """,
        (OWNER, OWNER),
    ).fetchall()
    for kind, name in rows:
        target = sql.SQL(name) if kind == "FUNCTION" else sql.Identifier(name)
        conn.execute(sql.SQL("ALTER {} {} OWNER TO {}").format(sql.SQL(kind), target, sql.Identifier(OWNER)))


def grant_runtime(owner_url: str) -> None:
    """Let the runtime role read and write rows of every table (now and future), and nothing more."""
    runtime = sql.Identifier(RUNTIME)
    with psycopg.connect(owner_url, autocommit=True) as conn:
        conn.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(runtime))
        conn.execute(
            sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(runtime)
        )
        conn.execute(sql.SQL("REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {}").format(runtime))
        conn.execute(sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(runtime))
        conn.execute(
            sql.SQL(
                "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {}"
            ).format(runtime)
        )
        conn.execute(
            sql.SQL("ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {}").format(runtime)
        )


def require_passwords(admin_url: str) -> bool:
    """Make the local server ask both roles for their passwords (scram-sha-256) on loopback, before any trust
    rule; True when pg_hba.conf was changed (and reloaded). Skipped where the file cannot be edited."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        hba = Path(conn.execute("SHOW hba_file").fetchone()[0])
        try:
            text = hba.read_text()
        except OSError:
            return False
        if HBA_MARKER in text:
            return False
        roles = f"{OWNER},{RUNTIME}"
        lines = "".join(
            f"{rule}\n"
            for rule in (
                HBA_MARKER,
                f"local all {roles} scram-sha-256",
                f"host all {roles} 127.0.0.1/32 scram-sha-256",
                f"host all {roles} ::1/128 scram-sha-256",
            )
        )
        try:
            hba.write_text(lines + text)
        except OSError:
            return False
        conn.execute("SELECT pg_reload_conf()")
        return True

"""Provisioning for `make run` and `make test`.

Order, as the README states: use DATABASE_URL / REDIS_URL when set; else the servers on 127.0.0.1 when
they answer; else, on Debian/Ubuntu as root, install the missing packages and start them on loopback.
Only the `urbanpulse` and `urbanpulse_test` databases are ever created here.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import redis
from psycopg import sql

from urbanpulse.core.config import (
    DEFAULT_DATABASE_URL,
    DEFAULT_REDIS_URL,
    database_url_for_tests,
    to_libpq_url,
)
from urbanpulse.runtime import roles

POSTGIS_EXTENSIONS = ("postgis", "pg_trgm", "btree_gist")


class ProvisionError(RuntimeError):
    """A step failed in a way the user must fix; the message says how."""


def say(message: str) -> None:
    """Print a progress line."""
    print(f"==> {message}", flush=True)


def _is_loopback(host: str | None) -> bool:
    if not host or host.startswith("/") or host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _can_install() -> bool:
    return Path("/etc/debian_version").exists() and shutil.which("apt-get") is not None and os.geteuid() == 0


_apt_updated = False

# On a freshly booted Debian, unattended-upgrades often holds the dpkg lock for a few minutes: wait for it.
APT_OPTIONS = ("-o", "DPkg::Lock::Timeout=600")


def _tool_env() -> dict[str, str]:
    """Environment for apt and the PostgreSQL cluster tools: non-interactive, with a locale that exists.

    An ssh login often forwards a locale the machine never generated (LANG=en_US.UTF-8 on a minimal
    Debian), which makes perl tools warn at every call; C.UTF-8 is built into every Debian/Ubuntu libc.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("LC_") and k not in ("LANG", "LANGUAGE")}
    return {**env, "DEBIAN_FRONTEND": "noninteractive", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}


def run_tool(*args: str, what: str) -> subprocess.CompletedProcess:
    """Run a system tool quietly; on failure raise a ProvisionError naming `what` with the tool's output."""
    result = subprocess.run(args, env=_tool_env(), capture_output=True, text=True)
    if result.returncode != 0:
        output = (result.stderr.strip() or result.stdout.strip())[-3000:]
        raise ProvisionError(f"{what} failed (`{' '.join(args)}`, exit {result.returncode}):\n{output}")
    return result


def apt_install(*packages: str) -> None:
    """Install Debian packages non-interactively (runs `apt-get update` once)."""
    global _apt_updated
    if not _apt_updated:
        say("apt-get update")
        run_tool("apt-get", *APT_OPTIONS, "update", "-qq", what="apt-get update")
        _apt_updated = True
    say(f"apt-get install {' '.join(packages)}")
    run_tool(
        "apt-get",
        *APT_OPTIONS,
        "install",
        "-y",
        "-qq",
        "--no-install-recommends",
        *packages,
        what=f"apt-get install {' '.join(packages)}",
    )


def _maintenance_url(url: str) -> str:
    info = psycopg.conninfo.conninfo_to_dict(url)
    info["dbname"] = "postgres"
    return psycopg.conninfo.make_conninfo(**info)


def _connect(url: str, **kwargs) -> psycopg.Connection:
    return psycopg.connect(url, connect_timeout=5, **kwargs)


def _postgres_error(url: str) -> str | None:
    """None when the server at `url` lets its role into the maintenance database, else libpq's reason."""
    try:
        with _connect(_maintenance_url(url)):
            return None
    except psycopg.OperationalError as error:
        return str(error).strip() or type(error).__name__


def _postgres_answers(url: str) -> bool:
    return _postgres_error(url) is None


def _start_local_postgres() -> None:
    """Create the `main` cluster if none exists, trust `postgres` on loopback, and (re)load or start it.

    On a real Debian the package's own service has usually started the cluster already (systemd does so
    on install), with the default pg_hba.conf: the edited file then only counts after a reload.
    """
    clusters = sorted(Path("/etc/postgresql").glob("*/main")) if Path("/etc/postgresql").exists() else []
    if not clusters:
        version = _installed_server_major()
        say(f"creating PostgreSQL {version} cluster 'main'")
        run_tool("pg_createcluster", "--locale", "C.UTF-8", version, "main", what="pg_createcluster")
        clusters = [Path(f"/etc/postgresql/{version}/main")]
    conf_dir = clusters[-1]
    version = conf_dir.parent.name
    _trust_loopback(conf_dir / "pg_hba.conf")
    if _cluster_running(version):
        say(f"reloading PostgreSQL {version} (loopback trust for postgres)")
        run_tool("pg_ctlcluster", version, "main", "reload", what=f"reloading PostgreSQL {version}")
    else:
        say(f"starting PostgreSQL {version} on loopback")
        # As root under systemd, pg_ctlcluster hands this to `systemctl start postgresql@VERSION-main`.
        run_tool("pg_ctlcluster", version, "main", "start", what=f"starting PostgreSQL {version}")


def _cluster_running(version: str) -> bool:
    """True when cluster `version`/main runs (`pg_ctlcluster status` exits 0; 3 means stopped)."""
    result = subprocess.run(
        ["pg_ctlcluster", version, "main", "status"], env=_tool_env(), capture_output=True, text=True
    )
    return result.returncode == 0


def _trust_loopback(hba: Path) -> None:
    """Let the local `postgres` role in over loopback without a password (development set-up only)."""
    marker = "# urbanpulse: loopback trust for the postgres role"
    text = hba.read_text()
    if marker in text:
        return
    say(f"trusting the postgres role on loopback in {hba}")
    lines = f"{marker}\nhost all postgres 127.0.0.1/32 trust\nhost all postgres ::1/128 trust\n"
    hba.write_text(lines + text)


def _installed_server_major() -> str:
    versions = sorted(
        (p.name for p in Path("/usr/lib/postgresql").glob("*") if (p / "bin" / "postgres").exists()),
        key=int,
    )
    if not versions:
        raise ProvisionError("no PostgreSQL server binaries under /usr/lib/postgresql")
    return versions[-1]


def ensure_postgres(url: str, *, user_supplied: bool) -> None:
    """Make sure a PostgreSQL server with PostGIS available answers at `url`."""
    info = psycopg.conninfo.conninfo_to_dict(url)
    host, port = info.get("host"), info.get("port", "5432")
    local = _is_loopback(host)
    if not _postgres_answers(url):
        if not local or not _can_install():
            where = "DATABASE_URL" if user_supplied else f"{host}:{port}"
            raise ProvisionError(
                f"PostgreSQL does not answer at {where}. Install PostgreSQL 15+ with PostGIS 3 "
                "(Debian/Ubuntu: apt install postgresql postgresql-15-postgis-3), start it, "
                "or set DATABASE_URL to a server you can reach."
            )
        if not Path("/usr/lib/postgresql").exists() or not any(Path("/usr/lib/postgresql").iterdir()):
            apt_install("postgresql", "postgresql-contrib")
        _start_local_postgres()
        for _ in range(30):
            error = _postgres_error(url)
            if error is None:
                break
            time.sleep(1)
        else:
            raise ProvisionError(f"PostgreSQL was started but does not accept connections at {host}:{port}: {error}")
    with _connect(_maintenance_url(url)) as conn:
        available = conn.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'").fetchone()
        major = conn.execute("SHOW server_version_num").fetchone()[0][:-4]
    if available:
        return
    if not local or not _can_install():
        raise ProvisionError(
            f"PostGIS is not installed on the PostgreSQL {major} server. "
            f"Install it (Debian/Ubuntu: apt install postgresql-{major}-postgis-3) and retry."
        )
    apt_install(f"postgresql-{major}-postgis-3")


def _redis_answers(client: redis.Redis, *, tries: int) -> bool:
    """Ping up to `tries` times, 0.25 s apart; True as soon as Redis answers."""
    for attempt in range(tries):
        try:
            client.ping()
            return True
        except redis.RedisError:
            if attempt + 1 < tries:
                time.sleep(0.25)
    return False


def ensure_redis(url: str) -> None:
    """Make sure Redis answers at `url`; install and start it on loopback when allowed."""
    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    if _redis_answers(client, tries=1):
        return
    host = client.connection_pool.connection_kwargs.get("host", "127.0.0.1")
    port = int(client.connection_pool.connection_kwargs.get("port", 6379))
    if not _is_loopback(host) or not _can_install():
        raise ProvisionError(
            f"Redis does not answer at {host}:{port}. Install Redis 6+ (Debian/Ubuntu: apt install "
            "redis-server), start it, or set REDIS_URL."
        )
    if shutil.which("redis-server") is None:
        apt_install("redis-server")
        # Under systemd the package starts its own service (Debian's redis.conf, loopback, port 6379).
        if _redis_answers(client, tries=8):
            say(f"redis-server answers on 127.0.0.1:{port} (the Debian service the package started)")
            _bound_cache_memory(client)
            return
    say(f"starting redis-server on 127.0.0.1:{port}")
    run_tool(
        "redis-server",
        "--daemonize",
        "yes",
        "--bind",
        "127.0.0.1",
        "--port",
        str(port),
        "--save",
        "",
        "--appendonly",
        "no",
        "--maxmemory",
        "256mb",
        "--maxmemory-policy",
        "allkeys-lru",
        what="starting redis-server",
    )
    if not _redis_answers(client, tries=20):
        raise ProvisionError(
            f"redis-server was started but does not answer on port {port} (is the port used by another program?)"
        )


def _bound_cache_memory(client: redis.Redis) -> None:
    """The cache expects bounded memory with LRU eviction and no persistence (set at run time)."""
    for name, value in (("maxmemory", "256mb"), ("maxmemory-policy", "allkeys-lru"), ("save", "")):
        client.config_set(name, value)


def ensure_database(url: str) -> None:
    """Create the database named in `url` if missing, with the extensions the schema needs."""
    name = psycopg.conninfo.conninfo_to_dict(url)["dbname"]
    with _connect(_maintenance_url(url), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            say(f"creating database {name}")
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    with _connect(url, autocommit=True) as conn:
        for extension in POSTGIS_EXTENSIONS:
            conn.execute(sql.SQL("CREATE EXTENSION IF NOT EXISTS {}").format(sql.Identifier(extension)))


def migrate_and_seed(sqlalchemy_url: str, redis_url: str, *, seed: bool) -> None:
    """Apply every Alembic migration, then (for `make run`) load the Boulogne seed data."""
    from flask_migrate import upgrade

    from urbanpulse import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": sqlalchemy_url, "REDIS_URL": redis_url})
    with app.app_context():
        say("applying migrations")
        upgrade(directory=str(Path(__file__).resolve().parents[2] / "migrations"), revision="heads")
        if seed:
            from urbanpulse.runtime.seeding import load_seed

            say("loading the Boulogne seed data")
            report = load_seed()
            say(f"seed: {report}")


def migrate_with_roles(admin_url: str, redis_url: str, *, seed: bool) -> None:
    """Create the owner and runtime roles, migrate (and seed) as the owner, then grant the runtime role."""
    credentials = roles.load_or_create_credentials()
    say(f"roles {roles.OWNER} (migrations) and {roles.RUNTIME} (the service: rows only), passwords in instance/")
    roles.ensure_roles(admin_url, credentials)
    if roles.require_passwords(admin_url):
        say("pg_hba.conf: both roles must log in with their passwords (scram-sha-256)")
    owner_url = roles.role_url(admin_url, roles.OWNER, credentials[roles.OWNER])
    migrate_and_seed(owner_url, redis_url, seed=seed)
    roles.grant_runtime(owner_url)


def main(argv: list[str] | None = None) -> int:
    """Entry point: `python -m urbanpulse.runtime.provision --for run|test`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--for", dest="target", choices=("run", "test"), required=True)
    args = parser.parse_args(argv)

    supplied_db = os.environ.get("DATABASE_URL")
    db_url = supplied_db or DEFAULT_DATABASE_URL
    if args.target == "test":
        db_url = os.environ.get("TEST_DATABASE_URL") or database_url_for_tests(db_url)
    redis_url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    libpq_url = to_libpq_url(db_url)
    try:
        ensure_postgres(libpq_url, user_supplied=bool(supplied_db))
        ensure_redis(redis_url)
        ensure_database(libpq_url)
        if supplied_db:
            migrate_and_seed(db_url, redis_url, seed=args.target == "run")
        else:
            migrate_with_roles(libpq_url, redis_url, seed=args.target == "run")
    except ProvisionError as error:
        print(f"provisioning failed: {error}", file=sys.stderr)
        return 1
    say(f"ready: database {psycopg.conninfo.conninfo_to_dict(libpq_url)['dbname']}, redis {redis_url}")
    return 0


if __name__ == "__main__":
    socket.setdefaulttimeout(30)
    sys.exit(main())

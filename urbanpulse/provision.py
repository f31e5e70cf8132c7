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

from urbanpulse.config import (
    DEFAULT_DATABASE_URL,
    DEFAULT_REDIS_URL,
    database_url_for_tests,
    to_libpq_url,
)

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


def apt_install(*packages: str) -> None:
    """Install Debian packages non-interactively (runs `apt-get update` once)."""
    global _apt_updated
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if not _apt_updated:
        say("apt-get update")
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        _apt_updated = True
    say(f"apt-get install {' '.join(packages)}")
    result = subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages],
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise ProvisionError(f"apt-get install {' '.join(packages)} failed:\n{result.stderr.strip()}")


def _maintenance_url(url: str) -> str:
    info = psycopg.conninfo.conninfo_to_dict(url)
    info["dbname"] = "postgres"
    return psycopg.conninfo.make_conninfo(**info)


def _connect(url: str, **kwargs) -> psycopg.Connection:
    return psycopg.connect(url, connect_timeout=5, **kwargs)


def _postgres_answers(url: str) -> bool:
    try:
        with _connect(_maintenance_url(url)):
            return True
    except psycopg.OperationalError:
        return False


def _start_local_postgres() -> None:
    clusters = sorted(Path("/etc/postgresql").glob("*/main")) if Path("/etc/postgresql").exists() else []
    if not clusters:
        version = _installed_server_major()
        say(f"creating PostgreSQL {version} cluster 'main'")
        subprocess.run(["pg_createcluster", version, "main"], check=True)
        clusters = [Path(f"/etc/postgresql/{version}/main")]
    conf_dir = clusters[-1]
    version = conf_dir.parent.name
    _trust_loopback(conf_dir / "pg_hba.conf")
    say(f"starting PostgreSQL {version} on loopback")
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"],
        check=False,
        capture_output=True,
    )


def _trust_loopback(hba: Path) -> None:
    """Let the local `postgres` role in over loopback without a password (development set-up only)."""
    marker = "# urbanpulse: loopback trust for the postgres role"
    text = hba.read_text()
    if marker in text:
        return
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
            if _postgres_answers(url):
                break
            time.sleep(1)
        else:
            raise ProvisionError(f"PostgreSQL was started but does not accept connections at {host}:{port}")
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


def ensure_redis(url: str) -> None:
    """Make sure Redis answers at `url`; install and start it on loopback when allowed."""
    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
        return
    except redis.RedisError:
        pass
    host = client.connection_pool.connection_kwargs.get("host", "127.0.0.1")
    port = int(client.connection_pool.connection_kwargs.get("port", 6379))
    if not _is_loopback(host) or not _can_install():
        raise ProvisionError(
            f"Redis does not answer at {host}:{port}. Install Redis 6+ (Debian/Ubuntu: apt install "
            "redis-server), start it, or set REDIS_URL."
        )
    if shutil.which("redis-server") is None:
        apt_install("redis-server")
    say(f"starting redis-server on 127.0.0.1:{port}")
    subprocess.run(
        [
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
        ],
        check=True,
        capture_output=True,
    )
    for _ in range(20):
        try:
            client.ping()
            return
        except redis.RedisError:
            time.sleep(0.25)
    raise ProvisionError(f"redis-server was started but does not answer on port {port}")


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
        upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"), revision="heads")
        if seed:
            from urbanpulse.seeding import load_seed

            say("loading the Boulogne seed data")
            report = load_seed()
            say(f"seed: {report}")


def main(argv: list[str] | None = None) -> int:
    """Entry point: `python -m urbanpulse.provision --for run|test`."""
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
        migrate_and_seed(db_url, redis_url, seed=args.target == "run")
    except ProvisionError as error:
        print(f"provisioning failed: {error}", file=sys.stderr)
        return 1
    say(f"ready: database {psycopg.conninfo.conninfo_to_dict(libpq_url)['dbname']}, redis {redis_url}")
    return 0


if __name__ == "__main__":
    socket.setdefaulttimeout(30)
    sys.exit(main())

"""pygeoapi 0.21 beside the service in `make bench` (issues 18 and 21): the same published POIs, the same box and limit.

pygeoapi runs from its own virtual environment (bench/.venv-pygeoapi, pinned by bench/pygeoapi/requirements.txt)
under gunicorn with 4 workers, reading the bench database through its PostgreSQL provider. Its provider needs a
geometry column, ours is geography, so it reads two views made for the run and dropped after it:
- `bench_pygeoapi_pois`: `location::geometry`, served by an expression GiST index made for it (pygeoapi at its best);
- `bench_pygeoapi_pois_plain`: the same rows through an expression no index serves (a view over the table as
  most deployments would write it, as in the issue's measurement).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "bench" / "pygeoapi"
VENV = ROOT / "bench" / ".venv-pygeoapi"
PORT = 8767
WORKERS = 4
VIEWS = {
    "bench_pygeoapi_pois": "location::geometry",
    "bench_pygeoapi_pois_plain": "ST_SetSRID(location::geometry, 4326)",
}
INDEX = "bench_pygeoapi_pois_geometry"


def ensure_installed() -> Path:
    """Create bench/.venv-pygeoapi and install the pinned pygeoapi once (a stamp holds the requirements' hash)."""
    requirements = HERE / "requirements.txt"
    want = hashlib.sha256(requirements.read_bytes()).hexdigest()
    stamp = VENV / ".stamp"
    if stamp.exists() and stamp.read_text() == want:
        return VENV
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", "--clear", str(VENV)], check=True)
    subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", "-r", str(requirements)], check=True)
    stamp.write_text(want)
    return VENV


def create_views(libpq_url: str) -> None:
    """The two views pygeoapi reads (published POIs only, names in French) and the index of the first one."""
    with psycopg.connect(libpq_url, autocommit=True) as conn:
        for view, geometry in VIEWS.items():
            conn.execute(
                f"CREATE OR REPLACE VIEW {view} AS SELECT id, slug, category, name->>'fr' AS name, "
                f"{geometry} AS geom FROM pois WHERE status = 'published'"
            )
        conn.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON pois USING gist ((location::geometry))")
        conn.execute("ANALYZE pois")


def drop_views(libpq_url: str) -> None:
    """Leave the bench database as the migrations made it (a view would block a later column change)."""
    with psycopg.connect(libpq_url, autocommit=True) as conn:
        for view in VIEWS:
            conn.execute(f"DROP VIEW IF EXISTS {view}")
        conn.execute(f"DROP INDEX IF EXISTS {INDEX}")


def start(libpq_url: str) -> subprocess.Popen:
    """pygeoapi under gunicorn on PORT; returns once its landing page answers."""
    venv = ensure_installed()
    info = psycopg.conninfo.conninfo_to_dict(libpq_url)
    env = {
        **os.environ,
        "PYGEOAPI_PORT": str(PORT),
        "PGHOST": info.get("host", "127.0.0.1"),
        "PGPORT": str(info.get("port", 5432)),
        "PGDATABASE": info["dbname"],
        "PGUSER": info.get("user", "postgres"),
        "PGPASSWORD": info.get("password", ""),
        "PYGEOAPI_CONFIG": str(HERE / "config.yml"),
        "PYGEOAPI_OPENAPI": str(VENV / "openapi.yml"),
    }
    subprocess.run(
        [
            str(venv / "bin" / "pygeoapi"),
            "openapi",
            "generate",
            env["PYGEOAPI_CONFIG"],
            "--output-file",
            env["PYGEOAPI_OPENAPI"],
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    process = subprocess.Popen(
        [
            str(venv / "bin" / "gunicorn"),
            "-w",
            str(WORKERS),
            "-b",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
            "pygeoapi.flask_app:APP",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    for _ in range(120):
        try:
            if requests.get(f"http://127.0.0.1:{PORT}/collections/pois?f=json", timeout=2).status_code == 200:
                return process
        except requests.RequestException:
            pass
        time.sleep(0.5)
    os.killpg(process.pid, 9)
    raise RuntimeError("pygeoapi did not become ready")


def wait_until_idle(libpq_url: str, limit_s: float = 120.0) -> None:
    """Wait until no query on pygeoapi's views is running (at most `limit_s`), so the next case runs alone."""
    deadline = time.monotonic() + limit_s
    with psycopg.connect(libpq_url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            busy = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%bench_pygeoapi_pois%' "
                "AND pid <> pg_backend_pid()"
            ).fetchone()[0]
            if not busy:
                return
            time.sleep(0.5)

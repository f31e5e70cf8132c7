"""The fault tests' view of the cluster that `make cluster` started (instance/cluster/): its passwords, its
engines' processes, an editor's token on the service behind HAProxy, and a way to bring back what a test killed."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import time
from datetime import UTC
from pathlib import Path

import psycopg
import pytest
import redis
import requests

from tests.cluster.load import SERVICE

ROOT = Path(__file__).resolve().parents[2]
CLUSTER = (ROOT / "instance" / "cluster").resolve()  # a link when the checkout is private (scripts/cluster/lib.sh)
PATRONI_APIS = {1: 28008, 2: 28009}
SENTINELS = [("127.0.0.1", port) for port in (26390, 26391, 26392)]


def secrets_env() -> dict:
    """instance/cluster/secrets.env as a dict."""
    lines = (CLUSTER / "secrets.env").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line)


def app_env() -> dict:
    """The environment the cluster's service instances run with (scripts/cluster/start.sh)."""
    found = secrets_env()
    master = redis.sentinel.Sentinel(SENTINELS, socket_timeout=1).discover_master("urbanpulse")
    return {
        **os.environ,
        "DATABASE_URL": f"postgresql://urbanpulse_cluster:{found['APP_DB_PASSWORD']}@127.0.0.1:25430/urbanpulse",
        "REDIS_URL": f"redis://127.0.0.1:{master[1]}/0",
        "REDIS_SENTINELS": ",".join(f"{host}:{port}" for host, port in SENTINELS),
        "REDIS_SENTINEL_MASTER": "urbanpulse",
    }


def leader_connection() -> psycopg.Connection:
    """A superuser connection to the leader through HAProxy."""
    password = secrets_env()["PG_SUPERUSER_PASSWORD"]
    return psycopg.connect(
        f"host=127.0.0.1 port=25430 user=postgres dbname=urbanpulse password={password}", autocommit=True
    )


def members() -> list[dict]:
    """Patroni's members as its REST API lists them (asking whichever node answers)."""
    for port in PATRONI_APIS.values():
        try:
            return requests.get(f"http://127.0.0.1:{port}/cluster", timeout=2).json()["members"]
        except (requests.RequestException, ValueError):
            continue
    return []


def node_of(role: str) -> int | None:
    """The node number (1, 2) whose Patroni role is `role` (leader, sync_standby...)."""
    found = next((m for m in members() if m.get("role") == role and m.get("state") in ("running", "streaming")), None)
    return int(found["name"].removeprefix("pg")) if found else None


def pid_of(name: str) -> int:
    """The pid in instance/cluster/run/`name`.pid."""
    return int((CLUSTER / "run" / f"{name}.pid").read_text().split()[0])


def postmaster_pid(node: int) -> int:
    """The postmaster of a PostgreSQL node."""
    return int((CLUSTER / "pg" / f"node{node}" / "postmaster.pid").read_text().splitlines()[0])


def kill(pid: int, *, group: bool = False) -> None:
    """SIGKILL a process (or its whole process group, as the engines run in their own sessions)."""
    if group:
        os.killpg(pid, signal.SIGKILL)
    else:
        os.kill(pid, signal.SIGKILL)


def bring_back() -> None:
    """`make cluster`'s start script: starts again whatever is not running, and waits until all is ready."""
    subprocess.run(
        ["bash", str(ROOT / "scripts" / "cluster" / "start.sh")], check=True, capture_output=True, timeout=600
    )


def wait_until(condition, timeout_s: float, what: str) -> float:
    """Seconds until `condition()` held; fails after `timeout_s`."""
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        if condition():
            return time.monotonic() - started
        time.sleep(0.2)
    raise AssertionError(f"{what} did not happen within {timeout_s} s")


@pytest.fixture(scope="session")
def cluster():
    """The running cluster (else the tests fail: run `make cluster-test`, which starts it)."""
    try:
        ready = requests.get(f"{SERVICE}/readyz", timeout=5).status_code == 200
    except requests.RequestException:
        ready = False
    if not ready or not (CLUSTER / "secrets.env").exists():
        pytest.fail("the cluster is not running: `make cluster-test` starts it (or `make cluster`)")
    yield
    bring_back()  # whatever the last test left stopped


@pytest.fixture(scope="session")
def editor_token(cluster) -> str:
    """A bearer token of a new editor account of the cluster's service."""
    email, password = f"panne-{secrets.token_hex(4)}@tourisme.test", secrets.token_urlsafe(24)
    subprocess.run(
        [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi", "users", "create", email, "--role", "editor",
         "--password-stdin"],
        input=password, text=True, check=True, capture_output=True, cwd=ROOT, env=app_env(),
    )  # fmt: skip
    answer = requests.post(f"{SERVICE}/api/v1/auth/token", json={"email": email, "password": password}, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()["access_token"]


@pytest.fixture
def healthy(cluster):
    """Each test starts on a whole cluster: a leader, its synchronous standby, both instances, a Redis master."""
    if node_of("leader") is None or node_of("sync_standby") is None:
        bring_back()
    wait_until(lambda: node_of("sync_standby") is not None, 120, "a synchronous standby")
    yield


RESTORE_PORT = 25439


def restore_to(target) -> Path:
    """pgBackRest's point-in-time restore to `target` into a new data folder, started on RESTORE_PORT (the
    documented command of scripts/cluster/start.sh); the folder."""
    folder = CLUSTER / "pg" / "restore"
    subprocess.run(["rm", "-rf", str(folder)], check=True)
    config = CLUSTER / "etc" / "pgbackrest.conf"
    moment = f"{target.astimezone(UTC):%Y-%m-%d %H:%M:%S.%f}+00"  # pgBackRest refuses ISO's "T"
    subprocess.run(
        ["runuser", "-u", "postgres", "--", "pgbackrest", f"--config={config}", "--stanza=urbanpulse", "--type=time",
         f"--target={moment}", "--target-action=promote", f"--pg1-path={folder}", "restore"],
        check=True, capture_output=True, timeout=300, cwd="/",
    )  # fmt: skip
    options = f"-c port={RESTORE_PORT} -c archive_mode=off -c unix_socket_directories={folder} -c logging_collector=off"
    subprocess.run(
        ["runuser", "-u", "postgres", "--", "/usr/lib/postgresql/15/bin/pg_ctl", "-D", str(folder), "-l",
         str(CLUSTER / "log" / "postgresql" / "restore.log"), "-w", "-t", "120", "-o", options, "start"],
        check=True, capture_output=True, timeout=180, cwd="/",
    )  # fmt: skip
    wait_until(lambda: _promoted(folder), 120, "the restored copy open for writes")
    return folder


def _promoted(folder: Path) -> bool:
    try:
        password = secrets_env()["PG_SUPERUSER_PASSWORD"]
        with psycopg.connect(
            f"host=127.0.0.1 port={RESTORE_PORT} user=postgres dbname=urbanpulse password={password}"
        ) as c:
            return c.execute("SELECT NOT pg_is_in_recovery()").fetchone()[0]
    except psycopg.Error:
        return False


def stop_restored(folder: Path) -> None:
    """Stop the restored copy and remove its folder."""
    subprocess.run(["runuser", "-u", "postgres", "--", "/usr/lib/postgresql/15/bin/pg_ctl", "-D", str(folder),
                    "-m", "fast", "-w", "stop"], capture_output=True, timeout=120, cwd="/")  # fmt: skip
    subprocess.run(["rm", "-rf", str(folder)], check=True)

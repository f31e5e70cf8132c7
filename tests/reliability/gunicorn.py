"""Run the real service (gunicorn, production worker configuration) against given databases."""

from __future__ import annotations

import http.client
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[2]


class Service:
    """gunicorn serving wsgi:app on a spare loopback port."""

    def __init__(
        self, *, database_url: str, redis_url: str, workers: int = 2, log_file: Path | None = None, **env
    ) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "PORT": str(self.port),
            "WEB_WORKERS": str(workers),
            "URBANPULSE_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "LOG_LEVEL": "WARNING",
            **{k: str(v) for k, v in env.items()},
        }
        self.process: subprocess.Popen | None = None
        self.log_file = log_file

    def start(self, ready_path: str = "/healthz") -> Service:
        """Start gunicorn and wait until `ready_path` answers 200."""
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        log = open(self.log_file, "ab") if self.log_file else subprocess.DEVNULL  # noqa: SIM115 (the child's)
        self.process = subprocess.Popen(
            [gunicorn, "-c", "python:urbanpulse.serving.gunicorn_conf", "wsgi:app"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        if self.log_file:
            log.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(self.base + ready_path, timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not start")

    def stop(self) -> None:
        """Stop gunicorn and its workers."""
        if self.process is not None:
            try:
                os.killpg(self.process.pid, 15)
                self.process.wait(timeout=15)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(self.process.pid, 9)
            self.process = None


def worker_pids(master_pid: int) -> list[int]:
    """The pids of a gunicorn master's workers."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    return sorted(int(pid) for pid in children)


def _established_inodes(port: int) -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local_port, state, inode = int(fields[1].rsplit(":", 1)[1], 16), fields[3], fields[9]
            if local_port == port and state == "01":  # ESTABLISHED, server side
                inodes.add(inode)
    return inodes


def connections_by_worker(service: Service) -> dict[int, int]:
    """How many established client connections each worker process holds."""
    inodes = _established_inodes(service.port)
    counts = {}
    for pid in worker_pids(service.process.pid):
        fds = Path(f"/proc/{pid}/fd")
        links = [os.readlink(fd) for fd in fds.iterdir() if fd.is_symlink()]
        counts[pid] = sum(1 for link in links if link.startswith("socket:[") and link[8:-1] in inodes)
    return counts


def one_connection_per_worker(
    service: Service, workers: int, timeout_s: float = 60
) -> list[http.client.HTTPConnection]:
    """Keep-alive connections, one held by each worker (read from /proc), to send requests to every worker."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        connections = []
        for _ in range(workers):
            connection = http.client.HTTPConnection("127.0.0.1", service.port, timeout=10)
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            connections.append(connection)
        if sorted(connections_by_worker(service).values()) == [1] * workers:
            return connections
        for connection in connections:
            connection.close()
        time.sleep(0.3)
    raise AssertionError(f"could not hold one connection on each of the {workers} workers")

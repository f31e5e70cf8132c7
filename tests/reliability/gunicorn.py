"""Run the real service (gunicorn, production worker configuration) against given databases."""

from __future__ import annotations

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

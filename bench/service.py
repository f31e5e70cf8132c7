"""The service under gunicorn with the production configuration, for `make bench` and `make soak`."""

from __future__ import annotations

import os
import secrets
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
OPERATOR_TOKEN = secrets.token_urlsafe(32)


def start(
    settings: dict,
    *,
    base_url: str,
    ready: Callable[[subprocess.Popen], bool] = lambda _: True,
    app: str = "wsgi:app",
):
    """gunicorn (`urbanpulse.serving.gunicorn_conf`) in its own session with `settings` added to the environment.

    Returns once /readyz answers 200 and `ready(process)` holds; the service is killed if it never does.
    """
    env = {
        **os.environ,
        "URBANPULSE_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "METRICS_TOKEN": OPERATOR_TOKEN,  # /metrics (cache hit counts) on the API port
        "RATELIMIT_ENABLED": "0",  # one loopback client at thousands of requests per second
        "LOG_LEVEL": "WARNING",
        "PROMETHEUS_MULTIPROC_DIR": tempfile.mkdtemp(prefix="upb-bench-metrics-"),
        **settings,
    }
    process = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "python:urbanpulse.serving.gunicorn_conf", app],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    for _ in range(120):
        try:
            if requests.get(f"{base_url}/readyz", timeout=1).status_code == 200 and ready(process):
                return process
        except requests.RequestException:
            pass
        time.sleep(0.5)
    os.killpg(process.pid, 9)
    raise RuntimeError(f"gunicorn at {base_url} did not become ready")

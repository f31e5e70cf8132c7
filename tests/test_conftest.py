"""The suite's own fixtures: without a redis-server binary the run fails with a clear message."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_without_redis_server_the_tests_fail_instead_of_sharing_a_redis(tmp_path):
    (tmp_path / "bin").mkdir()  # a PATH without redis-server
    env = {**os.environ, "PATH": str(tmp_path / "bin")}
    env.pop("PYTEST_XDIST_WORKER", None)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:xdist",
            "-p",
            "no:cacheprovider",
            "-q",
            "-x",
            "tests/test_errors.py",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode != 0, done.stdout
    assert "redis-server is not installed" in done.stdout, done.stdout[-3000:]
    assert " passed" not in done.stdout.splitlines()[-1]

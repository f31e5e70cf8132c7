"""Several gunicorn workers starting with SECRET_KEY unset share the one key generated for the install."""

from __future__ import annotations

import stat

import pytest
import requests

from tests.factories import DEFAULT_PASSWORD, make_user
from tests.reliability.gunicorn import Service
from urbanpulse.core.keys import KEY_FILE_NAME

pytestmark = pytest.mark.slow


def test_workers_started_together_share_the_generated_key(app, database_url, redis_url, tmp_path):
    instance = tmp_path / "instance"
    service = Service(
        database_url=database_url,
        redis_url=redis_url,
        workers=4,
        URBANPULSE_ENV="development",
        SECRET_KEY="",
        URBANPULSE_INSTANCE_DIR=str(instance),
        WEB_WORKER_CLASS="sync",
    ).start()
    try:
        editor = make_user(role="editor")
        token = requests.post(
            f"{service.base}/api/v1/auth/token", json={"email": editor.email, "password": DEFAULT_PASSWORD}, timeout=10
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}", "Connection": "close"}
        # The sync workers take one connection each; forty fresh connections reach every worker.
        answers = [
            requests.get(f"{service.base}/api/v1/pois?status=draft", headers=headers, timeout=10).status_code
            for _ in range(40)
        ]
    finally:
        service.stop()
    assert answers == [200] * 40
    assert sorted(p.name for p in instance.iterdir()) == [KEY_FILE_NAME]
    assert stat.S_IMODE((instance / KEY_FILE_NAME).stat().st_mode) == 0o600

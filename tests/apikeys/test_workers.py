"""On the real gunicorn service (two workers): suspension and revocation refuse a key on every worker within a
second, the key, sent in the query string with gunicorn's access log on, never reaches the logs, and a day quota
is shared by the workers."""

from __future__ import annotations

import json
import time

import pytest

from tests.apikeys.helpers import make_key
from tests.reliability.gunicorn import Service, one_connection_per_worker
from urbanpulse.apikeys import service

pytestmark = pytest.mark.slow
WORKERS = 2


def _statuses(connections, path: str, headers: dict) -> list[int]:
    found = []
    for connection in connections:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        found.append(response.status)
    return found


def _seconds_until(connections, path: str, headers: dict, status: int, limit_s: float = 5) -> float:
    """Poll every worker until all answer `status`; how long that took after now."""
    started = time.monotonic()
    while time.monotonic() - started < limit_s:
        if _statuses(connections, path, headers) == [status] * len(connections):
            return time.monotonic() - started
        time.sleep(0.02)
    raise AssertionError(f"not every worker answered {status} within {limit_s} s")


def test_suspension_and_revocation_reach_every_worker_within_a_second(app, database_url, redis_url, tmp_path):
    record, key = make_key()
    log_file = tmp_path / "gunicorn.log"
    service_ = Service(
        database_url=database_url,
        redis_url=redis_url,
        workers=WORKERS,
        log_file=log_file,
        LOG_LEVEL="INFO",
        WEB_ACCESS_LOG="1",
        METRICS_TOKEN="",
    ).start()
    try:
        connections = one_connection_per_worker(service_, WORKERS)
        in_header = {"X-API-Key": key}
        assert _statuses(connections, "/api/v1/categories", in_header) == [200] * WORKERS
        assert _statuses(connections, f"/api/v1/categories?key={key}", {}) == [200] * WORKERS
        time.sleep(1.5)  # every worker pushes its counts to Redis each second (API_KEY_USAGE_PUSH_S)
        connections[0].request("GET", "/api/v1/usage", headers=in_header)
        counted = json.loads(connections[0].getresponse().read())["days"]

        service.suspend_key(key_id=record.id)
        suspended_after_s = _seconds_until(connections, "/api/v1/categories", in_header, 403)
        service.update_key(key_id=record.id, status="active")
        _seconds_until(connections, "/api/v1/categories", in_header, 200)
        service.revoke_key(key_id=record.id)
        revoked_after_s = _seconds_until(connections, f"/api/v1/categories?key={key}", {}, 401)
        for connection in connections:
            connection.close()
    finally:
        service_.stop()
    assert suspended_after_s < 1.0 and revoked_after_s < 1.0, (suspended_after_s, revoked_after_s)
    assert [(day["group"], day["requests"]) for day in counted] == [("pois", 2 * WORKERS)]

    logged = log_file.read_text()
    assert "gunicorn.access" in logged and "key=[redacted]" in logged
    assert key not in logged and key[9:] not in logged


def test_the_day_quota_is_shared_by_the_workers(app, database_url, redis_url):
    _, key = make_key(per_day=3 * WORKERS)
    service_ = Service(database_url=database_url, redis_url=redis_url, workers=WORKERS, METRICS_TOKEN="").start()
    try:
        connections = one_connection_per_worker(service_, WORKERS)
        rounds = []
        for _ in range(4):
            rounds.append(_statuses(connections, "/api/v1/categories", {"X-API-Key": key}))
            # Within two pushes (API_KEY_USAGE_PUSH_S) each worker has sent its count and heard the others'.
            time.sleep(2.5)
        for connection in connections:
            connection.close()
    finally:
        service_.stop()
    # Each worker alone admitted 3 of the 6, less than the quota: the refusals come from the shared total.
    assert rounds == [[200] * WORKERS] * 3 + [[429] * WORKERS]

"""The real gunicorn service: metrics on their own bind (aggregated over the workers, labelled by URL rule),
not on the API port without the operator token; gunicorn's own log lines are JSON like the app's."""

from __future__ import annotations

import json
import re

import pytest
import requests

from tests.factories import make_poi
from tests.reliability.gunicorn import Service
from tests.servers import free_port

pytestmark = pytest.mark.slow


def test_metrics_bind_and_json_logs(app, database_url, redis_url, tmp_path):
    poi = make_poi()
    metrics_port = free_port()
    log_file = tmp_path / "gunicorn.log"
    service = Service(
        database_url=database_url,
        redis_url=redis_url,
        workers=2,
        log_file=log_file,
        LOG_LEVEL="INFO",
        WEB_ACCESS_LOG="1",
        METRICS_BIND=f"127.0.0.1:{metrics_port}",
        METRICS_TOKEN="",
    ).start()
    try:
        for _ in range(6):
            assert requests.get(f"{service.base}/api/v1/pois/{poi.id}", timeout=10).status_code == 200
        public = requests.get(f"{service.base}/metrics", timeout=10)
        ready = requests.get(f"{service.base}/readyz", timeout=10)
        scraped = requests.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10)
    finally:
        service.stop()
    assert public.status_code == 403 and public.headers["Content-Type"] == "application/problem+json"
    assert ready.status_code == 200 and ready.json() == {"status": "ok"}
    assert scraped.status_code == 200
    counted = re.findall(
        r'urbanpulse_http_requests_total\{method="GET",rule="/api/v1/pois/<uuid:poi_id>",status="200"\} ([\d.e+]+)',
        scraped.text,
    )
    assert sum(float(value) for value in counted) == 6
    assert str(poi.id) not in scraped.text

    lines = [line for line in log_file.read_text().splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    names = {record["name"] for record in records}
    assert {"gunicorn.error", "gunicorn.access", "urbanpulse.access"} <= names, names
    assert all({"asctime", "levelname", "name", "message"} <= record.keys() for record in records)

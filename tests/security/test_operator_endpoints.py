"""Operators' endpoints are closed to the public: /metrics needs the operator token (and is closed when none is
configured); /readyz tells the public only whether it is ready; requests are counted by URL rule."""

from __future__ import annotations

import re

from tests.factories import OPERATOR_HEADERS, make_poi
from tests.problem import assert_problem
from urbanpulse import create_app


def test_metrics_need_the_operator_token(client):
    assert_problem(client.get("/metrics"), 401)
    assert_problem(client.get("/metrics", headers={"Authorization": "Bearer not-the-token"}), 401)
    response = client.get("/metrics", headers=OPERATOR_HEADERS)
    assert response.status_code == 200 and "urbanpulse_db_query_seconds" in response.get_data(as_text=True)


def test_metrics_are_closed_without_a_configured_token(app_config):
    closed = create_app({**app_config, "METRICS_TOKEN": None}).test_client()
    assert_problem(closed.get("/metrics"), 403)
    assert_problem(closed.get("/metrics", headers={"Authorization": "Bearer "}), 403)


def test_readyz_tells_the_public_only_whether_it_is_ready(client):
    public = client.get("/readyz")
    assert public.status_code == 200 and public.get_json() == {"status": "ok"}
    detailed = client.get("/readyz", headers=OPERATOR_HEADERS).get_json()
    assert detailed["checks"]["postgres"]["status"] == "ok"


def test_readyz_hides_why_it_is_down_from_the_public(app_config, free_port):
    down = create_app(
        {
            **app_config,
            "SQLALCHEMY_DATABASE_URI": f"postgresql://postgres@127.0.0.1:{free_port}/x",
            "DATABASE_REPLICA_URLS": [],
        }
    )
    body = assert_problem(down.test_client().get("/readyz"), 503)
    assert "checks" not in body and body["detail"] == "not ready"
    assert "Error" not in down.test_client().get("/readyz").get_data(as_text=True)


def test_requests_are_counted_and_timed_by_url_rule(app, client):
    poi = make_poi()
    for _ in range(3):
        assert client.get(f"/api/v1/pois/{poi.id}").status_code == 200
    client.get("/api/v1/no-such-thing")
    text = client.get("/metrics", headers=OPERATOR_HEADERS).get_data(as_text=True)
    rule = re.escape("/api/v1/pois/<uuid:poi_id>")
    counted = re.search(
        rf'urbanpulse_http_requests_total\{{method="GET",rule="{rule}",status="200"\}} ([\d.e+]+)', text
    )
    assert counted and float(counted.group(1)) >= 3
    assert re.search(rf'urbanpulse_http_request_seconds_bucket\{{le="[^"]+",method="GET",rule="{rule}"\}}', text) or (
        re.search(rf'urbanpulse_http_request_seconds_bucket\{{method="GET",rule="{rule}",le="[^"]+"\}}', text)
    )
    assert str(poi.id) not in text and "no-such-thing" not in text
    assert 'rule="(unmatched)",status="404"' in text

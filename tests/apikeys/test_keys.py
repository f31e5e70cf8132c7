"""API keys in one process against the real PostgreSQL and Redis: admin API, key check, restrictions, CORS,
quotas with the IETF rate-limit fields, and the key kept out of logs, metrics and bodies."""

from __future__ import annotations

import io
import logging
import re

import pytest
from click.testing import CliRunner

from tests.apikeys.helpers import forget_keys, keyed, limited_app, make_key
from tests.factories import OPERATOR_HEADERS, make_poi
from tests.problem import assert_problem
from urbanpulse.apikeys import service, usage

NO_SUCH_ID = "00000000-0000-0000-0000-000000000000"


def test_admin_creates_lists_renames_suspends_and_revokes(client, admin_headers, editor_headers):
    body = {"name": "Portail régional", "owner_email": "api@region.test", "per_minute": 50, "per_day": 5000}
    assert client.post("/api/v1/admin/api-keys", json=body, headers=editor_headers).status_code == 403
    assert client.post("/api/v1/admin/api-keys", json=body).status_code == 401
    created = client.post("/api/v1/admin/api-keys", json=body, headers=admin_headers)
    assert created.status_code == 201, created.get_json()
    key = created.get_json()["key"]
    assert re.fullmatch(r"upb_live_[0-9A-Za-z]{43}", key)
    key_id = created.get_json()["id"]
    assert key.startswith(created.get_json()["prefix"])

    listed = client.get("/api/v1/admin/api-keys", headers=admin_headers)
    assert listed.status_code == 200 and key not in listed.get_data(as_text=True)
    assert [item["status"] for item in listed.get_json()] == ["active"]
    assert client.get("/api/v1/categories", headers=keyed(key)).status_code == 200

    renamed = client.patch(f"/api/v1/admin/api-keys/{key_id}", json={"name": "Région"}, headers=admin_headers)
    assert renamed.get_json()["name"] == "Région"
    client.patch(f"/api/v1/admin/api-keys/{key_id}", json={"status": "suspended"}, headers=admin_headers)
    forget_keys()
    suspended = client.get("/api/v1/categories", headers=keyed(key))
    assert key not in assert_problem(suspended, 403)["detail"]
    client.patch(f"/api/v1/admin/api-keys/{key_id}", json={"status": "active"}, headers=admin_headers)
    forget_keys()
    assert client.get("/api/v1/categories", headers=keyed(key)).status_code == 200

    assert client.delete(f"/api/v1/admin/api-keys/{key_id}", headers=admin_headers).status_code == 204
    forget_keys()
    revoked = client.get("/api/v1/categories", headers=keyed(key))
    assert_problem(revoked, 401)
    assert revoked.headers["WWW-Authenticate"].startswith("ApiKey")
    again = client.patch(f"/api/v1/admin/api-keys/{key_id}", json={"status": "active"}, headers=admin_headers)
    assert_problem(again, 409)


def test_unknown_and_malformed_keys_are_401_problems(client):
    for candidate in ("upb_live_" + "A" * 43, "not-a-key", "upb_live_short"):
        response = client.get("/api/v1/categories", headers=keyed(candidate))
        body = assert_problem(response, 401)
        assert candidate not in response.get_data(as_text=True), body
    assert client.get("/api/v1/categories").status_code == 200  # anonymous is still allowed


def test_key_as_query_parameter_is_accepted_and_never_repeated(client, app):
    make_poi()
    _, key = make_key()
    response = client.get(f"/api/v1/pois?key={key}&lang=fr&limit=1")
    assert response.status_code == 200, response.get_json()
    assert key not in response.get_data(as_text=True)
    assert all("key=" not in link["href"] for link in response.get_json()["links"])
    assert client.get(f"/api/v1/routes?key={key}").status_code == 200


def test_per_minute_limit_hit_exactly_at_n_with_the_headers(app_config, app):
    limited = limited_app(app_config)
    _, key = make_key(per_minute=5, per_day=1000)
    client = limited.test_client()
    answers = [client.get("/api/v1/categories", headers=keyed(key)) for _ in range(6)]
    assert [a.status_code for a in answers] == [200] * 5 + [429]
    for sent, answer in enumerate(answers[:5], start=1):
        policy = answer.headers["RateLimit-Policy"]
        assert '"minute";q=5;w=60' in policy and '"day";q=1000;w=86400' in policy
        remaining, reset = re.fullmatch(r'"minute";r=(\d+);t=(\d+)', answer.headers["RateLimit"]).groups()
        assert int(remaining) == 5 - sent and 0 < int(reset) <= 60
    refused = answers[5]
    assert_problem(refused, 429)
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["RateLimit"].startswith('"minute";r=0;')
    # Another key, and anonymous callers, have their own allowances.
    _, other = make_key()
    assert client.get("/api/v1/categories", headers=keyed(other)).status_code == 200
    assert client.get("/api/v1/categories").status_code == 200


def test_per_day_limit(app_config, app):
    limited = limited_app(app_config)
    record, key = make_key(per_minute=100, per_day=3)
    client = limited.test_client()
    answers = [client.get("/api/v1/categories", headers=keyed(key)) for _ in range(5)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
    assert [a.headers["RateLimit-Policy"] for a in answers[:3]] == ['"minute";q=100;w=60, "day";q=3;w=86400'] * 3
    assert answers[3].headers["RateLimit-Policy"] == '"day";q=3;w=86400'  # refused before the limiter counts
    assert answers[2].headers["RateLimit"].startswith('"minute";r=97;')
    refused = answers[3]
    assert_problem(refused, 429)
    assert "midnight UTC" in refused.get_json()["detail"]
    remaining, reset = re.fullmatch(r'"day";r=(\d+);t=(\d+)', refused.headers["RateLimit"]).groups()
    assert remaining == "0" and 0 < int(reset) <= 86400 and refused.headers["Retry-After"] == reset
    # Refused requests do not use up the quota; they are counted as throttled.
    assert usage.admitted_today(record.id) == 3
    usage.push(flush_when_due=False)
    assert [(d["requests"], d["throttled"]) for d in usage.daily_usage(key_id=record.id)] == [(5, 2)]


def test_anonymous_limit_is_per_address_and_editors_are_not_held_to_it(app_config, app, editor_headers):
    limited = limited_app(app_config)
    client = limited.test_client()
    anonymous = [client.get("/api/v1/categories").status_code for _ in range(4)]
    assert anonymous == [200, 200, 200, 429]
    editor = [client.get("/api/v1/categories", headers=editor_headers).status_code for _ in range(10)]
    assert editor == [200] * 10
    assert client.get("/api/v1/categories").headers["RateLimit-Policy"] == '"minute";q=3;w=60'


def test_editors_write_limit_allows_an_import(app):
    assert int(app.config["RATE_LIMIT_WRITES"].split()[0]) >= 3000


def test_origin_restriction_and_cors(client):
    _, key = make_key(allowed_origins=["https://partner.example"])
    own = client.get("/api/v1/categories", headers=keyed(key, Origin="https://partner.example"))
    assert own.status_code == 200
    assert own.headers["Access-Control-Allow-Origin"] == "https://partner.example"
    assert "RateLimit" in own.headers["Access-Control-Expose-Headers"]
    assert "Origin" in own.headers["Vary"]
    page = client.get("/api/v1/categories", headers=keyed(key, Referer="https://partner.example/carte?x=1"))
    assert page.status_code == 200
    other = client.get("/api/v1/categories", headers=keyed(key, Origin="https://other.example"))
    assert_problem(other, 403)
    assert "Access-Control-Allow-Origin" not in other.headers
    assert_problem(client.get("/api/v1/categories", headers=keyed(key)), 403)  # a server without Origin

    preflight = client.options(
        "/api/v1/categories",
        headers={
            "Origin": "https://partner.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "x-api-key",
        },
    )
    assert preflight.status_code in (200, 204)
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://partner.example"
    assert "X-API-Key" in preflight.headers["Access-Control-Allow-Headers"]


def test_address_and_group_restrictions(client):
    _, key = make_key(allowed_cidrs=["10.9.0.0/16"], groups=["pois"])
    inside = {"REMOTE_ADDR": "10.9.3.4"}
    assert client.get("/api/v1/categories", headers=keyed(key), environ_base=inside).status_code == 200
    outside = client.get("/api/v1/categories", headers=keyed(key), environ_base={"REMOTE_ADDR": "10.8.3.4"})
    assert_problem(outside, 403)
    assert_problem(client.get("/api/v1/routes", headers=keyed(key), environ_base=inside), 403)
    assert client.get("/api/v1/usage", headers=keyed(key), environ_base=inside).status_code == 200


def test_restrictions_are_validated(client, admin_headers):
    base = {"name": "x", "owner_email": "x@x.test", "per_minute": 1, "per_day": 1}
    for field, value in (("allowed_origins", ["ftp://x"]), ("allowed_cidrs", ["10.0.0.0/33"]), ("groups", ["x"])):
        refused = client.post("/api/v1/admin/api-keys", json={**base, field: [*value]}, headers=admin_headers)
        assert refused.status_code == 422, (field, refused.get_json())


def test_a_holder_reads_only_their_own_usage(client):
    _, key_a = make_key(name="A")
    record_b, key_b = make_key(name="B")
    for _ in range(3):
        client.get("/api/v1/categories", headers=keyed(key_a))
    client.get(f"/api/v1/pois/{NO_SUCH_ID}", headers=keyed(key_a))
    client.get("/api/v1/categories", headers=keyed(key_b))

    usage = client.get("/api/v1/usage", headers=keyed(key_a))
    assert usage.status_code == 200
    body = usage.get_json()
    assert body["key"]["name"] == "A" and str(record_b.id) not in usage.get_data(as_text=True)
    assert {(d["group"], d["requests"], d["client_errors"]) for d in body["days"]} == {("pois", 4, 1)}
    # Another key's usage is for admins only; there is no way to name it as a holder.
    assert client.get(f"/api/v1/admin/api-keys/{record_b.id}/usage", headers=keyed(key_a)).status_code == 401
    assert_problem(client.get("/api/v1/usage"), 401)


def test_usage_is_flushed_to_postgres_and_survives_a_restart(app_config, app, admin_connection, admin_headers):
    from urbanpulse import create_app
    from urbanpulse.apikeys import usage

    limited = limited_app(app_config)
    record, key = make_key(per_minute=5)
    client = limited.test_client()
    assert client.get(f"/api/v1/pois/{NO_SUCH_ID}", headers=keyed(key)).status_code == 404
    for _ in range(6):
        client.get("/api/v1/categories", headers=keyed(key))  # 4 answered, 2 throttled
    assert usage.flush() >= 1
    stored = admin_connection.execute(
        'SELECT "group", requests, client_errors, throttled FROM api_key_usage WHERE key_id = %s', (record.id,)
    ).fetchall()
    assert stored == [("pois", 7, 1, 2)]
    assert admin_connection.execute("SELECT last_used_at FROM api_keys WHERE id = %s", (record.id,)).fetchone()[0]

    restarted = create_app(app_config).test_client()  # a new process would start like this
    restarted.get("/api/v1/categories", headers=keyed(key))
    assert usage.flush() == 1
    day = client.get(f"/api/v1/admin/api-keys/{record.id}/usage", headers=admin_headers).get_json()["days"]
    assert [(d["requests"], d["client_errors"], d["throttled"]) for d in day] == [(8, 1, 2)]


def test_pushes_flush_at_most_every_interval(app, client, redis, admin_connection):
    from urbanpulse.apikeys import usage

    _, key = make_key()
    for _ in range(2):
        client.get("/api/v1/categories", headers=keyed(key))
    assert admin_connection.execute("SELECT count(*) FROM api_key_usage").fetchone()[0] == 0  # in memory
    usage.push()  # the first push after API_KEY_USAGE_FLUSH_S flushes too
    assert admin_connection.execute("SELECT sum(requests) FROM api_key_usage").fetchone()[0] == 2
    client.get("/api/v1/categories", headers=keyed(key))
    usage.push()  # into Redis only: flushed within the interval
    assert admin_connection.execute("SELECT sum(requests) FROM api_key_usage").fetchone()[0] == 2
    assert sum(int(v) for v in redis.hgetall(usage._names()[0]).values()) == 1


def test_the_key_never_reaches_logs_or_metrics(client):
    record, key = make_key(allowed_origins=["https://partner.example"])
    root = logging.getLogger()
    handler = next(h for h in root.handlers if getattr(h, "_urbanpulse", False))  # the app's JSON lines
    captured, level = io.StringIO(), root.level
    previous = handler.setStream(captured)
    root.setLevel(logging.DEBUG)
    try:
        client.get(f"/api/v1/categories?key={key}", headers={"Origin": "https://partner.example"})
        client.get("/api/v1/categories", headers=keyed(key, Origin="https://elsewhere.example"))
        client.get("/api/v1/categories", headers=keyed(key[:-1] + "x"))
        client.get(f"/api/v1/nowhere?key={key}")
        logging.getLogger("werkzeug").info("GET /api/v1/pois?key=%s HTTP/1.1", key)  # a server's request line
    finally:
        handler.setStream(previous)
        root.setLevel(level)
    text = captured.getvalue()
    assert str(record.id) in text and "key=[redacted]" in text
    assert key not in text and key[9:] not in text
    metrics = client.get("/metrics", headers=OPERATOR_HEADERS).get_data(as_text=True)
    assert "urbanpulse_api_key_requests_total" in metrics
    assert key not in metrics and str(record.id) not in metrics


def test_cli_creates_lists_suspends_and_revokes(app):
    runner, cli = CliRunner(), app.cli
    arguments = ["create", "Appli partenaire", "--owner", "dev@partner.test", "--per-minute", "10", "--per-day", "100"]
    created = runner.invoke(cli, ["apikeys", *arguments])
    assert created.exit_code == 0, created.output
    key = created.output.strip().splitlines()[-1]
    assert service.well_formed(key)
    record = service.list_keys()[0]
    assert (record.per_minute, record.per_day, record.owner_email) == (10, 100, "dev@partner.test")
    listed = runner.invoke(cli, ["apikeys", "list"])
    assert record.prefix in listed.output and key not in listed.output
    assert "suspended" in runner.invoke(cli, ["apikeys", "suspend", record.prefix]).output
    assert "revoked" in runner.invoke(cli, ["apikeys", "revoke", str(record.id)]).output


@pytest.mark.parametrize("path", ["/api/v1/usage"])
def test_openapi_declares_the_api_key_scheme(client, path):
    spec = client.get("/openapi.json").get_json()
    assert spec["components"]["securitySchemes"]["apiKey"] == {
        **spec["components"]["securitySchemes"]["apiKey"],
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
    }
    assert spec["paths"][path]["get"]["security"] == [{"apiKey": []}]
    assert {"apiKey": []} in spec["paths"]["/api/v1/pois"]["get"]["security"]

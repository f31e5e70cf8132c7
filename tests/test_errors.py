from flask_smorest import Blueprint

from tests.problem import assert_problem
from urbanpulse import create_app
from urbanpulse.core.errors import Conflict


def test_unknown_path_is_a_problem(client):
    body = assert_problem(client.get("/api/v1/no-such-thing"), 404)
    assert body["instance"] == "/api/v1/no-such-thing"


def test_wrong_method_is_a_problem_with_allow(client):
    response = client.delete("/api/v1/auth/token")
    assert_problem(response, 405)
    assert "POST" in response.headers["Allow"]


def test_validation_errors_name_the_fields(client):
    body = assert_problem(client.post("/api/v1/auth/token", json={"email": "a@b.fr"}), 422, "password")
    assert body["type"] == "/problems/validation-error"
    assert body["errors"][0]["in"] == "json"


def test_non_json_body_is_a_4xx_problem(client):
    response = client.post("/api/v1/auth/token", data="not json", content_type="application/json")
    assert 400 <= response.status_code < 500
    assert response.mimetype == "application/problem+json"


def test_domain_and_unexpected_errors(app_config):
    app = create_app({**app_config, "PROPAGATE_EXCEPTIONS": False})
    blp = Blueprint("boom", __name__, url_prefix="/boom")

    @blp.route("/conflict")
    def conflict():
        raise Conflict("slug already used")

    @blp.route("/crash")
    def crash():
        raise ZeroDivisionError("secret internals")

    app.register_blueprint(blp)
    client = app.test_client()
    body = assert_problem(client.get("/boom/conflict"), 409)
    assert body["detail"] == "slug already used"
    response = client.get("/boom/crash")
    body = assert_problem(response, 500)
    assert "secret internals" not in response.get_data(as_text=True)


def test_request_id_is_echoed_or_generated(client):
    echoed = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert echoed.headers["X-Request-ID"] == "abc-123"
    generated = client.get("/healthz", headers={"X-Request-ID": "bad id <script>"})
    assert generated.headers["X-Request-ID"] != "bad id <script>"
    assert len(generated.headers["X-Request-ID"]) == 32
    problem = client.get("/nope", headers={"X-Request-ID": "req-42"})
    assert problem.get_json()["request_id"] == "req-42"


def test_request_log_is_structured(client, caplog):
    caplog.set_level("INFO", logger="urbanpulse.access")
    client.get("/healthz", headers={"X-Request-ID": "log-me"})
    records = [r for r in caplog.records if r.name == "urbanpulse.access"]
    assert records and records[-1].request_id == "log-me"
    assert records[-1].status == 200 and records[-1].path == "/healthz"


def test_openapi_and_docs_are_served(client):
    spec = client.get("/openapi.json").get_json()
    assert spec["info"]["title"] == "Urban Pulse Boulogne"
    assert "/api/v1/auth/token" in spec["paths"]
    assert "bearerAuth" in spec["components"]["securitySchemes"]
    docs = client.get("/docs")
    assert docs.status_code == 200 and b"/docs/assets/swagger-ui-bundle.js" in docs.data
    assert client.get("/docs/assets/swagger-ui-bundle.js").status_code == 200

"""Response headers: no MIME sniffing on any response, CORS (and its preflight) only for configured origins,
no debug mode in production, and no server version leaked by the real gunicorn service."""

from __future__ import annotations

import re
import socket

import pytest
import requests

from tests.apikeys.helpers import make_key
from tests.events.helpers import make_event
from tests.factories import auth_headers, make_poi, make_user, poi_feature
from tests.reliability.gunicorn import Service
from tests.routes.factories import make_route, walk
from urbanpulse import create_app
from urbanpulse.core.config import ProductionConfig

ORIGIN = "https://app.boulogne.test"
SAMPLE_QUERY = {"lat": "50.7259", "lon": "1.6146"}


def spec_get_paths(app, **ids) -> list[str]:
    """Every GET of the OpenAPI document with its path parameters and required query parameters filled."""
    spec = app.test_client().get("/openapi.json").get_json()
    paths = []
    for template, item in spec["paths"].items():
        if "get" not in item:
            continue
        path = template
        for name, value in {**ids, "z": 14, "x": 8266, "y": 5467}.items():
            path = path.replace("{" + name + "}", str(value))
        required = [p["name"] for p in item["get"].get("parameters", []) if p["in"] == "query" and p.get("required")]
        query = "&".join(f"{name}={SAMPLE_QUERY[name]}" for name in required)
        paths.append(path + (f"?{query}" if query else ""))
    return paths


def _served_file() -> str:
    """The name of a stored derived photo size."""
    from tests.media.images import jpeg
    from urbanpulse.media.processing import derive
    from urbanpulse.media.storage import current_store

    rendition = derive(jpeg(64, 48))[0]
    current_store().put(rendition.key, rendition.data)
    return rendition.key


def test_every_response_says_nosniff(app, client):
    admin = make_user(role="admin")
    key_record, key = make_key()
    # An admin's token, and a third party's key for GET /api/v1/usage.
    headers = {**auth_headers(app, admin), "X-API-Key": key}
    poi_id = make_poi().id
    ids = {
        "key_id": key_record.id,
        "poi_id": poi_id,
        # The OGC API's paths: a collection and one of its features, the tile matrix set and a tile.
        "collection_id": "pois",
        "feature_id": poi_id,
        "tms": "WebMercatorQuad",
        "tile_matrix": 14,
        "tile_row": 5467,
        "tile_col": 8266,
        "route_id": make_route(walk()).id,
        "event_id": make_event().id,
        "user_id": admin.id,
        "name": _served_file(),
    }
    app.config.update(EVENTS_STREAM_MAX_S=0.1)
    try:
        paths = spec_get_paths(app, **ids)
        assert len(paths) >= 25
        responses = {path: client.get(path, headers=headers) for path in paths}
    finally:
        app.config.update(EVENTS_STREAM_MAX_S=600)
    assert {r.status_code for r in responses.values()} <= {200, 204}, {
        p: r.status_code for p, r in responses.items() if r.status_code not in (200, 204)
    }
    poi_url = f"/api/v1/pois/{ids['poi_id']}"
    etag = responses[poi_url].headers["ETag"]
    others = {
        "docs": client.get("/docs"),
        "openapi": client.get("/openapi.json"),
        "metrics": client.get("/metrics"),
        "map": client.get("/map"),
        "admin-login": client.get("/admin/login"),
        "not-modified": client.get(poi_url, headers={**headers, "If-None-Match": etag}),
        "not-found": client.get("/api/v1/nothing-here"),
        "method-not-allowed": client.put("/api/v1/pois"),
        "unauthorized": client.post("/api/v1/pois", json=poi_feature()),
        "invalid": client.get("/api/v1/pois/nearby?lat=abc&lon=1"),
        "too-large": client.post("/api/v1/pois", data=b"x" * 3_000_000, headers=headers),
        "bad-json": client.post("/api/v1/pois", data=b"{", content_type="application/json", headers=headers),
        "created": client.post("/api/v1/pois", json=poi_feature(), headers=headers),
        "deleted": client.delete(poi_url, headers={**headers, "If-Match": etag}),
    }
    assert others["not-modified"].status_code == 304 and others["deleted"].status_code == 204
    for label, response in [*responses.items(), *others.items()]:
        assert response.headers.get("X-Content-Type-Options") == "nosniff", label


@pytest.fixture
def cors_client(app_config):
    return create_app({**app_config, "CORS_ORIGINS": [ORIGIN]}).test_client()


def preflight(client, origin: str, path: str = "/api/v1/pois/00000000-0000-0000-0000-000000000000"):
    return client.options(
        path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "Authorization, If-Match, Content-Type",
        },
    )


def test_cors_preflight_only_for_the_configured_origins(cors_client, app):
    allowed = preflight(cors_client, ORIGIN)
    assert allowed.status_code in (200, 204)
    assert allowed.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "PATCH" in allowed.headers["Access-Control-Allow-Methods"]
    allowed_headers = {h.strip().lower() for h in allowed.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "if-match", "content-type"} <= allowed_headers
    assert "Access-Control-Allow-Credentials" not in allowed.headers  # bearer tokens, never cookies
    for origin in ("https://evil.test", "https://app.boulogne.test.evil.test", "http://app.boulogne.test", "null"):
        refused = preflight(cors_client, origin)
        assert "Access-Control-Allow-Origin" not in refused.headers, origin
        assert "Access-Control-Allow-Methods" not in refused.headers, origin
    # Outside /api/ (the back office, the docs) there is no CORS at all.
    for path in ("/admin/login", "/docs", "/metrics"):
        assert "Access-Control-Allow-Origin" not in preflight(cors_client, ORIGIN, path).headers, path
    # Simple requests: the allowed origin may read ETag and Location; nothing is ever open to "*".
    response = cors_client.get("/api/v1/categories", headers={"Origin": ORIGIN})
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN and "Origin" in response.headers["Vary"]
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]
    # Without CORS_ORIGINS (the default), no origin at all.
    assert "Access-Control-Allow-Origin" not in preflight(app.test_client(), ORIGIN).headers


def test_production_never_runs_in_debug_mode(app_config, monkeypatch):
    assert not getattr(ProductionConfig, "DEBUG", False) and not getattr(ProductionConfig, "TESTING", False)
    production = {**app_config, "ENV_NAME": "production", "TESTING": False, "SECRET_KEY": "s" * 40}
    app = create_app(production)
    assert not app.debug and not app.testing and not app.config.get("PROPAGATE_EXCEPTIONS")
    monkeypatch.setenv("FLASK_DEBUG", "1")  # what `flask run --debug` sets
    with pytest.raises(RuntimeError, match="debug"):
        create_app(production)


@pytest.fixture
def service(database_url, redis_url):
    running = Service(database_url=database_url, redis_url=redis_url, RATELIMIT_ENABLED=0).start()
    yield running
    running.stop()


def raw_request(port: int, request: bytes) -> bytes:
    """Send bytes as they are (no client library normalising them) and read the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.slow
def test_the_real_service_leaks_no_version_and_sends_nosniff(app, service):
    version = re.compile(r"\d+\.\d+")
    urls = ["/healthz", "/api/v1/categories", "/api/v1/nothing-here", "/api/v1/pois/nearby?lat=x", "/docs"]
    for path in urls:
        response = requests.get(service.base + path, timeout=10)
        assert response.headers.get("X-Content-Type-Options") == "nosniff", path
        assert not version.search(response.headers.get("Server", "")), response.headers.get("Server")
        assert "X-Powered-By" not in response.headers
        assert "Traceback" not in response.text and "Werkzeug" not in response.text
    # gunicorn's own refusals (a request line it cannot parse) carry no version either.
    answer = raw_request(service.port, b"GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n")
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line.split()[1].startswith(b"4") and not version.search(rest.decode("latin-1"))
    # Raw bytes past ASCII in the request line: refused before the app (which answers 400 problems for them too).
    answer = raw_request(service.port, b"GET /api/v1/pois?q=caf\xe9 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert answer.split(b"\r\n", 1)[0].split()[1] == b"400", answer[:300]
    assert not version.search(answer.decode("latin-1").split("\r\n\r\n", 1)[0].split("\r\n", 1)[1])

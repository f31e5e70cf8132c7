"""Client addresses behind a reverse proxy: X-Forwarded-For counts only when the peer is a configured proxy."""

import pytest

from tests.problem import assert_problem
from tests.security.limited import rate_limited_app

PROXY = "10.9.0.1"


def limited(app_config, **settings):
    """An app with a read limit of 5 a minute per client."""
    return rate_limited_app(app_config, RATE_LIMIT_READS="5 per minute", **settings)


@pytest.fixture
def proxied_app(app_config, app):
    return limited(app_config, TRUSTED_PROXIES=["10.9.0.0/29"], TRUSTED_PROXY_COUNT=1)


def read(client, peer: str, forwarded_for: str | None = None):
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return client.get("/api/v1/categories", headers=headers, environ_base={"REMOTE_ADDR": peer})


def test_forwarded_addresses_from_a_trusted_proxy_are_the_clients(proxied_app):
    client = proxied_app.test_client()
    first = [read(client, PROXY, "203.0.113.5").status_code for _ in range(6)]
    assert first == [200] * 5 + [429]
    # Another client behind the same proxy has its own allowance; the proxy's own address is not limited.
    assert read(client, PROXY, "203.0.113.6").status_code == 200
    # A spoofed first hop is ignored: the proxy appended the real address last.
    assert_problem(read(client, PROXY, "198.51.100.99, 203.0.113.5"), 429)


def test_forwarded_addresses_from_anyone_else_are_ignored(proxied_app):
    client = proxied_app.test_client()
    tries = [read(client, "192.0.2.50", f"203.0.113.{i}").status_code for i in range(6)]
    assert tries == [200] * 5 + [429]
    assert_problem(read(client, "192.0.2.50", "203.0.113.77"), 429)


def test_without_trusted_proxies_forwarded_headers_are_ignored(app_config, app):
    client = limited(app_config).test_client()
    tries = [read(client, "127.0.0.1", f"203.0.113.{i}").status_code for i in range(6)]
    assert tries == [200] * 5 + [429]

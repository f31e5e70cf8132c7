"""The client's address behind reverse proxies: X-Forwarded-For/-Proto are applied (werkzeug's ProxyFix) only to
requests whose peer is one of TRUSTED_PROXIES; anyone else's forwarded headers are ignored."""

from __future__ import annotations

import ipaddress

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


class TrustedProxyFix:
    """ProxyFix for connections from the configured proxies, the plain app for every other peer."""

    def __init__(self, wsgi_app, *, proxies: list[str], hops: int) -> None:
        self.networks = [ipaddress.ip_network(proxy, strict=False) for proxy in proxies]
        self.direct = wsgi_app
        # Each of `hops` proxies appends the address it saw: the client is the hops-th from the right.
        self.forwarded = ProxyFix(wsgi_app, x_for=hops, x_proto=hops)

    def from_proxy(self, peer: str | None) -> bool:
        """Whether the connection's peer address is one of the trusted proxies."""
        try:
            address = ipaddress.ip_address(peer or "")
        except ValueError:
            return False
        return any(address in network for network in self.networks)

    def __call__(self, environ, start_response):
        handler = self.forwarded if self.from_proxy(environ.get("REMOTE_ADDR")) else self.direct
        return handler(environ, start_response)


def register_trusted_proxies(app: Flask) -> None:
    """Trust forwarded client addresses from TRUSTED_PROXIES (none by default: REMOTE_ADDR is the client)."""
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:
        app.wsgi_app = TrustedProxyFix(app.wsgi_app, proxies=proxies, hops=app.config["TRUSTED_PROXY_COUNT"])

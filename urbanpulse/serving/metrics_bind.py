"""Prometheus metrics on an address of their own (METRICS_BIND), served by the gunicorn master.

The master holds no requests: it reads every worker's figures from PROMETHEUS_MULTIPROC_DIR, so operators
scrape one address (keep it on loopback or a private network) and the API port never shows them.
"""

from __future__ import annotations

from prometheus_client import start_http_server

from urbanpulse.core.metrics import registry


def parse_bind(bind: str) -> tuple[str, int]:
    """("127.0.0.1", 9100) from "127.0.0.1:9100" (or "[::1]:9100"); a clear error otherwise."""
    host, _, port = bind.rpartition(":")
    if not host or not port.isdigit():
        raise RuntimeError(f"METRICS_BIND must be host:port (e.g. 127.0.0.1:9100), not {bind!r}")
    return host.strip("[]"), int(port)


def serve_metrics(bind: str) -> None:
    """Serve the aggregated registry at http://<bind>/metrics from a daemon thread of this process."""
    host, port = parse_bind(bind)
    start_http_server(port, addr=host, registry=registry())

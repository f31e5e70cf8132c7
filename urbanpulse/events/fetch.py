"""Reading an import source: a local .ics file, or an http(s) URL fetched with SSRF guards.

A URL host must resolve only to public addresses, unless it is listed in EVENTS_IMPORT_ALLOWED_HOSTS
(a hostname, an address or a network such as 10.0.0.0/8). The check is made on every redirect hop and again
on the address each connection actually reaches, so DNS tricks cannot lead to a loopback, private,
link-local or reserved address. Bodies are streamed and cut at EVENTS_IMPORT_MAX_BYTES; a watchdog cuts the
connections at EVENTS_IMPORT_TIMEOUT_S, even in the middle of a read that a trickling server keeps alive.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
import time
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

MAX_REDIRECTS = 5
USER_AGENT = "UrbanPulseBoulogne-EventImport/1.0"
TOO_SLOW = "the feed took too long to download"


class ImportSourceError(Exception):
    """The source cannot be read (refused, unreachable, too big, not found); the message says why."""


class SourceRefused(ImportSourceError):
    """The URL leads to an address that is not allowed."""


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    address = ipaddress.ip_address(value.split("%", 1)[0])
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def forbidden_address(value: str) -> bool:
    """Whether an address is loopback, private, link-local, reserved, multicast or otherwise not global."""
    address = _address(value)
    return not address.is_global or address.is_multicast


class HostPolicy:
    """Which hosts an import may reach."""

    def __init__(self, allowed: list[str] | tuple[str, ...] = ()):
        self.names = {item.lower().rstrip(".") for item in allowed if not _is_network(item)}
        self.networks = [ipaddress.ip_network(item, strict=False) for item in allowed if _is_network(item)]

    def allows_name(self, host: str) -> bool:
        """Whether a hostname was allowed by configuration."""
        return host.lower().rstrip(".") in self.names

    def allows_address(self, host: str, value: str) -> bool:
        """Whether connecting to `value` (an address `host` resolved to) is allowed."""
        if self.allows_name(host) or not forbidden_address(value):
            return True
        return any(_address(value) in network for network in self.networks)

    def check_host(self, host: str, port: int) -> None:
        """Resolve `host` and refuse it when any of its addresses is not allowed."""
        if self.allows_name(host):
            return
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as error:
            raise ImportSourceError(f"cannot resolve {host}: {error.strerror or error}") from None
        for info in infos:
            value = info[4][0]
            if not self.allows_address(host, value):
                raise SourceRefused(
                    f"{host} resolves to {value}, a loopback, private, link-local or reserved address; "
                    "list it in EVENTS_IMPORT_ALLOWED_HOSTS to allow it"
                )


def _is_network(item: str) -> bool:
    try:
        ipaddress.ip_network(item, strict=False)
    except ValueError:
        return False
    return True


class Watchdog:
    """Shuts down every connection of an import when its time is up.

    Socket time-outs bound each read, not the whole download: a server sending a byte now and then would
    keep a read going for hours. Shutting the socket down wakes the blocked read at the deadline.
    """

    def __init__(self, deadline: float):
        self.expired = threading.Event()
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(0.0, deadline - time.monotonic()), self._cut)
        self._timer.daemon = True

    def __enter__(self) -> Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self._timer.cancel()

    def watch(self, sock: socket.socket) -> None:
        """Cut `sock` at the deadline (at once if it has passed)."""
        with self._lock:
            self._sockets.append(sock)
            expired = self.expired.is_set()
        if expired:
            _shutdown(sock)

    def _cut(self) -> None:
        with self._lock:
            self.expired.set()
            sockets = list(self._sockets)
        for sock in sockets:
            _shutdown(sock)


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed
        sock.shutdown(socket.SHUT_RDWR)


def _guarded_session(policy: HostPolicy, watchdog: Watchdog | None = None) -> requests.Session:
    def guard(conn, sock):
        peer = sock.getpeername()[0]
        if not policy.allows_address(conn.host, peer):
            sock.close()
            raise SourceRefused(f"{conn.host} connected to {peer}, an address that is not allowed")
        if watchdog is not None:
            watchdog.watch(sock)
        return sock

    class GuardedHTTPConnection(HTTPConnection):
        def _new_conn(self):
            return guard(self, super()._new_conn())

    class GuardedHTTPSConnection(HTTPSConnection):
        def _new_conn(self):
            return guard(self, super()._new_conn())

    class GuardedHTTPPool(HTTPConnectionPool):
        ConnectionCls = GuardedHTTPConnection

    class GuardedHTTPSPool(HTTPSConnectionPool):
        ConnectionCls = GuardedHTTPSConnection

    adapter = HTTPAdapter(max_retries=0)
    adapter.poolmanager.pool_classes_by_scheme = {"http": GuardedHTTPPool, "https": GuardedHTTPSPool}
    session = requests.Session()
    session.trust_env = False  # no proxy from the environment: the guard must see the real peer
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = USER_AGENT
    session.headers["Accept"] = "text/calendar, text/plain;q=0.5, */*;q=0.1"
    return session


def _read_body(response: requests.Response, max_bytes: int, deadline: float, watchdog: Watchdog) -> bytes:
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise ImportSourceError(f"the feed is {declared} bytes, more than the {max_bytes} bytes allowed")
    chunks, size = [], 0
    try:
        for chunk in response.iter_content(64 * 1024):
            size += len(chunk)
            if size > max_bytes:
                raise ImportSourceError(f"the feed is larger than the {max_bytes} bytes allowed")
            if time.monotonic() > deadline:
                raise ImportSourceError(TOO_SLOW)
            chunks.append(chunk)
    except requests.RequestException as error:
        raise ImportSourceError(TOO_SLOW if watchdog.expired.is_set() else f"the download broke off: {error}") from None
    if watchdog.expired.is_set():  # cut before the end: what was read is not the whole feed
        raise ImportSourceError(TOO_SLOW)
    return b"".join(chunks)


def fetch_url(url: str, *, policy: HostPolicy, max_bytes: int, timeout_s: float) -> bytes:
    """GET an http(s) URL with the guards above, following at most 5 redirects."""
    deadline = time.monotonic() + timeout_s
    with Watchdog(deadline) as watchdog, _guarded_session(policy, watchdog) as session:
        for _hop in range(MAX_REDIRECTS + 1):
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise SourceRefused(f"only http and https URLs can be imported, not {url!r}")
            policy.check_host(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
            try:
                response = session.get(url, stream=True, allow_redirects=False, timeout=(5, timeout_s))
            except requests.RequestException as error:
                if watchdog.expired.is_set():
                    raise ImportSourceError(TOO_SLOW) from None
                raise ImportSourceError(f"cannot fetch {url}: {error.__class__.__name__}") from None
            with response:
                if response.is_redirect:
                    url = urljoin(url, response.headers["Location"])
                    continue
                if response.status_code != 200:
                    raise ImportSourceError(f"{url} answered HTTP {response.status_code}")
                return _read_body(response, max_bytes, deadline, watchdog)
    raise ImportSourceError(f"more than {MAX_REDIRECTS} redirects")


def read_source(source: str, *, allowed_hosts=(), max_bytes: int, timeout_s: float) -> tuple[bytes, str]:
    """The bytes of a feed and its canonical name (the URL, or the file's absolute path)."""
    if source.lower().startswith(("http://", "https://")):
        data = fetch_url(source, policy=HostPolicy(allowed_hosts), max_bytes=max_bytes, timeout_s=timeout_s)
        return data, source
    if "://" in source:
        raise SourceRefused("a source is an .ics file path or an http(s) URL")
    path = Path(source).expanduser().resolve()
    if not path.is_file():
        raise ImportSourceError(f"no such file: {path}")
    if path.stat().st_size > max_bytes:
        raise ImportSourceError(f"{path} is larger than the {max_bytes} bytes allowed")
    return path.read_bytes(), str(path)

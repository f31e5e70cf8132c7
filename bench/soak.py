"""`make soak`: a mixed read/write load on the real gunicorn service for SOAK_SECONDS (default 600), on loopback.

The service runs with the production configuration (gevent workers, cache on) on its own database,
`urbanpulse_soak` (provisioned, migrated and seeded like `make bench` does its own) and its own private
redis-server on a spare port. Client threads read every public endpoint (nearby, viewport, search, routes,
GPX, progress, events, calendars, sync, bundle, tiles) and write (each thread creates, edits and deletes its
own POIs and events and edits its own route, always with the ETag it just read, so a 412 is an error too).

Reported: requests, requests per second, latency, errors (anything but the expected status, any 5xx,
any time-out or dropped connection: must be 0), and each worker's resident memory (RSS, from /proc) at the
start and at the end. The run stops by itself; the exit status is 1 when there was an error or a worker
died. Rate limits are off: one loopback client sending hundreds of requests per second is not abuse.
"""

from __future__ import annotations

import json
import math
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

import redis
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import procs  # noqa: E402  (bench/procs.py, beside this script)
import service  # noqa: E402  (bench/service.py, beside this script)

from urbanpulse.core.config import DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL, to_libpq_url, with_database  # noqa: E402
from urbanpulse.runtime import provision  # noqa: E402

SECONDS = int(os.environ.get("SOAK_SECONDS", 600))
CLIENTS = int(os.environ.get("SOAK_CLIENTS", 8))
WORKERS = int(os.environ.get("SOAK_WORKERS", 4))
WRITE_SHARE = float(os.environ.get("SOAK_WRITE_SHARE", 0.1))
PORT = int(os.environ.get("SOAK_PORT", 8767))
SAMPLE_EVERY_S = 10
RESULTS = ROOT / "bench" / "results"
BASE = f"http://127.0.0.1:{PORT}"
HOTSPOTS = [(1.5947, 50.7308), (1.6140, 50.7256), (1.5988, 50.7272), (1.6072, 50.7233), (1.5925, 50.7340)]
PASSWORD = "soak password, long enough"
EDITOR = "soak-editor@tourisme-boulogne.test"


def say(message: str) -> None:
    """Progress line."""
    print(f"==> {message}", flush=True)


class PrivateRedis:
    """A redis-server of the soak's own on a spare port (bounded memory, no persistence)."""

    def __init__(self) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.dir = tempfile.mkdtemp(prefix="upb-soak-redis-")
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "/usr/bin/redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.dir,
                "--maxmemory",
                "256mb",
                "--maxmemory-policy",
                "allkeys-lru",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.url = f"redis://127.0.0.1:{self.port}/0"
        client = redis.Redis.from_url(self.url, socket_timeout=0.5)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def close(self) -> None:
        """Stop it and remove its folder."""
        self.process.kill()
        self.process.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)


def provision_database(url: str, redis_url: str) -> None:
    """`urbanpulse_soak`: created, migrated and seeded (idempotent), with the soak's editor account."""
    libpq = to_libpq_url(url)
    provision.ensure_postgres(libpq, user_supplied=bool(os.environ.get("DATABASE_URL")))
    provision.ensure_database(libpq)
    provision.migrate_and_seed(url, redis_url, seed=True)
    from urbanpulse import create_app
    from urbanpulse.auth import service as auth
    from urbanpulse.auth.models import User
    from urbanpulse.core.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": redis_url})
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == EDITOR))
        if user is None:
            auth.create_user(email=EDITOR, password=PASSWORD, role="editor")
        else:
            auth.update_user(user_id=user.id, password=PASSWORD, is_active=True, role="editor")
        db.engine.dispose()


def start_service(url: str, redis_url: str) -> subprocess.Popen:
    """gunicorn with the production configuration, once all its workers are up."""
    settings = {"DATABASE_URL": url, "REDIS_URL": redis_url, "PORT": str(PORT), "WEB_WORKERS": str(WORKERS)}
    return service.start(settings, base_url=BASE, ready=lambda process: len(worker_pids(process.pid)) == WORKERS)


def worker_pids(master: int) -> list[int]:
    """The gunicorn workers: the processes whose parent is the master."""
    return sorted(pid for pid, fields in procs.processes() if int(fields[1]) == master)


def rss_kib(pid: int) -> int | None:
    """Resident memory of a process in KiB (VmRSS), None when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


class Tally:
    """Requests, errors and latencies, by operation, shared by the client threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests: Counter = Counter()
        self.errors: Counter = Counter()
        self.examples: dict[str, str] = {}
        self.latencies: dict[str, list[float]] = defaultdict(list)

    def record(self, name: str, elapsed: float, error: str | None) -> None:
        """One request."""
        with self.lock:
            self.requests[name] += 1
            self.latencies[name].append(elapsed)
            if error:
                self.errors[name] += 1
                self.examples.setdefault(name, error)


class Client:
    """One simulated user: reads at random, and writes its own items."""

    def __init__(self, index: int, ids: dict, tally: Tally, deadline: float) -> None:
        self.rng = random.Random(index)
        self.http = requests.Session()
        self.ids, self.tally, self.deadline = ids, tally, deadline
        self.headers: dict = {}
        self.route: str | None = None

    def call(self, name: str, method: str, path: str, expect: tuple[int, ...] = (200,), **kwargs):
        """One request; anything but `expect` is an error."""
        started = time.perf_counter()
        error, response = None, None
        try:
            response = self.http.request(method, BASE + path, timeout=30, **kwargs)
            if response.status_code not in expect:
                error = f"{method} {path} -> {response.status_code} {response.text[:200]}"
        except requests.RequestException as exc:
            error = f"{method} {path} -> {type(exc).__name__}: {exc}"
        self.tally.record(name, time.perf_counter() - started, error)
        return response if error is None else None

    def position(self) -> tuple[float, float]:
        lon, lat = self.rng.choice(HOTSPOTS)
        return lon + self.rng.uniform(-0.004, 0.004), lat + self.rng.uniform(-0.003, 0.003)

    def read(self) -> None:
        """One read of a public endpoint, picked at random."""
        lon, lat = self.position()
        poi, route, event = (self.rng.choice(self.ids[k]) for k in ("pois", "routes", "events"))
        lang = self.rng.choice(["", "&lang=en", "&lang=nl", "&lang=de"])
        z = self.rng.choice([12, 14, 15, 16])
        n = 2**z
        x = int((lon + 180) / 360 * n)
        y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
        choices = [
            (
                30,
                "nearby",
                f"/api/v1/pois/nearby?lat={lat:.6f}&lon={lon:.6f}&radius={self.rng.choice([250, 500, 1000])}{lang}",
            ),
            (5, "nearby-text", f"/api/v1/pois/nearby?lat={lat:.6f}&lon={lon:.6f}&q=musee{lang}"),
            (8, "bbox", f"/api/v1/pois?bbox={lon - 0.01:.5f},{lat - 0.01:.5f},{lon + 0.01:.5f},{lat + 0.01:.5f}{lang}"),
            (4, "search", f"/api/v1/pois?q={self.rng.choice(['nausicaa', 'beffroi', 'eglise', 'port'])}{lang}"),
            (5, "poi", f"/api/v1/pois/{poi}?{lang[1:]}"),
            (4, "routes", f"/api/v1/routes?{lang[1:]}"),
            (3, "routes-nearby", f"/api/v1/routes/nearby?lat={lat:.6f}&lon={lon:.6f}"),
            (4, "route", f"/api/v1/routes/{route}?{lang[1:]}"),
            (2, "route-gpx", f"/api/v1/routes/{route}/gpx"),
            (3, "route-progress", f"/api/v1/routes/{route}/progress?lat={lat:.6f}&lon={lon:.6f}"),
            (6, "events", f"/api/v1/events?{lang[1:]}"),
            (3, "events-now", f"/api/v1/events/now?lat={lat:.6f}&lon={lon:.6f}"),
            (3, "event", f"/api/v1/events/{event}?{lang[1:]}"),
            (2, "events-ics", "/api/v1/events.ics"),
            (2, "sync", "/api/v1/sync?limit=200"),
            (1, "bundle", "/api/v1/sync/bundle"),
            (12, "tile", f"/api/v1/tiles/{z}/{x}/{y}.mvt"),
        ]
        weights = [weight for weight, _, _ in choices]
        _, name, path = self.rng.choices(choices, weights)[0]
        self.call(name, "GET", path, expect=(200, 204) if name == "tile" else (200,))

    def login(self) -> None:
        answer = self.call("login", "POST", "/api/v1/auth/token", json={"email": EDITOR, "password": PASSWORD})
        if answer is not None:
            self.headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}

    def write(self) -> None:
        """One write cycle on this client's own items (so no 412 can be legitimate)."""
        if not self.headers:
            self.login()
        lon, lat = self.position()
        kind = self.rng.choice(["poi", "poi", "event", "route"])
        if kind == "poi":
            feature = {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {
                    "category": "museum",
                    "name": {"fr": f"Soak {self.rng.random():.6f}"},
                    "status": "published",
                },
            }
            created = self.call("poi-create", "POST", "/api/v1/pois", (201,), json=feature, headers=self.headers)
            if created is None:
                return
            url, etag = f"/api/v1/pois/{created.json()['id']}", created.headers["ETag"]
            for step in range(2):
                body = {"properties": {"address": f"{step} rue de la Lampe"}, "geometry": feature["geometry"]}
                moved = self.call("poi-patch", "PATCH", url, json=body, headers={**self.headers, "If-Match": etag})
                if moved is None:
                    return
                etag = moved.headers["ETag"]
            self.call("poi-delete", "DELETE", url, (204,), headers={**self.headers, "If-Match": etag})
        elif kind == "event":
            event = {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {
                    "title": {"fr": "Concert du soak"},
                    "category": "concert",
                    "starts_at": "2026-12-05T20:30:00",
                    "ends_at": "2026-12-05T22:00:00",
                    "publication": "published",
                },
            }
            created = self.call("event-create", "POST", "/api/v1/events", (201,), json=event, headers=self.headers)
            if created is None:
                return
            url, etag = f"/api/v1/events/{created.json()['id']}", created.headers["ETag"]
            changed = self.call(
                "event-patch",
                "PATCH",
                url,
                json={"properties": {"price": "5 €"}},
                headers={**self.headers, "If-Match": etag},
            )
            if changed is not None:
                self.call(
                    "event-delete", "DELETE", url, (204,), headers={**self.headers, "If-Match": changed.headers["ETag"]}
                )
        else:
            if self.route is None:
                start = self.position()
                line = [[start[0] + i * 0.002, start[1] + (i % 2) * 0.001] for i in range(6)]
                feature = {
                    "type": "Feature",
                    "geometry": {"type": "LineString", "coordinates": line},
                    "properties": {
                        "name": {"fr": "Boucle du soak"},
                        "theme": "maritime",
                        "kind": "walk",
                        "difficulty": "easy",
                        "status": "published",
                    },
                }
                created = self.call(
                    "route-create", "POST", "/api/v1/routes", (201,), json=feature, headers=self.headers
                )
                if created is None:
                    return
                self.route = f"/api/v1/routes/{created.json()['id']}"
            current = self.call("route-read", "GET", self.route, headers=self.headers)
            if current is not None:
                difficulty = "hard" if current.json()["properties"]["difficulty"] == "easy" else "easy"
                body = {"properties": {"difficulty": difficulty}}
                self.call(
                    "route-patch",
                    "PATCH",
                    self.route,
                    json=body,
                    headers={**self.headers, "If-Match": current.headers["ETag"]},
                )

    def run(self) -> None:
        """Until the deadline."""
        while time.monotonic() < self.deadline:
            if self.rng.random() < WRITE_SHARE:
                self.write()
            else:
                self.read()
        if self.route is not None:  # leave the database as it was
            current = self.call("route-read", "GET", self.route, headers=self.headers)
            if current is not None:
                self.call(
                    "route-delete",
                    "DELETE",
                    self.route,
                    (204,),
                    headers={**self.headers, "If-Match": current.headers["ETag"]},
                )


def public_ids() -> dict:
    """Ids of seeded public items to read."""
    pois = requests.get(f"{BASE}/api/v1/pois?limit=100", timeout=10).json()["features"]
    routes = requests.get(f"{BASE}/api/v1/routes", timeout=10).json()["features"]
    events = requests.get(f"{BASE}/api/v1/events?from=2026-01-01&to=2026-12-31&limit=500", timeout=10).json()
    event_ids = sorted({f["properties"]["event_id"] for f in events["features"]})
    ids = {"pois": [f["id"] for f in pois], "routes": [f["id"] for f in routes], "events": event_ids}
    if not all(ids.values()):
        raise RuntimeError(f"the seed is missing content: { {k: len(v) for k, v in ids.items()} }")
    return ids


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000 if ordered else 0.0


def main() -> int:
    """Provision, serve, load, report."""
    url = with_database(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL, "urbanpulse_soak")
    say(f"soak: {SECONDS} s, {CLIENTS} client threads, {WORKERS} gunicorn workers, ~{WRITE_SHARE:.0%} writes")
    if not (shutil.which("redis-server") or Path("/usr/bin/redis-server").exists()):
        provision.ensure_redis(os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL)  # installs it where allowed
    cache = PrivateRedis()
    service = None
    try:
        provision_database(url, cache.url)
        service = start_service(url, cache.url)
        ids = public_ids()
        workers = worker_pids(service.pid)
        start_rss = {pid: rss_kib(pid) for pid in workers}
        say(f"workers {workers}, RSS at start (KiB): {start_rss}")
        tally, samples = Tally(), []
        deadline = time.monotonic() + SECONDS
        clients = [Client(i, ids, tally, deadline) for i in range(CLIENTS)]
        threads = [threading.Thread(target=client.run, daemon=True) for client in clients]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        while time.monotonic() < deadline:
            time.sleep(min(SAMPLE_EVERY_S, max(0.0, deadline - time.monotonic())))
            samples.append((time.monotonic() - started, {pid: rss_kib(pid) for pid in workers}))
            done = sum(tally.requests.values())
            say(f"{time.monotonic() - started:5.0f} s: {done} requests, {sum(tally.errors.values())} errors")
        for thread in threads:
            thread.join(timeout=60)
        elapsed = time.monotonic() - started
        end_rss = {pid: rss_kib(pid) for pid in workers}
        alive_workers = worker_pids(service.pid)
    finally:
        if service is not None:
            os.killpg(service.pid, 15)
            service.wait(timeout=30)
        cache.close()
    total, errors = sum(tally.requests.values()), sum(tally.errors.values())
    died = sorted(set(workers) - set(alive_workers))
    all_latencies = [v for values in tally.latencies.values() for v in values]
    report = {
        "seconds": round(elapsed, 1),
        "clients": CLIENTS,
        "workers": WORKERS,
        "requests": total,
        "requests_per_s": round(total / elapsed, 1),
        "errors": errors,
        "error_examples": tally.examples,
        "workers_died": died,
        "latency_ms": {
            "p50": round(percentile(all_latencies, 0.5), 2),
            "p99": round(percentile(all_latencies, 0.99), 2),
        },
        "by_operation": {
            name: {
                "requests": count,
                "errors": tally.errors[name],
                "p50_ms": round(percentile(tally.latencies[name], 0.5), 2),
                "p99_ms": round(percentile(tally.latencies[name], 0.99), 2),
            }
            for name, count in sorted(tally.requests.items())
        },
        "rss_samples_kib": [[round(t, 1), {str(pid): kib for pid, kib in sample.items()}] for t, sample in samples],
        "worker_rss_kib": {
            str(pid): {
                "start": start_rss[pid],
                "end": end_rss[pid],
                "max": max((sample[pid] or 0) for sample in [*(s for _, s in samples), end_rss]),
            }
            for pid in workers
        },
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "soak.json").write_text(json.dumps(report, indent=2))
    print_summary(report)
    return 1 if errors or died else 0


def print_summary(report: dict) -> None:
    """The table."""
    print(f"\nUrban Pulse soak: {report['seconds']} s, {report['clients']} clients, {report['workers']} workers")
    print(
        f"requests {report['requests']} ({report['requests_per_s']}/s), errors {report['errors']}, "
        f"p50 {report['latency_ms']['p50']} ms, p99 {report['latency_ms']['p99']} ms"
    )
    print(f"{'operation':16} {'requests':>9} {'errors':>7} {'p50 ms':>8} {'p99 ms':>8}")
    for name, row in report["by_operation"].items():
        print(f"{name:16} {row['requests']:9d} {row['errors']:7d} {row['p50_ms']:8.2f} {row['p99_ms']:8.2f}")
    print(f"{'worker':>8} {'RSS start KiB':>14} {'RSS end KiB':>12} {'RSS max KiB':>12}")
    for pid, rss in report["worker_rss_kib"].items():
        print(f"{pid:>8} {rss['start'] or 0:14d} {rss['end'] or 0:12d} {rss['max'] or 0:12d}")
    if report["workers_died"]:
        print(f"workers died: {report['workers_died']}")
    for name, example in report["error_examples"].items():
        print(f"error ({name}): {example}")


if __name__ == "__main__":
    sys.exit(main())

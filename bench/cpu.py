"""`make bench-cpu`: CPU time per request of each main endpoint, measured on the processes that serve it.

The service runs under gunicorn with the production settings on the seeded Boulogne database (`make run`'s).
Each endpoint is asked REQUESTS times in a row over one keep-alive connection, after a warm-up; the CPU time
(user + system, /proc/<pid>/stat) that the service's processes and the database's backends of this database spent
meanwhile, divided by the requests, is the CPU per request. The load generator's own CPU is not counted, which
the `make bench` figures (2 core-seconds / req/s) could not separate. Redis is shared with other users of the
machine, so its part is not counted here (a cached answer costs it one or two simple commands).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import procs  # noqa: E402  (bench/procs.py, beside this script)
import service  # noqa: E402  (bench/service.py, beside this script)

from urbanpulse.core.config import DEFAULT_DATABASE_URL, to_libpq_url  # noqa: E402
from urbanpulse.runtime import provision  # noqa: E402
from urbanpulse.runtime.roles import runtime_url  # noqa: E402

PORT = int(os.environ.get("BENCH_CPU_PORT", 8771))
REQUESTS = int(os.environ.get("BENCH_CPU_REQUESTS", 2000))
WARMUP = int(os.environ.get("BENCH_CPU_WARMUP", 200))
TICKS_PER_S = os.sysconf("SC_CLK_TCK")
BELFRY = {"lat": 50.7259, "lon": 1.6146}
CITY_BOX = "1.58,50.70,1.64,50.75"


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of `pids` (the ones still alive)."""
    total = 0
    for pid in pids:
        fields = procs.stat_fields(pid)
        if fields is not None:
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / TICKS_PER_S


def service_pids(leader: int) -> list[int]:
    """gunicorn's master and workers: every process of its session."""
    return [pid for pid, fields in procs.processes() if int(fields[3]) == leader]


def backend_pids(admin_url: str, database: str) -> list[int]:
    """The PostgreSQL backends connected to `database` now (the service's pools are open after the warm-up)."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (database,)).fetchall()
    return [pid for (pid,) in rows]


def endpoints(base: str) -> dict[str, str]:
    """The main public endpoints, with ids taken from the seeded data."""
    poi = requests.get(f"{base}/api/v1/pois", params={"bbox": CITY_BOX, "limit": 1}, timeout=10).json()
    route = requests.get(f"{base}/api/v1/routes", params={"limit": 1}, timeout=10).json()
    poi_id = poi["features"][0]["id"]
    route_id = route["features"][0]["id"]
    return {
        "healthz": "/healthz",
        "nearby (cached)": f"/api/v1/pois/nearby?lat={BELFRY['lat']}&lon={BELFRY['lon']}&radius=1000",
        "nearby, text search (uncached)": f"/api/v1/pois/nearby?lat={BELFRY['lat']}&lon={BELFRY['lon']}"
        "&radius=2000&q=musee",
        "POI": f"/api/v1/pois/{poi_id}",
        "viewport listing": f"/api/v1/pois?bbox={CITY_BOX}&limit=50",
        "events now": f"/api/v1/events/now?lat={BELFRY['lat']}&lon={BELFRY['lon']}",
        "route": f"/api/v1/routes/{route_id}",
        "route progress": f"/api/v1/routes/{route_id}/progress?lat={BELFRY['lat']}&lon={BELFRY['lon']}",
        "vector tile z15": "/api/v1/tiles/15/16530/11006.mvt",
        "OGC items": f"/ogc/collections/pois/items?bbox={CITY_BOX}&limit=50",
        "place page (HTML)": f"/places/{poi_id}",
    }


def measure(session: requests.Session, base: str, path: str, pids: list[int], backends: list[int]) -> dict:
    """CPU per request of the service and of the database for `path`, after a warm-up."""
    for _ in range(WARMUP):
        session.get(base + path, timeout=10)
    service_before, database_before = cpu_seconds(pids), cpu_seconds(backends)
    started = time.perf_counter()
    statuses = set()
    for _ in range(REQUESTS):
        statuses.add(session.get(base + path, timeout=10).status_code)
    elapsed = time.perf_counter() - started
    return {
        "path": path,
        "statuses": sorted(statuses),
        "service_cpu_ms": round((cpu_seconds(pids) - service_before) / REQUESTS * 1000, 3),
        "database_cpu_ms": round((cpu_seconds(backends) - database_before) / REQUESTS * 1000, 3),
        "latency_ms": round(elapsed / REQUESTS * 1000, 3),
    }


def main() -> int:
    admin_url = to_libpq_url(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)
    say("provisioning and seeding the run database")
    provision.main(["--for", "run"])
    database = psycopg.conninfo.conninfo_to_dict(admin_url)["dbname"]
    base = f"http://127.0.0.1:{PORT}"
    settings = {"PORT": str(PORT), "WEB_WORKERS": "2", "DATABASE_URL": runtime_url(admin_url) or admin_url}
    process = service.start(settings, base_url=base)
    results = {}
    try:
        paths = endpoints(base)
        with requests.Session() as session:
            session.get(base + "/healthz", timeout=10)
            for name, path in paths.items():
                session.get(base + path, timeout=10)
                results[name] = measure(
                    session, base, path, service_pids(process.pid), backend_pids(admin_url, database)
                )
                say(f"{name}: {json.dumps(results[name])}")
    finally:
        subprocess.run(["kill", "--", f"-{process.pid}"], check=False)
    out = ROOT / "bench" / "results" / "cpu.json"
    out.write_text(json.dumps({"requests": REQUESTS, "endpoints": results}, indent=2) + "\n")
    print(f"\n{'endpoint':34} {'service CPU ms':>15} {'database CPU ms':>16} {'latency ms':>11}")
    for name, row in results.items():
        print(f"{name:34} {row['service_cpu_ms']:>15} {row['database_cpu_ms']:>16} {row['latency_ms']:>11}")
    print(f"\n(written to {out.relative_to(ROOT)})")
    bad = {name: row["statuses"] for name, row in results.items() if row["statuses"] != [200]}
    if bad:
        print(f"not all answers were 200: {bad}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

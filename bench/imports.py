"""`make bench-imports`: a generated 10,000-object DATAtourisme flux imported into its own database
(`urbanpulse_importbench`, recreated each run): the first import, the re-import of the unchanged snapshot, and
the peak memory of each, at 2,000 and 10,000 objects to show whether memory grows with the snapshot.

Each import runs in its own process (so that its peak resident memory is its own) through the real CLI.
BENCH_IMPORT_SIZES (default 2000,10000) picks the sizes; BENCH_IMPORT_DATABASE another database, so that two
checkouts can be measured side by side.
Targets (issue 24): first import <= 60 s, unchanged re-import <= 10 s, peak memory flat in the number of objects.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.imports.fixtures import museum, write_flux  # noqa: E402
from urbanpulse.core.config import DEFAULT_DATABASE_URL, to_libpq_url, with_database  # noqa: E402
from urbanpulse.runtime import provision  # noqa: E402

DATABASE = os.environ.get("BENCH_IMPORT_DATABASE", "urbanpulse_importbench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
SIZES = [int(n) for n in os.environ.get("BENCH_IMPORT_SIZES", "2000,10000").split(",")]
RESULTS = ROOT / "bench" / "results"


def flux(folder: Path, count: int) -> Path:
    """`count` museums spread over the town, distinct ids and names."""
    objects = [
        museum(f"BENCH{i:06d}", name={"fr": [f"Lieu importé {i}"], "en": [f"Imported place {i}"]},
               lat=f"{50.70 + (i % 100) / 1000:.4f}", lon=f"{1.58 + (i // 100) / 2500:.4f}")
        for i in range(count)
    ]  # fmt: skip
    return write_flux(folder, objects)


def one_import(url: str, source: Path) -> dict:
    """Run the CLI in a child process: wall time, exit code, counts and the child's peak RSS (MiB)."""
    code = (
        "import json, resource, sys, time\n"
        "from wsgi import app\n"
        "started = time.monotonic()\n"
        "result = app.test_cli_runner().invoke(args=['import', 'datatourisme', sys.argv[1]])\n"
        "elapsed = time.monotonic() - started\n"
        "report = json.loads(result.output)\n"
        # VmHWM, not ru_maxrss: Linux carries the parent's peak (this script's, with the flux in memory) into
        # ru_maxrss across fork and exec, which hid the child's own.
        "status = open('/proc/self/status').read().split('VmHWM:')[1]\n"
        "peak = int(status.split()[0]) / 1024\n"
        "print('IMPORT_JSON ' + json.dumps({'seconds': round(elapsed, 2), 'counts': report['counts'],"
        " 'peak_rss_mib': round(peak, 1)}))\n"
    )
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": REDIS_URL, "LOG_LEVEL": "WARNING"}
    done = subprocess.run([sys.executable, "-c", code, str(source)], cwd=ROOT, env=env, capture_output=True, text=True)
    line = next((line for line in done.stdout.splitlines() if line.startswith("IMPORT_JSON ")), None)
    if line is None:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(line.removeprefix("IMPORT_JSON "))


def main() -> int:
    """Recreate the database, then for each size: first import, then the unchanged snapshot again."""
    url = with_database(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL, DATABASE)
    libpq = to_libpq_url(url)
    provision.ensure_postgres(libpq, user_supplied=bool(os.environ.get("DATABASE_URL")))
    provision.ensure_redis(REDIS_URL)
    results = {}
    with tempfile.TemporaryDirectory(prefix="upb-import-bench-") as folder:
        for size in SIZES:
            import psycopg

            with psycopg.connect(to_libpq_url(with_database(url, "postgres")), autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
            provision.ensure_database(libpq)
            provision.migrate_and_seed(url, REDIS_URL, seed=False)
            source = flux(Path(folder) / str(size), size)
            first = one_import(url, source)
            again = one_import(url, source)
            results[size] = {"first": first, "unchanged_again": again}
            for label, row in (("first", first), ("unchanged again", again)):
                print(
                    f"{size:>6} objects, {label}: {row['seconds']} s, peak {row['peak_rss_mib']} MiB, {row['counts']}"
                )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "imports.json").write_text(json.dumps(results, indent=2))
    self_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"targets: first <= 60 s, unchanged <= 10 s at 10,000 objects; this script's own peak {self_peak:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

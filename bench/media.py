"""`python bench/media.py`: photos. The time to derive every size of a 12-megapixel photo, and serving a
640-px WebP against /healthz under gunicorn (production settings), side by side with wrk.

It uses its own database (`urbanpulse_bench_media`, migrated by the provisioning script) and Redis
database 14, a temporary MEDIA_ROOT; BENCH_MEDIA_STORE=postgres measures the PostgreSQL store instead.
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import service  # noqa: E402  (bench/service.py)
from run import wrk  # noqa: E402  (bench/run.py)

from urbanpulse.core.config import DEFAULT_DATABASE_URL, with_database  # noqa: E402

DATABASE_URL = with_database(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL), "urbanpulse_bench_media")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
STORE = os.environ.get("BENCH_MEDIA_STORE", "local")
DURATION_S = int(os.environ.get("BENCH_DURATION_S", 10))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 2))
DERIVE_RUNS = int(os.environ.get("BENCH_DERIVE_RUNS", 3))
PORT = 8767


def photo_12mp() -> bytes:
    """A 4000 x 3000 JPEG with photo-like detail (noise over gradients), as a phone would send."""
    from PIL import Image

    noise = Image.effect_noise((4000, 3000), 40).convert("RGB")
    gradient = Image.linear_gradient("L").resize((4000, 3000)).convert("RGB")
    out = io.BytesIO()
    Image.blend(noise, gradient, 0.6).save(out, "JPEG", quality=90)
    return out.getvalue()


def derive_seconds(original: bytes) -> list[float]:
    """Wall-clock seconds of `processing.derive` on `original`, DERIVE_RUNS times."""
    from urbanpulse.media.processing import derive

    times = []
    for _ in range(DERIVE_RUNS):
        started = time.perf_counter()
        derive(original)
        times.append(time.perf_counter() - started)
    return times


def prepare(media_root: str, original: bytes) -> str:
    """A POI with the photo, its sizes made; the URL path of its 640-px WebP."""
    from urbanpulse import create_app
    from urbanpulse.editing.actor import Actor
    from urbanpulse.editing.etags import item_etag
    from urbanpulse.media import jobs
    from urbanpulse.media import service as media_service
    from urbanpulse.pois.service import create_poi_from_feature

    config = {"SQLALCHEMY_DATABASE_URI": DATABASE_URL, "REDIS_URL": REDIS_URL, "MEDIA_STORE": STORE}
    app = create_app({**config, "MEDIA_ROOT": media_root})
    with app.app_context():
        actor = Actor.system("bench")
        feature = {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [1.6146, 50.7259]},
            "properties": {"category": "monument", "name": {"fr": f"Photo {time.time()}"}, "status": "draft"},
        }
        poi = create_poi_from_feature(feature, actor=actor)
        upload = media_service.Upload(field="file.0", filename="bench.jpg", content_type="image/jpeg", data=original)
        poi = media_service.upload_media(
            kind="pois", item_id=poi.id, uploads=[upload], texts={}, if_match=item_etag(poi.id, 1), actor=actor
        )
        media_id = poi.media[-1]["id"]
        jobs.derive_sizes(media_id)
        from urbanpulse.core.extensions import db
        from urbanpulse.media.models import Media

        sizes = db.session.get(Media, media_id).sizes
        return next(f"/api/v1/media/files/{s['key']}" for s in sizes if s["width"] == 640 and s["ext"] == "webp")


def main() -> int:
    """Measure, print the figures and the command line."""
    import subprocess

    subprocess.run(
        [sys.executable, "-m", "urbanpulse.runtime.provision", "--for", "test"],
        cwd=ROOT,
        env={**os.environ, "TEST_DATABASE_URL": DATABASE_URL},
        check=True,
        stdout=subprocess.DEVNULL,
    )
    original = photo_12mp()
    times = derive_seconds(original)
    print(f"cores: {os.cpu_count()}; photo: 4000 x 3000 JPEG, {len(original) / 1e6:.1f} MB")
    print(
        f"derive 8 files (320/640/1280/2048 px, WebP+JPEG): median {statistics.median(times):.2f} s, "
        f"runs {', '.join(f'{t:.2f}' for t in times)}"
    )
    media_root = tempfile.mkdtemp(prefix="upb-bench-media-")
    path = prepare(media_root, original)
    settings = {
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "PORT": str(PORT),
        "MEDIA_STORE": STORE,
        "MEDIA_ROOT": media_root,
    }
    process = service.start(settings, base_url=f"http://127.0.0.1:{PORT}")
    try:
        rounds: list[tuple[dict, dict]] = []
        for _ in range(ROUNDS):
            webp = wrk(PORT, "media_file.lua", DURATION_S, {"BENCH_PATH": path})
            healthz = wrk(PORT, "healthz.lua", DURATION_S)
            rounds.append((webp, healthz))
            ratio = webp["rps"] / healthz["rps"]
            print(
                f"webp 640 ({STORE} store): {webp['rps']:.0f} req/s p50 {webp['p50_ms']:.1f} ms "
                f"p99 {webp['p99_ms']:.1f} ms errors {webp['errors']} | healthz: {healthz['rps']:.0f} req/s "
                f"p50 {healthz['p50_ms']:.1f} ms p99 {healthz['p99_ms']:.1f} ms | ratio {ratio:.2f}"
            )
    finally:
        os.killpg(process.pid, 15)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Derived sizes made by a real RQ worker on the test Redis, then served immutable with ranges."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest
from PIL import Image
from sqlalchemy import update

from tests.media.helpers import etag_of, media_rows, media_url, run_jobs, upload
from tests.media.images import GPS_IFD, jpeg, png
from urbanpulse.core.extensions import db
from urbanpulse.editing.history import entries_for
from urbanpulse.media import jobs
from urbanpulse.media.models import Media


def _is_red(pixel) -> bool:
    red, green, blue = pixel
    return red > 150 and green < 100 and blue < 100


def _ready_media(client, poi, editor_headers) -> list[dict]:
    return client.get(media_url(poi.id), headers=editor_headers).get_json()["media"]


def test_a_worker_makes_every_size_in_webp_and_jpeg(app, client, editor_headers, poi, store_kind):
    upload(client, poi.id, editor_headers, (jpeg(2400, 1600), "a.jpg", "image/jpeg"))
    run_jobs(app)
    [image] = _ready_media(client, poi, editor_headers)
    assert image["status"] == "ready"
    assert sorted((s["width"], s["format"]) for s in image["sizes"]) == [
        (w, f) for w in (320, 640, 1280, 2048) for f in ("jpeg", "webp")
    ]
    for size in image["sizes"]:
        served = client.get(size["url"])
        assert served.status_code == 200
        decoded = Image.open(io.BytesIO(served.data))
        assert decoded.format == {"webp": "WEBP", "jpeg": "JPEG"}[size["format"]]
        assert decoded.width == size["width"] and decoded.height == round(1600 * size["width"] / 2400)
    # The worker's result is a new version of the POI by the system actor; the last editor stays.
    entries = entries_for(entity_type="poi", entity_id=poi.id)
    assert entries[-1].actor_label == "media" and entries[-1].version == 3


def test_small_images_are_never_upscaled(app, client, editor_headers, poi, store_kind):
    upload(
        client, poi.id, editor_headers, (png(800, 600), "a.png", "image/png"), (jpeg(200, 100), "b.jpg", "image/jpeg")
    )
    run_jobs(app)
    first, second = _ready_media(client, poi, editor_headers)
    assert sorted({s["width"] for s in first["sizes"]}) == [320, 640]
    assert sorted({s["width"] for s in second["sizes"]}) == [200]


def test_orientation_is_applied_and_no_metadata_is_served(app, client, editor_headers, poi, store_kind):
    # A phone photo stored 1200 x 800 with "rotate 90° clockwise" (6) and a GPS position.
    phone = jpeg(1200, 800, orientation=6, gps=True)
    assert Image.open(io.BytesIO(phone)).getexif().get_ifd(GPS_IFD)
    listed = upload(client, poi.id, editor_headers, (phone, "phone.jpg", "image/jpeg")).get_json()["media"]
    assert (listed[0]["width"], listed[0]["height"]) == (800, 1200)
    run_jobs(app)
    [image] = _ready_media(client, poi, editor_headers)
    for size in image["sizes"]:
        data = client.get(size["url"]).data
        decoded = Image.open(io.BytesIO(data))
        assert decoded.height > decoded.width  # upright
        assert len(decoded.getexif()) == 0 and not decoded.getexif().get_ifd(GPS_IFD)
        assert "icc_profile" not in decoded.info and "xmp" not in decoded.info and "exif" not in decoded.info
        assert b"Exif" not in data and b"PhoneMaker" not in data
        # The red corner (top left as taken) is at the top right once turned upright.
        rgb = decoded.convert("RGB")
        assert _is_red(rgb.getpixel((decoded.width - 3, 3))) and not _is_red(rgb.getpixel((3, 3)))


def test_served_files_are_immutable_with_etag_type_and_ranges(app, client, editor_headers, poi, store_kind):
    upload(client, poi.id, editor_headers, (jpeg(700, 500), "a.jpg", "image/jpeg"))
    run_jobs(app)
    [image] = _ready_media(client, poi, editor_headers)
    webp = next(s for s in image["sizes"] if s["format"] == "webp" and s["width"] == 640)
    jpg = next(s for s in image["sizes"] if s["format"] == "jpeg" and s["width"] == 640)
    response = client.get(webp["url"])
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["Content-Type"] == "image/webp"
    assert client.get(jpg["url"]).headers["Content-Type"] == "image/jpeg"
    etag = response.headers["ETag"]
    assert etag.strip('"') in webp["url"]
    assert response.headers["Accept-Ranges"] == "bytes"
    assert client.get(webp["url"], headers={"If-None-Match": etag}).status_code == 304
    part = client.get(webp["url"], headers={"Range": "bytes=10-19"})
    assert part.status_code == 206 and part.data == response.data[10:20]
    assert part.headers["Content-Range"] == f"bytes 10-19/{len(response.data)}"
    assert client.get(webp["url"], headers={"Range": f"bytes={len(response.data) + 5}-"}).status_code == 416
    assert client.head(webp["url"]).headers["Content-Length"] == str(len(response.data))


def test_originals_and_unknown_names_are_never_served(app, client, editor_headers, poi, store_kind):
    upload(client, poi.id, editor_headers, (jpeg(300, 200, gps=True), "a.jpg", "image/jpeg"))
    [row] = media_rows()
    for name in (row.original_key, f"orig/{row.original_key}", f"{row.original_key}.jpg", "../etc/passwd", "x.webp"):
        assert client.get(f"/api/v1/media/files/{name}").status_code == 404


def test_a_job_done_twice_changes_nothing_the_second_time(app, client, editor_headers, poi, store_kind):
    upload(client, poi.id, editor_headers, (jpeg(400, 300), "a.jpg", "image/jpeg"))
    media_id = str(media_rows()[0].id)
    assert jobs.derive_sizes(media_id) == "ready"
    version = etag_of(client, poi.id, editor_headers)
    assert jobs.derive_sizes(media_id) == "nothing to do"
    assert etag_of(client, poi.id, editor_headers) == version


def test_a_crash_mid_job_loses_nothing_the_sweep_queues_it_again(
    app, client, editor_headers, poi, store_kind, raw_redis
):
    upload(client, poi.id, editor_headers, (jpeg(400, 300), "a.jpg", "image/jpeg"))
    # The worker died: its job is gone from Redis, the image is still `processing` in the database.
    raw_redis.flushdb()
    run_jobs(app)
    assert media_rows()[0].status == "processing"
    assert jobs.sweep(older_than_s=3600) == 0  # not stuck yet
    db.session.execute(update(Media).values(updated_at=Media.updated_at - db.text("interval '1 hour'")))
    db.session.commit()
    assert jobs.sweep() == 1
    run_jobs(app)
    assert media_rows()[0].status == "ready"


def test_an_image_that_keeps_failing_is_marked_failed(app, client, editor_headers, poi, local_store):
    upload(client, poi.id, editor_headers, (jpeg(400, 300), "a.jpg", "image/jpeg"))
    [row] = media_rows()
    for path in local_store.rglob("*"):
        if path.is_file():
            path.unlink()  # the original is lost: every attempt fails
    raw_attempts = app.config["MEDIA_JOB_ATTEMPTS"]
    run_jobs(app)  # the first try and RQ's retries
    db.session.execute(update(Media).values(updated_at=Media.updated_at - db.text("interval '1 hour'")))
    db.session.commit()
    for _ in range(raw_attempts):
        jobs.sweep()
        run_jobs(app)
    [image] = _ready_media(client, poi, editor_headers)
    assert image["status"] == "failed" and image["sizes"] == []
    assert db.session.get(Media, row.id).attempts == raw_attempts + 1


def test_a_queue_that_is_down_leaves_the_image_processing_for_the_sweep(app, client, editor_headers, poi, store_kind):
    saved = app.config["REDIS_URL"]
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    try:
        response = upload(client, poi.id, editor_headers, (jpeg(300, 200), "a.jpg", "image/jpeg"))
    finally:
        app.config["REDIS_URL"] = saved
    assert response.status_code == 201
    assert media_rows()[0].status == "processing"
    assert jobs.sweep(older_than_s=0) == 1
    run_jobs(app)
    assert media_rows()[0].status == "ready"


@pytest.mark.slow
def test_the_worker_process_of_make_run_derives_the_sizes(
    app, client, editor_headers, poi, local_store, database_url, redis_url
):
    upload(client, poi.id, editor_headers, (jpeg(700, 500), "a.jpg", "image/jpeg"))
    env = {
        **os.environ,
        "URBANPULSE_ENV": "testing",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "MEDIA_STORE": "local",
        "MEDIA_ROOT": str(local_store),
    }
    command = [sys.executable, "-m", "urbanpulse.runtime.media_worker", "--burst"]
    finished = subprocess.run(command, env=env, capture_output=True, timeout=120, check=False)
    assert finished.returncode == 0, finished.stderr.decode()[-2000:]
    db.session.remove()
    [image] = _ready_media(client, poi, editor_headers)
    assert image["status"] == "ready" and len(image["sizes"]) == 4


def test_an_editor_who_read_the_item_before_processing_may_still_edit_its_photos(
    app, client, editor_headers, poi, store_kind
):
    listed = upload(client, poi.id, editor_headers, (jpeg(400, 300), "a.jpg", "image/jpeg"))
    seen = listed.headers["ETag"]
    run_jobs(app)  # version 3, by the worker
    body = {"credit": "J. Dupont"}
    response = client.patch(
        media_url(poi.id, listed.get_json()["media"][0]["id"]), json=body, headers={**editor_headers, "If-Match": seen}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["version"] == 4
    # An editor's change in between is a real conflict.
    response = client.patch(
        media_url(poi.id, listed.get_json()["media"][0]["id"]), json=body, headers={**editor_headers, "If-Match": seen}
    )
    assert response.status_code == 412

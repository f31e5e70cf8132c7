"""Bad uploads: each a clear problem+json, and nothing written (no row, no file, no new version)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.factories import auth_headers, make_user
from tests.media.helpers import etag_of, media_rows, media_url, upload
from tests.media.images import animated_gif, bomb_png, jpeg, truncated_jpeg
from tests.problem import assert_problem
from urbanpulse.media.storage import LocalStore

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script/></svg>'


def _nothing_written(app, client, editor_headers, poi) -> None:
    assert media_rows() == []
    assert etag_of(client, poi.id, editor_headers) == f'"{poi.id}.1"'
    root = Path(app.config["MEDIA_ROOT"])
    assert not root.exists() or not any(path.is_file() for path in root.rglob("*"))


@pytest.mark.parametrize(
    ("body", "filename", "content_type", "status", "field"),
    [
        (PDF, "brochure.pdf", "application/pdf", 415, "file.0"),
        (HTML, "photo.jpg", "image/jpeg", 415, "file.0"),
        (SVG, "logo.svg", "image/svg+xml", 415, "file.0"),
        (truncated_jpeg(), "cut.jpg", "image/jpeg", 422, "file.0"),
        (bomb_png(), "bomb.png", "image/png", 422, "file.0"),
        (animated_gif(1000), "anim.gif", "image/gif", 422, "file.0"),
        (jpeg(300, 200), "photo.jpg", "text/plain", 415, "file.0"),
        (jpeg(300, 200), "photo.png", "image/png", 415, "file.0"),
        (b"", "empty.jpg", "image/jpeg", 422, "file.0"),
    ],
    ids=["pdf", "html-as-jpg", "svg", "truncated-jpeg", "bomb", "animated-gif", "text-plain", "jpeg-as-png", "empty"],
)
def test_refused_files(app, client, editor_headers, poi, store_kind, body, filename, content_type, status, field):
    response = upload(client, poi.id, editor_headers, (body, filename, content_type))
    problem = assert_problem(response, status, field)
    if filename == "logo.svg":
        assert "SVG" in problem["detail"]
    _nothing_written(app, client, editor_headers, poi)


def test_one_bad_file_refuses_the_whole_upload(app, client, editor_headers, poi, store_kind):
    files = [(jpeg(300, 200), "good.jpg", "image/jpeg"), (PDF, "bad.jpg", "image/jpeg")]
    assert_problem(upload(client, poi.id, editor_headers, *files), 415, "file.1")
    _nothing_written(app, client, editor_headers, poi)


def test_an_upload_over_the_cap_is_413_and_says_the_cap(app, client, editor_headers, poi, local_store):
    huge = b"\xff\xd8" + b"\0" * (30 * 1024 * 1024)
    problem = assert_problem(upload(client, poi.id, editor_headers, (huge, "big.jpg", "image/jpeg")), 413)
    assert "25 MB" in problem["detail"]
    _nothing_written(app, client, editor_headers, poi)


def test_a_5_mb_photo_is_accepted_although_json_bodies_stop_at_2_mb(app, client, editor_headers, poi, local_store):
    noisy = jpeg(3000, 2000)
    padded = noisy[:-2] + b"\0" * max(0, 5 * 1024 * 1024 - len(noisy)) + noisy[-2:]
    response = upload(client, poi.id, editor_headers, (padded, "big.jpg", "image/jpeg"))
    assert response.status_code == 201, response.get_data(as_text=True)


def test_a_body_that_is_not_multipart_is_415(app, client, editor_headers, poi, local_store):
    etag = etag_of(client, poi.id, editor_headers)
    response = client.post(media_url(poi.id), json={"file": "x"}, headers={**editor_headers, "If-Match": etag})
    assert_problem(response, 415)
    response = client.post(
        media_url(poi.id), data=jpeg(300, 200), content_type="image/jpeg", headers={**editor_headers, "If-Match": etag}
    )
    assert_problem(response, 415)
    _nothing_written(app, client, editor_headers, poi)


def test_unknown_form_fields_are_422(app, client, editor_headers, poi, local_store):
    response = upload(client, poi.id, editor_headers, (jpeg(300, 200), "a.jpg", "image/jpeg"), owner="me")
    assert_problem(response, 422, "owner")
    _nothing_written(app, client, editor_headers, poi)


def test_anonymous_uploads_are_401_before_the_body_is_read(app, client, editor_headers, poi, local_store):
    data = {"file": [(io.BytesIO(jpeg(300, 200)), "a.jpg", "image/jpeg")]}
    response = client.post(media_url(poi.id), data=data, headers={"If-Match": f'"{poi.id}.1"'})
    assert_problem(response, 401)
    big = {"file": [(io.BytesIO(b"\0" * (30 * 1024 * 1024)), "a.jpg", "image/jpeg")]}
    assert_problem(client.post(media_url(poi.id), data=big), 401)
    _nothing_written(app, client, editor_headers, poi)


def test_every_role_that_edits_may_add_photos_to_any_draft(app, client, editor_headers, poi, local_store):
    """guard.py knows two roles, editor and admin, and both edit every item (there is no per-owner draft):
    another editor's upload to this draft is therefore allowed, and a token of a deactivated account is 401."""
    other = make_user(role="editor")
    headers = auth_headers(app, other)
    assert upload(client, poi.id, headers, (jpeg(300, 200), "a.jpg", "image/jpeg")).status_code == 201
    from urbanpulse.auth import service as auth_service

    auth_service.update_user(user_id=other.id, is_active=False)
    assert_problem(client.get(media_url(poi.id), headers=headers), 401)


def test_a_storage_failure_mid_upload_leaves_no_file_and_no_row(app, client, editor_headers, poi, local_store):
    first, second = jpeg(300, 200), jpeg(320, 200)
    import hashlib

    # The second original's place in the folder is taken by a directory: writing it fails for real.
    blocked = LocalStore(local_store).path("orig/" + hashlib.sha256(second).hexdigest())
    blocked.mkdir(parents=True)
    files = [(first, "a.jpg", "image/jpeg"), (second, "b.jpg", "image/jpeg")]
    problem = assert_problem(upload(client, poi.id, editor_headers, *files), 503)
    assert "nothing was saved" in problem["detail"]
    assert media_rows() == []
    assert etag_of(client, poi.id, editor_headers) == f'"{poi.id}.1"'
    assert [path for path in local_store.rglob("*") if path.is_file()] == []

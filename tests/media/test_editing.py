"""Upload, list, edit, reorder, choose the cover, delete: each a new version of the item, under If-Match."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.media.helpers import etag_of, media_rows, media_url, upload
from tests.media.images import jpeg, png
from tests.problem import assert_problem
from urbanpulse.editing.history import entries_for
from urbanpulse.media.changes import original_key
from urbanpulse.media.storage import current_store


def test_upload_keeps_the_original_and_lists_the_image_as_processing(app, client, editor_headers, poi, store_kind):
    before = etag_of(client, poi.id, editor_headers)
    photo = jpeg(1600, 1000)
    response = upload(
        client, poi.id, editor_headers, (photo, "port.jpg", "image/jpeg"), credit="Ville", alt_fr="Le port"
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["version"] == 2
    assert response.headers["ETag"] == f'"{poi.id}.2"' != before
    [image] = body["media"]
    assert image["status"] == "processing" and image["sizes"] == []
    assert (image["width"], image["height"]) == (1600, 1000)
    assert image["alt"] == {"fr": "Le port"} and image["credit"] == "Ville" and image["licence"] is None
    assert image["cover"] is True
    [row] = media_rows()
    assert current_store().get(original_key(row.original_key)) == photo
    [entry] = [e for e in entries_for(entity_type="poi", entity_id=poi.id) if e.version == 2]
    assert entry.actor_id is not None and "media" in entry.changes


def test_several_files_in_one_upload_are_one_version(app, client, editor_headers, poi, store_kind):
    files = [(jpeg(400, 300), "a.jpg", "image/jpeg"), (png(), "b.png", "image/png")]
    response = upload(client, poi.id, editor_headers, *files)
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["version"] == 2
    assert [m["cover"] for m in body["media"]] == [True, False]
    assert [(m["width"], m["height"]) for m in body["media"]] == [(400, 300), (800, 600)]


def test_writes_need_if_match_and_a_current_one(app, client, editor_headers, poi, store_kind):
    photo = (jpeg(300, 200), "a.jpg", "image/jpeg")
    assert_problem(upload(client, poi.id, editor_headers, photo, if_match=None), 428)
    assert_problem(upload(client, poi.id, editor_headers, photo, if_match=f'"{poi.id}.7"'), 412)
    assert media_rows() == []
    if store_kind == "local":
        assert not any(path.is_file() for path in Path(app.config["MEDIA_ROOT"]).rglob("*"))


def test_edit_texts_rights_cover_order_and_delete(app, client, editor_headers, poi, store_kind):
    files = [(jpeg(300, 200), "a.jpg", "image/jpeg"), (jpeg(310, 200), "b.jpg", "image/jpeg")]
    first, second = upload(client, poi.id, editor_headers, *files).get_json()["media"]

    def write(method, path, body):
        etag = etag_of(client, poi.id, editor_headers)
        return getattr(client, method)(
            media_url(poi.id, *path), json=body, headers={**editor_headers, "If-Match": etag}
        )

    response = write(
        "patch",
        [second["id"]],
        {"alt": {"fr": "Quai", "en": "Quay"}, "credit": "J. Dupont", "licence": "CC BY 4.0", "caption": {"de": "Kai"}},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    edited = response.get_json()["media"][1]
    assert edited["alt"] == {"fr": "Quai", "en": "Quay"} and edited["caption"] == {"de": "Kai"}
    assert (edited["credit"], edited["licence"]) == ("J. Dupont", "CC BY 4.0")
    assert write("patch", [second["id"]], {"alt": {"en": None}}).get_json()["media"][1]["alt"] == {"fr": "Quai"}

    covered = write("patch", [second["id"]], {"cover": True}).get_json()["media"]
    assert [m["cover"] for m in covered] == [False, True]

    reordered = write("put", ["order"], {"order": [second["id"], first["id"]]}).get_json()
    assert [m["id"] for m in reordered["media"]] == [second["id"], first["id"]]
    assert_problem(write("put", ["order"], {"order": [first["id"]]}), 422, "order")

    remaining = write("delete", [second["id"]], None).get_json()
    assert [m["id"] for m in remaining["media"]] == [first["id"]] and remaining["media"][0]["cover"] is True
    assert remaining["version"] == 7
    history = client.get(f"/api/v1/pois/{poi.id}/history", headers=editor_headers).get_json()
    assert [entry["version"] for entry in history] == [1, 2, 3, 4, 5, 6, 7]
    assert all("media" in entry["changes"] for entry in history[1:])
    assert_problem(write("delete", [second["id"]], None), 404)


def test_deleting_an_image_removes_its_files_when_nothing_else_uses_them(app, client, editor_headers, poi, store_kind):
    photo = jpeg(300, 200)
    listed = upload(client, poi.id, editor_headers, (photo, "a.jpg", "image/jpeg")).get_json()["media"]
    [row] = media_rows()
    key = original_key(row.original_key)
    etag = etag_of(client, poi.id, editor_headers)
    response = client.delete(media_url(poi.id, listed[0]["id"]), headers={**editor_headers, "If-Match": etag})
    assert response.status_code == 200
    with pytest.raises(KeyError):
        current_store().get(key)


def test_the_poi_shows_its_media_and_its_own_patch_cannot_overwrite_them(app, client, editor_headers, poi, store_kind):
    upload(client, poi.id, editor_headers, (jpeg(300, 200), "a.jpg", "image/jpeg"), alt_fr="Port", alt_en="Harbour")
    feature = client.get(f"/api/v1/pois/{poi.id}?lang=en", headers=editor_headers).get_json()
    [image] = feature["properties"]["media"]
    assert image["alt"] == "Harbour" and image["caption"] is None
    etag = etag_of(client, poi.id, editor_headers)
    patch = {"properties": {"media": [], "tags": ["port"]}}
    response = client.patch(f"/api/v1/pois/{poi.id}", json=patch, headers={**editor_headers, "If-Match": etag})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert len(response.get_json()["properties"]["media"]) == 1


def test_publishing_needs_credit_and_licence_of_every_photo(app, client, editor_headers, poi, store_kind):
    upload(client, poi.id, editor_headers, (jpeg(300, 200), "a.jpg", "image/jpeg"), credit="Ville de Boulogne")
    etag = etag_of(client, poi.id, editor_headers)
    body = {"properties": {"status": "published"}}
    response = client.patch(f"/api/v1/pois/{poi.id}", json=body, headers={**editor_headers, "If-Match": etag})
    assert_problem(response, 422, "media.0.licence")
    media_id = media_rows()[0].id
    client.patch(
        media_url(poi.id, str(media_id)), json={"licence": "CC BY-SA 4.0"}, headers={**editor_headers, "If-Match": etag}
    )
    etag = etag_of(client, poi.id, editor_headers)
    response = client.patch(f"/api/v1/pois/{poi.id}", json=body, headers={**editor_headers, "If-Match": etag})
    assert response.status_code == 200, response.get_data(as_text=True)
    # Now published: a photo without rights cannot be added, nor can rights be removed.
    assert_problem(
        upload(client, poi.id, editor_headers, (jpeg(300, 200), "b.jpg", "image/jpeg")),
        422,
        "media.1.credit",
        "media.1.licence",
    )
    etag = etag_of(client, poi.id, editor_headers)
    response = client.patch(
        media_url(poi.id, str(media_id)), json={"licence": None}, headers={**editor_headers, "If-Match": etag}
    )
    assert_problem(response, 422, "media.0.licence")


def test_public_reads_see_published_items_only(app, client, editor_headers, poi, store_kind):
    assert_problem(client.get(media_url(poi.id)), 404)
    assert client.get(media_url(poi.id), headers=editor_headers).status_code == 200
    assert_problem(client.get(media_url("00000000-0000-0000-0000-000000000000"), headers=editor_headers), 404)

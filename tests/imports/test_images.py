"""Upstream images of an import: offered in the import's transaction (nothing downloaded there), fetched once by
the media worker with their credit and licence, refused when their licence forbids the app's use, never fetched
again, even after the office deleted our copy, unless the source declares a new version of the file."""

from __future__ import annotations

import json
import threading
import uuid
from collections import Counter
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from sqlalchemy import select

from tests.imports.fixtures import museum, write_flux
from tests.media.helpers import run_jobs
from tests.media.images import jpeg
from urbanpulse.core.extensions import db
from urbanpulse.editing.actor import Actor
from urbanpulse.editing.etags import item_etag
from urbanpulse.imports.models import ImportRecord
from urbanpulse.media import service as media
from urbanpulse.media.models import UpstreamImage
from urbanpulse.pois.models import Poi

PHOTO = jpeg(1200, 800)


@contextmanager
def photo_server():
    """A real HTTP server on loopback serving /port.jpg; counts the requests per path."""
    served: Counter = Counter()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            served[self.path] += 1
            if self.path != "/port.jpg":
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(len(PHOTO)))
            self.end_headers()
            self.wfile.write(PHOTO)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", served
    finally:
        server.shutdown()
        server.server_close()


def with_photos(base: str, updated: str, *, photo_size: int | None = None) -> dict:
    node = museum(updated=updated)
    node["hasMainRepresentation"] = [
        {
            "@type": ["foaf:Document"],
            "ebucore:title": {"fr": ["Le port au matin"]},
            "ebucore:hasRelatedResource": [
                {"ebucore:locator": [f"{base}/port.jpg"], "ebucore:credits": ["Office de tourisme"],
                 "dc:rights": ["Licence Ouverte 2.0"],
                 **({"ebucore:fileSize": [str(photo_size)]} if photo_size else {})}
            ],
        }
    ]  # fmt: skip
    node["hasRepresentation"] = [
        {"ebucore:hasRelatedResource": [{"ebucore:locator": [f"{base}/private.jpg"], "ebucore:credits": ["X"],
                                         "dc:rights": ["Tous droits réservés"]}]},
        {"ebucore:hasRelatedResource": [{"ebucore:locator": [f"{base}/unlicensed.jpg"], "ebucore:credits": ["Y"]}]},
    ]  # fmt: skip
    return node


def run_import(app, flux) -> dict:
    result = app.test_cli_runner().invoke(args=["import", "datatourisme", str(flux)])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _poi() -> Poi:
    record = db.session.execute(select(ImportRecord).where(ImportRecord.external_id == "PCUNOR062V50AAAA")).scalar_one()
    db.session.expire_all()
    return db.session.get(Poi, record.target_id)


def test_upstream_images_are_fetched_once_with_their_rights(app, tmp_path):
    app.config["IMPORT_IMAGES_ALLOW_PRIVATE_HOSTS"] = True
    try:
        with photo_server() as (base, served):
            flux = write_flux(tmp_path / "flux", [with_photos(base, "2026-11-02T10:00:00Z")])
            run_import(app, flux)
            assert sum(served.values()) == 0  # nothing downloaded inside the import
            rows = {row.url.rsplit("/", 1)[1]: row for row in db.session.scalars(select(UpstreamImage))}
            assert rows["port.jpg"].status == "waiting"
            assert rows["private.jpg"].status == "refused" and "forbids" in rows["private.jpg"].error
            assert (rows["unlicensed.jpg"].status, rows["unlicensed.jpg"].error) == ("refused", "no licence upstream")

            run_jobs(app)  # the media worker: fetch, then derive the sizes
            poi = _poi()
            [image] = poi.media
            assert (image["credit"], image["licence"]) == ("Office de tourisme", "Licence Ouverte 2.0")
            assert image["caption"] == {"fr": "Le port au matin"} and image["status"] == "ready"
            assert served == Counter({"/port.jpg": 1})

            # The next snapshot names the same image: not fetched again.
            write_flux(flux, [with_photos(base, "2026-11-10T10:00:00Z")])
            run_import(app, flux)
            run_jobs(app)
            assert served == Counter({"/port.jpg": 1}) and len(_poi().media) == 1

            # The office deletes our copy: a later import does not bring it back.
            poi = _poi()
            media.delete_media(
                kind="pois",
                item_id=poi.id,
                media_id=uuid.UUID(poi.media[0]["id"]),
                if_match=item_etag(poi.id, poi.version),
                actor=Actor.system("office"),
            )
            write_flux(flux, [with_photos(base, "2026-11-20T10:00:00Z")])
            run_import(app, flux)
            run_jobs(app)
            assert served == Counter({"/port.jpg": 1}) and _poi().media == []
    finally:
        app.config["IMPORT_IMAGES_ALLOW_PRIVATE_HOSTS"] = False


def test_images_from_private_addresses_are_not_fetched(app, tmp_path):
    with photo_server() as (base, served):
        run_import(app, write_flux(tmp_path / "flux", [with_photos(base, "2026-11-02T10:00:00Z")]))
        run_jobs(app)
        row = db.session.scalars(select(UpstreamImage).where(UpstreamImage.url.like("%/port.jpg"))).one()
        assert (row.status, row.error) == ("failed", "not a public address")
        assert sum(served.values()) == 0 and _poi().media == []


def test_an_image_the_source_declares_changed_behind_its_url_is_fetched_again_in_place_of_our_copy(app, tmp_path):
    app.config["IMPORT_IMAGES_ALLOW_PRIVATE_HOSTS"] = True
    try:
        with photo_server() as (base, served):
            flux = write_flux(tmp_path / "flux", [with_photos(base, "2026-11-02T10:00:00Z", photo_size=1000)])
            run_import(app, flux)
            run_jobs(app)
            [first] = _poi().media
            assert served["/port.jpg"] == 1

            # Same URL, same declared size: nothing new.
            write_flux(flux, [with_photos(base, "2026-11-05T10:00:00Z", photo_size=1000)])
            run_import(app, flux)
            run_jobs(app)
            assert served["/port.jpg"] == 1 and [m["id"] for m in _poi().media] == [first["id"]]

            # The source declares another size behind the same URL: fetched again, and it replaces our copy.
            write_flux(flux, [with_photos(base, "2026-11-09T10:00:00Z", photo_size=2000)])
            run_import(app, flux)
            run_jobs(app)
            [second] = _poi().media
            assert served["/port.jpg"] == 2 and second["id"] != first["id"]
            assert (second["credit"], second["licence"], second["status"]) == (
                "Office de tourisme",
                "Licence Ouverte 2.0",
                "ready",
            )
            row = db.session.scalars(select(UpstreamImage).where(UpstreamImage.url.endswith("/port.jpg"))).one()
            assert (row.status, str(row.media_id), row.version) == ("fetched", second["id"], "size=2000")

            # The office deletes our copy: a new version upstream does not bring it back.
            poi = _poi()
            media.delete_media(
                kind="pois",
                item_id=poi.id,
                media_id=uuid.UUID(second["id"]),
                if_match=item_etag(poi.id, poi.version),
                actor=Actor.system("office"),
            )
            write_flux(flux, [with_photos(base, "2026-11-20T10:00:00Z", photo_size=3000)])
            run_import(app, flux)
            run_jobs(app)
            assert served["/port.jpg"] == 2 and _poi().media == []
    finally:
        app.config["IMPORT_IMAGES_ALLOW_PRIVATE_HOSTS"] = False

"""Tourinsoft imports through the CLI: separators, languages, a changed and a removed object, a mapping for another
syndication's field names, bad objects, and a URL with OData pages over real HTTP."""

from __future__ import annotations

import json
import threading
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from sqlalchemy import select

from tests.imports.fixtures import syndicated_place, write_syndication
from tests.imports.helpers import send_json
from urbanpulse.core.extensions import db
from urbanpulse.imports import tourinsoft
from urbanpulse.imports.models import ImportRecord
from urbanpulse.imports.tourinsoft_hours import opening_hours
from urbanpulse.pois.hours import is_open
from urbanpulse.pois.models import Poi


def run_import(app, source, *extra) -> tuple[int, dict]:
    result = app.test_cli_runner().invoke(args=["import", "tourinsoft", str(source), *extra])
    body = json.loads(result.output) if result.exit_code == 0 else {"error": result.output}
    return result.exit_code, body


def imported_poi(external_id: str) -> Poi:
    record = db.session.execute(
        select(ImportRecord).where(ImportRecord.source == "tourinsoft", ImportRecord.external_id == external_id)
    ).scalar_one()
    db.session.expire_all()
    return db.session.get(Poi, record.target_id)


def test_separators_contacts_and_photos_are_parsed():
    item = syndicated_place()
    assert tourinsoft.contacts(item["MOYENSCOM"]) == {
        "phone": "+33 3 21 00 00 00",  # the first of two phones
        "email": "accueil@example.org",
        "website": "https://example.org/musee",
    }
    assert tourinsoft.photos(item) == [
        {"url": "https://example.org/photos/facade.jpg", "title": "La façade", "credit": "Photo Exemple",
         "licence": None},
        {"url": "https://example.org/photos/salle.jpg", "title": None, "credit": None, "licence": None},
    ]  # fmt: skip


def test_first_import_then_a_changed_and_a_removed_object(app, tmp_path):
    source = tmp_path / "syndication.json"
    write_syndication(source, [syndicated_place("T1"), syndicated_place("T2", name="Plage d'exemple",
                                                                        ObjectTypeName="Plage")])  # fmt: skip
    code, first = run_import(app, source)
    assert code == 0 and first["counts"]["created"] == 2, first
    poi = imported_poi("T1")
    assert poi.name == {"fr": "Musée d'exemple", "en": "Example museum"}
    assert poi.description == {"fr": "Un musée inventé pour les tests.", "nl": "Een verzonnen museum."}
    assert poi.category == "museum" and imported_poi("T2").category == "beach"
    assert poi.contact["phone"] == "+33 3 21 00 00 00" and poi.address == "1 rue d'Exemple, 62200, Boulogne-sur-Mer"
    assert poi.status == "published"
    code, again = run_import(app, source)
    assert again["counts"]["unchanged"] == 2
    write_syndication(source, [syndicated_place("T1", updated="2026-11-05T08:00:00", DESCRIPTIF="Rouvert.")])
    code, changed = run_import(app, source)
    assert changed["counts"]["updated"] == 1 and changed["counts"]["unpublished"] == 1, changed
    assert imported_poi("T1").description["fr"] == "Rouvert." and imported_poi("T2").status == "archived"


def test_another_syndications_field_names_through_a_mapping_file(app, tmp_path):
    item = {"ID": "X1", "NOM": "Phare d'exemple", "MAJ": "2026-10-01", "LAT": "50.7412", "LON": "1.6183",
            "TYPE": "Phare", "TEL": "Téléphone#+33 3 21 00 00 01"}  # fmt: skip
    mapping = {"id": "ID", "updated": "MAJ", "name": {"fr": "NOM"}, "latitude": "LAT", "longitude": "LON",
               "type": "TYPE", "contacts": "TEL", "description": {}, "address": []}  # fmt: skip
    (tmp_path / "mapping.json").write_text(json.dumps(mapping))
    code, report = run_import(
        app, write_syndication(tmp_path / "s.json", [item]), "--mapping", str(tmp_path / "mapping.json")
    )
    assert code == 0 and report["counts"]["created"] == 1, report
    poi = imported_poi("X1")
    assert poi.category == "lighthouse" and poi.contact == {"phone": "+33 3 21 00 00 01"}
    code, report = run_import(app, tmp_path / "s.json", "--mapping", str(tmp_path / "missing.json"))
    assert code == 1 and "cannot be read" in report["error"]


def test_bad_objects_are_rejected_one_by_one(app, tmp_path):
    items = [
        syndicated_place("B0"),
        syndicated_place("B1", GmapLatitude="", GmapLongitude=""),
        syndicated_place("B2", GmapLatitude="0", GmapLongitude="0"),
        syndicated_place("B3", name=""),
        syndicated_place("B4", lat="48.8566", lon="2.3522"),
    ]
    code, report = run_import(app, write_syndication(tmp_path / "s.json", items))
    assert code == 0 and report["counts"]["created"] == 1 and report["counts"]["rejected"] == 4, report
    reasons = {item["id"]: item["reason"] for item in report["rejected"]}
    assert reasons == {
        "B1": "missing or invalid coordinates",
        "B2": "missing or invalid coordinates",
        "B3": "no name in French",
        "B4": "outside the configured area",
    }


def test_a_url_is_read_with_its_odata_pages(app):
    served = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            served.append(self.path)
            port = self.server.server_address[1]
            if self.path.endswith("page=2"):
                body = {"value": [syndicated_place("U2")]}
            else:
                body = {"value": [syndicated_place("U1")], "odata.nextLink": f"http://127.0.0.1:{port}/s?page=2"}
            send_json(self, body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        code, report = run_import(app, f"http://127.0.0.1:{server.server_address[1]}/s?$format=json")
    finally:
        server.shutdown()
        server.server_close()
    assert code == 0 and report["counts"]["created"] == 2, report
    assert served == ["/s?$format=json", "/s?page=2"]


def test_opening_periods_become_opening_hours(app, tmp_path):
    year = date.today().year + 1
    periods = (
        f"01/04/{year}#30/09/{year}#Lundi, Mardi#10:00#12:00#14h#18h|"
        f"01/10/{year}#31/10/{year}#Tous les jours|"
        "01/01/2020#31/01/2020#Lundi#09:00#10:00"  # ended: left out
    )
    expected = f"{year} Apr 01-{year} Sep 30 Mo,Tu 10:00-12:00,14:00-18:00; {year} Oct 01-{year} Oct 31 00:00-24:00"
    assert opening_hours(periods) == expected
    assert opening_hours(f"01/04/{year}#30/09/{year}#Lunedi#10:00#12:00") is None  # not a day: no wrong hours
    assert opening_hours(f"01/04/{year}#30/09/{year}#Lundi#10:00") is None
    source = write_syndication(tmp_path / "s.json", [syndicated_place("T9", OUVERTURE=periods)])
    code, report = run_import(app, source)
    assert code == 0 and report["counts"]["created"] == 1, report
    poi = imported_poi("T9")
    assert poi.opening_hours == expected
    monday = datetime(year, 4, 1, 11, 0) + timedelta(days=(7 - date(year, 4, 1).weekday()) % 7)
    assert is_open(poi.opening_hours, monday) is True
    assert is_open(poi.opening_hours, monday + timedelta(days=2)) is False  # a Wednesday

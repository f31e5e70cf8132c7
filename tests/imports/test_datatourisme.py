"""DATAtourisme imports: first import, the same snapshot again, a changed snapshot, the office's edits, safe
deletions, rejected objects, occurrences across DST, both namespaces; through the CLI as an editor would run it."""

from __future__ import annotations

import json
import zipfile
from datetime import datetime

import pytest
from sqlalchemy import select

from tests.factories import make_poi
from tests.imports.fixtures import beach, daily_event, museum, walking_tour, write_flux
from urbanpulse.core.extensions import db
from urbanpulse.editing.actor import Actor
from urbanpulse.editing.etags import item_etag
from urbanpulse.events.models import Event
from urbanpulse.imports.models import ImportRecord
from urbanpulse.pois import service as pois
from urbanpulse.pois.models import Poi
from urbanpulse.routes import service as routes
from urbanpulse.routes.models import Route


def run_import(app, source, *extra) -> tuple[int, dict]:
    result = app.test_cli_runner().invoke(args=["import", "datatourisme", str(source), *extra])
    body = json.loads(result.output) if result.exit_code == 0 else {"error": result.output}
    return result.exit_code, body


def imported_poi(external_id: str) -> Poi:
    record = db.session.execute(select(ImportRecord).where(ImportRecord.external_id == external_id)).scalar_one()
    db.session.expire_all()
    return db.session.get(Poi, record.target_id)


def test_first_import_then_the_same_snapshot_changes_nothing(app, tmp_path):
    flux = write_flux(tmp_path / "flux", [museum(), beach(), daily_event(days=3)])
    code, first = run_import(app, flux)
    assert code == 0, first
    assert first["counts"]["created"] == 3 and first["counts"]["rejected"] == 0
    poi = imported_poi("PCUNOR062V50AAAA")
    assert poi.status == "published" and poi.category == "museum"
    assert poi.name == {"fr": "Musée du Château", "en": "Castle Museum"}  # Italian dropped, nl/de not invented
    assert poi.description == {"fr": "Un château du XIIIe siècle.", "de": "Eine Burg aus dem 13. Jahrhundert."}
    assert poi.opening_hours == "We,Th,Fr 10:00-12:30; We,Sa 14:00-18:00"
    assert poi.address == "Rue de Bernet, 62200 Boulogne-sur-Mer"
    assert "machine-translated-en" in poi.tags
    assert imported_poi("PNANOR062V50BBBB").category == "beach"  # the newer namespace, bare names
    versions = {p.id: p.version for p in db.session.execute(select(Poi)).scalars()}
    code, again = run_import(app, flux)
    assert again["counts"]["unchanged"] == 3 and again["counts"]["created"] == again["counts"]["updated"] == 0
    db.session.expire_all()
    assert {p.id: p.version for p in db.session.execute(select(Poi)).scalars()} == versions


def test_a_changed_snapshot_updates_one_and_unpublishes_the_missing_one(app, tmp_path):
    objects = [museum(), beach(), museum("PCUNOR062V50DDDD", name={"fr": ["Musée bis"]}, lat="50.73")]
    write_flux(tmp_path / "flux", objects)
    run_import(app, tmp_path / "flux")
    changed = museum(
        name={"fr": ["Musée du Château de Boulogne"], "en": ["Castle Museum"]}, updated="2026-12-01T00:00Z"
    )
    write_flux(tmp_path / "flux", [changed, objects[2]])
    code, report = run_import(app, tmp_path / "flux")
    assert code == 0 and report["counts"]["updated"] == 1 and report["counts"]["unpublished"] == 1
    assert imported_poi("PCUNOR062V50AAAA").name["fr"] == "Musée du Château de Boulogne"
    gone = imported_poi("PNANOR062V50BBBB")
    assert gone is not None and gone.status == "archived" and gone.deleted_at is None  # never hard-deleted
    write_flux(tmp_path / "flux", [changed, objects[2], beach(updated="2026-12-02T00:00Z")])
    _, back = run_import(app, tmp_path / "flux")
    assert back["counts"]["republished"] == 1 and imported_poi("PNANOR062V50BBBB").status == "published"


def test_the_offices_edit_is_kept_and_reported_as_a_conflict(app, tmp_path):
    write_flux(tmp_path / "flux", [museum()])
    run_import(app, tmp_path / "flux")
    poi = imported_poi("PCUNOR062V50AAAA")
    pois.update_poi(
        poi_id=poi.id, if_match=item_etag(poi.id, poi.version), actor=Actor.system("office"),
        properties={"opening_hours": "Tu-Su 09:00-19:00"},
    )  # fmt: skip
    upstream = museum(updated="2026-12-05T00:00Z")
    upstream["isLocatedAt"][0]["schema:openingHoursSpecification"][0]["schema:closes"] = "13:00:00"
    upstream["rdfs:label"] = {"fr": ["Musée du Château (nouveau nom)"]}
    write_flux(tmp_path / "flux", [upstream])
    _, report = run_import(app, tmp_path / "flux")
    poi = imported_poi("PCUNOR062V50AAAA")
    assert poi.opening_hours == "Tu-Su 09:00-19:00"  # the office's edit wins
    assert poi.name == {"fr": "Musée du Château (nouveau nom)"}  # a field the office left is updated
    [conflict] = report["conflicts"]
    assert [field["field"] for field in conflict["fields"]] == ["opening_hours"]
    assert conflict["fields"][0]["upstream"] == "We,Th,Fr 10:00-13:00; We,Sa 14:00-18:00"


def test_a_shrunken_or_empty_snapshot_unpublishes_nothing_unless_confirmed(app, tmp_path):
    objects = [museum(f"PCU{i:04d}", name={"fr": [f"Lieu {i}"]}, lat=str(50.72 + i / 1000)) for i in range(6)]
    write_flux(tmp_path / "flux", objects)
    run_import(app, tmp_path / "flux")
    write_flux(tmp_path / "flux", [])
    code, empty = run_import(app, tmp_path / "flux")
    assert code == 0 and empty["status"] == "shrink_refused" and empty["counts"]["unpublished"] == 0
    write_flux(tmp_path / "flux", objects[:2])
    _, small = run_import(app, tmp_path / "flux")
    assert small["status"] == "shrink_refused" and "--allow-shrink" in small["message"]
    assert {imported_poi(f"PCU{i:04d}").status for i in range(6)} == {"published"}
    _, confirmed = run_import(app, tmp_path / "flux", "--allow-shrink")
    assert confirmed["counts"]["unpublished"] == 4


def test_bad_objects_are_rejected_one_by_one_and_hand_made_items_never_touched(app, tmp_path):
    by_hand = make_poi(1.60, 50.72, name={"fr": "Saisi à la main"})
    no_coordinates = museum("BAD1")
    del no_coordinates["isLocatedAt"][0]["schema:geo"]
    far_away = museum("BAD2", lat="43.2965", lon="5.3698")  # Marseille
    no_name = museum("BAD3", name={"it": ["Solo italiano"]})
    bad_periods = daily_event("BAD4", days=1)
    bad_periods["takesPlaceAt"][0]["startDate"] = ["2026-13-45"]
    write_flux(tmp_path / "flux", [museum(), no_coordinates, far_away, no_name, bad_periods])
    (tmp_path / "flux" / "9999.json").write_text("{not json")
    code, report = run_import(app, tmp_path / "flux")
    assert code == 0 and report["counts"]["created"] == 1 and report["counts"]["rejected"] == 5
    reasons = {item["id"]: item["reason"] for item in report["rejected"]}
    assert reasons["BAD1"] == "missing or invalid coordinates"
    assert reasons["BAD2"] == "outside the configured area"
    assert reasons["BAD3"] == "no name in any language"
    assert reasons["BAD4"].startswith("unparseable periods")
    assert reasons["9999.json"] == "not valid JSON"
    write_flux(tmp_path / "flux", [museum()])
    run_import(app, tmp_path / "flux")
    db.session.expire_all()
    assert db.session.get(Poi, by_hand.id).status == "published" and db.session.get(Poi, by_hand.id).version == 1


def test_an_unreadable_source_exits_non_zero_and_writes_nothing(app, tmp_path):
    code, body = run_import(app, tmp_path / "nowhere")
    assert code == 1 and "no such file or folder" in body["error"]
    (tmp_path / "junk.zip").write_bytes(b"not a zip")
    assert run_import(app, tmp_path / "junk.zip")[0] == 1
    assert db.session.execute(select(Poi)).first() is None


def test_a_zip_flux_without_index_imports_the_same(app, tmp_path):
    archive = tmp_path / "flux.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("objects/a.json", json.dumps(museum()))
        zipped.writestr("objects/b.json", json.dumps(beach()))
    code, report = run_import(app, archive)
    assert code == 0 and report["counts"]["created"] == 2


def test_hundreds_of_daily_periods_keep_their_local_times_across_dst(app, client, tmp_path):
    write_flux(tmp_path / "flux", [daily_event(days=537)])
    code, report = run_import(app, tmp_path / "flux")
    assert code == 0 and report["counts"]["created"] == 1, report
    event = db.session.execute(select(Event)).scalar_one()
    assert len(event.rdates) == 536
    for window, utc_start in (
        ({"from": "2026-03-28", "to": "2026-03-29"}, "2026-03-28T09:00:00"),  # winter time: UTC+1
        ({"from": "2026-03-30", "to": "2026-03-31"}, "2026-03-30T08:00:00"),  # summer time: UTC+2
        ({"from": "2026-10-26", "to": "2026-10-27"}, "2026-10-26T09:00:00"),  # winter again
    ):
        body = client.get("/api/v1/events", query_string=window).get_json()
        [occurrence] = body["features"]
        start = datetime.fromisoformat(occurrence["properties"]["occurrence_start"])
        assert start.strftime("%H:%M") == "10:00"  # 10:00 in Boulogne every day
        assert start.astimezone().utcoffset() is not None and start.isoformat().startswith(window["from"])
        assert start.astimezone(tz=None).timestamp() == datetime.fromisoformat(utc_start + "+00:00").timestamp()
    code, again = run_import(app, tmp_path / "flux")
    assert again["counts"]["unchanged"] == 1


@pytest.mark.parametrize(
    "namespace", ["https://www.datatourisme.gouv.fr/ontology/core#", "https://www.datatourisme.fr/ontology/core#"]
)
def test_both_namespaces_name_the_same_classes(app, tmp_path, namespace):
    node = beach()
    node["@type"] = [f"{namespace}PlaceOfInterest", f"{namespace}Beach"]
    write_flux(tmp_path / "flux", [node])
    assert run_import(app, tmp_path / "flux")[1]["counts"]["created"] == 1
    assert imported_poi("PNANOR062V50BBBB").category == "beach"


def test_an_object_the_service_refuses_is_undone_alone_within_its_batch(app, tmp_path, monkeypatch):
    from urbanpulse.imports import engine
    from urbanpulse.web.schemas_common import MAX_TEXT

    monkeypatch.setattr(engine, "BATCH_SIZE", 2)  # five objects: three transactions, the refused one in the middle
    objects = [museum(f"BATCH{i}", name={"fr": [f"Lieu {i}"]}) for i in range(5)]
    objects[2] = museum("BATCH2", name={"fr": ["x" * (MAX_TEXT + 1)]})  # valid upstream, too long for the API
    flux = write_flux(tmp_path / "flux", objects)
    code, first = run_import(app, flux)
    assert code == 0, first
    assert first["counts"]["created"] == 4 and first["counts"]["rejected"] == 1
    assert first["rejected"][0]["id"] == "BATCH2" and "name" in first["rejected"][0]["reason"]
    records = db.session.execute(select(ImportRecord).where(ImportRecord.external_id.like("BATCH%"))).scalars().all()
    assert sorted(record.external_id for record in records) == ["BATCH0", "BATCH1", "BATCH3", "BATCH4"]
    assert all(imported_poi(f"BATCH{i}").name["fr"] == f"Lieu {i}" for i in (0, 1, 3, 4))
    code, again = run_import(app, flux)
    assert again["counts"]["unchanged"] == 4 and again["counts"]["created"] == 0 and again["counts"]["rejected"] == 1


def test_a_tour_becomes_a_route_through_its_steps_in_order(app, client, tmp_path):
    # The tour comes first in the flux: it is imported once the places its steps name exist.
    flux = write_flux(tmp_path / "flux", [walking_tour(), museum(), beach()])
    code, first = run_import(app, flux)
    assert code == 0 and first["counts"]["created"] == 3 and first["counts"]["rejected"] == 0, first
    record = db.session.execute(select(ImportRecord).where(ImportRecord.kind == "route")).scalar_one()
    route = db.session.get(Route, record.target_id)
    assert (route.status, route.kind, route.theme, route.official_length_m) == ("published", "walk", "maritime", 2500)
    assert route.name == {"fr": "Du château à la plage", "en": "From the castle to the beach"}
    line = [list(position) for part in routes.route_parts(route) for position in part]
    assert line == [[1.617, 50.7256], [1.6, 50.727], [1.59, 50.729]]
    stops = [stop.poi_id for stop in routes.current_stops(route.id)]
    assert stops == [imported_poi("PCUNOR062V50AAAA").id, imported_poi("PNANOR062V50BBBB").id]
    public = client.get(f"/api/v1/routes/{route.id}").get_json()
    assert [stop["poi_id"] for stop in public["properties"]["stops"]] == [str(poi_id) for poi_id in stops]
    version = route.version
    code, again = run_import(app, flux)
    assert again["counts"]["unchanged"] == 3 and again["counts"]["created"] == again["counts"]["updated"] == 0
    db.session.expire_all()
    assert db.session.get(Route, route.id).version == version
    # A new stamp with a step moved: the line follows, the stops stay.
    moved = walking_tour(updated="2026-12-01T08:00:00Z")
    moved["hasItineraryStep"][2]["isLocatedAt"][0]["schema:geo"]["schema:latitude"] = "50.7275"
    write_flux(flux, [moved, museum(), beach()])
    code, third = run_import(app, flux)
    assert third["counts"]["updated"] == 1, third
    db.session.expire_all()
    route = db.session.get(Route, route.id)
    assert [list(p) for part in routes.route_parts(route) for p in part][1] == [1.6, 50.7275]
    assert [stop.poi_id for stop in routes.current_stops(route.id)] == stops


def test_tours_that_cannot_be_routes_are_rejected_with_their_reason(app, tmp_path):
    unknown_place = walking_tour(
        "ITINOR062V50FFFF",
        steps=[
            {"isStepOf": {"@id": "https://data.example/none"}},
            {"isStepOf": {"@id": "https://data.example/nowhere"}},
        ],
    )
    by_car = walking_tour("ITINOR062V50GGGG", classes=("RoadTour",))
    one_step = walking_tour("ITINOR062V50HHHH", steps=[{"isStepOf": {"dc:identifier": "PNANOR062V50BBBB"}}])
    flux = write_flux(tmp_path / "flux", [unknown_place, by_car, one_step, museum(), beach()])
    code, report = run_import(app, flux)
    assert code == 0 and report["counts"]["created"] == 2, report
    reasons = {item["id"]: item["reason"] for item in report["rejected"]}
    assert "which this source did not import" in reasons["ITINOR062V50FFFF"]
    assert "RoadTour" in reasons["ITINOR062V50GGGG"]
    assert reasons["ITINOR062V50HHHH"] == "a tour needs at least two steps"
    assert db.session.execute(select(Route).where(Route.source.like("datatourisme%"))).first() is None


def test_a_loop_tour_comes_back_to_its_start(app, tmp_path):
    loop = walking_tour("ITINOR062V50JJJJ")
    loop["hasTourType"] = [{"@id": "https://www.datatourisme.fr/ontology/core#Loop"}]
    code, report = run_import(app, write_flux(tmp_path / "flux", [loop, museum(), beach()]))
    assert code == 0 and report["counts"]["created"] == 3, report
    route = db.session.execute(select(Route).where(Route.source.like("datatourisme%"))).scalar_one()
    line = [list(position) for part in routes.route_parts(route) for position in part]
    assert route.is_loop and line[0] == line[-1] == [1.617, 50.7256] and len(line) == 4

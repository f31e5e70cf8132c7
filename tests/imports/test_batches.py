"""How an import writes its batches: each table's new rows together, an object refused after it wrote undone alone
(by a second pass over its batch, a savepoint per object), slugs claimed for the whole batch at once and exactly as
one at a time, and the cached answers retired as for any write."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DataError

from tests.factories import make_poi
from tests.imports.fixtures import museum, write_flux
from tests.imports.test_datatourisme import imported_poi, run_import
from urbanpulse.core.errors import ValidationFailed
from urbanpulse.core.extensions import db
from urbanpulse.editing.actor import Actor
from urbanpulse.editing.models import HistoryEntry
from urbanpulse.imports import engine
from urbanpulse.imports.models import ImportRecord
from urbanpulse.imports.targets import PoiTarget
from urbanpulse.pois.models import Poi


@pytest.fixture
def passes(monkeypatch):
    """The passes over batches, as `deferred` flags: True for the first pass, False for a second one."""
    seen = []
    first_pass = engine._write_chunk

    def spy(*args, deferred, **kwargs):
        seen.append(deferred)
        return first_pass(*args, deferred=deferred, **kwargs)

    monkeypatch.setattr(engine, "_write_chunk", spy)
    return seen


def refuse_after_writing(monkeypatch, *refused: str) -> None:
    """PoiTarget.create writes the POI through the service, then refuses the objects `refused`."""
    create = PoiTarget.create

    def refusing(self, fields, position, actor, *, source, external_id):
        target_id = create(self, fields, position, actor, source=source, external_id=external_id)
        if external_id in refused:
            raise ValidationFailed.field("properties.name", "refused after writing")
        return target_id

    monkeypatch.setattr(PoiTarget, "create", refusing)


def count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def test_an_object_refused_after_it_wrote_is_undone_alone_while_its_199_neighbours_land(
    app, tmp_path, monkeypatch, passes
):
    assert engine.BATCH_SIZE == 200
    objects = [museum(f"BATCH{i:04d}", name={"fr": [f"Lieu {i}"]}) for i in range(200)]
    refuse_after_writing(monkeypatch, "BATCH0100")
    code, report = run_import(app, write_flux(tmp_path / "flux", objects))
    assert code == 0, report
    assert report["counts"]["created"] == 199 and report["counts"]["rejected"] == 1
    assert report["rejected"] == [{"id": "BATCH0100", "reason": "properties.name: refused after writing"}]
    # The first pass was rolled back, the second undid the object alone (then the empty end of the flux).
    assert passes == [True, False, True]
    assert count(select(Poi)) == 199 and count(select(HistoryEntry).where(HistoryEntry.entity_type == "poi")) == 199
    assert count(select(ImportRecord)) == 199
    assert count(select(Poi).where(Poi.source == "datatourisme: BATCH0100")) == 0
    assert imported_poi("BATCH0101").name == {"fr": "Lieu 101"}
    monkeypatch.undo()
    code, again = run_import(app, write_flux(tmp_path / "flux", objects))
    assert again["counts"]["created"] == 1 and again["counts"]["unchanged"] == 199


def test_an_object_refused_before_it_wrote_costs_no_second_pass(app, tmp_path, monkeypatch, passes):
    from urbanpulse.web.schemas_common import MAX_TEXT

    objects = [museum(f"BATCH{i}", name={"fr": [f"Lieu {i}"]}) for i in range(5)]
    objects[2] = museum("BATCH2", name={"fr": ["x" * (MAX_TEXT + 1)]})  # valid upstream, too long for the API
    code, report = run_import(app, write_flux(tmp_path / "flux", objects))
    assert code == 0, report
    assert report["counts"]["created"] == 4 and [item["id"] for item in report["rejected"]] == ["BATCH2"]
    assert passes == [True]


def test_a_database_error_fails_the_run_where_it_always_did_its_batch_leaving_nothing(
    app, tmp_path, monkeypatch, passes
):
    from urbanpulse.editing import history

    record_version = history.record_version

    def too_long_an_actor(item, *, actor, **kwargs):
        if item.source == "datatourisme: BATCH3":
            actor = Actor.system("x" * 300)  # the column holds 254: the INSERT fails in the database
        return record_version(item, actor=actor, **kwargs)

    monkeypatch.setattr(history, "record_version", too_long_an_actor)
    monkeypatch.setattr(engine, "BATCH_SIZE", 2)
    objects = [museum(f"BATCH{i}", name={"fr": [f"Lieu {i}"]}) for i in range(5)]
    result = app.test_cli_runner().invoke(args=["import", "datatourisme", str(write_flux(tmp_path / "flux", objects))])
    assert result.exit_code != 0 and isinstance(result.exception, DataError)
    assert passes == [True, True, False]  # the second batch failed deferred, then again object by object
    db.session.expire_all()
    assert sorted(db.session.scalars(select(Poi.source))) == ["datatourisme: BATCH0", "datatourisme: BATCH1"]


def test_names_met_twice_in_a_batch_or_already_taken_get_the_slugs_one_at_a_time_would(app, tmp_path):
    make_poi(name={"fr": "Lieu"})
    names = ["Lieu", "Lieu", "Lieu 2", "Phare", "Phare"]
    objects = [museum(f"SLUG{i}", name={"fr": [name]}) for i, name in enumerate(names)]
    code, report = run_import(app, write_flux(tmp_path / "flux", objects))
    assert code == 0 and report["counts"]["created"] == 5, report
    slugs = [imported_poi(f"SLUG{i}").slug for i in range(5)]
    assert slugs == ["lieu-2", "lieu-3", "lieu-2-2", "phare", "phare-2"]


def test_the_slug_of_an_object_undone_is_free_for_the_next_one(app, tmp_path, monkeypatch, passes):
    objects = [museum(f"SLUG{i}", name={"fr": ["Phare"]}) for i in range(3)]
    refuse_after_writing(monkeypatch, "SLUG0")
    code, report = run_import(app, write_flux(tmp_path / "flux", objects))
    assert code == 0 and report["counts"]["created"] == 2, report
    assert [imported_poi(f"SLUG{i}").slug for i in (1, 2)] == ["phare", "phare-2"]
    assert passes == [True, False]


def test_an_import_retires_the_cached_answers_it_changes(app, client, tmp_path):
    def nearby() -> list[str]:
        answer = client.get("/api/v1/pois/nearby", query_string={"lat": 50.7256, "lon": 1.6170, "radius": 200})
        return [feature["properties"]["name"]["fr"] for feature in answer.get_json()["features"]]

    assert nearby() == []
    assert nearby() == []  # now cached
    run_import(app, write_flux(tmp_path / "flux", [museum()]))
    assert nearby() == ["Musée du Château"]

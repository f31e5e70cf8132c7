"""The back office's Imports page: each source's runs and counts, a run's rejected objects and conflicts, and an
editor taking the upstream value of a field in conflict (through the item's own service, with history)."""

from __future__ import annotations

import json

from rq import SimpleWorker
from sqlalchemy import select

from tests.admin.helpers import post_form
from tests.imports.fixtures import museum, write_flux
from tests.imports.helpers import configured
from urbanpulse.core.extensions import db
from urbanpulse.editing.actor import Actor
from urbanpulse.editing.etags import item_etag
from urbanpulse.imports import schedule
from urbanpulse.imports.models import ImportRecord, ImportRun
from urbanpulse.media import jobs
from urbanpulse.pois import service as pois
from urbanpulse.pois.models import Poi


def _import(app, flux) -> dict:
    result = app.test_cli_runner().invoke(args=["import", "datatourisme", str(flux)])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _a_conflict(app, tmp_path) -> tuple[Poi, ImportRun]:
    bad = museum("PCUNOR062V50ZZZZ", lat="not a number")
    _import(app, write_flux(tmp_path / "flux", [museum(), bad]))
    record = db.session.execute(select(ImportRecord).where(ImportRecord.external_id == "PCUNOR062V50AAAA")).scalar_one()
    poi = db.session.get(Poi, record.target_id)
    pois.update_poi(
        poi_id=poi.id, if_match=item_etag(poi.id, poi.version), actor=Actor.system("office"),
        properties={"opening_hours": "Tu-Su 09:00-19:00"},
    )  # fmt: skip
    upstream = museum(updated="2026-12-05T00:00Z")
    upstream["isLocatedAt"][0]["schema:openingHoursSpecification"][0]["schema:closes"] = "13:00:00"
    report = _import(app, write_flux(tmp_path / "flux", [upstream, bad]))
    assert report["counts"]["conflicts"] == 1
    run = db.session.execute(select(ImportRun).order_by(ImportRun.started_at.desc())).scalars().first()
    return poi, run


def test_the_imports_page_lists_runs_rejections_and_conflicts(app, editor_client, tmp_path):
    poi, run = _a_conflict(app, tmp_path)
    page = editor_client.get("/admin/imports/").get_data(as_text=True)
    assert 'data-source="datatourisme"' in page and f'data-run="{run.id}"' in page
    detail = editor_client.get(f"/admin/imports/runs/{run.id}")
    html = detail.get_data(as_text=True)
    assert detail.status_code == 200
    assert "PCUNOR062V50ZZZZ" in html and "missing or invalid coordinates" in html
    assert 'data-field="opening_hours"' in html and "We,Th,Fr 10:00-13:00" in html
    assert f"/admin/pois/{poi.id}/" in html
    assert editor_client.get("/admin/imports/runs/not-a-run").status_code == 404


def test_an_editor_takes_the_upstream_value(app, editor, editor_client, tmp_path):
    poi, run = _a_conflict(app, tmp_path)
    url = f"/admin/imports/runs/{run.id}/take-upstream"
    answer = post_form(
        editor_client, url, {"external_id": "PCUNOR062V50AAAA", "field": "opening_hours"},
        page_url=f"/admin/imports/runs/{run.id}",
    )  # fmt: skip
    assert answer.status_code == 302
    db.session.expire_all()
    taken = db.session.get(Poi, poi.id)
    assert taken.opening_hours == "We,Th,Fr 10:00-13:00; We,Sa 14:00-18:00"
    last = pois.poi_history(poi_id=poi.id)[-1]
    assert (last.actor_id, set(last.changes)) == (editor.id, {"opening_hours"})
    # The next import of the same object finds no conflict any more.
    upstream = museum(updated="2026-12-06T00:00Z")
    upstream["isLocatedAt"][0]["schema:openingHoursSpecification"][0]["schema:closes"] = "13:00:00"
    report = _import(app, write_flux(tmp_path / "flux", [upstream]))
    assert report["counts"]["conflicts"] == 0, report
    unknown = post_form(
        editor_client,
        url,
        {"external_id": "PCUNOR062V50AAAA", "field": "name"},
        page_url=f"/admin/imports/runs/{run.id}",
    )
    assert unknown.status_code == 404


def test_run_now_from_the_back_office_is_worked_by_the_worker(app, editor_client, tmp_path):
    flux = write_flux(tmp_path / "flux", [museum()])
    with configured(app, [{"name": "datatourisme", "location": str(flux)}]):
        english = {"Accept-Language": "en"}
        page = editor_client.get("/admin/imports/", headers=english).get_data(as_text=True)
        assert 'data-configured="datatourisme"' in page and "on request" in page
        answer = post_form(editor_client, "/admin/imports/run", {"source": "datatourisme"}, page_url="/admin/imports/")
        assert answer.status_code == 302
        again = post_form(editor_client, "/admin/imports/run", {"source": "datatourisme"}, page_url="/admin/imports/")
        assert "already queued" in editor_client.get(again.headers["Location"], headers=english).get_data(as_text=True)
        assert (
            post_form(editor_client, "/admin/imports/run", {"source": "apidae"}, page_url="/admin/imports/").status_code
            == 404
        )
        connection = jobs.connection()
        queues = [jobs.queue(connection), schedule._queue()]
        SimpleWorker(queues, connection=connection).work(burst=True)
        db.session.remove()
        run = db.session.scalars(select(ImportRun).where(ImportRun.source == "datatourisme")).one()
        assert run.status == "ok" and run.counts["created"] == 1
        page = editor_client.get("/admin/imports/").get_data(as_text=True)
        assert f'data-run="{run.id}"' in page and 'http-equiv="refresh"' not in page

"""Configured sources run through the job queue: the setting's errors, what is due, one run of a source at a time,
a failed source recorded, and progress committed per batch ("run now": tests/admin/test_imports.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text, update

from tests.imports.fixtures import beach, museum, write_flux
from tests.imports.helpers import configured
from urbanpulse.core.extensions import db
from urbanpulse.imports import engine, schedule
from urbanpulse.imports.engine import Candidate
from urbanpulse.imports.models import ImportRun


@pytest.mark.parametrize(
    ("setting", "fault"),
    [
        ("{", "not JSON"),
        ('{"name": "datatourisme"}', "JSON list"),
        ('[{"name": "apidae", "location": "x"}]', "name must be one of"),
        ('[{"name": "datatourisme", "location": "x", "key": "secret"}]', "no other keys"),
        ('[{"name": "datatourisme"}]', "location missing"),
        ('[{"name": "datatourisme", "location": "x", "every_h": -1}]', "every_h"),
        ('[{"name": "datatourisme", "location": "x"}, {"name": "datatourisme", "location": "y"}]', "twice"),
    ],
)
def test_a_misconfigured_setting_names_its_fault(app, setting, fault):
    saved = app.config["IMPORT_SOURCES"]
    app.config["IMPORT_SOURCES"] = setting
    try:
        with pytest.raises(schedule.SourcesMisconfigured, match=fault):
            schedule.configured_sources()
    finally:
        app.config["IMPORT_SOURCES"] = saved


def test_due_runs_and_one_run_of_a_source_at_a_time(app, tmp_path):
    flux = write_flux(tmp_path / "flux", [museum(), beach()])
    with configured(app, [{"name": "datatourisme", "location": str(flux), "every_h": 6},
                          {"name": "tourinsoft", "location": "/nowhere.json"}]):  # fmt: skip
        assert schedule.due_sources() == ["datatourisme"]  # never ran; tourinsoft only on request
        report = schedule.run_source("datatourisme")
        assert report["status"] == "ok" and report["counts"]["created"] == 2
        assert schedule.due_sources() == []
        db.session.execute(update(ImportRun).values(started_at=datetime.now(UTC) - timedelta(hours=7)))
        db.session.commit()
        assert schedule.due_sources() == ["datatourisme"]
        with db.engine.connect() as other:  # another worker holds the source's lock
            other.execute(text("SELECT pg_advisory_lock(hashtext('import:datatourisme'))"))
            assert schedule.run_source("datatourisme")["status"] == "already_running"
            other.execute(text("SELECT pg_advisory_unlock_all()"))
        failed = schedule.run_source("tourinsoft")
        assert failed["status"] == "failed" and "no such file" in failed["message"]
        run = db.session.scalars(select(ImportRun).where(ImportRun.source == "tourinsoft")).one()
        assert (run.status, run.message) == ("failed", failed["message"])


def test_progress_is_committed_batch_by_batch(app, monkeypatch):
    monkeypatch.setattr(engine, "BATCH_SIZE", 1)
    seen_meanwhile = []

    def objects():
        for number in range(3):
            if number == 2:  # two batches done: another connection sees their counts
                with db.engine.connect() as other:
                    seen_meanwhile.append(
                        other.execute(text("SELECT status, counts FROM import_runs WHERE source = 'progress'")).one()
                    )
            yield Candidate(f"P{number}", "poi", "1", {"name": {"fr": f"Lieu {number}"}, "category": "museum"},
                            (1.60, 50.72))  # fmt: skip

    report = engine.run("progress", objects(), area=(1.4, 50.5, 1.95, 51.0))
    assert report.counts["created"] == 3
    [(status, counts)] = seen_meanwhile
    assert status == "running" and counts["created"] == 2

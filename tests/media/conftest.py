"""Media fixtures: each test runs against both real stores (a local folder, PostgreSQL)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.factories import make_poi


@pytest.fixture(params=["local", "postgres"])
def store_kind(request, app, tmp_path):
    """The app's MEDIA_STORE for this test (a fresh folder for `local`)."""
    saved = {key: app.config[key] for key in ("MEDIA_STORE", "MEDIA_ROOT")}
    app.config.update(MEDIA_STORE=request.param, MEDIA_ROOT=str(tmp_path / "media"))
    yield request.param
    app.config.update(saved)


@pytest.fixture
def local_store(app, tmp_path):
    """The local folder store only."""
    saved = {key: app.config[key] for key in ("MEDIA_STORE", "MEDIA_ROOT")}
    app.config.update(MEDIA_STORE="local", MEDIA_ROOT=str(tmp_path / "media"))
    yield tmp_path / "media"
    app.config.update(saved)


@pytest.fixture
def poi(app):
    """A draft POI (made through the POI service), as its id and version (jobs end the session it was read in)."""
    made = make_poi(status="draft")
    return SimpleNamespace(id=made.id, version=made.version)

"""The OGC API read by the GIS clients themselves, over a real HTTP server: GDAL's OAPIF driver (ogrinfo,
ogr2ogr from Debian's gdal-bin, installed by scripts/gis-clients.sh) and OWSLib."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.admin.browser import live_server  # noqa: F401 (fixture)
from tests.factories import make_poi
from tests.routes.factories import make_route, walk

ROOT = Path(__file__).resolve().parents[2]
BOX = (1.600, 50.720, 1.610, 50.730)


@pytest.fixture(scope="module")
def gdal():
    """ogrinfo and ogr2ogr; the project's script installs Debian's gdal-bin when they are missing."""
    if not shutil.which("ogr2ogr"):
        subprocess.run(["bash", "scripts/gis-clients.sh"], cwd=ROOT, check=True, timeout=1800)
    assert shutil.which("ogr2ogr") and shutil.which("ogrinfo")


def run(*command: str) -> str:
    """A GDAL command's output (GDAL's own HTTP cache off, so each run reads the server)."""
    env = {
        "GDAL_HTTP_TIMEOUT": "60",
        "CPL_VSIL_CURL_USE_CACHE": "NO",
        "GDAL_HTTP_MAX_RETRY": "0",
        "PATH": "/usr/bin:/bin",
    }
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def places(app):
    """130 published POIs (more than a 100-item page) in and around BOX, a draft, and a route."""
    made = [make_poi(1.595 + (i % 26) / 1000, 50.715 + (i // 26) / 200, name={"fr": f"Lieu {i}", "en": f"Place {i}"})
            for i in range(130)]  # fmt: skip
    make_poi(1.605, 50.725, name={"fr": "Brouillon"}, status="draft")
    make_route(walk())
    return made


def test_ogrinfo_lists_the_four_collections(gdal, live_server, places):  # noqa: F811
    listing = run("ogrinfo", "-ro", "-q", f"OAPIF:{live_server}/ogc")
    for name in ("pois", "routes", "route-stops", "events"):
        assert f": {name}" in listing, listing


def test_ogr2ogr_copies_every_published_poi_with_typed_fields(gdal, live_server, places, tmp_path):  # noqa: F811
    target = tmp_path / "pois.gpkg"
    run("ogr2ogr", "-f", "GPKG", str(target), f"OAPIF:{live_server}/ogc", "pois")
    with sqlite3.connect(target) as db:
        assert db.execute("SELECT count(*) FROM pois").fetchone()[0] == len(places) == 130
        columns = {row[1]: row[2] for row in db.execute("PRAGMA table_info(pois)")}
        names = {row[0] for row in db.execute("SELECT name FROM pois")}
    assert columns["name"] == "TEXT" and columns["location_estimated"] in ("BOOLEAN", "INTEGER")
    assert names == {f"Lieu {i}" for i in range(130)}


def test_spat_returns_the_same_set_as_bbox(gdal, live_server, places, client, tmp_path):  # noqa: F811
    target = tmp_path / "box.geojson"
    run("ogr2ogr", "-f", "GeoJSON", "-spat", *map(str, BOX), str(target), f"OAPIF:{live_server}/ogc", "pois")
    from_gdal = {f["properties"]["name"] for f in json.loads(target.read_text())["features"]}
    query = {"bbox": ",".join(map(str, BOX)), "limit": 100, "lang": "fr"}
    api = client.get("/api/v1/pois", query_string=query).get_json()
    assert from_gdal == {f["properties"]["name"] for f in api["features"]}
    assert len(from_gdal) == 20  # several of GDAL's 10-item pages; points on the edges count (floats decide)


def test_owslib_reads_items_with_bbox_and_queryables(live_server, places, client):  # noqa: F811
    from owslib.ogcapi.features import Features

    service = Features(f"{live_server}/ogc")
    assert {c["id"] for c in service.collections()["collections"]} == {"pois", "routes", "route-stops", "events"}
    found = service.collection_items("pois", bbox=list(BOX), limit=500)
    api = client.get("/api/v1/pois", query_string={"bbox": ",".join(map(str, BOX)), "limit": 100}).get_json()
    assert {f["id"] for f in found["features"]} == {f["id"] for f in api["features"]}
    assert service.collection_items("pois", limit=7)["numberReturned"] == 7
    assert "category" in service.collection_queryables("pois")["properties"]

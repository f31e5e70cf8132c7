"""QGIS itself (Debian's python3-qgis, headless) reads the OGC API: an OAPIF layer loads as valid with every
published POI (past several pages), routes as lines, and the tiles as a vector tile layer."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.admin.browser import live_server  # noqa: F401 (fixture)
from tests.factories import make_poi
from tests.routes.factories import make_route, walk

ROOT = Path(__file__).resolve().parents[2]
PROBE = Path(__file__).with_name("qgis_probe.py")


@pytest.fixture(scope="module")
def qgis():
    """QGIS's bindings for the system python3; the project's script installs python3-qgis when missing."""
    found = subprocess.run(["/usr/bin/python3", "-c", "import qgis.core"], capture_output=True)
    if found.returncode != 0:
        subprocess.run(["bash", "scripts/gis-clients.sh"], cwd=ROOT, check=True, timeout=1800)


def test_qgis_loads_the_layers(qgis, live_server, app):  # noqa: F811
    made = {f"Lieu {i}" for i in range(120)}
    for i, name in enumerate(sorted(made)):
        make_poi(1.59 + i / 2000, 50.72, name={"fr": name})
    make_poi(1.60, 50.73, name={"fr": "Brouillon"}, status="draft")
    make_route(walk())
    done = subprocess.run(
        ["/usr/bin/python3", str(PROBE), f"{live_server}/ogc"],
        capture_output=True,
        text=True,
        timeout=300,
        env={"QT_QPA_PLATFORM": "offscreen", "HOME": "/tmp", "PATH": "/usr/bin:/bin"},
    )
    line = next((line for line in done.stdout.splitlines() if line.startswith("{")), None)
    assert line, done.stderr[-3000:]
    seen = json.loads(line)
    assert seen["pois_valid"] and seen["pois_count"] == 120 and set(seen["pois_names"]) == made
    assert {"name", "category", "opening_hours"} <= set(seen["pois_fields"])
    assert seen["routes_valid"] and seen["routes_count"] == 1 and seen["routes_geometry"] == 1  # a line layer
    assert seen["tiles_valid"] and seen["tiles_max_zoom"] == 22

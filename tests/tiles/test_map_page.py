"""The /map page: served by the app with its own MapLibre copy; drawn in a real headless Chromium."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.factories import make_poi

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
BOULOGNE = [
    (1.6146, 50.7259, "monument"), (1.6170, 50.7256, "museum"), (1.6115, 50.7265, "church"),
    (1.6060, 50.7262, "restaurant"), (1.6058, 50.7264, "restaurant"), (1.5970, 50.7285, "aquarium"),
    (1.5985, 50.7324, "viewpoint"), (1.5950, 50.7200, "port"), (1.5854, 50.7315, "lighthouse"),
    (1.6090, 50.7410, "memorial"), (1.5597, 50.7081, "fortification"), (1.6050, 50.7985, "nature"),
    (1.6120, 50.7230, "park"), (1.6000, 50.7270, "cafe"), (1.6001, 50.7271, "cafe"),
]  # fmt: skip
TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def frontend_installed():
    """MapLibre in the static folder and Debian's chromium; scripts/frontend.sh installs what is missing."""
    from urbanpulse.mapview.views import vendor_missing

    if vendor_missing() or not Path(CHROMIUM).exists():
        subprocess.run(["bash", "scripts/frontend.sh", "--browser"], cwd=ROOT, check=True, timeout=1800)
    assert not vendor_missing() and Path(CHROMIUM).exists()


@pytest.fixture
def live_server(app, free_port, monkeypatch):
    """The app behind a real HTTP server on loopback, without the internet basemap."""
    monkeypatch.setitem(app.config, "MAP_BASEMAP_URL", "")
    server = make_server("127.0.0.1", free_port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="map-test-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{free_port}"
    server.shutdown()
    thread.join(10)


def test_map_page_and_its_assets_are_served_by_the_app(client, frontend_installed):
    page = client.get("/map")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "/map/static/map.js" in html and "/api/v1/tiles/{z}/{x}/{y}.mvt" in html
    assert "tile.openstreetmap.org" in html  # the default basemap (MAP_BASEMAP_URL)
    for asset in ("map.js", "map.css", "vendor/maplibre-gl.mjs", "vendor/maplibre-gl-worker.mjs"):
        response = client.get(f"/map/static/{asset}")
        assert response.status_code == 200 and response.data, asset


def test_map_page_says_how_to_install_a_missing_maplibre(client, monkeypatch):
    from urbanpulse.mapview import views

    monkeypatch.setattr(views, "VENDOR_FILES", ("not-installed.mjs",))
    page = client.get("/map")
    assert page.status_code == 503
    assert "scripts/frontend.sh" in page.get_data(as_text=True)


@pytest.mark.slow
def test_map_draws_the_tiles_in_headless_chromium(app, live_server, frontend_installed):
    from playwright.sync_api import sync_playwright

    from tests.events.helpers import make_event
    from tests.routes.factories import make_route, square_loop

    pois = [
        make_poi(lon, lat, category=category, name={"fr": f"Lieu {i}"})
        for i, (lon, lat, category) in enumerate(BOULOGNE)
    ]
    make_poi(1.6100, 50.7300, status="draft", name={"fr": "Brouillon"})
    make_route(square_loop(start=(1.6040, 50.7235), side_m=700), name={"fr": "Tour de la Haute-Ville"})
    make_event(venue_poi_id=str(pois[0].id), title={"fr": "Marché du samedi"})  # weekly: always in the window
    failed: list[str] = []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True, timeout=TIMEOUT_MS
        )
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 700})
            page.set_default_timeout(TIMEOUT_MS)
            page.on("requestfailed", lambda request: failed.append(f"failed {request.url}"))
            page.on(
                "response",
                lambda response: response.status >= 400 and failed.append(f"{response.status} {response.url}"),
            )
            # Zoom 11 around Boulogne: every POI of the town is in view, far from the edges.
            page.goto(f"{live_server}/map#11/50.75/1.59")
            page.wait_for_function("window.upMapReady === true || !!window.upMapError")
            assert page.evaluate("window.upMapError || null") is None
            counts = page.evaluate(
                "window.upMap.queryRenderedFeatures({layers: ['pois', 'poi-clusters']}).map(f => f.properties.count)"
            )
            assert sum(counts) == len(BOULOGNE) and len(counts) < len(BOULOGNE)  # clustered, nothing lost
            clusters = page.evaluate("window.upMap.queryRenderedFeatures({layers: ['poi-clusters']}).length")
            assert clusters >= 1 and page.locator(".cluster-count").count() == clusters

            page.evaluate("window.upMapReady = false; window.upMap.jumpTo({center: [1.6067, 50.7262], zoom: 13})")
            page.wait_for_function("window.upMapReady === true")
            assert "POI" in page.locator("#status").inner_text()
            assert page.evaluate("window.upMap.queryRenderedFeatures({layers: ['routes']}).length") >= 1
            assert page.evaluate("window.upMap.queryRenderedFeatures({layers: ['events']}).length") == 1
            page.screenshot(path=str(ARTIFACTS / "map.png"))

            page.evaluate("window.upMapReady = false; window.upMap.jumpTo({center: [1.6146, 50.7259], zoom: 18})")
            page.wait_for_function("window.upMapReady === true")
            names = page.evaluate("window.upMap.queryRenderedFeatures({layers: ['pois']}).map(f => f.properties.name)")
            assert "Lieu 0" in names and "Brouillon" not in names
        finally:
            browser.close()
    assert failed == []
    assert (ARTIFACTS / "map.png").stat().st_size > 10_000

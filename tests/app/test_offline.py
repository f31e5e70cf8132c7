"""The app offline: loaded once online, then with no network around me, a place never visited, a walk and
walk mode still work; an edit made meanwhile reaches the phone's copy after reconnecting."""

from __future__ import annotations

import math
import re

from playwright.sync_api import expect

from tests.admin.browser import ARTIFACTS, new_page
from tests.app.test_browser import PLACES, QUAY, api_order
from tests.factories import make_poi
from tests.routes.factories import make_route, offset, pois_at, stops_for, walk
from urbanpulse.editing.actor import Actor
from urbanpulse.editing.etags import item_etag
from urbanpulse.pois import service

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
MOVED = {"latitude": 50.7268, "longitude": 1.6072}  # no two places at nearly the same distance
FETCH_STATUS = "async (url) => (await fetch(url)).status"
PHONE_COPY = "async ([kind, id]) => (await import('/app/static/data.js')).feature(kind, id)"


def tiles_around(line, margin=0.002) -> list[str]:
    """The tiles "download for offline" fetches: zoom 12 to 17 over the line's box and a margin (Web Mercator)."""
    lons, lats = [p[0] for p in line], [p[1] for p in line]
    west, east, south, north = min(lons) - margin, max(lons) + margin, min(lats) - margin, max(lats) + margin
    tiles = []
    for z in range(12, 18):
        n = 2**z

        def x(lon, n=n):
            return math.floor((lon + 180) / 360 * n)

        def y(lat, n=n):
            return math.floor((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)

        tiles += [
            f"/api/v1/tiles/{z}/{tx}/{ty}.mvt"
            for tx in range(x(west), x(east) + 1)
            for ty in range(y(north), y(south) + 1)
        ]
    return tiles


def test_the_app_works_offline_after_one_visit(browser, live_server, app, client):
    made = {name: make_poi(lon, lat, name={"fr": name}, category=category) for lon, lat, name, category in PLACES}
    line = walk()
    stops = pois_at([line[0], offset(*line[0], 90, 500), line[1]], prefix="Étape")
    route = make_route(line, stops=stops_for(stops, trigger_radius_m=40), name={"fr": "Le U"})
    context = browser.new_context(**PHONE, locale="fr-FR", geolocation=QUAY, permissions=["geolocation"])
    try:
        page = new_page(context)
        page.goto(f"{live_server}/")
        expect(page.locator("body")).to_have_attribute("data-sw", "ready")
        expect(page.locator("body")).to_have_attribute("data-synced", "true")
        page.goto(f"{live_server}/")  # now under the service worker: this page is kept
        expect(page.locator("#position-status")).to_have_text("Près de vous")
        page.goto(f"{live_server}/walks/{route.id}")
        expect(page.locator("h1")).to_have_text("Le U")
        page.click("#download-offline")
        wanted = tiles_around(line)
        expect(page.locator("#walk")).to_have_attribute("data-downloaded", str(len(wanted) + 1), timeout=60_000)

        context.set_offline(True)
        context.set_geolocation(MOVED)  # a list the service never sent: the phone computes it
        page.goto(f"{live_server}/")
        expect(page.locator("#places[data-offline=true]")).to_be_visible()
        assert page.locator("#places .name").all_inner_texts() == api_order(client, MOVED, lang="fr")
        expect(page.locator("#offline-banner")).to_contain_text("Hors ligne")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "app-offline.png"), full_page=True)

        never_visited = made["Château-musée"]
        page.goto(f"{live_server}/places/{never_visited.id}")
        expect(page.locator("#offline-item")).to_have_attribute("data-rendered", "true")
        expect(page.locator("h1")).to_have_text("Château-musée")

        page.goto(f"{live_server}/walks/{route.id}")
        expect(page.locator("h1")).to_have_text("Le U")
        page.click("#walk-toggle")
        context.set_geolocation({"longitude": offset(*line[0], 90, 250)[0], "latitude": line[0][1]})
        walk_page = page.locator("#walk")
        expect(walk_page).to_have_attribute("data-computed", "phone")
        expect(walk_page).to_have_attribute("data-next-stop", "2")
        context.set_geolocation({"longitude": offset(*line[0], 90, 750)[0], "latitude": line[0][1]})
        expect(walk_page).to_have_attribute("data-next-stop", "3")
        for tile in (wanted[0], wanted[len(wanted) // 2], wanted[-1]):  # the tiles kept for this walk
            assert page.evaluate(FETCH_STATUS, tile) in (200, 204), tile

        renamed = made["Beffroi"]
        service.update_poi(
            poi_id=renamed.id,
            if_match=item_etag(renamed.id, renamed.version),
            actor=Actor.system("test"),
            properties={"name": {"fr": "Beffroi (renommé)"}},
        )
        assert page.evaluate(PHONE_COPY, ["pois", str(renamed.id)])["properties"]["name"]["fr"] == "Beffroi"
        assert page.locator("body").get_attribute("data-synced-at") is None  # nothing synced while offline
        context.set_offline(False)
        expect(page.locator("body")).to_have_attribute("data-synced-at", re.compile(".+"))
        assert page.evaluate(PHONE_COPY, ["pois", str(renamed.id)])["properties"]["name"]["fr"] == "Beffroi (renommé)"
    finally:
        context.close()

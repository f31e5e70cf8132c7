"""Issue 7 end to end in headless Chromium: log in, create a POI on the map in two languages, publish it,
find it through the public API; a second tab's stale save is refused; nothing without logging in."""

from __future__ import annotations

import requests

from tests.admin.browser import ARTIFACTS, PageProblems, log_in, new_page
from tests.factories import DEFAULT_PASSWORD, make_poi
from urbanpulse.core.extensions import db
from urbanpulse.pois.models import Poi

NEARBY_RADIUS_M = 30


def test_editor_creates_a_poi_on_the_map_publishes_it_and_the_api_finds_it(app, live_server, browser, editor):
    problems = PageProblems()
    context = browser.new_context(locale="fr-FR", viewport={"width": 1400, "height": 1000})
    try:
        page = new_page(context, problems)
        log_in(page, live_server, editor.email, DEFAULT_PASSWORD, path="/admin/pois/new")
        assert page.locator("h1").inner_text().strip() == "Nouveau lieu"  # French interface by default
        page.wait_for_selector(".up-map[data-ready=true]")
        assert page.locator(".leaflet-marker-icon").count() == 0

        box = page.locator("#poi-map").bounding_box()
        page.mouse.click(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.4)
        page.locator(".leaflet-marker-icon").wait_for()
        lon, lat = float(page.input_value("#lon")), float(page.input_value("#lat"))
        assert 1.55 < lon < 1.66 and 50.70 < lat < 50.75  # around Boulogne, where the map opens

        page.fill("#name_fr", "Calvaire des marins")
        page.fill("#description_fr", "Chapelle des marins sur la falaise.")
        page.click("#tab-text-en")
        page.fill("#name_en", "Sailors' Calvary")
        page.fill("#description_en", "Sailors' chapel on the cliff.")
        page.select_option("#category", "monument")
        page.fill("#opening_hours", "Mo-Zz 10:00-18:00")
        page.click("#save")

        # The parser's message is shown next to the field, and nothing was created.
        error = page.locator("#error-opening_hours")
        assert "expected wday" in error.inner_text()
        assert db.session.scalar(db.select(db.func.count()).select_from(Poi)) == 0
        assert page.input_value("#name_en") == "Sailors' Calvary"  # what was typed is kept
        page.fill("#opening_hours", "Tu-Su 10:00-18:00; PH off")
        page.click("#save")
        page.wait_for_url("**/admin/pois/*/")
        assert page.locator(".status-badge").first.get_attribute("data-status") == "draft"

        page.click("#status-published")
        page.wait_for_selector(".alert-success")
        assert page.locator("h1 .status-badge").get_attribute("data-status") == "published"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "poi-edit.png"), full_page=True)

        nearby = requests.get(
            f"{live_server}/api/v1/pois/nearby",
            params={"lat": lat, "lon": lon, "radius": NEARBY_RADIUS_M, "lang": "en"},
            timeout=10,
        )
        assert nearby.status_code == 200
        (found,) = nearby.json()["features"]
        assert found["properties"]["name"] == "Sailors' Calvary"
        assert found["properties"]["description"] == "Sailors' chapel on the cliff."
        assert found["properties"]["opening_hours"] == "Tu-Su 10:00-18:00; PH off"
        assert found["geometry"]["coordinates"] == [lon, lat]
        assert found["properties"]["distance_m"] == 0.0

        history = requests.get(f"{live_server}/api/v1/pois/{found['id']}/history", timeout=10)
        assert history.status_code == 401  # the API's own history needs a bearer token
        page.click("#history-link")
        rows = page.locator("#history-table tbody tr")
        assert rows.count() == 2 and editor.email in rows.first.inner_text()
    finally:
        context.close()
    assert problems.items == []
    assert (ARTIFACTS / "poi-edit.png").stat().st_size > 20_000


def test_a_second_tab_cannot_overwrite_a_colleagues_save(app, live_server, browser, editor):
    poi = make_poi(name={"fr": "Beffroi"}, opening_hours="Mo-Su 09:00-17:00")
    problems = PageProblems()
    context = browser.new_context(locale="en-GB", viewport={"width": 1400, "height": 1000})
    try:
        first = new_page(context, problems)
        path = f"/admin/pois/{poi.id}/"
        log_in(first, live_server, editor.email, DEFAULT_PASSWORD, path=path)
        second = new_page(context, problems)
        second.goto(live_server + path)

        first.click("#tab-text-en")
        first.fill("#description_en", "The belfry, a UNESCO World Heritage site.")
        first.click("#save")
        first.wait_for_selector(".alert-success")

        second.fill("#opening_hours", "Mo-Su 10:00-12:00")
        second.click("#save")
        message = second.locator("#conflict-message")
        assert "Someone changed this item since you opened it (now version 2)" in message.inner_text()
        assert second.input_value("#opening_hours") == "Mo-Su 10:00-12:00"  # the editor's typing is kept
        second.click("#conflict-message a[data-role=reload]")
        second.wait_for_selector("#description_en", state="attached")
        assert second.input_value("#description_en") == "The belfry, a UNESCO World Heritage site."
    finally:
        context.close()
    db.session.expire_all()
    stored = db.session.get(Poi, poi.id)
    assert stored.version == 2 and stored.opening_hours == "Mo-Su 09:00-17:00"
    assert stored.description["en"] == "The belfry, a UNESCO World Heritage site."
    assert problems.items == []


def test_nothing_is_reachable_without_logging_in(app, live_server, browser):
    poi = make_poi(name={"fr": "Brouillon secret"}, status="draft")
    context = browser.new_context(locale="fr-FR")
    try:
        page = new_page(context)
        for path in ("/admin/", "/admin/pois/", f"/admin/pois/{poi.id}/", "/admin/users/"):
            page.goto(live_server + path)
            page.wait_for_url(lambda url: "/admin/login?next=" in url)
            assert page.locator("#login-submit").is_visible()
            assert "Brouillon secret" not in page.content()
    finally:
        context.close()


def test_without_the_basemap_the_editor_still_places_and_drags_the_marker(
    app, live_server, browser, editor, monkeypatch
):
    from tests.servers import free_port

    # A tile server that cannot be reached, as on a machine without internet.
    monkeypatch.setitem(app.config, "MAP_BASEMAP_URL", f"http://127.0.0.1:{free_port()}/{{z}}/{{x}}/{{y}}.png")
    poi = make_poi(name={"fr": "Colonne de la Grande Armée"})
    problems = PageProblems()
    context = browser.new_context(locale="fr-FR", viewport={"width": 1400, "height": 1000})
    try:
        page = new_page(context, problems)
        log_in(page, live_server, editor.email, DEFAULT_PASSWORD, path=f"/admin/pois/{poi.id}/")
        page.wait_for_selector(".up-map[data-ready=true]")
        before = float(page.input_value("#lon")), float(page.input_value("#lat"))
        marker = page.locator(".leaflet-marker-icon").bounding_box()
        x, y = marker["x"] + marker["width"] / 2, marker["y"] + marker["height"] - 2
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x + 60, y - 40, steps=8)
        page.mouse.up()
        after = float(page.input_value("#lon")), float(page.input_value("#lat"))
        assert after[0] > before[0] and after[1] > before[1]  # dragged east and north
        page.click("#save")
        page.wait_for_selector(".alert-success")
    finally:
        context.close()
    db.session.expire_all()
    stored = db.session.get(Poi, poi.id)
    assert stored.version == 2
    assert all("127.0.0.1" in item and item.startswith("failed") for item in problems.items)  # only the tiles

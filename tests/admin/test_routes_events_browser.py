"""The route and event pages' scripts in headless Chromium: draw a line with Leaflet.draw, pick stops near it,
see the measures; choose a weekly recurrence and a venue. Saved through the same services as the API."""

from __future__ import annotations

from tests.admin.browser import ARTIFACTS, PageProblems, log_in, map_page, new_page
from tests.factories import DEFAULT_PASSWORD, make_poi
from urbanpulse.core.extensions import db
from urbanpulse.events.models import Event
from urbanpulse.routes.models import Route, RouteStop


def _map_point(page, selector: str, lon: float, lat: float) -> tuple[float, float]:
    """Page coordinates of (lon, lat) on the Leaflet map in `selector`."""
    point = page.evaluate("([lon, lat]) => window.upAdminMap.latLngToContainerPoint([lat, lon])", [lon, lat])
    box = page.locator(selector).bounding_box()
    return box["x"] + point["x"], box["y"] + point["y"]


def test_an_editor_draws_a_walk_and_picks_its_stops(app, live_server, browser, editor):
    near = make_poi(1.6080, 50.7263, name={"fr": "Porte des Dunes"}, category="monument")
    far = make_poi(1.5800, 50.7100, name={"fr": "Loin de tout"}, category="monument")
    problems = PageProblems()
    context = browser.new_context(locale="en-GB", viewport={"width": 1400, "height": 1100})
    try:
        page = new_page(context, problems)
        log_in(page, live_server, editor.email, DEFAULT_PASSWORD, path="/admin/routes/new")
        page.wait_for_selector(".up-map[data-ready=true]")
        page.evaluate("window.upAdminMap.setView([50.7263, 1.6080], 16)")
        page.click(".leaflet-draw-draw-polyline")
        for lon in (1.6050, 1.6080, 1.6110):
            page.mouse.click(*_map_point(page, "#route-map", lon, 50.7265))
            page.wait_for_timeout(200)  # Leaflet.draw ignores a click within 50 ms of the previous vertex
        page.click(".leaflet-draw-actions a:has-text('Finish')")
        assert page.input_value("#geometry").startswith('{"type":"LineString"')
        assert "km" in page.inner_text("#length-drawn") and "min" in page.inner_text("#duration-drawn")

        candidates = page.locator("#candidate-list li")
        assert candidates.count() == 1 and "Porte des Dunes" in candidates.first.inner_text()
        candidates.first.locator(".candidate-add").click()
        assert page.locator("#stop-list li").count() == 1 and page.locator("#candidate-list li").count() == 0

        page.fill("#name_fr", "Tour des remparts")
        page.select_option("#theme", "history")
        page.click("#save")
        page.wait_for_selector(".alert-success")
        page.screenshot(path=str(ARTIFACTS / "route-edit.png"), full_page=True)
        assert "km" in page.inner_text("#length-saved")
    finally:
        context.close()
    route = db.session.scalar(db.select(Route))
    assert route.name == {"fr": "Tour des remparts"} and 400 < route.length_m < 500  # 0.006° of longitude here
    stops = db.session.scalars(db.select(RouteStop)).all()
    assert [s.poi_id for s in stops] == [near.id] and far.id not in [s.poi_id for s in stops]
    assert problems.items == []


def test_an_editor_schedules_a_weekly_event_at_a_venue(app, live_server, browser, editor):
    venue = make_poi(1.60722, 50.72333, name={"fr": "Place Dalton"}, category="market")
    problems = PageProblems()
    with map_page(browser, live_server, editor, "/admin/events/new", problems, "fr-FR") as page:
        assert page.locator("#repeat-weekly").is_hidden()
        page.fill("#title_fr", "Marché de la place Dalton")
        page.select_option("#category", "market")
        page.fill("#starts_at", "2026-03-21T08:00")
        page.fill("#ends_at", "2026-03-21T13:00")
        page.select_option("#repeat", "weekly")
        assert page.locator("#repeat-weekly").is_visible() and page.locator("#repeat-rrule").is_hidden()
        page.check("#weekdays-2")
        page.check("#weekdays-5")
        page.select_option("#venue", str(venue.id))
        page.locator(".leaflet-marker-icon").wait_for()
        assert page.locator("#lon").is_disabled()
        page.click("#save")
        page.wait_for_selector(".alert-success")
        page.click("#publication-published")
        page.wait_for_selector(".alert-success")
        page.click("#status-cancelled")
        page.wait_for_selector(".alert-success")
        assert page.locator("h1 .status-badge[data-status=cancelled]").count() == 1
    event = db.session.scalar(db.select(Event))
    assert event.rrule == "FREQ=WEEKLY;BYDAY=WE,SA" and event.venue_poi_id == venue.id
    assert event.status == "cancelled" and event.publication == "published" and event.version == 3
    assert problems.items == []

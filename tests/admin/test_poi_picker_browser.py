"""The venue picker in headless Chromium: a place beyond the first page is found by typing its name."""

from __future__ import annotations

from tests.admin.browser import PageProblems, map_page
from tests.admin.test_poi_picker import make_many
from tests.factories import make_poi
from urbanpulse.core.extensions import db
from urbanpulse.events.models import Event


def test_typing_a_name_finds_a_venue_the_page_did_not_list(app, live_server, browser, editor):
    make_many()
    target = make_poi(1.60722, 50.72333, name={"fr": "Zénith de la Côte d'Opale"}, category="theatre")
    problems = PageProblems()
    with map_page(browser, live_server, editor, "/admin/events/new", problems, "fr-FR") as page:
        option = f"#venue option[value='{target.id}']"
        assert page.locator(option).count() == 0
        page.fill("#venue-search", "zenith")
        page.wait_for_selector(option, state="attached")
        page.select_option("#venue", str(target.id))
        page.locator(".leaflet-marker-icon").wait_for()
        assert page.locator("#lon").is_disabled()
        page.fill("#title_fr", "Concert au Zénith")
        page.select_option("#category", "concert")
        page.fill("#starts_at", "2026-12-21T20:00")
        page.fill("#ends_at", "2026-12-21T22:00")
        page.click("#save")
        page.wait_for_selector(".alert-success")
    event = db.session.scalar(db.select(Event))
    assert event.venue_poi_id == target.id
    assert problems.items == []

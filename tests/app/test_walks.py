"""The app's walks: the list, a walk page without JavaScript, and walk mode on a phone with scripted positions."""

import re

import pytest
from playwright.sync_api import expect

from tests.admin.browser import ARTIFACTS, PageProblems, new_page
from tests.problem import assert_problem
from tests.routes.factories import make_route, offset, pois_at, stops_for, walk

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def u_walk(app):
    """East 1000 m, north 1000 m, west 1000 m; stops at 0, 500, 1000 (corner) and 2500 m along."""
    line = walk()
    points = [line[0], offset(*line[0], 90, 500), line[1], offset(*line[2], 270, 500)]
    pois = pois_at(points)
    route = make_route(line, stops=stops_for(pois, trigger_radius_m=40), name={"fr": "Le U", "en": "The U walk"})
    return route, line


def test_walks_list_shows_length_duration_theme_and_difficulty(client, u_walk):
    make_route(walk(), name={"fr": "Brouillon"}, status="draft")
    html = client.get("/walks", query_string={"lang": "en"}).get_data(as_text=True)
    assert re.findall(r'<strong class="name">([^<]+)</strong>', html) == ["The U walk"]
    assert '<span class="length">3.0 km</span>' in html and "Maritime" in html and "Easy" in html


def test_walk_page_without_javascript_has_the_line_and_the_ordered_stops(client, u_walk):
    route, _ = u_walk
    page = client.get(f"/walks/{route.id}", query_string={"lang": "en"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert re.findall(r'<li data-position="(\d+)">', html) == ["1", "2", "3", "4"]
    assert html.count("<circle") == 4 and '<path d="M' in html
    assert f'href="/api/v1/routes/{route.id}/gpx"' in html


def test_a_draft_walk_is_not_found(client, app):
    draft = make_route(walk(), status="draft")
    assert_problem(client.get(f"/walks/{draft.id}"), 404)


def test_walk_mode_follows_the_walker_and_warns_off_route(browser, live_server, u_walk):
    route, line = u_walk
    position = lambda lon, lat: {"longitude": lon, "latitude": lat}  # noqa: E731
    problems = PageProblems()
    start = line[0]
    context = browser.new_context(**PHONE, locale="en-GB", geolocation=position(*start), permissions=["geolocation"])
    try:
        page = new_page(context, problems)
        page.goto(f"{live_server}/walks/{route.id}")
        page.click("#walk-toggle")
        walk_page = page.locator("#walk")
        expect(walk_page).to_have_attribute("data-next-stop", "2")
        seen = []
        for metres, next_stop in ((250, "2"), (750, "3"), (1500, "4")):
            lon, lat = offset(*start, 90, metres) if metres <= 1000 else offset(*line[1], 0, metres - 1000)
            context.set_geolocation(position(lon, lat))
            expect(walk_page).to_have_attribute("data-next-stop", next_stop)
            expect(page.locator("#walk-warning")).to_be_hidden()
            seen.append(page.locator("#walk-status").inner_text())
        remaining = [float(re.search(r"([\d.]+) km to go", text).group(1)) for text in seen]
        assert remaining == sorted(remaining, reverse=True) and remaining[0] > remaining[-1]
        away = offset(*line[1], 90, 120)  # 120 m east of the corner: off the route
        context.set_geolocation(position(*away))
        expect(page.locator("#walk-warning")).to_be_visible()
        expect(page.locator("#walk-warning")).to_contain_text("off the route")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "app-walk-mode.png"), full_page=True)
        context.set_geolocation(position(*offset(*line[1], 0, 600)))
        expect(page.locator("#walk-warning")).to_be_hidden()
    finally:
        context.close()
    assert problems.items == []

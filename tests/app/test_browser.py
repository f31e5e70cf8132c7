"""The app on a phone: Debian's chromium through Playwright, a 360-px touch screen, a scripted position."""

from __future__ import annotations

import json

from playwright.sync_api import expect

from tests.admin.browser import ARTIFACTS, PageProblems, new_page
from tests.factories import make_poi

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
QUAY = {"latitude": 50.7270, "longitude": 1.5985}
HAUTE_VILLE = {"latitude": 50.7262, "longitude": 1.6150}
PLACES = [
    (1.5990, 50.7271, "Quai Gambetta", "port"),
    (1.6000, 50.7280, "Café du port", "cafe"),
    (1.5970, 50.7285, "Nausicaá", "aquarium"),
    (1.6146, 50.7259, "Beffroi", "monument"),
    (1.6170, 50.7256, "Château-musée", "museum"),
    (1.6115, 50.7265, "Basilique Notre-Dame", "church"),
]


def seed():
    return {name: make_poi(lon, lat, name={"fr": name}, category=category) for lon, lat, name, category in PLACES}


def api_order(client, position, lang: str = "en") -> list[str]:
    query = {"lat": position["latitude"], "lon": position["longitude"], "radius": 20000, "limit": 30, "lang": lang}
    body = client.get("/api/v1/pois/nearby", query_string=query).get_json()
    return [feature["properties"]["name"] for feature in body["features"]]


def listed(page) -> list[str]:
    return page.locator("#places .name").all_inner_texts()


def test_around_me_lists_in_the_api_order_and_follows_the_tourist(browser, live_server, app, client):
    seed()
    problems = PageProblems()
    context = browser.new_context(**PHONE, locale="en-GB", geolocation=QUAY, permissions=["geolocation"])
    try:
        page = new_page(context, problems)
        page.goto(f"{live_server}/")
        # Locator waits (not wait_for_function): the page's CSP forbids evaluating strings.
        expect(page.locator("#position-status")).to_have_text("Near you")
        assert listed(page) == api_order(client, QUAY)
        assert listed(page)[0] == "Quai Gambetta"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "app-around-me.png"), full_page=True)
        context.set_geolocation(HAUTE_VILLE)  # about 1.2 km east: the list re-orders
        expect(page.locator("#places .name").first).to_have_text("Beffroi")
        assert listed(page) == api_order(client, HAUTE_VILLE)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
    finally:
        context.close()
    assert problems.items == []


def test_a_refused_position_starts_at_the_belfry_and_says_so(browser, live_server, app):
    seed()
    context = browser.new_context(**PHONE, locale="de-DE")
    try:
        page = new_page(context)
        page.goto(f"{live_server}/")
        expect(page.locator("#position-status")).to_contain_text("Belfried")
        assert listed(page)[0] == "Beffroi"
    finally:
        context.close()


def test_a_place_page_without_javascript_shows_its_content_and_json_ld(browser, live_server, app):
    places = seed()
    museum = places["Château-musée"]
    context = browser.new_context(**PHONE, locale="nl-NL", java_script_enabled=False)
    try:
        page = new_page(context)
        page.goto(f"{live_server}/places/{museum.id}")
        assert page.locator("h1").inner_text() == "Château-musée"
        assert page.locator("a.button").first.get_attribute("href").startswith("geo:50.7256,1.617")
        data = json.loads(page.locator('script[type="application/ld+json"]').text_content())
        assert data["@type"] == "Museum" and data["name"] == "Château-musée"
        assert page.locator("html").get_attribute("lang") == "nl"
        page.screenshot(path=str(ARTIFACTS / "app-place.png"), full_page=True)
    finally:
        context.close()


def test_favourites_are_kept_on_the_phone(browser, live_server, app):
    places = seed()
    museum = places["Château-musée"]
    context = browser.new_context(**PHONE, locale="en-GB")
    try:
        page = new_page(context)
        page.goto(f"{live_server}/places/{museum.id}")
        expect(page.locator("body")).to_have_attribute("data-synced", "true")
        toggle = page.locator("#favourite-toggle")
        expect(toggle).to_have_attribute("aria-pressed", "false")
        toggle.click()
        expect(toggle).to_have_attribute("aria-pressed", "true")
        page.goto(f"{live_server}/favourites")
        expect(page.locator("#favourites")).to_have_attribute("data-ready", "true")
        assert page.locator("#favourites .name").all_inner_texts() == ["Château-musée"]
        expect(page.locator("#favourites-empty")).to_be_hidden()
    finally:
        context.close()

"""The OGC API's HTML pages in Debian's chromium (Playwright): readable, with the items' table; a screenshot kept."""

from tests.admin.browser import ARTIFACTS, PageProblems, browser, chromium_installed, live_server, new_page  # noqa: F401
from tests.factories import make_poi


def test_items_page_is_readable_in_chromium(browser, live_server, app):  # noqa: F811
    for i in range(5):
        make_poi(1.60 + i / 1000, 50.725, name={"fr": f"Lieu {i}", "en": f"Place {i}"}, category="museum")
    problems = PageProblems()
    context = browser.new_context(viewport={"width": 1200, "height": 800}, locale="en-GB")
    try:
        page = new_page(context, problems)
        page.goto(f"{live_server}/ogc/collections/pois/items?lang=en")  # a browser prefers HTML
        assert page.locator("h1").inner_text() == "Items"
        assert page.locator("table tbody tr").count() == 5
        assert "Place 0" in page.locator("table").inner_text()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "ogc-items.png"), full_page=True)
        page.goto(f"{live_server}/ogc")
        page.click("text=Collections")
        assert page.locator("table tbody tr").count() == 4
    finally:
        context.close()
    assert problems.items == []

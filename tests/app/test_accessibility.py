"""axe-core (from npm, via scripts/frontend.sh) on the app's main pages, on a phone: no serious or critical
violation. The check runs with the page's CSP bypassed, since axe is injected as a script."""

from __future__ import annotations

from pathlib import Path

from tests.admin.browser import new_page
from tests.app.test_browser import PLACES, seed
from tests.events.helpers import make_event
from tests.routes.factories import make_route, pois_at, stops_for, walk

AXE = Path(__file__).resolve().parents[2] / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True, "bypass_csp": True}
RUN_AXE = "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"


def test_main_pages_have_no_serious_accessibility_violation(browser, live_server, app):
    lang = "en"
    assert AXE.is_file(), "axe-core is missing: run scripts/frontend.sh"
    places = seed()
    route = make_route(walk(), stops=stops_for(pois_at([walk()[0]])), name={"fr": "Balade"})
    make_event(rrule="FREQ=DAILY", starts_at="2026-01-01T00:00:00", ends_at="2026-01-01T23:59:00")
    place = places[PLACES[0][2]]
    paths = ["/", f"/places/{place.id}", "/walks", f"/walks/{route.id}", "/whats-on?when=week"]
    context = browser.new_context(**PHONE, locale=lang)
    found = {}
    try:
        page = new_page(context)
        for path in paths:
            page.goto(f"{live_server}{path}{'&' if '?' in path else '?'}lang={lang}")
            page.add_script_tag(path=str(AXE))
            assert page.evaluate("axe.version").startswith("4.")
            violations = page.evaluate(RUN_AXE)
            serious = [v for v in violations if v["impact"] in ("serious", "critical")]
            if serious:
                found[path] = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in serious]
    finally:
        context.close()
    assert found == {}

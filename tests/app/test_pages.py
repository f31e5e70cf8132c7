"""The app's server-rendered pages: around me, a place with its week and JSON-LD, published content only."""

import io
import json
import re
from datetime import date, datetime
from html import escape

import pytest
from PIL import Image

from tests.factories import make_poi
from tests.problem import assert_problem
from urbanpulse.app.messages import catalogue
from urbanpulse.app.places import hours_line
from urbanpulse.pois.hours import week

QUAY = (1.5985, 50.7270)  # on the quay, west of the Haute-Ville


def names_in_order(html: str) -> list[str]:
    return re.findall(r'<strong class="name">([^<]+)</strong>', html)


def json_ld_of(html: str) -> dict:
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert found, "no JSON-LD block"
    return json.loads(found.group(1))


def test_around_me_lists_the_nearest_published_places_in_order(client, app):
    make_poi(1.5990, 50.7271, name={"fr": "Quai Gambetta", "en": "Gambetta quay"}, category="port")
    make_poi(1.6146, 50.7259, name={"fr": "Beffroi", "en": "Belfry"}, category="monument")
    make_poi(1.6000, 50.7280, name={"fr": "Café du port"}, category="cafe")
    make_poi(1.5991, 50.7270, name={"fr": "Brouillon"}, status="draft")
    page = client.get("/", query_string={"lat": QUAY[1], "lon": QUAY[0], "lang": "en"})
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert names_in_order(html) == ["Gambetta quay", "Café du port", "Belfry"]
    assert 'lang="en"' in html and "Around me" in html
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]


def test_without_a_position_the_list_starts_at_the_belfry_and_says_so(client, app):
    make_poi(1.6146, 50.7260, name={"fr": "Beffroi"})
    make_poi(1.5854, 50.7315, name={"fr": "Phare"})
    html = client.get("/", headers={"Accept-Language": "de-DE,de;q=0.9"}).get_data(as_text=True)
    assert catalogue("de")["at_belfry"] in html
    assert names_in_order(html) == ["Beffroi", "Phare"]


def test_filters_category_open_now_and_text(client, app):
    make_poi(1.5990, 50.7271, name={"fr": "Musée du port"}, category="museum", opening_hours="24/7")
    make_poi(1.5992, 50.7271, name={"fr": "Musée fermé"}, category="museum", opening_hours="off")
    make_poi(1.5991, 50.7271, name={"fr": "Café"}, category="cafe")
    base = {"lat": QUAY[1], "lon": QUAY[0]}
    museums = client.get("/", query_string={**base, "category": "museum"}).get_data(as_text=True)
    assert sorted(names_in_order(museums)) == ["Musée du port", "Musée fermé"]
    open_ones = client.get("/", query_string={**base, "category": "museum", "open_now": "true"})
    assert names_in_order(open_ones.get_data(as_text=True)) == ["Musée du port"]
    typo = client.get("/", query_string={**base, "q": "muse du prt"}).get_data(as_text=True)
    assert names_in_order(typo)[0] == "Musée du port"


def test_the_list_fragment_is_what_the_script_swaps_in(client, app):
    make_poi(1.5990, 50.7271, name={"fr": "Quai"})
    fragment = client.get("/", query_string={"lat": QUAY[1], "lon": QUAY[0], "partial": "list"}).get_data(as_text=True)
    assert fragment.lstrip().startswith('<ol class="places" id="places"') and "<html" not in fragment
    assert "Quai" in fragment


@pytest.mark.parametrize(
    ("query", "field"),
    [({"lat": 91, "lon": 1.6}, "lat"), ({"lat": 50.7, "lon": "x"}, "lon"), ({"category": "casino,nope"}, "category.1")],
)
def test_bad_query_is_a_problem_naming_the_field(client, app, query, field):
    assert_problem(client.get("/", query_string=query), 422, field)


def test_hours_line_says_when_it_closes_or_opens():
    texts = catalogue("en")
    hours = "Mo-Sa 10:00-18:00; PH off"
    assert hours_line(hours, datetime(2026, 12, 23, 11, 0), texts) == "Open · closes at 18:00"
    assert hours_line(hours, datetime(2026, 12, 23, 8, 0), texts) == "Closed · opens at 10:00"
    assert hours_line(hours, datetime(2026, 12, 23, 19, 0), texts) == "Closed · opens tomorrow 10:00"
    # Christmas (a public holiday) then Saturday: the next opening is two days away.
    assert hours_line(hours, datetime(2026, 12, 24, 19, 0), texts) == "Closed · opens Saturday 10:00"
    assert hours_line(None, datetime(2026, 12, 23, 11, 0), texts) is None


def test_week_marks_public_holidays():
    days = week("Mo-Sa 10:00-18:00; PH off", date(2026, 12, 21))
    assert [day["holiday"] for day in days] == [False, False, False, False, True, False, False]
    assert days[4]["open"] == [] and len(days[3]["open"]) == 1


def test_place_page_is_complete_without_javascript(client, app):
    poi = make_poi(
        1.6170,
        50.7256,
        name={"fr": "Château-musée", "en": "Castle museum"},
        description={"fr": "Un château du XIIIe siècle.", "en": "A 13th-century castle."},
        category="museum",
        opening_hours="We-Mo 10:00-12:30,14:00-18:00; PH off",
        address="Rue de Bernet, 62200 Boulogne-sur-Mer",
        contact={"phone": "+33 3 21 10 02 20", "website": "https://example.org/chateau"},
        accessibility={"wheelchair": "limited"},
    )
    page = client.get(f"/places/{poi.id}", query_string={"lang": "en"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<h1>Castle museum</h1>" in html and "A 13th-century castle." in html
    assert html.count("<tr") == 7 and "10:00–12:30, 14:00–18:00" in html
    assert 'href="geo:50.7256,1.617' in html and "tel:+33321100220" in html
    assert "Limited wheelchair access" in html
    data = json_ld_of(html)
    assert data["@context"] == "https://schema.org" and data["@type"] == "Museum"
    assert data["name"] == "Castle museum" and data["geo"]["latitude"] == pytest.approx(50.7256)
    assert data["telephone"] == "+33 3 21 10 02 20" and data["address"]["streetAddress"].startswith("Rue de Bernet")


def test_drafts_and_unknown_places_are_not_found(client, app):
    draft = make_poi(name={"fr": "Brouillon"}, status="draft")
    assert_problem(client.get(f"/places/{draft.id}"), 404)
    assert_problem(client.get("/places/00000000-0000-0000-0000-000000000000"), 404)


def test_manifest_makes_the_app_installable(client, app):
    manifest = client.get("/manifest.webmanifest", headers={"Accept-Language": "nl"})
    assert manifest.mimetype == "application/manifest+json"
    body = manifest.get_json()
    assert body["start_url"] == "/" and body["display"] == "standalone" and body["icons"]
    for declared in body["icons"]:
        icon = client.get(declared["src"])
        assert icon.status_code == 200 and icon.mimetype == declared["type"]
        if declared["type"] == "image/png":
            assert Image.open(io.BytesIO(icon.data)).size == tuple(map(int, declared["sizes"].split("x")))
    assert_problem(client.get("/app/icons/100.png"), 404)


def test_every_language_translates_every_text_of_the_app():
    from urbanpulse.app.messages import CATALOGUES

    def keys(lang):
        return set(json.loads((CATALOGUES / f"{lang}.json").read_text(encoding="utf-8")))

    same_everywhere = {"app_name", "metres", "kilometres", "minutes", "hours_minutes"}  # a name and units
    assert keys("en") == keys("fr")
    for lang in ("nl", "de"):
        assert keys("fr") - keys(lang) <= same_everywhere, lang
        assert keys(lang) <= keys("fr"), lang


@pytest.mark.parametrize("lang", ["fr", "en", "nl", "de"])
def test_each_language_shows_the_app_texts_translated(client, app, lang):
    texts = catalogue(lang)
    headings = {"/": texts["around_me"], "/walks": texts["walks_title"], "/whats-on": texts["whats_on"]}
    for path, heading in headings.items():
        page = client.get(path, headers={"Accept-Language": f"{lang};q=1, fr;q=0.5"})
        html = page.get_data(as_text=True)
        assert page.headers["Content-Language"] == lang
        assert f'<html lang="{lang}">' in html and f"<h1>{escape(heading).replace('&#x27;', '&#39;')}</h1>" in html

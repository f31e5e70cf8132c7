"""Text search, opening hours, languages, the viewport listing and categories."""

from datetime import datetime

import pytest

from tests.factories import make_poi
from tests.problem import assert_problem
from urbanpulse.pois.hours import is_open

CENTRE = {"lat": 50.7259, "lon": 1.6100}


@pytest.fixture
def sights(app):
    return {
        "nausicaa": make_poi(
            1.5947,
            50.7308,
            category="aquarium",
            name={"fr": "Nausicaá – Centre national de la mer", "en": "Nausicaá aquarium"},
        ),
        "basilica": make_poi(
            1.6150,
            50.7261,
            category="church",
            name={"fr": "Basilique Notre-Dame", "en": "Basilica of Notre-Dame", "de": "Basilika Notre-Dame"},
        ),
        "belfry": make_poi(
            1.6140,
            50.7256,
            category="monument",
            name={"fr": "Beffroi", "en": "Belfry", "nl": "Belfort"},
            tags=["unesco"],
        ),
    }


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("nausicaa", "nausicaa"),
        ("NAUSICAÁ", "nausicaa"),
        ("nausikaa", "nausicaa"),
        ("basilque", "basilica"),
        ("basilika", "basilica"),
        ("belfort", "belfry"),
        ("unesco", "belfry"),
    ],
)
def test_text_search_is_accent_case_and_typo_tolerant(client, sights, q, expected):
    features = client.get("/api/v1/pois", query_string={"q": q}).get_json()["features"]
    assert features and features[0]["id"] == str(sights[expected].id)
    assert features[0]["properties"]["relevance"] > 0


def test_text_search_ranks_by_relevance(client, sights):
    make_poi(1.61, 50.72, category="church", name={"fr": "Église Saint-Nicolas"})
    features = client.get("/api/v1/pois", query_string={"q": "basilique notre dame"}).get_json()["features"]
    assert features[0]["id"] == str(sights["basilica"].id)
    relevances = [f["properties"]["relevance"] for f in features]
    assert relevances == sorted(relevances, reverse=True)


def test_text_search_in_nearby_keeps_distance_order(client, sights):
    features = client.get("/api/v1/pois/nearby", query_string={**CENTRE, "q": "nausikaa", "radius": 5000}).get_json()
    assert [f["id"] for f in features["features"]] == [str(sights["nausicaa"].id)]


def test_unrelated_text_finds_nothing(client, sights):
    assert client.get("/api/v1/pois", query_string={"q": "zzzqqq"}).get_json()["numberMatched"] == 0


def test_drafts_never_found_by_text_or_bbox(client, app, editor_headers):
    make_poi(1.61, 50.72, status="draft", name={"fr": "Nausicaá brouillon"})
    for params in ({"q": "nausicaa"}, {"bbox": "1.5,50.6,1.7,50.8"}, {}):
        assert client.get("/api/v1/pois", query_string=params).get_json()["numberMatched"] == 0
    assert_problem(client.get("/api/v1/pois", query_string={"status": "draft"}), 401)
    listed = client.get("/api/v1/pois", query_string={"status": "draft"}, headers=editor_headers).get_json()
    assert listed["numberMatched"] == 1


def test_open_now_with_at_public_holiday_and_overnight(client, app):
    museum = make_poi(
        1.6146, 50.7259, category="museum", name={"fr": "Musée"}, opening_hours="Mo-Su 10:00-18:00; PH off"
    )
    bar = make_poi(1.6147, 50.7259, category="cafe", name={"fr": "Bar de nuit"}, opening_hours="Fr 22:00-02:00")
    make_poi(1.6148, 50.7259, category="monument", name={"fr": "Sans horaires"})

    def open_ids(at):
        params = {**CENTRE, "radius": 2000, "open_now": "true", "at": at}
        return {f["id"] for f in client.get("/api/v1/pois/nearby", query_string=params).get_json()["features"]}

    assert open_ids("2026-07-15T12:00:00+02:00") == {str(museum.id)}
    assert open_ids("2026-07-14T12:00:00+02:00") == set()  # Bastille Day is a PH
    assert open_ids("2026-11-27T23:30:00+01:00") == {str(bar.id)}  # Friday night
    assert open_ids("2026-11-28T01:30:00+01:00") == {str(bar.id)}  # past midnight, Saturday
    assert open_ids("2026-11-28T02:30:00+01:00") == set()
    assert open_ids("2026-11-28T00:30:00Z") == {str(bar.id)}  # UTC input, 01:30 in Paris


def test_features_carry_open_now_only_when_hours_are_known(client, app):
    make_poi(1.6146, 50.7259, name={"fr": "Avec"}, opening_hours="24/7")
    make_poi(1.6147, 50.7259, name={"fr": "Sans"})
    features = client.get("/api/v1/pois/nearby", query_string=CENTRE).get_json()["features"]
    by_name = {f["properties"]["name"]["fr"]: f["properties"] for f in features}
    assert by_name["Avec"]["open_now"] is True
    assert "open_now" not in by_name["Sans"]


def test_hours_helper_uses_paris_time():
    assert is_open("Mo-Fr 09:00-10:00", datetime(2026, 11, 26, 9, 30)) is True
    assert is_open(None, datetime(2026, 11, 26, 9, 30)) is None


def test_lang_flattens_with_fallback_and_says_which(client, sights):
    url = f"/api/v1/pois/{sights['basilica'].id}"
    de = client.get(url, query_string={"lang": "de"})
    assert de.get_json()["properties"]["name"] == "Basilika Notre-Dame"
    assert de.get_json()["properties"]["lang"] == "de"
    assert de.headers["Content-Language"] == "de"
    nl = client.get(url, query_string={"lang": "nl"}).get_json()["properties"]
    assert nl["name"] == "Basilica of Notre-Dame" and nl["lang"] == "en"
    assert nl["category_label"] == "Kerk"
    french_only = make_poi(1.6, 50.7, name={"fr": "Calvaire des Marins"})
    de_fr = client.get(f"/api/v1/pois/{french_only.id}", query_string={"lang": "de"}).get_json()["properties"]
    assert de_fr["name"] == "Calvaire des Marins" and de_fr["lang"] == "fr"
    full = client.get(url).get_json()["properties"]
    assert full["name"]["de"] == "Basilika Notre-Dame" and "lang" not in full


def test_accept_language_is_used_when_lang_is_absent(client, sights):
    response = client.get(f"/api/v1/pois/{sights['belfry'].id}", headers={"Accept-Language": "nl-BE,nl;q=0.9"})
    assert response.get_json()["properties"]["name"] == "Belfort"
    assert "Accept-Language" in response.headers["Vary"]
    other = client.get(f"/api/v1/pois/{sights['belfry'].id}", headers={"Accept-Language": "nl"})
    assert other.headers["ETag"] == response.headers["ETag"]
    assert client.get(f"/api/v1/pois/{sights['belfry'].id}").headers["ETag"] != response.headers["ETag"]


def test_bbox_listing_pages_with_cursor(client, app):
    created = {str(make_poi(1.60 + i * 0.001, 50.72, name={"fr": f"P{i}"}).id) for i in range(7)}
    make_poi(2.5, 49.0, name={"fr": "Ailleurs"})
    seen, url, params = [], "/api/v1/pois", {"bbox": "1.59,50.71,1.62,50.73", "limit": 3}
    while True:
        page = client.get(url, query_string=params).get_json()
        assert page["numberMatched"] == 7 and page["numberReturned"] == len(page["features"])
        seen += [f["id"] for f in page["features"]]
        nxt = [link["href"] for link in page["links"] if link["rel"] == "next"]
        if not nxt:
            break
        url, params = nxt[0], None
    assert len(seen) == 7 and set(seen) == created


def test_text_search_pages_with_cursor(client, app):
    for i in range(5):
        make_poi(1.6, 50.72, name={"fr": f"Fort numéro {i}"})
    first = client.get("/api/v1/pois", query_string={"q": "fort", "limit": 3}).get_json()
    nxt = next(link["href"] for link in first["links"] if link["rel"] == "next")
    second = client.get(nxt).get_json()
    ids = [f["id"] for f in first["features"] + second["features"]]
    assert len(ids) == len(set(ids)) == 5


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"bbox": "1,2,3"}, "bbox"),
        ({"bbox": "3,50,1,51"}, "bbox"),
        ({"bbox": "1,50,200,51"}, "bbox"),
        ({"bbox": "a,b,c,d"}, "bbox"),
        ({"bbox": "0,40,30,60"}, "bbox"),
        ({"limit": 1000}, "limit"),
        ({"status": "gone"}, "status"),
    ],
)
def test_listing_validation(client, params, field):
    assert_problem(client.get("/api/v1/pois", query_string=params), 422, field)


def test_a_cursor_not_made_here_is_a_400_naming_it(client):
    assert_problem(client.get("/api/v1/pois", query_string={"cursor": "garbage!"}), 400, "cursor")


def test_categories_with_labels(client):
    full = client.get("/api/v1/categories").get_json()
    ids = [c["id"] for c in full]
    assert "third_place" in ids and "museum" in ids and len(ids) == len(set(ids))
    assert all(set(c["label"]) == {"fr", "en", "nl", "de"} for c in full)
    de = client.get("/api/v1/categories", query_string={"lang": "de"}).get_json()
    assert {c["id"]: c["label"] for c in de}["lighthouse"] == "Leuchtturm"


def test_get_supports_if_none_match(client, sights):
    url = f"/api/v1/pois/{sights['belfry'].id}"
    etag = client.get(url).headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    listing = client.get("/api/v1/pois/nearby", query_string=CENTRE)
    again = client.get("/api/v1/pois/nearby", query_string=CENTRE, headers={"If-None-Match": listing.headers["ETag"]})
    assert again.status_code == 304

"""Keyset paging of the POI listing: viewport and text search stay exact while POIs come and go between pages."""

import random

import pytest
from sqlalchemy import text

from tests.factories import make_poi
from tests.paging import cursor_of, ids, pages
from tests.problem import assert_problem
from urbanpulse.core import keyset
from urbanpulse.core.extensions import db
from urbanpulse.editing.actor import Actor
from urbanpulse.editing.etags import item_etag
from urbanpulse.geo.viewport import cover
from urbanpulse.pois import service

BOX = (1.600, 50.720, 1.610, 50.726)
BBOX = ",".join(map(str, BOX))


def delete(poi_id) -> None:
    poi = service.get_poi(poi_id=poi_id, include_unpublished=True)
    service.delete_poi(poi_id=poi_id, if_match=item_etag(poi.id, poi.version), actor=Actor.system("test"))


def inside_at(rng: random.Random, box=BOX) -> tuple[float, float]:
    return rng.uniform(box[0], box[2]), rng.uniform(box[1], box[3])


def test_viewport_pages_see_every_lasting_poi_once_while_pois_come_and_go(client, app):
    rng = random.Random(21)
    lasting = [str(make_poi(*inside_at(rng), name={"fr": f"Lieu {i}"}).id) for i in range(40)]
    doomed = [str(make_poi(*inside_at(rng), name={"fr": f"Éphémère {i}"}).id) for i in range(10)]
    make_poi(1.62, 50.72, name={"fr": "Hors du cadre"})
    make_poi(1.605, 50.73, name={"fr": "Au nord du cadre"})
    before = ids(pages(client, "/api/v1/pois", {"bbox": BBOX, "limit": 100}))
    assert set(before) == set(lasting + doomed)

    def change(number):
        delete(doomed[number - 1])  # one already served or still to come
        make_poi(*inside_at(rng), name={"fr": f"Nouveau {number}"})

    seen = ids(pages(client, "/api/v1/pois", {"bbox": BBOX, "limit": 6}, between=change))
    assert len(seen) == len(set(seen)), "a POI was served twice"
    assert set(lasting) <= set(seen)
    order = {poi_id: i for i, poi_id in enumerate(before)}
    survivors = [poi_id for poi_id in seen if poi_id in order]
    assert survivors == sorted(survivors, key=order.get), "the order changed while paging"


def test_a_viewport_of_some_categories_pages_in_the_same_order_exactly(client, app):
    rng = random.Random(8)
    wanted = {
        str(make_poi(*inside_at(rng), category=("museum", "church", "cafe")[i % 3], name={"fr": f"Lieu {i}"}).id)
        for i in range(30)
    }
    museums_or_churches = {
        poi_id
        for poi_id in wanted
        if client.get(f"/api/v1/pois/{poi_id}").get_json()["properties"]["category"] != "cafe"
    }
    everything = ids(pages(client, "/api/v1/pois", {"bbox": BBOX, "limit": 100}))

    def change(number):
        make_poi(*inside_at(rng), category="museum", name={"fr": f"Nouveau {number}"})

    params = {"bbox": BBOX, "category": "museum,church", "limit": 4}
    seen = ids(pages(client, "/api/v1/pois", params, between=change))
    assert len(seen) == len(set(seen)) and museums_or_churches <= set(seen)
    lasting = [poi_id for poi_id in seen if poi_id in museums_or_churches]
    assert lasting == [poi_id for poi_id in everything if poi_id in museums_or_churches]


def test_the_box_edges_are_included_and_nothing_outside_is(client, app):
    corners = [make_poi(x, y) for x in (BOX[0], BOX[2]) for y in (BOX[1], BOX[3])]
    outside = [make_poi(BOX[0] - 1e-9, BOX[1]), make_poi(BOX[2], BOX[3] + 1e-9)]
    seen = set(ids(pages(client, "/api/v1/pois", {"bbox": BBOX, "limit": 1})))
    assert seen == {str(poi.id) for poi in corners}
    assert not seen & {str(poi.id) for poi in outside}


def test_the_cover_holds_every_point_of_the_box_by_postgis_geohash(app):
    rng = random.Random(7)
    boxes = [
        BOX,
        (1.6, 50.72, 1.601, 50.721),
        (-0.5, -0.5, 0.5, 0.5),
        (1.45, 50.55, 1.85, 50.95),
        (179.0, 89.0, 180.0, 90.0),
    ]
    for box in boxes:
        ranges = cover(box)
        assert ranges == tuple(sorted(ranges)) and all(low < high for low, high in ranges)
        points = [inside_at(rng, box) for _ in range(200)]
        points += [(box[0], box[1]), (box[2], box[3]), (box[0], box[3]), (box[2], box[1])]
        keys = db.session.execute(
            text(
                "SELECT ST_GeoHash(ST_SetSRID(ST_MakePoint(x, y), 4326)::geography, 12) "
                "FROM unnest(CAST(:xs AS float8[]), CAST(:ys AS float8[])) AS p(x, y)"
            ),
            {"xs": [p[0] for p in points], "ys": [p[1] for p in points]},
        ).scalars()
        for point, key in zip(points, keys, strict=True):
            assert any(low <= key < high for low, high in ranges), (box, point, key)


def test_number_matched_is_exact_up_to_the_cap_then_a_lower_bound(client, app, monkeypatch):
    rng = random.Random(3)
    for i in range(6):
        make_poi(*inside_at(rng), name={"fr": f"Lieu {i}"})
    monkeypatch.setattr(keyset, "MATCH_COUNT_CAP", 6)
    body = client.get("/api/v1/pois", query_string={"bbox": BBOX, "limit": 2}).get_json()
    assert body["numberMatched"] == 6 and "numberMatchedAtLeast" not in body
    make_poi(*inside_at(rng), name={"fr": "Lieu 7"})
    for params in ({"bbox": BBOX, "limit": 2}, {"q": "lieu", "limit": 2}, {"limit": 2}):
        body = client.get("/api/v1/pois", query_string=params).get_json()
        assert "numberMatched" not in body and body["numberMatchedAtLeast"] == 7, params


def test_text_search_pages_by_relevance_see_every_lasting_match_once(client, app):
    lasting = [str(make_poi(1.6, 50.72, name={"fr": f"Fort {'de la Crèche ' * (i % 4)}{i}"}).id) for i in range(14)]
    doomed = [str(make_poi(1.6, 50.72, name={"fr": f"Fort éphémère {i}"}).id) for i in range(4)]

    def change(number):
        if number <= len(doomed):
            delete(doomed[number - 1])
        make_poi(1.6, 50.72, name={"fr": "Fort"})  # the best match, ahead of every page already served

    bodies = pages(client, "/api/v1/pois", {"q": "fort", "limit": 4}, between=change)
    seen = ids(bodies)
    assert len(seen) == len(set(seen)) and set(lasting) <= set(seen)
    relevances = [f["properties"]["relevance"] for body in bodies for f in body["features"]]
    lasting_relevances = [r for r, poi_id in zip(relevances, seen, strict=True) if poi_id in lasting]
    assert lasting_relevances == sorted(lasting_relevances, reverse=True)


@pytest.mark.parametrize(
    ("first", "other"),
    [
        ({"bbox": BBOX}, {"bbox": "1.6,50.72,1.62,50.73"}),
        ({"bbox": BBOX}, {"bbox": BBOX, "category": "museum"}),
        ({"q": "lieu"}, {"q": "fort"}),
        ({"q": "lieu"}, {}),
    ],
)
def test_a_cursor_replayed_with_other_filters_is_a_400(client, app, first, other):
    rng = random.Random(5)
    for i in range(4):
        make_poi(*inside_at(rng), category="museum", name={"fr": f"Lieu {i}"})
    body = client.get("/api/v1/pois", query_string={**first, "limit": 1}).get_json()
    cursor = cursor_of(body)
    assert (
        client.get("/api/v1/pois", query_string={**first, "limit": 2, "lang": "en", "cursor": cursor}).status_code
        == 200
    )
    problem = assert_problem(client.get("/api/v1/pois", query_string={**other, "cursor": cursor}), 400, "cursor")
    assert "other filters" in problem["detail"]


@pytest.mark.parametrize(
    ("params", "position"),
    [
        ({"bbox": BBOX}, ["key", "not-a-geohash", "00000000-0000-0000-0000-000000000000"]),
        ({"bbox": BBOX}, ["key", "u110kp000000", "'; DROP TABLE pois; --"]),
        ({"bbox": BBOX}, ["id", "00000000-0000-0000-0000-000000000000"]),
        ({"q": "fort"}, ["relevance", "NaN", "00000000-0000-0000-0000-000000000000"]),
        ({"q": "fort"}, ["relevance", 0.5]),
        ({}, []),
    ],
)
def test_forged_positions_with_the_right_filters_are_400s(client, params, position):
    filters = {"bbox": None, "category": [], "q": None, "status": "published"}
    if "bbox" in params:
        filters["bbox"] = [float(v) for v in params["bbox"].split(",")]
    filters["q"] = params.get("q")
    cursor = keyset.encode(position, filters=filters)
    assert_problem(client.get("/api/v1/pois", query_string={**params, "cursor": cursor}), 400, "cursor")

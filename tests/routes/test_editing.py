"""Creating, editing and deleting routes: derived values, every validation error, If-Match, history."""

import json
import uuid

import pytest
from sqlalchemy import text

from tests.factories import make_poi
from tests.problem import assert_problem
from tests.routes.factories import (
    ORIGIN,
    offset,
    pois_at,
    polyline_length_m,
    route_feature,
    square_loop,
    stops_for,
    walk,
)
from urbanpulse.cache.keys import domain_generation_key


def count(table: str) -> int:
    from urbanpulse.core.extensions import db

    return db.session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


@pytest.fixture
def u_walk(app):
    """A 3 km U-shaped line with POIs at its corners, 20-40 m off it."""
    coordinates = walk()
    points = [offset(*coordinates[0], 180, 20), offset(*coordinates[1], 90, 30), offset(*coordinates[2], 0, 40)]
    return coordinates, pois_at(points)


def post(client, headers, feature):
    return client.post("/api/v1/routes", json=feature, headers=headers)


def test_create_returns_the_feature_with_derived_values(client, editor_headers, u_walk):
    coordinates, pois = u_walk
    feature = route_feature(coordinates, stops=stops_for(pois, note={"fr": "Regardez"}, trigger_radius_m=60))
    response = post(client, editor_headers, feature)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/routes/{body['id']}")
    assert response.headers["ETag"].startswith(f'"{body["id"]}.1.')
    props = body["properties"]
    assert body["geometry"] == {"type": "LineString", "coordinates": coordinates}
    assert props["length_m"] == pytest.approx(polyline_length_m(coordinates), abs=0.05)
    assert props["duration_min"] == round(props["length_m"] / (4500 / 60))
    assert props["slug"] == "balade-d-essai" and props["status"] == "published" and props["version"] == 1
    assert [s["poi_id"] for s in props["stops"]] == [str(p.id) for p in pois]
    assert [s["distance_along_m"] for s in props["stops"]] == pytest.approx([0, 1000, 2000], abs=0.05)
    assert [s["offset_m"] for s in props["stops"]] == pytest.approx([20, 30, 40], abs=0.05)
    assert props["stops"][0]["note"] == {"fr": "Regardez"} and props["stops"][0]["trigger_radius_m"] == 60


def test_paces_per_kind_give_the_duration(client, editor_headers, u_walk):
    coordinates, _ = u_walk
    durations = {}
    for kind in ("walk", "bike", "boat"):
        feature = route_feature(coordinates, kind=kind, slug=f"trip-{kind}")
        durations[kind] = post(client, editor_headers, feature).get_json()["properties"]["duration_min"]
    assert durations == {"walk": 40, "bike": 12, "boat": 18}


def test_writes_need_an_editor_token(client):
    assert_problem(post(client, {}, route_feature(walk())), 401)
    route_id = uuid.uuid4()
    assert_problem(client.patch(f"/api/v1/routes/{route_id}", json={"properties": {}}), 401)
    assert_problem(client.delete(f"/api/v1/routes/{route_id}"), 401)
    assert_problem(client.get(f"/api/v1/routes/{route_id}/history"), 401)
    assert_problem(client.post("/api/v1/routes/import-gpx"), 401)


def _far_poi():
    return make_poi(*offset(*offset(*ORIGIN, 90, 500), 0, 340), name={"fr": "Loin"})


def _mutations():
    """(name, mutate(feature, pois), field, message fragment)"""
    return [
        (
            "nan",
            lambda f, p: f["geometry"]["coordinates"].__setitem__(3, [float("nan"), 50.7]),
            "geometry.coordinates.3",
            "finite",
        ),
        (
            "lat>90",
            lambda f, p: f["geometry"]["coordinates"].__setitem__(1, [1.6, 90.5]),
            "geometry.coordinates.1",
            "latitude",
        ),
        (
            "lon<-180",
            lambda f, p: f["geometry"]["coordinates"].__setitem__(2, [-180.5, 50.7]),
            "geometry.coordinates.2",
            "longitude",
        ),
        ("one point", lambda f, p: f["geometry"].update(coordinates=[[1.6, 50.73]]), "geometry.coordinates", "two"),
        (
            "shapely",
            lambda f, p: f["geometry"].update(coordinates=[[1.6, 50.73]] * 3),
            "geometry.coordinates",
            "not a valid line",
        ),
        (
            "point",
            lambda f, p: f["geometry"].update(type="Point", coordinates=[1.6, 50.73]),
            "geometry.type",
            "LineString",
        ),
        ("no geometry", lambda f, p: f.pop("geometry"), "geometry", ""),
        ("bad multi", lambda f, p: f["geometry"].update(type="MultiLineString"), "geometry.coordinates.0", "positions"),
        ("no name", lambda f, p: f["properties"].pop("name"), "properties.name", ""),
        ("no fr", lambda f, p: f["properties"].update(name={"en": "x"}), "properties.name.fr", ""),
        ("summary fr", lambda f, p: f["properties"].update(summary={"en": "x"}), "properties.summary.fr", ""),
        ("theme", lambda f, p: f["properties"].update(theme="space"), "properties.theme", ""),
        ("kind", lambda f, p: f["properties"].update(kind="rocket"), "properties.kind", ""),
        ("difficulty", lambda f, p: f["properties"].update(difficulty="insane"), "properties.difficulty", ""),
        ("status", lambda f, p: f["properties"].update(status="archived"), "properties.status", ""),
        ("slug", lambda f, p: f["properties"].update(slug="Bad Slug"), "properties.slug", ""),
        ("derived", lambda f, p: f["properties"].update(length_m=12), "properties.length_m", "derived"),
        (
            "derived stop",
            lambda f, p: f["properties"]["stops"][0].update(distance_along_m=3),
            "properties.stops.0.distance_along_m",
            "derived",
        ),
        ("unknown", lambda f, p: f["properties"].update(colour="blue"), "properties.colour", ""),
        (
            "unknown poi",
            lambda f, p: f["properties"]["stops"][1].update(poi_id=str(uuid.uuid4())),
            "properties.stops.1.poi_id",
            "no point of interest",
        ),
        (
            "unknown slug",
            lambda f, p: f["properties"]["stops"].append({"poi_slug": "nulle-part"}),
            "properties.stops.3.poi_slug",
            "nulle-part",
        ),
        (
            "both refs",
            lambda f, p: f["properties"]["stops"][0].update(poi_slug="x"),
            "properties.stops.0.poi_id",
            "exactly one",
        ),
        ("no ref", lambda f, p: f["properties"]["stops"][0].pop("poi_id"), "properties.stops.0.poi_id", "exactly one"),
        (
            "radius",
            lambda f, p: f["properties"]["stops"][0].update(trigger_radius_m=5),
            "properties.stops.0.trigger_radius_m",
            "",
        ),
        (
            "note fr",
            lambda f, p: f["properties"]["stops"][0].update(note={"en": "x"}),
            "properties.stops.0.note.fr",
            "",
        ),
        (
            "too far",
            lambda f, p: f["properties"]["stops"].insert(2, {"poi_id": str(_far_poi().id)}),
            "properties.stops.2.poi_id",
            "340 m from the line; max 200 m",
        ),
        (
            "order",
            lambda f, p: f["properties"]["stops"].reverse(),
            "properties.stops.1.poi_id",
            "before the previous stop",
        ),
        ("loop open", lambda f, p: f["properties"].update(is_loop=True), "properties.is_loop", "apart"),
        (
            "waypoints",
            lambda f, p: f["properties"].update(estimated_waypoints=[1, 9]),
            "properties.estimated_waypoints.1",
            "5 positions",
        ),
        (
            "waypoints dup",
            lambda f, p: f["properties"].update(estimated_waypoints=[2, 2]),
            "properties.estimated_waypoints",
            "unique",
        ),
        ("official", lambda f, p: f["properties"].update(official_length_m=-3), "properties.official_length_m", ""),
    ]


@pytest.mark.parametrize(("name", "mutate", "field", "fragment"), _mutations(), ids=[m[0] for m in _mutations()])
def test_every_validation_error_is_a_422_naming_the_culprit_and_writes_nothing(
    app, client, editor_headers, u_walk, name, mutate, field, fragment
):
    coordinates, pois = u_walk
    feature = route_feature([list(c) for c in coordinates] + [list(offset(*coordinates[-1], 270, 100))])
    feature["properties"]["stops"] = stops_for(pois)
    mutate(feature, pois)
    # NaN is not JSON, but Python's json (and many clients) send it; it must still be refused.
    response = client.post(
        "/api/v1/routes", data=json.dumps(feature), content_type="application/json", headers=editor_headers
    )
    body = assert_problem(response, 422, field)
    messages = " ".join(m for e in body["errors"] if e["field"] == field for m in e["messages"])
    assert fragment in messages, body
    assert count("routes") == 0 and count("route_stops") == 0


def test_publishing_with_a_draft_poi_is_refused_but_a_draft_route_may_use_it(client, editor_headers, u_walk):
    coordinates, pois = u_walk
    draft_poi = make_poi(*coordinates[1], name={"fr": "Pas encore"}, status="draft")
    stops = [*stops_for(pois[:1]), {"poi_id": str(draft_poi.id)}]
    body = assert_problem(
        post(client, editor_headers, route_feature(coordinates, stops=stops)), 422, "properties.stops.1.poi_id"
    )
    assert "draft" in body["detail"]
    draft = post(client, editor_headers, route_feature(coordinates, stops=stops, status="draft"))
    assert draft.status_code == 201
    assert [s["poi_status"] for s in draft.get_json()["properties"]["stops"]] == ["published", "draft"]


def test_duplicate_slug_is_409(client, editor_headers):
    assert post(client, editor_headers, route_feature(walk(), slug="remparts")).status_code == 201
    assert_problem(post(client, editor_headers, route_feature(walk(), slug="remparts")), 409, "properties.slug")
    second = post(client, editor_headers, route_feature(walk(), name={"fr": "Remparts"}))
    assert second.get_json()["properties"]["slug"] == "remparts-2"


def test_a_loop_whose_ends_are_close_is_closed(client, editor_headers):
    loop = square_loop()
    nearly = [*loop[:-1], list(offset(*loop[0], 200, 30))]
    body = post(client, editor_headers, route_feature(nearly, is_loop=True)).get_json()
    coordinates = body["geometry"]["coordinates"]
    assert coordinates[-1] == loop[0] and len(coordinates) == len(nearly) + 1
    assert body["properties"]["length_m"] == pytest.approx(polyline_length_m(coordinates), abs=0.05)


def test_multilinestring_round_trips(client, editor_headers):
    parts = [walk(legs=((90, 500),)), walk(start=offset(*ORIGIN, 0, 300), legs=((90, 400),))]
    body = post(client, editor_headers, route_feature(parts, "MultiLineString")).get_json()
    assert body["geometry"] == {"type": "MultiLineString", "coordinates": parts}
    assert body["properties"]["length_m"] == pytest.approx(900, abs=0.05)


def test_patch_needs_if_match_and_recomputes_everything(client, editor_headers, u_walk):
    coordinates, pois = u_walk
    created = post(client, editor_headers, route_feature(coordinates, stops=stops_for(pois)))
    url = f"/api/v1/routes/{created.get_json()['id']}"
    change = {"properties": {"kind": "bike"}}
    assert_problem(client.patch(url, json=change, headers=editor_headers), 428)
    assert_problem(client.patch(url, json=change, headers={**editor_headers, "If-Match": "*"}), 428)
    updated = client.patch(url, json=change, headers={**editor_headers, "If-Match": created.headers["ETag"]})
    assert updated.status_code == 200
    assert updated.get_json()["properties"]["duration_min"] == 12 and updated.get_json()["properties"]["version"] == 2
    assert_problem(client.patch(url, json=change, headers={**editor_headers, "If-Match": created.headers["ETag"]}), 412)
    shorter = coordinates[:3]
    moved = client.patch(
        url,
        json={"geometry": {"type": "LineString", "coordinates": shorter}, "properties": {"name": {"en": None}}},
        headers={**editor_headers, "If-Match": updated.headers["ETag"]},
    ).get_json()["properties"]
    assert moved["length_m"] == pytest.approx(2000, abs=0.05) and moved["name"] == {
        "fr": "Balade d'essai",
        "de": "Testweg",
    }
    assert [s["distance_along_m"] for s in moved["stops"]] == pytest.approx([0, 1000, 2000], abs=0.05)


def test_patch_that_breaks_a_rule_writes_nothing(client, editor_headers, u_walk):
    coordinates, pois = u_walk
    created = post(client, editor_headers, route_feature(coordinates, stops=stops_for(pois)))
    url = f"/api/v1/routes/{created.get_json()['id']}"
    headers = {**editor_headers, "If-Match": created.headers["ETag"]}
    away = [list(offset(*ORIGIN, 180, 2000)), list(offset(*ORIGIN, 180, 3000))]
    body = assert_problem(
        client.patch(
            url,
            json={"geometry": {"type": "LineString", "coordinates": away}, "properties": {"theme": "nature"}},
            headers=headers,
        ),
        422,
        "properties.stops.0.poi_id",
        "properties.stops.1.poi_id",
        "properties.stops.2.poi_id",
    )
    assert "max 200 m" in body["detail"]
    assert_problem(
        client.patch(url, json={"properties": {"name": {"fr": None}}}, headers=headers), 422, "properties.name.fr"
    )
    after = client.get(url).get_json()
    assert after["properties"]["version"] == 1 and after["properties"]["theme"] == "maritime"
    assert after["geometry"]["coordinates"] == coordinates and len(after["properties"]["stops"]) == 3


def test_patch_replaces_the_stop_list_and_a_no_op_keeps_the_version(client, editor_headers, u_walk):
    coordinates, pois = u_walk
    created = post(client, editor_headers, route_feature(coordinates, stops=stops_for(pois)))
    url = f"/api/v1/routes/{created.get_json()['id']}"
    same = client.patch(
        url, json={"properties": {"theme": "maritime"}}, headers={**editor_headers, "If-Match": created.headers["ETag"]}
    )
    assert same.get_json()["properties"]["version"] == 1
    changed = client.patch(
        url,
        json={"properties": {"stops": [{"poi_slug": pois[2].slug, "trigger_radius_m": 100}]}},
        headers={**editor_headers, "If-Match": created.headers["ETag"]},
    ).get_json()["properties"]
    assert [(s["poi_id"], s["position"], s["trigger_radius_m"]) for s in changed["stops"]] == [
        (str(pois[2].id), 1, 100)
    ]
    assert changed["version"] == 2 and changed["stop_count"] == 1


def test_history_records_each_change_with_old_and_new(client, editor, editor_headers, u_walk):
    coordinates, pois = u_walk
    created = post(client, editor_headers, route_feature(coordinates, stops=stops_for(pois)))
    url = f"/api/v1/routes/{created.get_json()['id']}"
    client.patch(
        url,
        json={"properties": {"difficulty": "hard", "stops": []}},
        headers={**editor_headers, "If-Match": created.headers["ETag"]},
    )
    entries = client.get(f"{url}/history", headers=editor_headers).get_json()
    assert [(e["action"], e["version"], e["actor"]) for e in entries] == [
        ("create", 1, editor.email),
        ("update", 2, editor.email),
    ]
    assert entries[0]["changes"]["geometry"]["new"] == {"type": "LineString", "coordinates": coordinates}
    assert entries[1]["changes"]["difficulty"] == {"old": "easy", "new": "hard"}
    assert [s["poi_id"] for s in entries[1]["changes"]["stops"]["old"]] == [str(p.id) for p in pois]
    assert entries[1]["changes"]["stops"]["new"] == [] and "geometry" not in entries[1]["changes"]


def test_delete_is_soft_and_hides_the_route_everywhere(client, editor_headers, u_walk):
    coordinates, pois = u_walk
    created = post(client, editor_headers, route_feature(coordinates, stops=stops_for(pois)))
    route_id = created.get_json()["id"]
    url = f"/api/v1/routes/{route_id}"
    assert_problem(client.delete(url, headers=editor_headers), 428)
    assert client.delete(url, headers={**editor_headers, "If-Match": created.headers["ETag"]}).status_code == 204
    for path in (url, f"{url}/gpx", f"{url}/progress?lat=50.73&lon=1.6"):
        assert_problem(client.get(path), 404)
        assert_problem(client.get(path, headers=editor_headers), 404)
    assert client.get("/api/v1/routes").get_json()["features"] == []
    near = client.get("/api/v1/routes/nearby", query_string={"lat": ORIGIN[1], "lon": ORIGIN[0]}).get_json()
    assert near["features"] == []
    assert count("routes") == 1
    assert [e["action"] for e in client.get(f"{url}/history", headers=editor_headers).get_json()][-1] == "delete"


def test_writes_bump_the_routes_cache_generation(client, editor_headers, raw_redis):
    created = post(client, editor_headers, route_feature(walk()))
    after_create = int(raw_redis.get(domain_generation_key("routes")))
    url = f"/api/v1/routes/{created.get_json()['id']}"
    client.patch(
        url, json={"properties": {"theme": "nature"}}, headers={**editor_headers, "If-Match": created.headers["ETag"]}
    )
    client.delete(url, headers={**editor_headers, "If-Match": client.get(url, headers=editor_headers).headers["ETag"]})
    assert int(raw_redis.get(domain_generation_key("routes"))) == after_create + 2


def test_service_path_is_the_same_for_seed_and_back_office(app):
    from urbanpulse.core.errors import ValidationFailed
    from urbanpulse.editing.actor import Actor
    from urbanpulse.routes.service import create_route_from_feature

    with pytest.raises(ValidationFailed) as error:
        create_route_from_feature(route_feature(walk(), theme="space"), actor=Actor.system("test"))
    assert error.value.errors[0]["field"] == "properties.theme"
    assert count("routes") == 0


def test_concurrent_patches_with_one_etag_exactly_one_wins(app, client, editor_headers, u_walk):
    from concurrent.futures import ThreadPoolExecutor

    coordinates, pois = u_walk
    created = post(client, editor_headers, route_feature(coordinates, stops=stops_for(pois)))
    url = f"/api/v1/routes/{created.get_json()['id']}"
    etag = created.headers["ETag"]
    stop_lists = [stops_for(pois[: 1 + i % 3]) for i in range(3)]

    def patch(i):
        with app.test_client() as own_client:
            body = {"properties": {"stops": stop_lists[i % 3], "source": f"source {i}"}}
            return own_client.patch(url, json=body, headers={**editor_headers, "If-Match": etag}).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(patch, range(8)))
    assert sorted(statuses) == [200] + [412] * 7
    entries = client.get(f"{url}/history", headers=editor_headers).get_json()
    assert [e["action"] for e in entries] == ["create", "update"]
    stops = client.get(url).get_json()["properties"]["stops"]
    assert [s["position"] for s in stops] == list(range(1, len(stops) + 1))


def test_a_name_without_latin_letters_gets_a_route_slug(client, editor_headers, u_walk):
    coordinates, _ = u_walk
    slugs = [
        post(client, editor_headers, route_feature(coordinates, name={"fr": "海辺の散歩"})).get_json()["properties"][
            "slug"
        ]
        for _ in range(2)
    ]
    assert slugs == ["route", "route-2"]

"""The five Boulogne routes: loaded through the service, linked to the seeded POIs, idempotent, measured."""

import json
import re

import pytest
from sqlalchemy import select, text

from tests.routes.factories import polyline_length_m
from urbanpulse.editing.actor import Actor
from urbanpulse.pois import seed as pois_seed
from urbanpulse.routes import seed as routes_seed
from urbanpulse.routes.models import Route
from urbanpulse.runtime.seeding import SEEDS_DIR

pytestmark = pytest.mark.skipif(not (SEEDS_DIR / "routes.geojson").exists(), reason="seed file not present")


def seed_features():
    return json.loads((SEEDS_DIR / "routes.geojson").read_text())["features"]


def load():
    actor = Actor.system("seed")
    return pois_seed.load(SEEDS_DIR, actor=actor), routes_seed.load(SEEDS_DIR, actor=actor)


def test_the_seed_file_holds_the_five_heritage_routes():
    slugs = [f["properties"]["slug"] for f in seed_features()]
    assert slugs == [
        "remparts-haute-ville",
        "balade-patrimoine-maritime",
        "gr120-alprech-cap-gris-nez",
        "parcours-imperial",
        "boucle-dunes-de-la-slack",
    ]
    poi_slugs = {f["properties"]["slug"] for f in json.loads((SEEDS_DIR / "pois.geojson").read_text())["features"]}
    for feature in seed_features():
        assert {s["poi_slug"] for s in feature["properties"]["stops"]} <= poi_slugs


def test_the_notes_say_which_waypoints_are_estimated():
    notes = (SEEDS_DIR / "NOTES-routes-events.md").read_text()
    for feature in seed_features():
        props = feature["properties"]
        row = next(line for line in notes.splitlines() if line.startswith(f"| `{props['slug']}`"))
        listed = [int(n) for n in re.findall(r"\d+", row.rsplit("|", 2)[-2])]
        assert listed == props["estimated_waypoints"], row


def test_seed_creates_the_routes_with_their_stops_and_exact_lengths(app, client):
    _, counts = load()
    assert counts == {"created": 5}
    from urbanpulse.core.extensions import db

    for feature in seed_features():
        props = feature["properties"]
        route = db.session.scalar(select(Route).where(Route.slug == props["slug"]))
        expected = polyline_length_m(feature["geometry"]["coordinates"])
        assert abs(route.length_m - expected) / expected < 0.001
        postgis = db.session.execute(
            text("SELECT ST_Length(geom) FROM routes WHERE id = :id"), {"id": route.id}
        ).scalar()
        assert abs(route.length_m - postgis) / postgis < 0.001
        served = client.get(f"/api/v1/routes/{route.id}").get_json()
        stops = served["properties"]["stops"]
        assert [s["poi_slug"] for s in stops] == [s["poi_slug"] for s in props["stops"]]
        assert [s["trigger_radius_m"] for s in stops] == [s["trigger_radius_m"] for s in props["stops"]]
        along = [s["distance_along_m"] for s in stops]
        assert along == sorted(along) and along[0] == 0
        assert all(s["offset_m"] <= 200 for s in stops)
        assert served["properties"]["estimated_waypoints"] == props["estimated_waypoints"]
        assert served["properties"]["official_length_m"] == props["official_length_m"]
        if not props["is_loop"]:
            assert along[-1] == served["properties"]["length_m"]


def test_the_castle_is_the_one_stop_off_its_line(app, client):
    load()
    route = client.get("/api/v1/routes?theme=military&lang=fr").get_json()["features"][0]
    stops = client.get(f"/api/v1/routes/{route['id']}").get_json()["properties"]["stops"]
    offsets = {s["poi_slug"]: s["offset_m"] for s in stops}
    assert offsets.pop("chateau-musee") == pytest.approx(31, abs=1)
    assert set(offsets.values()) == {0}


def test_seed_is_idempotent_and_respects_editors(app, client, editor_headers):
    from urbanpulse.core.extensions import db

    load()
    assert load()[1] == {"unchanged": 5}
    entries = db.session.execute(text("SELECT count(*) FROM history WHERE entity_type = 'route'")).scalar_one()
    assert entries == 5
    ramparts = db.session.scalar(select(Route).where(Route.slug == "remparts-haute-ville"))
    url = f"/api/v1/routes/{ramparts.id}"
    etag = client.get(url).headers["ETag"]
    edited = client.patch(
        url, json={"properties": {"difficulty": "moderate"}}, headers={**editor_headers, "If-Match": etag}
    )
    assert edited.status_code == 200
    assert load()[1] == {"unchanged": 4, "kept (edited by the tourism office)": 1}
    assert client.get(url).get_json()["properties"]["difficulty"] == "moderate"


def test_seeded_routes_answer_nearby_and_progress_from_the_quay(app, client):
    load()
    quay = {"lat": 50.7272, "lon": 1.5988}
    near = client.get("/api/v1/routes/nearby", query_string={**quay, "radius": 500}).get_json()["features"]
    on_the_quay = {f["properties"]["slug"]: f for f in near if f["properties"]["distance_m"] == 0}
    assert set(on_the_quay) == {"balade-patrimoine-maritime", "gr120-alprech-cap-gris-nez"}
    walk_id = on_the_quay["balade-patrimoine-maritime"]["id"]
    progress = client.get(f"/api/v1/routes/{walk_id}/progress", query_string={**quay, "lang": "en"}).get_json()
    assert progress["status"] == "on_route" and progress["at_stop"]["poi_slug"] == "quai-gambetta-marche-poisson"
    assert progress["next_stop"]["poi_slug"] == "maison-de-la-beuriere"

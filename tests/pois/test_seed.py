"""The Boulogne seed: loads through the service, idempotent, keeps editors' changes."""

import json

import pytest
from sqlalchemy import func, select

from urbanpulse.pois.models import Poi
from urbanpulse.runtime.seeding import SEEDS_DIR, load_seed


def seed_features():
    return json.loads((SEEDS_DIR / "pois.geojson").read_text())["features"]


@pytest.mark.skipif(not (SEEDS_DIR / "pois.geojson").exists(), reason="seed file not present")
def test_seed_file_holds_real_boulogne_pois():
    features = seed_features()
    slugs = [f["properties"]["slug"] for f in features]
    assert len(features) >= 51 and len(slugs) == len(set(slugs))
    assert "bouda" in slugs
    bouda = next(f for f in features if f["properties"]["slug"] == "bouda")
    assert bouda["properties"]["category"] == "third_place"
    for feature in features:
        lon, lat = feature["geometry"]["coordinates"]
        assert 1.4 < lon < 1.8 and 50.6 < lat < 50.9
        props = feature["properties"]
        assert props["name"]["fr"] and props["name"]["en"]
        assert props["description"]["fr"] and props["description"]["en"]
    four_languages = [
        f
        for f in features
        if {"nl", "de"} <= set(f["properties"]["name"]) and {"nl", "de"} <= set(f["properties"]["description"])
    ]
    assert len(four_languages) >= 15


def test_seed_is_idempotent_and_respects_editors(app, client, editor_headers):
    from urbanpulse.core.extensions import db

    first = load_seed()
    total = db.session.scalar(select(func.count()).select_from(Poi))
    assert first["pois"].get("created", 0) == total == len(seed_features())
    second = load_seed()
    assert second["pois"] == {"unchanged": total}
    history_rows = db.session.execute(db.text("SELECT count(*) FROM history WHERE entity_type = 'poi'")).scalar_one()
    assert history_rows == total

    nausicaa = db.session.scalar(select(Poi).where(Poi.slug == "nausicaa"))
    etag = client.get(f"/api/v1/pois/{nausicaa.id}").headers["ETag"]
    edited = client.patch(
        f"/api/v1/pois/{nausicaa.id}",
        json={"properties": {"address": "Boulevard Sainte-Beuve"}},
        headers={**editor_headers, "If-Match": etag},
    )
    assert edited.status_code == 200
    third = load_seed()
    assert third["pois"]["kept (edited by the tourism office)"] == 1
    assert client.get(f"/api/v1/pois/{nausicaa.id}").get_json()["properties"]["address"] == "Boulevard Sainte-Beuve"


def test_seeded_pois_answer_a_nearby_search_from_the_quay(app, client):
    load_seed()
    features = client.get(
        "/api/v1/pois/nearby", query_string={"lat": 50.7272, "lon": 1.5988, "radius": 800, "lang": "en"}
    ).get_json()["features"]
    assert features and all(f["properties"]["distance_m"] <= 800 for f in features)
    assert "nausicaa" in {f["properties"]["slug"] for f in features}
